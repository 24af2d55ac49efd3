package testclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync"
)

// transport is an [http.RoundTripper] that serves requests by calling an
// [http.Handler] in process.
type transport struct {
	handler    http.Handler
	remoteAddr string
	errorLog   *log.Logger
}

var _ http.RoundTripper = (*transport)(nil)

// RoundTrip implements [http.RoundTripper]. It runs the handler in a new
// goroutine and returns as soon as the handler has committed its headers.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	sreq, err := serverRequest(req, t.remoteAddr)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	clientCtx := req.Context()
	ctx, cancel := context.WithCancel(clientCtx)
	sreq = sreq.WithContext(ctx)

	pr, pw := io.Pipe()
	w := newResponseWriter(ctx, pw, req.Method == http.MethodHead)
	// When the client gives up, reading the body fails and the handler's
	// writes fail too (its context is cancelled through ctx).
	stop := context.AfterFunc(clientCtx, func() {
		pw.CloseWithError(context.Cause(clientCtx))
	})
	go t.serve(w, sreq, req.Body, cancel, stop)

	select {
	case <-w.committed:
	case <-clientCtx.Done():
		pr.CloseWithError(context.Cause(clientCtx))
		cancel()
		return nil, clientCtx.Err()
	}
	if w.abortErr != nil {
		pr.CloseWithError(w.abortErr)
		cancel()
		return nil, w.abortErr
	}

	resp := &http.Response{
		Status:        statusLine(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.snapshot,
		Body:          &body{pr: pr, cancel: cancel},
		ContentLength: w.contentLength,
		Trailer:       w.trailer,
		Request:       req,
		TLS:           sreq.TLS,
	}
	if !bodyAllowed(w.status) {
		resp.ContentLength = 0
	}
	return resp, nil
}

// serve runs the handler and completes the response. It always closes the
// client's request body and cancels the server-side context when done.
func (t *transport) serve(w *responseWriter, r *http.Request, reqBody io.Closer, cancel context.CancelFunc, stop func() bool) {
	defer func() {
		stop()
		cancel()
		if reqBody != nil {
			reqBody.Close()
		}
	}()
	defer func() {
		v := recover()
		if v == nil {
			w.finish()
			return
		}
		t.recovered(w, r, v)
	}()
	t.handler.ServeHTTP(w, r)
}

// recovered turns a handler panic into a 500 response, or into a body read
// error when the response was already committed.
func (t *transport) recovered(w *responseWriter, r *http.Request, v any) {
	if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		err := fmt.Errorf("testclient: %s %s: %w", r.Method, r.RequestURI, http.ErrAbortHandler)
		if !w.wroteHeader {
			w.abort(err)
		}
		w.release()
		w.pw.CloseWithError(err)
		return
	}
	if t.errorLog != nil {
		t.errorLog.Printf("testclient: panic serving %s %s: %v\n%s", r.Method, r.RequestURI, v, debug.Stack())
	}
	if w.wroteHeader {
		w.release()
		w.pw.CloseWithError(fmt.Errorf("testclient: handler panicked after the response was committed: %v", v))
		return
	}
	// Start over with a clean header map, like http.Error would.
	w.header = make(http.Header)
	w.header.Set("Content-Type", "text/plain; charset=utf-8")
	w.header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, http.StatusText(http.StatusInternalServerError)+"\n")
	w.pw.Close()
}

// serverRequest converts an outgoing client request into the request a
// net/http server would hand to its handler.
func serverRequest(req *http.Request, remoteAddr string) (*http.Request, error) {
	if req.URL == nil {
		return nil, errors.New("testclient: request has no URL")
	}
	requestURI := req.URL.RequestURI()
	u, err := url.ParseRequestURI(requestURI)
	if err != nil {
		return nil, fmt.Errorf("testclient: invalid request URI %q: %w", requestURI, err)
	}
	header := req.Header.Clone()
	if header == nil {
		header = make(http.Header)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	sreq := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     header,
		Host:       host,
		RemoteAddr: remoteAddr,
		RequestURI: requestURI,
	}
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		sreq.Body = http.NoBody
		if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
			header.Set("Content-Length", "0")
		}
	case req.ContentLength <= 0:
		// Unknown length: a real client would use chunked encoding.
		sreq.Body = req.Body
		sreq.ContentLength = -1
		sreq.TransferEncoding = []string{"chunked"}
		header.Del("Content-Length")
	default:
		sreq.Body = req.Body
		sreq.ContentLength = req.ContentLength
		header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	}
	if req.URL.Scheme == "https" {
		sreq.TLS = &tls.ConnectionState{
			Version:           tls.VersionTLS13,
			HandshakeComplete: true,
			ServerName:        req.URL.Hostname(),
		}
	}
	return sreq, nil
}

// statusLine formats the Status field of a response like net/http does.
func statusLine(code int) string {
	text := http.StatusText(code)
	if text == "" {
		text = "status code " + strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + text
}

// body is the client's view of the response body. Closing it cancels the
// handler's request context and makes its further writes fail.
type body struct {
	pr     *io.PipeReader
	cancel context.CancelFunc
	once   sync.Once
}

func (b *body) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *body) Close() error {
	b.once.Do(func() {
		b.pr.CloseWithError(errBodyClosed)
		b.cancel()
	})
	return nil
}

// errBodyClosed is returned to the handler's writes after the client closed
// the response body.
var errBodyClosed = errors.New("testclient: client closed the response body")
