package main

import (
	"strings"
	"testing"

	"github.com/nexios-go/nexios/testclient"
)

func TestMiddlewareExample(t *testing.T) {
	t.Parallel()
	app, err := newApp(config{origins: []string{"http://localhost:3000"}, rateLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := testclient.New(app)
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

func TestBadConfigIsAnError(t *testing.T) {
	t.Parallel()
	if _, err := newApp(config{origins: []string{"not an origin"}, rateLimit: 3}); err == nil {
		t.Error("a malformed origin was accepted")
	}
}
