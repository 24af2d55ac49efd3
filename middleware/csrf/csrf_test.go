package csrf_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/csrf"
	"github.com/nexios-go/nexios/testclient"
)

var unsafeMethods = []string{"POST", "PUT", "PATCH", "DELETE"}

// levels installs the middleware at the app, router and route level
// around the same routes: /f (every method; GET returns csrf.Token) and
// /hooks/{provider}. hits counts handler runs; lastErr receives the error
// the middleware returned (seen by an outer app middleware).
func levels(t *testing.T, cfg csrf.Config) map[string]func(hits *atomic.Int64, lastErr *atomic.Value) *nexios.App {
	t.Helper()
	mw, err := csrf.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := func(hits *atomic.Int64) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			hits.Add(1)
			if req.Method() == "GET" {
				return res.Text(csrf.Token(req))
			}
			return res.Text("done")
		}
	}
	methods := append([]string{"GET"}, unsafeMethods...)
	newApp := func(lastErr *atomic.Value) *nexios.App {
		app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
		app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
			return func(req *nexios.Request, res *nexios.Response) error {
				err := next(req, res)
				if err != nil {
					lastErr.Store(err)
				}
				return err
			}
		})
		return app
	}
	return map[string]func(*atomic.Int64, *atomic.Value) *nexios.App{
		"app": func(hits *atomic.Int64, lastErr *atomic.Value) *nexios.App {
			app := newApp(lastErr)
			app.Use(mw)
			app.Route(methods, "/f", h(hits))
			app.Post("/hooks/{provider}", h(hits))
			return app
		},
		"router": func(hits *atomic.Int64, lastErr *atomic.Value) *nexios.App {
			app := newApp(lastErr)
			r := nexios.NewRouter("")
			r.Use(mw)
			r.Route(methods, "/f", h(hits))
			r.Post("/hooks/{provider}", h(hits))
			app.Mount(r)
			return app
		},
		"route": func(hits *atomic.Int64, lastErr *atomic.Value) *nexios.App {
			app := newApp(lastErr)
			app.Route(methods, "/f", h(hits), nexios.WithMiddleware(mw))
			app.Post("/hooks/{provider}", h(hits), nexios.WithMiddleware(mw))
			return app
		},
	}
}

type tcase struct {
	name   string
	method string
	path   string
	opts   []testclient.RequestOption
	status int
	cause  error  // errors.Is target for a 403
	detail string // substring of the problem detail
}

func runCases(t *testing.T, cfg csrf.Config, clientOpts []testclient.Option, cases []tcase) {
	t.Helper()
	for level, build := range levels(t, cfg) {
		for _, tc := range cases {
			t.Run(level+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				var hits atomic.Int64
				var lastErr atomic.Value
				c := testclient.New(build(&hits, &lastErr), clientOpts...)
				path := tc.path
				if path == "" {
					path = "/f"
				}
				r := c.Do(tc.method, path, tc.opts...)
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Text())
				}
				if tc.status != http.StatusForbidden {
					if hits.Load() != 1 {
						t.Errorf("handler ran %d times", hits.Load())
					}
					return
				}
				if hits.Load() != 0 {
					t.Error("handler ran for a rejected request")
				}
				checkProblem(t, r, tc.detail)
				err, _ := lastErr.Load().(error)
				if !errors.Is(err, tc.cause) {
					t.Errorf("error %v, want one wrapping %v", err, tc.cause)
				}
			})
		}
	}
}

func checkProblem(t *testing.T, r *testclient.Response, detail string) {
	t.Helper()
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if err := r.JSON(&p); err != nil || p.Status != 403 || p.Title != "Forbidden" || !strings.Contains(p.Detail, detail) {
		t.Errorf("problem %+v (%v), want detail containing %q", p, err, detail)
	}
}

func h(k, v string) testclient.RequestOption { return testclient.Header(k, v) }

var (
	crossSite   = []testclient.RequestOption{h("Sec-Fetch-Site", "cross-site"), h("Origin", "https://evil.example")}
	sameOrigin  = []testclient.RequestOption{h("Sec-Fetch-Site", "same-origin"), h("Origin", "http://testserver")}
	trustedSite = []testclient.RequestOption{h("Sec-Fetch-Site", "cross-site"), h("Origin", "https://admin.example.com")}
)

func join(a []testclient.RequestOption, b ...testclient.RequestOption) []testclient.RequestOption {
	return append(append([]testclient.RequestOption{}, a...), b...)
}

