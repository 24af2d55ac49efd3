package testclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// responseWriter is the server-side [http.ResponseWriter] handed to the
// handler. Its body is written into an [io.Pipe] whose reading end is the
// client's response body, so the client sees every Write as soon as it
// happens.
//
// Like any ResponseWriter it must only be used by the handler goroutine. The
// fields read by RoundTrip (status, snapshot, trailer, contentLength and
// abortErr) are written before committed is closed and never changed after.
type responseWriter struct {
	ctx  context.Context // the server-side request context
	pw   *io.PipeWriter
	head bool // HEAD request: the body is discarded

	header        http.Header // the handler's mutable header map
	wroteHeader   bool
	status        int
	snapshot      http.Header   // header map as committed
	trailer       http.Header   // declared and prefixed trailers, filled at the end
	contentLength int64         // declared Content-Length, or -1
	written       int64         // bytes the handler tried to write, as counted by net/http
	sent          int64         // bytes accepted
	abortErr      error         // non-nil when the handler aborted before committing
	committed     chan struct{} // closed once the headers are released to RoundTrip
	released      bool
}

func newResponseWriter(ctx context.Context, pw *io.PipeWriter, head bool) *responseWriter {
	return &responseWriter{
		ctx:           ctx,
		pw:            pw,
		head:          head,
		header:        make(http.Header),
		contentLength: -1,
		committed:     make(chan struct{}),
	}
}

// Header implements [http.ResponseWriter].
func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader implements [http.ResponseWriter]. Informational (1xx) status
// codes other than 101 are ignored; the first other call commits the headers.
func (w *responseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader {
		return
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		return
	}
	w.commit(code)
}

// commit snapshots the header map, as net/http does at WriteHeader. The
// response is released to RoundTrip at the first Write, Flush or the end of
// the handler, so that the first Write can still sniff a Content-Type.
func (w *responseWriter) commit(code int) {
	w.wroteHeader = true
	w.status = code
	w.trailer = make(http.Header)
	snap := w.header.Clone()
	if snap == nil {
		snap = make(http.Header)
	}
	for _, v := range snap["Trailer"] {
		for key := range strings.SplitSeq(v, ",") {
			if key = strings.TrimSpace(key); key != "" {
				w.trailer[http.CanonicalHeaderKey(key)] = nil
			}
		}
	}
	delete(snap, "Trailer")
	for k := range snap {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			delete(snap, k)
		}
	}
	if cl := snap.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64); err == nil && n >= 0 {
			w.contentLength = n
		}
	}
	w.snapshot = snap
}

// release hands the committed response to RoundTrip (once).
func (w *responseWriter) release() {
	if !w.released {
		w.released = true
		close(w.committed)
	}
}

// abort releases RoundTrip with an error instead of a response.
func (w *responseWriter) abort(err error) {
	w.wroteHeader = true
	w.abortErr = err
	w.release()
}

// Write implements [http.ResponseWriter]. It blocks until the client has
// read the data, or fails once the client has gone away.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.released {
		// Like net/http, sniff the type from the first bytes written, even
		// after an explicit WriteHeader.
		_, haveType := w.snapshot["Content-Type"]
		if !haveType && w.snapshot.Get("Transfer-Encoding") == "" && len(p) > 0 && bodyAllowed(w.status) {
			w.snapshot.Set("Content-Type", http.DetectContentType(p))
		}
		w.release()
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(len(p))
	if w.contentLength >= 0 && w.written > w.contentLength {
		return 0, http.ErrContentLength
	}
	if w.head {
		w.sent += int64(len(p))
		return len(p), nil
	}
	n, err := w.pw.Write(p)
	w.sent += int64(n)
	return n, err
}

// WriteString implements [io.StringWriter].
func (w *responseWriter) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

// Flush implements [http.Flusher]. Data is handed to the client on every
// Write, so flushing only commits the headers.
func (w *responseWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.release()
}

// FlushError is used by [http.ResponseController.Flush]. It reports an
// error once the client has gone away.
func (w *responseWriter) FlushError() error {
	w.Flush()
	return w.ctx.Err()
}

// EnableFullDuplex is used by [http.ResponseController.EnableFullDuplex].
// The in-process transport always allows reading the request body while
// writing the response.
func (w *responseWriter) EnableFullDuplex() error { return nil }

// finish completes the response after the handler returned normally.
func (w *responseWriter) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.release()
	for k := range w.trailer {
		if vv, ok := w.header[k]; ok {
			w.trailer[k] = slices.Clone(vv)
		}
	}
	for k, vv := range w.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			w.trailer[http.CanonicalHeaderKey(name)] = slices.Clone(vv)
		}
	}
	if w.ctx.Err() != nil {
		// The client went away (or cancelled): make sure it does not mistake
		// a truncated body for a complete one.
		w.pw.CloseWithError(context.Cause(w.ctx))
		return
	}
	if !w.head && bodyAllowed(w.status) && w.contentLength >= 0 && w.sent < w.contentLength {
		w.pw.CloseWithError(io.ErrUnexpectedEOF)
		return
	}
	w.pw.Close()
}

// bodyAllowed reports whether a response with the given status may have a
// body (RFC 9110, sections 6.4.1, 15.3.5 and 15.4.5).
func bodyAllowed(status int) bool {
	switch {
	case status >= 100 && status <= 199:
		return false
	case status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}
