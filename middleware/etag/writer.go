package etag

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"strconv"
)

type writeMode uint8

const (
	buffering  writeMode = iota // collecting a 200 body to hash
	passing                     // writing through to the original writer
	discarding                  // a 304 was sent; the body is dropped
)

// writer buffers a 200 response so that its tag can be computed before
// the headers are sent.
type writer struct {
	m           *middleware
	orig        http.ResponseWriter
	req         *http.Request
	buf         bytes.Buffer
	code        int
	mode        writeMode
	wroteHeader bool
}

func (w *writer) start(r *http.Request, orig http.ResponseWriter) {
	w.req, w.orig = r, orig
	w.code, w.mode, w.wroteHeader = 0, buffering, false
}

func (w *writer) reset() {
	w.req, w.orig = nil, nil
	if w.buf.Cap() > maxPooledBuffer {
		w.buf = bytes.Buffer{}
	}
	w.buf.Reset()
}

func (w *writer) Header() http.Header { return w.orig.Header() }

func (w *writer) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.orig.WriteHeader(code) // informational; the final status follows
		return
	}
	if w.wroteHeader {
		return
	}
	w.wroteHeader, w.code = true, code
	if w.mode != buffering {
		return
	}
	h := w.orig.Header()
	if code != http.StatusOK {
		w.mode = passing
		w.orig.WriteHeader(code)
		return
	}
	if tag := h["Etag"]; len(tag) > 0 {
		// The handler tagged the response itself: keep its tag, answer
		// the condition.
		if ifNoneMatch(w.req.Header["If-None-Match"], tag[0]) {
			w.notModified(h)
			return
		}
		w.mode = passing
		w.orig.WriteHeader(code)
		return
	}
	if cl := h["Content-Length"]; len(cl) > 0 {
		if n, err := strconv.ParseInt(cl[0], 10, 64); err == nil && n > int64(w.m.max) {
			w.mode = passing
			w.orig.WriteHeader(code)
		}
	}
}

func (w *writer) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	switch w.mode {
	case discarding:
		return len(p), nil
	case buffering:
		if w.buf.Len()+len(p) <= w.m.max {
			return w.buf.Write(p)
		}
		if err := w.passThrough(); err != nil {
			return 0, err
		}
	}
	return w.orig.Write(p)
}

// FlushError ends buffering: a flushed response is a stream and gets no
// tag.
func (w *writer) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	switch w.mode {
	case discarding:
		return nil
	case buffering:
		if err := w.passThrough(); err != nil {
			return err
		}
	}
	return http.NewResponseController(w.orig).Flush()
}

// Flush implements http.Flusher.
func (w *writer) Flush() { _ = w.FlushError() }

// Hijack hands the connection over; nothing buffered is sent.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.orig).Hijack()
	if err == nil {
		w.mode, w.wroteHeader = passing, true
		w.buf.Reset()
	}
	return conn, rw, err
}

// Unwrap returns the original writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.orig }

// passThrough stops buffering: it sends the status and what was buffered,
// untagged.
func (w *writer) passThrough() error {
	if w.mode != buffering {
		return nil
	}
	w.mode = passing
	if !w.wroteHeader {
		return nil // nothing written: leave the response to the caller
	}
	w.orig.WriteHeader(w.code)
	if w.buf.Len() == 0 {
		return nil
	}
	_, err := w.orig.Write(w.buf.Bytes())
	w.buf.Reset()
	return err
}

// finish sends a buffered 200 with its tag, or 304 when the request's
// If-None-Match matches it.
func (w *writer) finish() error {
	if w.mode != buffering || !w.wroteHeader {
		return nil
	}
	body := w.buf.Bytes()
	head := w.req.Method == http.MethodHead
	if head && len(body) == 0 {
		// The handler wrote no body for HEAD: the tag would not be GET's.
		return w.passThrough()
	}
	var tmp [48]byte
	tag := w.m.appendTag(tmp[:0], body)
	h := w.orig.Header()
	etag := string(tag)
	h["Etag"] = []string{etag}
	if ifNoneMatch(w.req.Header["If-None-Match"], etag) {
		w.notModified(h)
		return nil
	}
	if len(h["Content-Length"]) == 0 && (head || len(body) >= serverBuffered) {
		// The whole body is known: spare the client chunked encoding.
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.mode = passing
	w.orig.WriteHeader(http.StatusOK)
	if head {
		return nil
	}
	_, err := w.orig.Write(body)
	return err
}

// net/http sets Content-Length itself for bodies that fit its buffer.
const serverBuffered = 2048

// notModified sends 304 without the representation's metadata (RFC 9110
// §15.4.5): the cache headers (ETag, Cache-Control, Expires, Vary, …) stay.
func (w *writer) notModified(h http.Header) {
	delete(h, "Content-Type")
	delete(h, "Content-Length")
	delete(h, "Content-Encoding")
	delete(h, "Transfer-Encoding")
	delete(h, "Last-Modified")
	w.mode = discarding
	w.buf.Reset()
	w.orig.WriteHeader(http.StatusNotModified)
}
