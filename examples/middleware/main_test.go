package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

func TestMiddlewareExample(t *testing.T) {
	t.Parallel()
	app, err := newApp(config{origins: []string{"http://localhost:3000"}, rateLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := openapitest.Client(t, app)
	origin := testclient.Header("Origin", "http://localhost:3000")

	r := c.Get("/", origin)
	if r.Status != 200 || r.Text() != "{\"message\":\"Hello from a protected app\"}\n" {
		t.Fatalf("GET /: %d %s", r.Status, r.Text())
	}
	for h, want := range map[string]string{
		"Access-Control-Allow-Origin": "http://localhost:3000",
		"X-Content-Type-Options":      "nosniff",
		"X-Frame-Options":             "DENY",
		"Vary":                        "Origin",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("X-RateLimit-Limit") != "" {
		t.Errorf("headers %v", r.Header)
	}

	// Another origin gets no CORS headers; its preflight is refused.
	if r := c.Get("/", testclient.Header("Origin", "https://evil.example")); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("disallowed origin got CORS headers")
	}
	pre := c.Options("/api/v1/users", origin, testclient.Header("Access-Control-Request-Method", "POST"),
		testclient.Header("Access-Control-Request-Headers", "content-type"))
	if pre.Status != 204 || !strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", pre.Status, pre.Header)
	}
	bad := c.Options("/api/v1/users", testclient.Header("Origin", "https://evil.example"), testclient.Header("Access-Control-Request-Method", "POST"))
	if bad.Status != 403 || bad.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("disallowed preflight: %d %v", bad.Status, bad.Header)
	}

	// The router's limit: 3 requests, then 429 with Retry-After; / is not limited.
	for i := 1; i <= 4; i++ {
		r := c.Get("/api/v1/users")
		want := 200
		if i == 4 {
			want = 429
		}
		if r.Status != want {
			t.Fatalf("request %d: %d %s", i, r.Status, r.Text())
		}
		if i == 4 && (r.Header.Get("Retry-After") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff") {
			t.Errorf("429 headers %v", r.Header)
		}
	}
	if r := c.Get("/"); r.Status != 200 {
		t.Errorf("app route limited: %d", r.Status)
	}
}

// TestFilesCompressionAndETags drives compress, etag and static together.
func TestFilesCompressionAndETags(t *testing.T) {
	t.Parallel()
	app, err := newApp(config{origins: []string{"http://localhost:3000"}, rateLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	c := openapitest.Client(t, app)
	css, err := os.ReadFile("assets/app.css")
	if err != nil {
		t.Fatal(err)
	}
	gz := testclient.Header("Accept-Encoding", "gzip")

	// A static file, compressed on the way out.
	r := c.Get("/assets/app.css", gz)
	if r.Status != 200 || r.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("GET app.css: %d %v", r.Status, r.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, css) {
		t.Errorf("app.css decompressed to %d bytes, want the %d-byte file", len(plain), len(css))
	}
	tag := r.Header.Get("Etag")
	if !strings.HasPrefix(tag, `W/"`) || r.Header.Get("Cache-Control") != "public, max-age=3600" ||
		!strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Accept-Encoding") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("app.css headers: %v", r.Header)
	}
	// Revalidating with the (weakened) tag: 304, no body.
	if r := c.Get("/assets/app.css", gz, testclient.Header("If-None-Match", tag)); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("If-None-Match: %d %q", r.Status, r.Body)
	}
	// The same file without compression has the strong tag static sent.
	plain := c.Get("/assets/app.css", testclient.Header("Accept-Encoding", "identity"))
	if plain.Status != 200 || !bytes.Equal(plain.Body, css) || "W/"+plain.Header.Get("Etag") != tag {
		t.Errorf("identity: %d, ETag %q (compressed: %q)", plain.Status, plain.Header.Get("Etag"), tag)
	}
	// Ranges are served uncompressed (compress leaves 206 alone).
	r = c.Get("/assets/app.css", gz, testclient.Header("Range", "bytes=0-9"))
	if r.Status != 206 || r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, css[:10]) {
		t.Errorf("Range: %d %v %q", r.Status, r.Header, r.Body)
	}
	// A small file is not worth compressing.
	if r := c.Get("/assets/robots.txt", gz); r.Status != 200 || r.Header.Get("Content-Encoding") != "" || !strings.Contains(r.Text(), "Disallow") {
		t.Errorf("robots.txt: %d %v", r.Status, r.Header)
	}
	// Not files: traversal, and a missing asset reaches the app's 404.
	for _, p := range []string{"/assets/..%2fmain.go", "/assets/nope.css"} {
		if r := c.Get(p); r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s: %d %v", p, r.Status, r.Header)
		}
	}

	// A generated JSON response gets its ETag from the etag middleware.
	r = c.Get("/")
	jsonTag := r.Header.Get("Etag")
	if r.Status != 200 || !strings.HasPrefix(jsonTag, `W/"`) {
		t.Fatalf("GET /: %d, ETag %q", r.Status, jsonTag)
	}
	if r := c.Get("/", testclient.Header("If-None-Match", jsonTag)); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("GET / revalidated: %d %q", r.Status, r.Body)
	}
}

func TestBadConfigIsAnError(t *testing.T) {
	t.Parallel()
	if _, err := newApp(config{origins: []string{"not an origin"}, rateLimit: 3}); err == nil {
		t.Error("a malformed origin was accepted")
	}
}
