package compress_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
	"github.com/nexios-go/nexios/testclient"
)

// bigJSON is a compressible JSON body well over the default MinSize.
var bigJSON = `{"items":[` + strings.Repeat(`{"id":1,"name":"widget","tags":["a","b"]},`, 100) + `{}]}`

// bigText is a compressible text body well over the default MinSize.
var bigText = strings.Repeat("hello compressible world\n", 200)

func mustNew(t testing.TB, cfg compress.Config) nexios.Middleware {
	t.Helper()
	mw, err := compress.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

// decode returns the identity body of r, decoding gzip or zstd.
func decode(t testing.TB, r *testclient.Response) string {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("request failed: %v", r.Err)
	}
	switch ce := r.Header.Get("Content-Encoding"); ce {
	case "":
		return r.Text()
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		return string(b)
	case "zstd":
		d, err := zstd.NewReader(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		b, err := d.DecodeAll(r.Body, nil)
		if err != nil {
			t.Fatalf("zstd: %v", err)
		}
		return string(b)
	default:
		t.Fatalf("unexpected Content-Encoding %q", ce)
		return ""
	}
}

// newApp serves fixtures under the compress middleware at app level.
func newApp(t testing.TB, cfg compress.Config) *nexios.App {
	app := nexios.New(nexios.Config{})
	app.Use(mustNew(t, cfg))
	registerFixtures(app)
	return app
}

func registerFixtures(r interface {
	Get(string, nexios.HandlerFunc, ...nexios.RouteOption) *nexios.Route
}) {
	r.Get("/json", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("application/json", []byte(bigJSON))
	})
	r.Get("/text", func(_ *nexios.Request, res *nexios.Response) error { return res.Text(bigText) })
	r.Get("/small", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("tiny") })
	r.Get("/png", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("image/png", []byte(bigText))
	})
	r.Get("/unknown-type", func(_ *nexios.Request, res *nexios.Response) error {
		_, err := res.Write([]byte(bigText)) // no Content-Type: gzhttp sniffs text/plain
		return err
	})
	r.Get("/encoded", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Encoding", "br")
		return res.Bytes("text/plain", []byte(bigText))
	})
	r.Get("/sse", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "text/event-stream")
		res.Flush()
		_, err := io.WriteString(res, "data: "+strings.Repeat("x", 4000)+"\n\n")
		res.Flush()
		return err
	})
	r.Get("/ws", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text(bigText)
	})
	r.Get("/error", func(_ *nexios.Request, _ *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusBadRequest, strings.Repeat("bad input; ", 200))
	})
	r.Get("/no-transform", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Cache-Control", "no-transform")
		return res.Text(bigText)
	})
	r.Get("/etag", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("ETag", `"v1"`)
		return res.Text(bigText)
	})
	r.Get("/vary", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Vary", "Origin")
		return res.Text(bigText)
	})
	r.Get("/early", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Link", "</app.css>; rel=preload")
		// res.WriteHeader would mark the response committed (a core quirk):
		// send the informational status through the writer.
		res.Writer().WriteHeader(http.StatusEarlyHints)
		return res.Text(bigText)
	})
	r.Get("/nocontent", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
}

func TestNegotiation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ae, want string
		cfg            compress.Config
	}{
		{name: "no header", ae: "", want: ""},
		{name: "gzip", ae: "gzip", want: "gzip"},
		{name: "zstd", ae: "zstd", want: "zstd"},
		{name: "both prefers zstd", ae: "gzip, deflate, br, zstd", want: "zstd"},
		{name: "both, PreferGzip", ae: "gzip, zstd", want: "gzip", cfg: compress.Config{PreferGzip: true}},
		{name: "zstd disabled", ae: "gzip, zstd", want: "gzip", cfg: compress.Config{DisableZstd: true}},
		{name: "zstd only but disabled", ae: "zstd", want: "", cfg: compress.Config{DisableZstd: true}},
		{name: "gzip q=0", ae: "gzip;q=0", want: ""},
		{name: "gzip q=0 with spaces", ae: "gzip ; q=0", want: ""},
		{name: "zstd q=0, gzip", ae: "zstd;q=0, gzip", want: "gzip"},
		{name: "higher q wins", ae: "zstd;q=0.1, gzip;q=0.8", want: "gzip"},
		{name: "upper case", ae: "GZIP", want: "gzip"},
		{name: "identity", ae: "identity", want: ""},
		{name: "br only", ae: "br", want: ""},
		{name: "star", ae: "*", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := testclient.New(newApp(t, tt.cfg))
			var opts []testclient.RequestOption
			if tt.ae != "" {
				opts = append(opts, testclient.Header("Accept-Encoding", tt.ae))
			}
			r := c.Get("/json", opts...)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d", r.Status)
			}
			if got := r.Header.Get("Content-Encoding"); got != tt.want {
				t.Fatalf("Content-Encoding = %q, want %q", got, tt.want)
			}
			if got := decode(t, r); got != bigJSON {
				t.Fatalf("round trip mismatch: got %d bytes", len(got))
			}
			if !containsVary(r.Header) {
				t.Errorf("Vary = %q, want Accept-Encoding", r.Header.Values("Vary"))
			}
			if tt.want != "" {
				if r.Header.Get("Content-Length") != "" && r.Header.Get("Content-Length") != itoa(len(r.Body)) {
					t.Errorf("stale Content-Length %q for %d compressed bytes", r.Header.Get("Content-Length"), len(r.Body))
				}
				if len(r.Body) >= len(bigJSON) {
					t.Errorf("compressed body (%d) not smaller than the original (%d)", len(r.Body), len(bigJSON))
				}
			}
		})
	}
}

