// Package etag adds an entity tag to GET and HEAD 200 responses and answers
// conditional requests (If-None-Match) with 304 Not Modified.
//
//	app.Use(nexios.Must(etag.New(etag.Config{})))
//
// The middleware buffers the body the handler writes, hashes it (CRC-32C
// and CRC-32: 64 bits in hex, after the body length in hex, as in
// W/"1a2b-0123456789abcdef") and sends it with an ETag header, or sends 304 with no body when the client's
// If-None-Match lists a matching tag (weak comparison, RFC 9110 §13.1.2;
// "*" matches any current representation). The 304 keeps ETag,
// Cache-Control, Vary and the other cache headers, and drops Content-Type,
// Content-Length, Content-Encoding and Last-Modified.
//
// Responses are passed through untouched, without a tag, when:
//
//   - the method is not GET or HEAD, or Config.Skip says so;
//   - the status is not 200 (errors, redirects, 201, 206, …);
//   - the body grows beyond Config.MaxBodySize (default 1 MiB): what was
//     buffered is sent and the rest streams through;
//   - the handler flushes (a stream) or hijacks the connection.
//
// A response that already carries an ETag (set by the handler) is not
// hashed, but If-None-Match is still checked against that tag.
//
// The ETag saves bandwidth, not work: the handler still runs in full. A HEAD
// response gets the same tag as GET only if the handler writes the same
// body for both (Nexios GET routes answer HEAD by running the GET handler,
// so it does).
package etag

import (
	"errors"
	"hash/crc32"
	"net/http"
	"sync"

	"github.com/nexios-go/nexios"
)

// DefaultMaxBodySize is the largest body buffered and hashed when
// Config.MaxBodySize is zero.
const DefaultMaxBodySize = 1 << 20

// Config configures the ETag middleware. The zero Config is valid: weak
// tags for bodies up to 1 MiB.
type Config struct {
	// Strong sends strong tags ("…") instead of weak ones (W/"…"). Use it
	// only when every byte of the response is deterministic; a weak tag
	// is enough for If-None-Match and survives compression. Default: weak.
	Strong bool

	// MaxBodySize is the largest body, in bytes, that is buffered to be
	// hashed; longer responses stream through without a tag. Default
	// (0): 1 MiB. Negative values are an error.
	MaxBodySize int

	// Skip, when it returns true, passes the request through untouched.
	// Nil never skips.
	Skip func(*nexios.Request) bool
}

// maxPooledBuffer caps the buffers kept for reuse, so one large body does
// not pin memory.
const maxPooledBuffer = 64 << 10

type middleware struct {
	skip   func(*nexios.Request) bool
	strong bool
	max    int
	table  *crc32.Table // Castagnoli
	pool   sync.Pool
}

// New returns the ETag middleware, or an error for a negative MaxBodySize.
func New(cfg Config) (nexios.Middleware, error) {
	if cfg.MaxBodySize < 0 {
		return nil, errors.New("etag: MaxBodySize must not be negative")
	}
	m := &middleware{
		skip:   cfg.Skip,
		strong: cfg.Strong,
		max:    cfg.MaxBodySize,
		table:  crc32.MakeTable(crc32.Castagnoli),
	}
	if m.max == 0 {
		m.max = DefaultMaxBodySize
	}
	m.pool.New = func() any { return &writer{m: m} }
	return m.handle, nil
}

func (m *middleware) handle(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		r := req.Raw()
		if r.Method != http.MethodGet && r.Method != http.MethodHead || m.skip != nil && m.skip(req) {
			return next(req, res)
		}
		orig := res.Writer()
		w := m.pool.Get().(*writer)
		w.start(r, orig)
		res.SetWriter(w)
		done := false
		defer func() {
			if !done {
				// A panic: send what the handler wrote, as it would
				// have gone out without this middleware. w is not
				// reused.
				_ = w.passThrough()
			}
			res.SetWriter(orig)
		}()
		err := next(req, res)
		if err != nil {
			// Not a 200 we can tag: send whatever was written as is; an
			// unwritten error response is rendered outside, untagged.
			_ = w.passThrough()
		} else if werr := w.finish(); werr != nil {
			err = werr
		}
		done = true
		w.reset()
		m.pool.Put(w)
		return err
	}
}

// appendTag appends the entity tag of body: the length and a 64-bit
// checksum of the body in hex, quoted, with W/ unless strong. The checksum
// is CRC-32C followed by CRC-32 (IEEE): both are hardware-accelerated, four
// to seven times faster than CRC-64 or FNV-1a, and together give 64 bits.
func (m *middleware) appendTag(dst, body []byte) []byte {
	const hexDigits = "0123456789abcdef"
	if !m.strong {
		dst = append(dst, 'W', '/')
	}
	dst = append(dst, '"')
	n := uint64(len(body))
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hexDigits[n&0xf]
		n >>= 4
		if n == 0 {
			break
		}
	}
	dst = append(dst, tmp[i:]...)
	dst = append(dst, '-')
	sum := uint64(crc32.Checksum(body, m.table))<<32 | uint64(crc32.ChecksumIEEE(body))
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(sum>>uint(shift))&0xf])
	}
	return append(dst, '"')
}
