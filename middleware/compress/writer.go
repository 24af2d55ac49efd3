package compress

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzhttp"

	"github.com/nexios-go/nexios"
)

// state is the pooled per-request state. The writers form this chain:
//
//	handler → res → topWriter → (gzhttp writer) → bottomWriter → original writer
//
// topWriter decides at WriteHeader time, from the status and headers,
// whether the response is a candidate for compression; if not, it writes
// to the original writer directly and gzhttp never sees the body (so an
// SSE stream's headers and events go out at the first Flush).
type state struct {
	m      *middleware
	req    *nexios.Request
	res    *nexios.Response
	orig   http.ResponseWriter // the response's writer before ours
	gz     http.ResponseWriter // the writer gzhttp gave the inner handler
	bottom bottomWriter
	top    topWriter
	err    error // what the chain returned
}

func (s *state) reset() {
	s.req, s.res, s.orig, s.gz, s.err = nil, nil, nil, nil, nil
	s.top.mode = undecided
}

// serve runs the chain with the topWriter installed. An error is kept in
// s.err and returned upward; it renders uncompressed at the top of the
// chain, after the writer was restored (error bodies are small).
func (s *state) serve(gz http.ResponseWriter, next nexios.HandlerFunc) {
	s.gz = gz
	s.top.mode = undecided
	if _, ok := gz.(*gzhttp.GzipResponseWriter); !ok {
		// gzhttp negotiated no encoding (e.g. "gzip;q=0"): pass through.
		s.top.mode = plain
	}
	s.res.SetWriter(&s.top)
	defer s.res.SetWriter(s.orig) // also on panic: the core renders into orig
	s.err = next(s.req, s.res)
}

// findState recovers the state from the writer gzhttp hands the inner
// handler, by unwrapping it down to our bottomWriter.
func findState(w http.ResponseWriter) *state {
	for w != nil {
		if b, ok := w.(*bottomWriter); ok {
			return b.s
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// bottomWriter is the writer gzhttp wraps: it forwards to the original
// writer.
type bottomWriter struct{ s *state }

func (b *bottomWriter) Header() http.Header         { return b.s.orig.Header() }
func (b *bottomWriter) Write(p []byte) (int, error) { return b.s.orig.Write(p) }
func (b *bottomWriter) WriteHeader(code int)        { b.s.orig.WriteHeader(code) }
func (b *bottomWriter) Unwrap() http.ResponseWriter { return b.s.orig }

// Flush makes bottomWriter an http.Flusher, which gzhttp requires to pass
// flushes on.
func (b *bottomWriter) Flush() { _ = http.NewResponseController(b.s.orig).Flush() }

type writeMode uint8

const (
	undecided   writeMode = iota // nothing sent yet
	plain                        // passing through to the original writer
	compressing                  // writing through gzhttp (which may still decide on size)
)

// topWriter is the writer the handler writes to.
type topWriter struct {
	s    *state
	mode writeMode
}

func (t *topWriter) Header() http.Header { return t.s.orig.Header() }

func (t *topWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		t.s.orig.WriteHeader(code) // informational; the final status follows
		return
	}
	h := t.s.orig.Header()
	addVary(h) // again: the handler may have replaced Vary
	switch t.mode {
	case plain:
		t.s.orig.WriteHeader(code)
		return
	case compressing:
		t.s.gz.WriteHeader(code)
		return
	}
	if t.s.m.passThrough(code, h) {
		t.mode = plain
		t.s.orig.WriteHeader(code)
		return
	}
	t.mode = compressing
	weakenETag(h)
	t.s.gz.WriteHeader(code)
}

func (t *topWriter) Write(p []byte) (int, error) {
	if t.mode == undecided {
		t.WriteHeader(http.StatusOK)
	}
	if t.mode == plain {
		return t.s.orig.Write(p)
	}
	return t.s.gz.Write(p)
}

// FlushError sends what was written so far: in a compressed response, as a
// complete compressed block. A compressed response whose handler flushes
// before writing any byte sends its headers with the first flushed byte.
func (t *topWriter) FlushError() error {
	if t.mode == undecided {
		t.WriteHeader(http.StatusOK)
	}
	if t.mode == plain {
		return http.NewResponseController(t.s.orig).Flush()
	}
	t.s.gz.(http.Flusher).Flush()
	return nil
}

// Flush implements http.Flusher.
func (t *topWriter) Flush() { _ = t.FlushError() }

// Hijack takes over the connection from the original writer.
func (t *topWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(t.s.orig).Hijack()
	if err == nil {
		t.mode = plain
	}
	return conn, rw, err
}

// Unwrap returns the original writer, for http.ResponseController.
func (t *topWriter) Unwrap() http.ResponseWriter { return t.s.orig }

// passThrough reports whether a response with this status and these
// headers is sent as is.
func (m *middleware) passThrough(code int, h http.Header) bool {
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		return true
	}
	if v := h["Content-Encoding"]; len(v) > 0 && v[0] != "" && v[0] != "identity" {
		return true
	}
	if len(h["Content-Range"]) > 0 {
		return true
	}
	for _, v := range h["Cache-Control"] {
		if containsFold(v, "no-transform") {
			return true
		}
	}
	if v := h["Content-Type"]; len(v) > 0 && !m.types.match(v[0]) {
		return true
	}
	if v := h["Content-Length"]; len(v) > 0 {
		if n, err := strconv.Atoi(v[0]); err == nil && n < m.minSize {
			return true
		}
	}
	return false
}

// weakenETag turns a strong ETag into a weak one: a compressed body is not
// byte-for-byte the identity body the tag was computed for.
func weakenETag(h http.Header) {
	if v := h["Etag"]; len(v) == 1 && strings.HasPrefix(v[0], `"`) {
		h["Etag"] = []string{"W/" + v[0]}
	}
}