func TestPassThrough(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		headers    map[string]string
		wantCE     string
		wantBody   string
	}{
		{name: "small body", path: "/small", wantBody: "tiny"},
		{name: "type outside the list", path: "/png", wantBody: bigText},
		{name: "already encoded", path: "/encoded", wantCE: "br", wantBody: bigText},
		{name: "server-sent events", path: "/sse", wantBody: "data: " + strings.Repeat("x", 4000) + "\n\n"},
		{name: "no-transform", path: "/no-transform", wantBody: bigText},
		{name: "websocket upgrade", path: "/ws", headers: map[string]string{"Connection": "Upgrade", "Upgrade": "websocket"}, wantBody: bigText},
		{name: "upgrade header alone", path: "/ws", headers: map[string]string{"Upgrade": "websocket"}, wantBody: bigText},
		{name: "connection keep-alive, upgrade", path: "/ws", headers: map[string]string{"Connection": "keep-alive, Upgrade"}, wantBody: bigText},
		{name: "204", path: "/nocontent", wantBody: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := testclient.New(newApp(t, compress.Config{}))
			opts := []testclient.RequestOption{testclient.Header("Accept-Encoding", "gzip, zstd")}
			for k, v := range tt.headers {
				opts = append(opts, testclient.Header(k, v))
			}
			r := c.Get(tt.path, opts...)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if got := r.Header.Get("Content-Encoding"); got != tt.wantCE {
				t.Fatalf("Content-Encoding = %q, want %q", got, tt.wantCE)
			}
			if r.Text() != tt.wantBody {
				t.Fatalf("body changed: %d bytes, want %d", len(r.Body), len(tt.wantBody))
			}
		})
	}
}

func TestHEADAnnouncesTheEncoding(t *testing.T) {
	t.Parallel()
	c := testclient.New(newApp(t, compress.Config{}))
	r := c.Head("/text", testclient.Header("Accept-Encoding", "gzip"))
	if r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Length") != "" {
		t.Fatalf("HEAD: status %d, Content-Encoding %q, Content-Length %q",
			r.Status, r.Header.Get("Content-Encoding"), r.Header.Get("Content-Length"))
	}
	if !containsVary(r.Header) {
		t.Errorf("HEAD should carry Vary: Accept-Encoding like GET, got %q", r.Header.Values("Vary"))
	}
}

