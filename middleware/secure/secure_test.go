package secure_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/secure"
	"github.com/nexios-go/nexios/testclient"
)

const defaultCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

var defaults = map[string]string{
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "strict-origin-when-cross-origin",
	"Content-Security-Policy":      defaultCSP,
	"Permissions-Policy":           secure.DefaultPermissionsPolicy,
	"Cross-Origin-Opener-Policy":   "same-origin",
	"X-Xss-Protection":             "0",
	"Cross-Origin-Resource-Policy": "",
	"Cross-Origin-Embedder-Policy": "",
}

func newApp() *nexios.App {
	return nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
}

const hsts = "max-age=31536000; includeSubDomains"

// handler answers according to the path: it sets Server and X-Powered-By
// like a wrapped library would, then writes, streams, fails or panics.
func handler(req *nexios.Request, res *nexios.Response) error {
	res.Header().Set("Server", "gunicorn/21")
	res.Header().Set("X-Powered-By", "PHP/5.6")
	switch req.Path("mode") {
	case "error":
		return nexios.NewHTTPError(http.StatusTeapot, "teapot")
	case "panic":
		panic("boom")
	case "stream":
		res.Flush()
		_, err := res.Write([]byte("chunk"))
		return err
	case "nethttp":
		nexios.WrapHandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Server", "nethttp")
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, "accepted")
		})(req, res)
		return nil
	case "override":
		res.Header().Set("Content-Security-Policy", "default-src 'none'")
	}
	return res.Text("ok")
}

// levels installs the middleware at the app, router and route level.
func levels(t *testing.T, cfg secure.Config) map[string]*nexios.App {
	t.Helper()
	mw, err := secure.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app := newApp()
	app.Use(mw)
	app.Get("/x/{mode}", handler)

	router := newApp()
	r := nexios.NewRouter("/x")
	r.Use(mw)
	r.Get("/{mode}", handler)
	router.Mount(r)

	route := newApp()
	route.Get("/x/{mode}", handler, nexios.WithMiddleware(mw))
	return map[string]*nexios.App{"app": app, "router": router, "route": route}
}