func TestOriginMode(t *testing.T) {
	t.Parallel()
	cfg := csrf.Config{
		TrustedOrigins: []string{"https://Admin.example.com/"},
		ExemptPaths:    []string{"/hooks/{provider}"},
	}
	cases := []tcase{
		{"GET cross-site is never blocked", "GET", "", crossSite, 200, nil, ""},
		{"HEAD cross-site", "HEAD", "", crossSite, 200, nil, ""},
		{"same-origin POST", "POST", "", sameOrigin, 200, nil, ""},
		{"Sec-Fetch-Site none (typed URL, bookmark)", "POST", "", []testclient.RequestOption{h("Sec-Fetch-Site", "none")}, 200, nil, ""},
		{"old browser, Origin matches Host", "POST", "", []testclient.RequestOption{h("Origin", "http://testserver")}, 200, nil, ""},
		{"non-browser client", "POST", "", nil, 200, nil, ""},
		{"old browser, foreign Origin", "POST", "", []testclient.RequestOption{h("Origin", "https://evil.example")}, 403, csrf.ErrCrossOrigin, "Origin does not match Host"},
		{"same-site subdomain", "POST", "", []testclient.RequestOption{h("Sec-Fetch-Site", "same-site"), h("Origin", "https://sub.testserver")}, 403, csrf.ErrCrossOrigin, "cross-origin"},
		{"trusted origin", "POST", "", trustedSite, 200, nil, ""},
		{"trusted origin, old browser", "POST", "", []testclient.RequestOption{h("Origin", "https://admin.example.com")}, 200, nil, ""},
		{"exempt route", "POST", "/hooks/github", crossSite, 200, nil, ""},
	}
	for _, m := range unsafeMethods {
		cases = append(cases, tcase{"cross-site " + m, m, "", crossSite, 403, csrf.ErrCrossOrigin, "cross-origin request rejected"})
	}
	runCases(t, cfg, nil, cases)
}

func TestOriginModeExemptFunc(t *testing.T) {
	t.Parallel()
	runCases(t, csrf.Config{Exempt: func(req *nexios.Request) bool { return req.Header("X-Signature") == "valid" }}, nil, []tcase{
		{"exempt", "POST", "", join(crossSite, h("X-Signature", "valid")), 200, nil, ""},
		{"not exempt", "POST", "", crossSite, 403, csrf.ErrCrossOrigin, "cross-origin"},
		{"exempt paths default none", "POST", "/hooks/x", crossSite, 403, csrf.ErrCrossOrigin, "cross-origin"},
	})
}

func TestExemptPathPrefix(t *testing.T) {
	t.Parallel()
	runCases(t, csrf.Config{ExemptPaths: []string{"/hooks/*"}}, nil, []tcase{
		{"prefix", "POST", "/hooks/x", crossSite, 200, nil, ""},
		{"other route", "POST", "/f", crossSite, 403, csrf.ErrCrossOrigin, "cross-origin"},
	})
}

func TestSkip(t *testing.T) {
	t.Parallel()
	runCases(t, csrf.Config{Mode: csrf.TokenMode, Skip: func(req *nexios.Request) bool { return req.Header("X-Skip") == "1" }}, nil, []tcase{
		{"skipped", "POST", "", join(crossSite, h("X-Skip", "1")), 200, nil, ""},
		{"not skipped", "POST", "", crossSite, 403, csrf.ErrCrossOrigin, "cross-origin"},
	})
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]csrf.Config{
		"unknown mode":           {Mode: 7},
		"trusted origin path":    {TrustedOrigins: []string{"https://a.example/app"}},
		"trusted origin no host": {TrustedOrigins: []string{"a.example"}},
		"exempt path":            {ExemptPaths: []string{"hooks"}},
		"cookie name":            {Mode: csrf.TokenMode, CookieName: "csrf token"},
		"header name":            {Mode: csrf.TokenMode, HeaderName: "X-CSRF:Token"},
		"__Host- with domain":    {Mode: csrf.TokenMode, CookieName: "__Host-csrf", CookieDomain: "example.com"},
		"negative max age":       {Mode: csrf.TokenMode, CookieMaxAge: -1},
		"bad cookie path":        {Mode: csrf.TokenMode, CookiePath: "/a;b"},
	} {
		if mw, err := csrf.New(cfg); err == nil || mw != nil {
			t.Errorf("%s: New accepted the config", name)
		}
	}
}

// formPost is a urlencoded body with the token field.
func formPost(field, token string) testclient.RequestOption {
	return testclient.Form(url.Values{field: {token}, "title": {"hello"}})
}