// TestErrorsTravelUp: an error returned under the middleware is not
// rendered by it but returned upward, so outer middleware sees it; it
// renders at the top, uncompressed (error bodies are small).
func TestErrorsTravelUp(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	var seen error
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			seen = next(req, res)
			return seen
		}
	})
	app.Use(nexios.Must(compress.New(compress.Config{})))
	app.Get("/error", func(*nexios.Request, *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusBadRequest, strings.Repeat("bad ", 500))
	})
	c := testclient.New(app)
	r := c.Get("/error", testclient.Header("Accept-Encoding", "gzip"))
	if r.Status != http.StatusBadRequest || r.Header.Get("Content-Encoding") != "" {
		t.Fatalf("status %d, Content-Encoding %q", r.Status, r.Header.Get("Content-Encoding"))
	}
	if nexios.StatusOf(seen) != http.StatusBadRequest {
		t.Errorf("outer middleware saw %v", seen)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if body := decode(t, r); !strings.Contains(body, `"status":400`) {
		t.Fatalf("problem body: %s", body)
	}
	// A 404 from the router goes through app-level middleware too, but its
	// problem body is short: it stays uncompressed.
	r = c.Get("/missing", testclient.Header("Accept-Encoding", "gzip"))
	if r.Status != http.StatusNotFound || r.Header.Get("Content-Encoding") != "" {
		t.Fatalf("404: status %d, Content-Encoding %q", r.Status, r.Header.Get("Content-Encoding"))
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	c := testclient.New(newApp(t, compress.Config{}))
	r := c.Get("/etag", testclient.Header("Accept-Encoding", "gzip"))
	if got := r.Header.Get("ETag"); got != `W/"v1"` {
		t.Errorf("ETag of a compressed response = %q, want the weak W/\"v1\"", got)
	}
	r = c.Get("/etag")
	if got := r.Header.Get("ETag"); got != `"v1"` {
		t.Errorf("ETag of an identity response = %q, want \"v1\"", got)
	}
	r = c.Get("/vary", testclient.Header("Accept-Encoding", "gzip"))
	if got := r.Header.Values("Vary"); !containsVary(r.Header) || !strings.Contains(strings.Join(got, ","), "Origin") {
		t.Errorf("Vary = %q, want Origin and Accept-Encoding", got)
	}
	r = c.Get("/unknown-type", testclient.Header("Accept-Encoding", "gzip"))
	if r.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("sniffed body: Content-Encoding %q, Content-Type %q", r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type"))
	}
	if decode(t, r) != bigText {
		t.Error("sniffed body mismatch")
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		cfg        compress.Config
		want       string
	}{
		{name: "MinSize -1 compresses small bodies", path: "/small", cfg: compress.Config{MinSize: -1}, want: "gzip"},
		{name: "MinSize above the body", path: "/text", cfg: compress.Config{MinSize: 1 << 20}, want: ""},
		{name: "custom types exclude text", path: "/text", cfg: compress.Config{ContentTypes: []string{"application/json"}}, want: ""},
		{name: "custom types include png", path: "/png", cfg: compress.Config{ContentTypes: []string{"image/*"}}, want: "gzip"},
		{name: "event-stream never, even when listed", path: "/sse", cfg: compress.Config{ContentTypes: []string{"text/event-stream"}}, want: ""},
		{name: "Skip", path: "/text", cfg: compress.Config{Skip: func(req *nexios.Request) bool { return req.Pattern() == "/text" }}, want: ""},
		{name: "Level 1", path: "/text", cfg: compress.Config{Level: 1}, want: "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := testclient.New(newApp(t, tt.cfg))
			r := c.Get(tt.path, testclient.Header("Accept-Encoding", "gzip"))
			if got := r.Header.Get("Content-Encoding"); got != tt.want {
				t.Fatalf("Content-Encoding = %q, want %q", got, tt.want)
			}
			decode(t, r)
		})
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	mw := mustNew(t, compress.Config{})
	app := nexios.New(nexios.Config{})
	app.Get("/plain", func(_ *nexios.Request, res *nexios.Response) error { return res.Text(bigText) })
	api := nexios.NewRouter("/api")
	api.Use(mw)
	registerFixtures(api)
	app.Mount(api)
	app.Get("/route", func(_ *nexios.Request, res *nexios.Response) error { return res.Text(bigText) },
		nexios.WithMiddleware(mw))
	app.Get("/route-sse", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("text/event-stream", []byte(bigText))
	}, nexios.WithMiddleware(mw))
	app.Get("/route-ws", func(_ *nexios.Request, res *nexios.Response) error { return res.Text(bigText) },
		nexios.WithMiddleware(mw))

	c := testclient.New(app)
	ae := testclient.Header("Accept-Encoding", "gzip")
	ws := []testclient.RequestOption{ae, testclient.Header("Connection", "Upgrade"), testclient.Header("Upgrade", "websocket")}
	tests := []struct {
		path string
		opts []testclient.RequestOption
		want string
	}{
		{"/plain", []testclient.RequestOption{ae}, ""}, // no middleware here
		{"/api/text", []testclient.RequestOption{ae}, "gzip"},
		{"/api/json", []testclient.RequestOption{ae}, "gzip"},
		{"/api/error", []testclient.RequestOption{ae}, ""}, // rendered at the top, after the middleware
		{"/api/sse", []testclient.RequestOption{ae}, ""},
		{"/api/ws", ws, ""},
		{"/api/small", []testclient.RequestOption{ae}, ""},
		{"/api/early", []testclient.RequestOption{ae}, "gzip"},
		{"/route", []testclient.RequestOption{ae}, "gzip"},
		{"/route-sse", []testclient.RequestOption{ae}, ""},
		{"/route-ws", ws, ""},
	}
	for _, tt := range tests {
		r := c.Get(tt.path, tt.opts...)
		if r.Err != nil {
			t.Fatalf("%s: %v", tt.path, r.Err)
		}
		if got := r.Header.Get("Content-Encoding"); got != tt.want {
			t.Errorf("%s: Content-Encoding = %q, want %q", tt.path, got, tt.want)
		}
		decode(t, r)
	}
}

func containsVary(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		if strings.Contains(strings.ToLower(v), "accept-encoding") {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