func checkDefaults(t *testing.T, h http.Header) {
	t.Helper()
	for k, want := range defaults {
		if got := strings.Join(h.Values(k), "|"); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestDefaultsAtEveryLevel(t *testing.T) {
	t.Parallel()
	for level, app := range levels(t, secure.Config{}) {
		for _, tc := range []struct {
			mode   string
			status int
		}{{"ok", 200}, {"error", 418}, {"panic", 500}, {"stream", 200}, {"nethttp", 202}} {
			t.Run(level+"/"+tc.mode, func(t *testing.T) {
				t.Parallel()
				for _, https := range []bool{false, true} {
					base := "http://testserver"
					if https {
						base = "https://testserver"
					}
					r := testclient.New(app, testclient.WithBaseURL(base)).Get("/x/" + tc.mode)
					if r.Err != nil || r.Status != tc.status {
						t.Fatalf("status %d (%v), want %d", r.Status, r.Err, tc.status)
					}
					checkDefaults(t, r.Header)
					if got := r.Header.Get("Strict-Transport-Security"); (got == hsts) != https || (!https && got != "") {
						t.Errorf("https=%v: Strict-Transport-Security = %q", https, got)
					}
					for _, k := range []string{"Server", "X-Powered-By"} {
						if v := r.Header.Get(k); v != "" {
							t.Errorf("%s = %q, want it removed", k, v)
						}
					}
				}
			})
		}
	}
}

func TestRouterErrorsCarryHeaders(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Use(nexios.Must(secure.New(secure.Config{})))
	app.Get("/x/{mode}", handler)
	c := testclient.New(app)
	for path, status := range map[string]int{"/missing": 404, "/x/ok": 200} {
		r := c.Get(path)
		if r.Status != status {
			t.Errorf("%s: status %d, want %d", path, r.Status, status)
		}
		checkDefaults(t, r.Header)
	}
	r := c.Post("/x/ok")
	if r.Status != 405 {
		t.Errorf("POST: status %d", r.Status)
	}
	checkDefaults(t, r.Header)
}

func TestHandlerOverridesCSP(t *testing.T) {
	t.Parallel()
	for level, app := range levels(t, secure.Config{}) {
		r := testclient.New(app).Get("/x/override")
		if got := r.Header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != "default-src 'none'" {
			t.Errorf("%s: CSP = %q", level, got)
		}
	}
}

func TestSchemeFromProxy(t *testing.T) {
	t.Parallel()
	app := newApp()
	// Stands in for a trusted-proxy middleware.
	app.Pre(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Header("X-Forwarded-Proto") == "https" {
				req.URL().Scheme = "https"
			}
			return next(req, res)
		}
	})
	app.Use(nexios.Must(secure.New(secure.Config{})))
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	c := testclient.New(app)
	if got := c.Get("/", testclient.Header("X-Forwarded-Proto", "https")).Header.Get("Strict-Transport-Security"); got != hsts {
		t.Errorf("forwarded https: HSTS %q", got)
	}
	if got := c.Get("/").Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain http: HSTS %q", got)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  secure.Config
		want map[string]string // "" = absent
	}{
		{"sameorigin", secure.Config{FrameOptions: "sameorigin"}, map[string]string{
			"X-Frame-Options":         "SAMEORIGIN",
			"Content-Security-Policy": strings.TrimSuffix(defaultCSP, "'none'") + "'self'",
		}},
		{"omit frame options", secure.Config{FrameOptions: secure.Omit}, map[string]string{
			"X-Frame-Options":         "",
			"Content-Security-Policy": strings.TrimSuffix(defaultCSP, "; frame-ancestors 'none'"),
		}},
		{"custom CSP report-only", secure.Config{ContentSecurityPolicy: "default-src 'self'; report-to csp", CSPReportOnly: true}, map[string]string{
			"Content-Security-Policy":             "",
			"Content-Security-Policy-Report-Only": "default-src 'self'; report-to csp",
		}},
		{"omit everything optional", secure.Config{
			ContentTypeOptions: secure.Omit, ReferrerPolicy: secure.Omit, ContentSecurityPolicy: secure.Omit,
			PermissionsPolicy: secure.Omit, CrossOriginOpenerPolicy: secure.Omit, XSSProtection: secure.Omit,
			FrameOptions: secure.Omit, DisableHSTS: true,
		}, map[string]string{
			"X-Content-Type-Options": "", "Referrer-Policy": "", "Content-Security-Policy": "", "Permissions-Policy": "",
			"Cross-Origin-Opener-Policy": "", "X-Xss-Protection": "", "X-Frame-Options": "", "Strict-Transport-Security": "",
		}},
		{"cross-origin policies", secure.Config{CrossOriginResourcePolicy: "same-site", CrossOriginEmbedderPolicy: "require-corp",
			CrossOriginOpenerPolicy: "same-origin-allow-popups", ReferrerPolicy: "no-referrer"}, map[string]string{
			"Cross-Origin-Resource-Policy": "same-site", "Cross-Origin-Embedder-Policy": "require-corp",
			"Cross-Origin-Opener-Policy": "same-origin-allow-popups", "Referrer-Policy": "no-referrer",
		}},
		{"hsts preload", secure.Config{HSTSPreload: true, HSTSMaxAge: 2 * 365 * 24 * time.Hour}, map[string]string{
			"Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
		}},
		{"hsts exclude subdomains", secure.Config{HSTSExcludeSubdomains: true, HSTSMaxAge: time.Hour}, map[string]string{
			"Strict-Transport-Security": "max-age=3600",
		}},
		{"hsts clear", secure.Config{HSTSMaxAge: -1}, map[string]string{
			"Strict-Transport-Security": "max-age=0; includeSubDomains",
		}},
		{"extra headers", secure.Config{ExtraHeaders: map[string]string{"cache-control": "no-store", "X-DNS-Prefetch-Control": "off"}}, map[string]string{
			"Cache-Control": "no-store", "X-Dns-Prefetch-Control": "off",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app := newApp()
			app.Use(nexios.Must(secure.New(tc.cfg)))
			app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
			r := testclient.New(app, testclient.WithBaseURL("https://testserver")).Get("/")
			for k, want := range tc.want {
				if got := r.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestHSTSAlways(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Use(nexios.Must(secure.New(secure.Config{HSTSAlways: true})))
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	if got := testclient.New(app).Get("/").Header.Get("Strict-Transport-Security"); got != hsts {
		t.Errorf("HSTS over http with HSTSAlways = %q", got)
	}
}

func TestRemoveHeaders(t *testing.T) {
	t.Parallel()
	h := func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Server", "x")
		res.Header().Set("X-AspNet-Version", "4")
		res.Header().Set("X-Powered-By", "y")
		return res.Text("ok")
	}
	for name, tc := range map[string]struct {
		cfg  secure.Config
		gone []string
		kept []string
	}{
		"custom list": {secure.Config{RemoveHeaders: []string{"x-aspnet-version"}}, []string{"X-Aspnet-Version"}, []string{"Server", "X-Powered-By"}},
		"keep":        {secure.Config{KeepHeaders: true}, nil, []string{"Server", "X-Powered-By", "X-Aspnet-Version"}},
	} {
		app := newApp()
		app.Use(nexios.Must(secure.New(tc.cfg)))
		app.Get("/", h)
		r := testclient.New(app).Get("/")
		for _, k := range tc.gone {
			if r.Header.Get(k) != "" {
				t.Errorf("%s: %s not removed", name, k)
			}
		}
		for _, k := range tc.kept {
			if r.Header.Get(k) == "" {
				t.Errorf("%s: %s removed", name, k)
			}
		}
	}
}

func TestStreamingFlushStrips(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Use(nexios.Must(secure.New(secure.Config{})))
	app.Get("/sse", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Server", "x")
		res.Header().Set("Content-Type", "text/event-stream")
		if err := http.NewResponseController(res).Flush(); err != nil {
			return err
		}
		_, err := res.Write([]byte("data: 1\n\n"))
		return err
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/sse")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Server") != "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" || string(body) != "data: 1\n\n" {
		t.Errorf("headers %v body %q", resp.Header, body)
	}
}

func TestHTTPSRedirect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base, method, path, host, want string
		status                               int
	}{
		{"get", "http://example.com:8080", "GET", "/a/b?q=1", "", "https://example.com/a/b?q=1", 308},
		{"post keeps method", "http://example.com", "POST", "/form", "", "https://example.com/form", 308},
		{"fixed host", "http://evil.example", "GET", "/x", "www.example.com:8443", "https://www.example.com:8443/x", 308},
		{"ipv6", "http://[::1]:8080", "GET", "/", "", "https://[::1]/", 308},
		{"already https", "https://example.com", "GET", "/x", "", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app := newApp()
			app.Use(nexios.Must(secure.New(secure.Config{HTTPSRedirect: true, HTTPSRedirectHost: tc.host})))
			app.Route([]string{"GET", "POST"}, "/{p:path}", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
			r := testclient.New(app, testclient.WithBaseURL(tc.base), testclient.WithoutRedirects()).Do(tc.method, tc.path)
			if r.Status != tc.status || r.Header.Get("Location") != tc.want {
				t.Errorf("status %d Location %q, want %d %q", r.Status, r.Header.Get("Location"), tc.status, tc.want)
			}
			checkDefaults(t, r.Header)
		})
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Use(nexios.Must(secure.New(secure.Config{Skip: func(req *nexios.Request) bool { return req.Pattern() == "/raw" }})))
	ok := func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Server", "x")
		return res.Text("ok")
	}
	app.Get("/raw", ok)
	app.Get("/cooked", ok)
	c := testclient.New(app)
	if r := c.Get("/raw"); r.Header.Get("X-Frame-Options") != "" || r.Header.Get("Server") != "x" {
		t.Errorf("skipped: %v", r.Header)
	}
	if r := c.Get("/cooked"); r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("Server") != "" {
		t.Errorf("not skipped: %v", r.Header)
	}
}
