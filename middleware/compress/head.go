package compress

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
)

// HEAD must describe what GET would send (RFC 9110 §9.3.2): the same
// Content-Encoding, Vary and ETag, and no identity Content-Length where
// GET sends a compressed body of another length. gzhttp never compresses
// HEAD (an old nginx bug), so HEAD goes through headWriter instead, which
// takes the decisions GET takes — the same negotiation, the same
// pass-through rules, the same size threshold — without compressing
// anything, since no body is sent.

// negotiate picks the encoding GET would use for these Accept-Encoding
// values, as gzhttp does: the first header line only, exact coding names,
// the higher q-value, zstd on a tie unless PreferGzip. "" means identity
// (GET then passes through gzhttp uncompressed).
func (m *middleware) negotiate(ae []string) string {
	if len(ae) == 0 || ae[0] == "" {
		return ""
	}
	gzipQ, zstdQ := qValue(ae[0], "gzip"), qValue(ae[0], "zstd")
	if !m.zstd {
		zstdQ = 0
	}
	switch {
	case gzipQ <= 0 && zstdQ <= 0:
		return ""
	case zstdQ > gzipQ, zstdQ == gzipQ && !m.preferGzip:
		return "zstd"
	}
	return "gzip"
}

// qValue returns the q-value of coding in an Accept-Encoding value (0 when
// absent or malformed, 1 without a q parameter).
func qValue(header, coding string) float64 {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			p = strings.TrimSpace(p)
			if len(p) >= 2 && strings.EqualFold(p[:2], "q=") {
				v, err := strconv.ParseFloat(p[2:], 64)
				if err != nil {
					v = 0
				}
				q = min(max(v, 0), 1)
			}
		}
		return q
	}
	return 0
}

// head runs a HEAD request with the headers GET would have.
func (m *middleware) head(next nexios.HandlerFunc, req *nexios.Request, res *nexios.Response) error {
	ae := req.Raw().Header["Accept-Encoding"]
	addVary(res.Header())
	if !m.mayAccept(ae) {
		return next(req, res) // as GET: not wrapped
	}
	hw := &headWriter{m: m, enc: m.negotiate(ae), orig: res.Writer()}
	res.SetWriter(hw)
	defer res.SetWriter(hw.orig)
	err := next(req, res)
	hw.finish()
	return err
}

// headWriter decides, like topWriter and gzhttp together, whether GET
// would compress, and sends the headers that decision implies. Body bytes
// are buffered only while the decision waits for them (up to MinSize),
// and dropped once it is taken as compressed: HEAD sends no body.
type headWriter struct {
	m    *middleware
	enc  string
	orig http.ResponseWriter
	code int    // status held back while undecided
	buf  []byte // body bytes held back while undecided
	mode writeMode
}

func (w *headWriter) Header() http.Header { return w.orig.Header() }

func (w *headWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.orig.WriteHeader(code)
		return
	}
	if w.mode != undecided || w.code != 0 {
		return
	}
	h := w.orig.Header()
	addVary(h) // again: the handler may have replaced Vary
	if w.enc == "" || w.m.passThrough(code, h) {
		w.mode = plain
		w.orig.WriteHeader(code)
		return
	}
	weakenETag(h) // GET weakens it for every candidate
	w.code = code
	// A declared length at or over MinSize (passThrough ruled out the
	// shorter ones) and a known type: GET compresses at its first byte.
	if len(h["Content-Length"]) > 0 && len(h["Content-Type"]) > 0 {
		w.compressed()
	}
}

func (w *headWriter) Write(p []byte) (int, error) {
	if w.mode == undecided && w.code == 0 {
		w.WriteHeader(http.StatusOK)
	}
	switch w.mode {
	case plain:
		return w.orig.Write(p)
	case compressing:
		return len(p), nil // GET would send compressed bytes; HEAD sends none
	}
	w.buf = append(w.buf, p...)
	// As gzhttp: a declared length (at least MinSize, or passThrough
	// would have ruled it out) or MinSize bytes written is enough.
	if len(w.buf) >= max(w.m.minSize, 1) || len(w.orig.Header()["Content-Length"]) > 0 {
		w.decide(true)
	}
	return len(p), nil
}

// FlushError sends the headers once the decision can be taken: gzhttp
// flushes nothing before the first byte, and treats a flush after it as
// enough to compress.
func (w *headWriter) FlushError() error {
	if w.mode == undecided {
		if len(w.buf) == 0 {
			return nil
		}
		w.decide(true)
	}
	return http.NewResponseController(w.orig).Flush()
}

// Flush implements http.Flusher.
func (w *headWriter) Flush() { _ = w.FlushError() }

// Unwrap returns the original writer, for http.ResponseController.
func (w *headWriter) Unwrap() http.ResponseWriter { return w.orig }

// decide takes the decision for the bytes held: compressed when enough
// were written (or flushed) and their type qualifies, identity otherwise.
func (w *headWriter) decide(enough bool) {
	h := w.orig.Header()
	ct := h.Get("Content-Type")
	if ct == "" && len(w.buf) > 0 {
		ct = http.DetectContentType(w.buf)
		if _, ok := h["Content-Type"]; !ok {
			h.Set("Content-Type", ct) // as gzhttp and net/http set it
		}
	}
	if enough && w.m.types.match(ct) {
		w.compressed()
		return
	}
	w.mode = plain
	w.orig.WriteHeader(w.code)
	if len(w.buf) > 0 {
		// net/http derives the Content-Length from them, as for GET.
		_, _ = w.orig.Write(w.buf)
	}
	w.buf = nil
}

// compressed sends the headers of a compressed response.
func (w *headWriter) compressed() {
	h := w.orig.Header()
	h.Set("Content-Encoding", w.enc)
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	w.mode = compressing
	w.buf = nil
	w.orig.WriteHeader(w.code)
}

// finish ends a response the handler left undecided: too short to
// compress, as gzhttp's Close decides. A handler that wrote nothing at all
// leaves the response to the app (an error it returned renders above).
func (w *headWriter) finish() {
	if w.mode != undecided || w.code == 0 {
		return
	}
	w.decide(false)
}
