// Package compress compresses response bodies with gzip or zstd, chosen
// from the request's Accept-Encoding header (q-values respected, zstd
// preferred on a tie), using github.com/klauspost/compress/gzhttp.
//
//	app.Use(nexios.Must(compress.New(compress.Config{})))
//
// A response is compressed when the client accepts gzip or zstd, its
// Content-Type is in Config.ContentTypes, it is at least Config.MinSize
// bytes long and nothing else rules it out. It is never compressed for:
//
//   - protocol upgrades (WebSocket: an Upgrade header or Connection:
//     upgrade, and CONNECT): those requests are not wrapped at all, so
//     hijacking the connection through the response keeps working;
//   - Server-Sent Events (Content-Type text/event-stream), whatever
//     ContentTypes says, so every event reaches the client when flushed;
//   - responses the handler already encoded (Content-Encoding set), partial
//     content (Content-Range), Cache-Control: no-transform, and statuses
//     without a body (1xx, 204, 304).
//
// A HEAD request gets the headers its GET would get — the same
// Content-Encoding, Vary and ETag, and no Content-Length where GET sends a
// compressed body — without compressing anything (no body is sent).
//
// Responses that may be compressed get Vary: Accept-Encoding, and a strong
// ETag on them is made weak (W/"…"), since the compressed bytes differ
// from the identity ones. Streaming works: a Flush sends what was written
// so far as a complete compressed block. Errors returned by the handler
// travel up unchanged and render at the top of the chain, uncompressed
// (error bodies are small).
package compress

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/nexios-go/nexios"
)

// DefaultMinSize is the response size, in bytes, below which nothing is
// compressed unless Config.MinSize says otherwise.
const DefaultMinSize = 1024

// DefaultContentTypes are the media types compressed when
// Config.ContentTypes is empty. text/event-stream is never compressed.
var DefaultContentTypes = []string{
	"text/*",
	"application/json",
	"application/*+json", // application/problem+json, application/ld+json, …
	"application/x-ndjson",
	"application/javascript",
	"application/xml",
	"application/*+xml", // application/problem+xml, application/atom+xml, …
	"application/wasm",
	"image/svg+xml",
	"image/x-icon",
	"font/ttf",
	"font/otf",
}

// Config configures the compression middleware. The zero Config is valid:
// gzip at the default level and zstd at its fastest level, for responses of
// at least 1 KiB whose type is in DefaultContentTypes.
type Config struct {
	// Level is the gzip level: 1 (fastest) to 9 (smallest), -2 for
	// Huffman-only, -3 for stateless compression (low memory per stream).
	// Default (0): gzip.DefaultCompression.
	Level int

	// ZstdLevel is the zstd level: 1 (fastest) to 4 (smallest).
	// Default (0): 1.
	ZstdLevel int

	// MinSize is the smallest body, in bytes, that is compressed; shorter
	// bodies are sent as they are. Default (0): 1024. A negative value
	// compresses bodies of every size.
	MinSize int

	// ContentTypes lists the media types to compress: "type/subtype",
	// "type/*" or "type/*+suffix", matched case-insensitively and ignoring
	// parameters. Default: DefaultContentTypes. text/event-stream is never
	// compressed, even when listed.
	ContentTypes []string

	// DisableZstd offers gzip only. zstd is enabled by default.
	DisableZstd bool

	// PreferGzip picks gzip when the client accepts gzip and zstd with the
	// same q-value. Default: zstd, which is faster and smaller.
	PreferGzip bool

	// Skip, when it returns true, passes the request through uncompressed.
	// Nil never skips.
	Skip func(*nexios.Request) bool
}

// varyAcceptEncoding is assigned to the Vary header when it is absent
// (len == cap, so a later Add copies instead of writing into it).
var varyAcceptEncoding = []string{"Accept-Encoding"}

type middleware struct {
	skip       func(*nexios.Request) bool
	wrap       func(http.Handler) http.HandlerFunc
	types      typeMatcher
	minSize    int
	zstd       bool
	preferGzip bool
	pool       sync.Pool
}

// New returns the compression middleware, or an error for an invalid
// level or content type pattern.
func New(cfg Config) (nexios.Middleware, error) {
	m, err := newMiddleware(cfg)
	if err != nil {
		return nil, err
	}
	return m.handle, nil
}

