package cors_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/cors"
	"github.com/nexios-go/nexios/testclient"
)

func TestMaxAgeRounding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, ""}, {-time.Second, "0"}, {1500 * time.Millisecond, "2"}, {time.Hour, "3600"}, {time.Millisecond, "1"}} {
		app := nexios.New(nexios.Config{})
		app.Use(nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"https://a.example"}, MaxAge: tc.d})))
		r := testclient.New(app).Options("/", testclient.Header("Origin", "https://a.example"), testclient.Header("Access-Control-Request-Method", "GET"))
		if got := r.Header.Get("Access-Control-Max-Age"); got != tc.want {
			t.Errorf("MaxAge %v: header %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  cors.Config
		want string
	}{
		{"star with credentials", cors.Config{AllowOrigins: []string{"https://a.example", "*"}, AllowCredentials: true}, "AllowCredentials"},
		{"expose star with credentials", cors.Config{AllowOrigins: []string{"https://a.example"}, ExposeHeaders: []string{"*"}, AllowCredentials: true}, "ExposeHeaders"},
		{"bad regex", cors.Config{AllowOriginRegex: []string{"https://(a"}}, "AllowOriginRegex"},
		{"origin with path", cors.Config{AllowOrigins: []string{"https://a.example/app"}}, "invalid origin"},
		{"origin without scheme", cors.Config{AllowOrigins: []string{"a.example"}}, "invalid origin"},
		{"origin with query", cors.Config{AllowOrigins: []string{"https://a.example?x=1"}}, "invalid origin"},
		{"empty origin", cors.Config{AllowOrigins: []string{""}}, "invalid origin"},
		{"wildcard in the middle", cors.Config{AllowOrigins: []string{"https://api.*.example.com"}}, "leftmost"},
		{"wildcard without dot", cors.Config{AllowOrigins: []string{"https://*example.com"}}, "leftmost"},
		{"two wildcards", cors.Config{AllowOrigins: []string{"https://*.*.example.com"}}, "leftmost"},
		{"wildcard scheme", cors.Config{AllowOrigins: []string{"*://a.example.com"}}, "leftmost"},
		{"wildcard TLD", cors.Config{AllowOrigins: []string{"https://*.com"}}, "too broad"},
		{"bad method", cors.Config{AllowMethods: []string{"GE T"}}, "method"},
		{"bad header", cors.Config{AllowHeaders: []string{"X-A:b"}}, "header"},
		{"bad expose header", cors.Config{ExposeHeaders: []string{"X A"}}, "header"},
	} {
		mw, err := cors.New(tc.cfg)
		if err == nil || mw != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, %v; want error containing %q", tc.name, mw != nil, err, tc.want)
		}
	}
	for _, ok := range []cors.Config{
		{},
		{AllowOrigins: []string{"HTTPS://A.Example:443/", "http://*.localhost:3000", "https://*.co.uk", "http://[::1]:8080"}},
		{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"*"}},
	} {
		if _, err := cors.New(ok); err != nil {
			t.Errorf("New(%+v): %v", ok, err)
		}
	}
}

func TestOriginNormalization(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"HTTPS://A.Example:443/", "http://*.localhost:3000"}})))
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	c := testclient.New(app)
	for origin, allowed := range map[string]bool{
		"https://a.example":            true,
		"https://a.example:443":        false, // browsers never send a default port
		"http://web.localhost:3000":    true,
		"http://web.localhost:3001":    false,
		"http://web.localhost":         false,
		"http://web.localhost:3000.io": false,
	} {
		r := c.Get("/", testclient.Header("Origin", origin))
		if got := r.Header.Get("Access-Control-Allow-Origin") == origin; got != allowed {
			t.Errorf("%s: allowed = %v, want %v", origin, got, allowed)
		}
	}
}

func TestSubdomainWildcardHostile(t *testing.T) {
	t.Parallel()
	no := want{status: 200, vary: varyActual, handlerRuns: true}
	yes := func(o string) want {
		return want{status: 200, origin: o, credentials: true, vary: varyActual, handlerRuns: true}
	}
	runCases(t, cors.Config{AllowOrigins: []string{"https://*.example.com"}, AllowCredentials: true}, []tcase{
		{"subdomain", "GET", "", hdr("Origin", "https://api.example.com"), yes("https://api.example.com")},
		{"evil-example.com", "GET", "", hdr("Origin", "https://evil-example.com"), no},
		{"example.com.evil.com", "GET", "", hdr("Origin", "https://example.com.evil.com"), no},
		{"apex", "GET", "", hdr("Origin", "https://example.com"), no},
		{"other scheme", "GET", "", hdr("Origin", "http://api.example.com"), no},
		{"port", "GET", "", hdr("Origin", "https://api.example.com:8443"), no},
		{"null", "GET", "", hdr("Origin", "null"), no},
		{"empty label", "GET", "", hdr("Origin", "https://a..example.com"), no},
		{"upper case label", "GET", "", hdr("Origin", "https://API.example.com"), no},
		{"userinfo", "GET", "", hdr("Origin", "https://evil.com@api.example.com"), no},
		{"deep subdomain", "GET", "", hdr("Origin", "https://a-1.b2.example.com"), yes("https://a-1.b2.example.com")},
		{"preflight evil-example.com", "OPTIONS", "", hdr("Origin", "https://evil-example.com", "Access-Control-Request-Method", "GET"),
			want{status: 403, vary: varyPreflight, problem: "origin"}},
	})
}