func newMiddleware(cfg Config) (*middleware, error) {
	level := cfg.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	if level < gzip.StatelessCompression || level > gzip.BestCompression {
		return nil, fmt.Errorf("compress: gzip level %d out of range [-3, 9]", cfg.Level)
	}
	zlevel := cfg.ZstdLevel
	if zlevel == 0 {
		zlevel = int(zstd.SpeedFastest)
	}
	if zlevel < int(zstd.SpeedFastest) || zlevel > int(zstd.SpeedBestCompression) {
		return nil, fmt.Errorf("compress: zstd level %d out of range [1, 4]", cfg.ZstdLevel)
	}
	minSize := cfg.MinSize
	switch {
	case minSize == 0:
		minSize = DefaultMinSize
	case minSize < 0:
		minSize = 0
	}
	patterns := cfg.ContentTypes
	if len(patterns) == 0 {
		patterns = DefaultContentTypes
	}
	types, err := newTypeMatcher(patterns)
	if err != nil {
		return nil, err
	}
	m := &middleware{skip: cfg.Skip, types: types, minSize: minSize, zstd: !cfg.DisableZstd, preferGzip: cfg.PreferGzip}
	m.wrap, err = gzhttp.NewWrapper(
		gzhttp.CompressionLevel(level),
		gzhttp.ZstdCompressionLevel(zlevel),
		gzhttp.EnableZstd(!cfg.DisableZstd),
		gzhttp.PreferZstd(!cfg.PreferGzip),
		gzhttp.MinSize(minSize),
		gzhttp.ContentTypeFilter(types.match),
	)
	if err != nil {
		return nil, fmt.Errorf("compress: %w", err)
	}
	m.pool.New = func() any {
		s := &state{m: m}
		s.bottom.s = s
		s.top.s = s
		return s
	}
	return m, nil
}

func (m *middleware) handle(next nexios.HandlerFunc) nexios.HandlerFunc {
	// gzhttp wraps a handler once; the per-request objects reach it
	// through the writer it wraps (see bottomWriter).
	inner := m.wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s := findState(w)
		if s == nil {
			// Cannot happen: gzhttp always wraps the writer it is given.
			panic("compress: response writer lost by gzhttp")
		}
		s.serve(w, next)
	}))
	return func(req *nexios.Request, res *nexios.Response) error {
		if m.skip != nil && m.skip(req) {
			return next(req, res)
		}
		r := req.Raw()
		if isUpgrade(r) {
			return next(req, res) // never wrap: the handler may hijack
		}
		if r.Method == http.MethodHead {
			return m.head(next, req, res)
		}
		if !m.mayAccept(r.Header["Accept-Encoding"]) {
			addVary(res.Header())
			return next(req, res)
		}
		s := m.pool.Get().(*state)
		s.req, s.res, s.orig = req, res, res.Writer()
		inner.ServeHTTP(&s.bottom, r)
		err := s.err
		s.reset()
		m.pool.Put(s)
		return err
	}
}

// isUpgrade reports a request for a protocol switch (WebSocket over
// HTTP/1.1, or over HTTP/2 with an extended CONNECT).
func isUpgrade(r *http.Request) bool {
	if len(r.Header["Upgrade"]) > 0 || r.Method == http.MethodConnect {
		return true
	}
	for _, v := range r.Header["Connection"] {
		if containsFold(v, "upgrade") {
			return true
		}
	}
	return false
}

// mayAccept is a cheap pre-check: could Accept-Encoding select gzip or
// zstd? gzhttp does the real negotiation (q-values, preference).
func (m *middleware) mayAccept(ae []string) bool {
	for _, v := range ae {
		if containsFold(v, "gzip") || m.zstd && containsFold(v, "zstd") {
			return true
		}
	}
	return false
}

func addVary(h http.Header) {
	vs := h["Vary"]
	if len(vs) == 0 {
		h["Vary"] = varyAcceptEncoding
		return
	}
	for _, v := range vs {
		if containsFold(v, "accept-encoding") || strings.TrimSpace(v) == "*" {
			return
		}
	}
	h["Vary"] = append(vs, "Accept-Encoding")
}

// containsFold reports whether s contains the lower-case ASCII substr,
// ignoring ASCII case, without allocating.
func containsFold(s, substr string) bool {
	n := len(substr)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != substr[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// errBadPattern reports a malformed ContentTypes entry.
var errBadPattern = errors.New("compress: content type pattern must be type/subtype, type/* or type/*+suffix")
