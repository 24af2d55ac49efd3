package cors_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/cors"
	"github.com/nexios-go/nexios/testclient"
)

// levels builds the same routes with the middleware installed at the app,
// router and route level. hits counts handler calls.
func levels(t *testing.T, cfg cors.Config) map[string]func(hits *atomic.Int64) *nexios.App {
	t.Helper()
	mw, err := cors.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	handler := func(hits *atomic.Int64) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			hits.Add(1)
			switch req.Query("fail") {
			case "error":
				return nexios.NewHTTPError(http.StatusTeapot, "boom")
			case "panic":
				panic("boom")
			}
			res.Header().Set("X-Handler", "yes")
			return res.Text("ok")
		}
	}
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH"}
	return map[string]func(*atomic.Int64) *nexios.App{
		"app": func(hits *atomic.Int64) *nexios.App {
			app := nexios.New(nexios.Config{})
			app.Use(mw)
			app.Route(methods, "/api/items", handler(hits))
			app.Options("/api/opt", handler(hits))
			return app
		},
		"router": func(hits *atomic.Int64) *nexios.App {
			app := nexios.New(nexios.Config{})
			r := nexios.NewRouter("/api")
			r.Use(mw)
			r.Route(methods, "/items", handler(hits))
			r.Options("/opt", handler(hits))
			app.Mount(r)
			return app
		},
		"route": func(hits *atomic.Int64) *nexios.App {
			app := nexios.New(nexios.Config{})
			app.Route(methods, "/api/items", handler(hits), nexios.WithMiddleware(mw))
			app.Options("/api/opt", handler(hits), nexios.WithMiddleware(mw))
			return app
		},
	}
}

type want struct {
	status      int
	origin      string // Access-Control-Allow-Origin; "" = absent
	credentials bool
	methods     string
	headers     string
	expose      string
	maxAge      string
	privateNet  bool
	vary        string
	handlerRuns bool
	problem     string // substring of the problem detail on 403
}

type tcase struct {
	name    string
	method  string
	path    string
	headers map[string]string
	want    want
}

func runCases(t *testing.T, cfg cors.Config, cases []tcase) {
	t.Helper()
	for level, build := range levels(t, cfg) {
		for _, tc := range cases {
			t.Run(level+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				var hits atomic.Int64
				c := testclient.New(build(&hits))
				var opts []testclient.RequestOption
				for k, v := range tc.headers {
					opts = append(opts, testclient.Header(k, v))
				}
				path := tc.path
				if path == "" {
					path = "/api/items"
				}
				r := c.Do(tc.method, path, opts...)
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				checkResponse(t, r, tc.want, hits.Load() > 0)
			})
		}
	}
}

func checkResponse(t *testing.T, r *testclient.Response, w want, ran bool) {
	t.Helper()
	if r.Status != w.status {
		t.Errorf("status = %d, want %d (body %s)", r.Status, w.status, r.Text())
	}
	eq := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	h := r.Header
	eq("Allow-Origin", strings.Join(h.Values("Access-Control-Allow-Origin"), "|"), w.origin)
	cred := ""
	if w.credentials {
		cred = "true"
	}
	eq("Allow-Credentials", h.Get("Access-Control-Allow-Credentials"), cred)
	eq("Allow-Methods", h.Get("Access-Control-Allow-Methods"), w.methods)
	eq("Allow-Headers", h.Get("Access-Control-Allow-Headers"), w.headers)
	eq("Expose-Headers", h.Get("Access-Control-Expose-Headers"), w.expose)
	eq("Max-Age", h.Get("Access-Control-Max-Age"), w.maxAge)
	pn := ""
	if w.privateNet {
		pn = "true"
	}
	eq("Allow-Private-Network", h.Get("Access-Control-Allow-Private-Network"), pn)
	if w.vary != "" {
		eq("Vary", strings.Join(h.Values("Vary"), ", "), w.vary)
	}
	if ran != w.handlerRuns {
		t.Errorf("handler ran = %v, want %v", ran, w.handlerRuns)
	}
	if w.problem != "" {
		var p struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if ct := h.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("Content-Type = %q, want application/problem+json", ct)
		}
		if err := r.JSON(&p); err != nil || p.Status != w.status || !strings.Contains(p.Detail, w.problem) {
			t.Errorf("problem = %+v (%v), want detail containing %q", p, err, w.problem)
		}
	}
}

const (
	varyActual    = "Origin"
	varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	allMethods    = "GET, HEAD, POST, PUT, PATCH, DELETE"
)

func hdr(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestCredentialedList(t *testing.T) {
	t.Parallel()
	cfg := cors.Config{
		AllowOrigins:     []string{"https://app.example.com", "https://*.example.org", "http://localhost:3000/"},
		AllowHeaders:     []string{"Content-Type", "authorization", "X-Custom-Header"},
		ExposeHeaders:    []string{"x-request-id", "X-Total-Count"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	}
	const good = "https://app.example.com"
	preflight := func(origin, method, headers string) map[string]string {
		m := hdr("Origin", origin, "Access-Control-Request-Method", method)
		if headers != "" {
			m["Access-Control-Request-Headers"] = headers
		}
		return m
	}
	granted := want{status: 204, origin: good, credentials: true, methods: allMethods, maxAge: "600", vary: varyPreflight}
	withHeaders := granted
	withHeaders.headers = "content-type,x-custom-header"
	rejected := func(why string) want {
		return want{status: 403, vary: varyPreflight, problem: why}
	}
	runCases(t, cfg, []tcase{
		{"actual allowed", "GET", "", hdr("Origin", good),
			want{status: 200, origin: good, credentials: true, expose: "X-Request-Id, X-Total-Count", vary: varyActual, handlerRuns: true}},
		{"actual POST allowed", "POST", "", hdr("Origin", "http://localhost:3000"),
			want{status: 200, origin: "http://localhost:3000", credentials: true, expose: "X-Request-Id, X-Total-Count", vary: varyActual, handlerRuns: true}},
		{"actual disallowed origin", "GET", "", hdr("Origin", "https://evil.example"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"actual upper-case origin is another origin", "GET", "", hdr("Origin", "https://APP.example.com"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"actual other port", "GET", "", hdr("Origin", "https://app.example.com:8443"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"actual other scheme", "GET", "", hdr("Origin", "http://app.example.com"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"no origin", "GET", "", nil, want{status: 200, vary: varyActual, handlerRuns: true}},
		{"origin null", "GET", "", hdr("Origin", "null"), want{status: 200, vary: varyActual, handlerRuns: true}},
		{"error response keeps CORS headers", "GET", "/api/items?fail=error", hdr("Origin", good),
			want{status: 418, origin: good, credentials: true, expose: "X-Request-Id, X-Total-Count", vary: varyActual, handlerRuns: true}},
		{"panic response keeps CORS headers", "GET", "/api/items?fail=panic", hdr("Origin", good),
			want{status: 500, origin: good, credentials: true, expose: "X-Request-Id, X-Total-Count", vary: varyActual, handlerRuns: true}},
		{"wildcard subdomain", "GET", "", hdr("Origin", "https://a.b.example.org"),
			want{status: 200, origin: "https://a.b.example.org", credentials: true, expose: "X-Request-Id, X-Total-Count", vary: varyActual, handlerRuns: true}},
		{"wildcard does not match apex", "GET", "", hdr("Origin", "https://example.org"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"wildcard vs evil-example.org", "GET", "", hdr("Origin", "https://evil-example.org"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"wildcard vs example.org.evil.com", "GET", "", hdr("Origin", "https://example.org.evil.com"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"wildcard vs userinfo trick", "GET", "", hdr("Origin", "https://evil.com@x.example.org"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"wildcard vs empty label", "GET", "", hdr("Origin", "https://.example.org"),
			want{status: 200, vary: varyActual, handlerRuns: true}},

		{"preflight allowed", "OPTIONS", "", preflight(good, "PUT", ""), granted},
		{"preflight allowed headers", "OPTIONS", "", preflight(good, "PATCH", "content-type,x-custom-header"), withHeaders},
		{"preflight header case and spaces", "OPTIONS", "", preflight(good, "POST", "Authorization ,  CONTENT-TYPE"),
			want{status: 204, origin: good, credentials: true, methods: allMethods, headers: "Authorization ,  CONTENT-TYPE", maxAge: "600", vary: varyPreflight}},
		{"preflight empty header list", "OPTIONS", "", preflight(good, "GET", " , "), granted},
		{"preflight never reaches an OPTIONS route", "OPTIONS", "/api/opt", preflight(good, "GET", ""), granted},
		{"plain OPTIONS reaches the OPTIONS route", "OPTIONS", "/api/opt", hdr("Origin", good),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"preflight disallowed origin", "OPTIONS", "", preflight("https://evil.example", "GET", ""), rejected("origin")},
		{"preflight null origin", "OPTIONS", "", preflight("null", "GET", ""), rejected("origin")},
		{"preflight wildcard evil", "OPTIONS", "", preflight("https://example.org.evil.com", "GET", ""), rejected("origin")},
		{"preflight disallowed method", "OPTIONS", "", preflight(good, "CONNECT", ""), rejected("method")},
		{"preflight lower-case method", "OPTIONS", "", preflight(good, "put", ""), rejected("method")},
		{"preflight empty method", "OPTIONS", "", hdr("Origin", good, "Access-Control-Request-Method", ""),
			want{status: 204, vary: varyActual, handlerRuns: false}},
		{"preflight disallowed header", "OPTIONS", "", preflight(good, "GET", "x-evil"), rejected("x-evil")},
		{"preflight mixed headers", "OPTIONS", "", preflight(good, "GET", "content-type,x-evil"), rejected("x-evil")},
		{"preflight private network not enabled", "OPTIONS", "",
			map[string]string{"Origin": good, "Access-Control-Request-Method": "GET", "Access-Control-Request-Private-Network": "true"}, granted},
	})
}

func TestStarWithoutCredentials(t *testing.T) {
	t.Parallel()
	cfg := cors.Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"*"}, MaxAge: -1, AllowPrivateNetwork: true,
		AllowMethods: []string{"get", "post"}}
	pvary := varyPreflight + ", Access-Control-Request-Private-Network"
	runCases(t, cfg, []tcase{
		{"any origin gets *", "GET", "", hdr("Origin", "https://anything.example"),
			want{status: 200, origin: "*", vary: varyActual, handlerRuns: true}},
		{"null gets * (no credentials)", "GET", "", hdr("Origin", "null"),
			want{status: 200, origin: "*", vary: varyActual, handlerRuns: true}},
		{"method not listed", "PUT", "", hdr("Origin", "https://anything.example"),
			want{status: 200, vary: varyActual, handlerRuns: true}},
		{"preflight any header reflected", "OPTIONS", "",
			hdr("Origin", "https://x.example", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,x-anything"),
			want{status: 204, origin: "*", methods: "GET, POST", headers: "authorization,x-anything", maxAge: "0", vary: pvary}},
		{"preflight private network", "OPTIONS", "",
			hdr("Origin", "https://x.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Private-Network", "true"),
			want{status: 204, origin: "*", methods: "GET, POST", maxAge: "0", privateNet: true, vary: pvary}},
		{"preflight method not listed", "OPTIONS", "",
			hdr("Origin", "https://x.example", "Access-Control-Request-Method", "DELETE"),
			want{status: 403, vary: pvary, problem: "DELETE"}},
	})
}

func TestNullListedExplicitly(t *testing.T) {
	t.Parallel()
	runCases(t, cors.Config{AllowOrigins: []string{"null"}, AllowCredentials: true}, []tcase{
		{"null allowed", "GET", "", hdr("Origin", "null"),
			want{status: 200, origin: "null", credentials: true, vary: varyActual, handlerRuns: true}},
		{"others not", "GET", "", hdr("Origin", "https://a.example"), want{status: 200, vary: varyActual, handlerRuns: true}},
	})
}

func TestZeroConfigAllowsNothing(t *testing.T) {
	t.Parallel()
	runCases(t, cors.Config{}, []tcase{
		{"actual", "GET", "", hdr("Origin", "https://a.example"), want{status: 200, vary: varyActual, handlerRuns: true}},
		{"preflight", "OPTIONS", "", hdr("Origin", "https://a.example", "Access-Control-Request-Method", "GET"),
			want{status: 403, vary: varyPreflight, problem: "origin"}},
	})
}

func TestRegexAndFunc(t *testing.T) {
	t.Parallel()
	var sawNull atomic.Bool
	cfg := cors.Config{
		AllowOriginRegex: []string{`https://[a-z0-9-]+\.example\.net`, `https://pr-[0-9]+\.preview\.dev`},
		AllowOriginFunc: func(origin string, req *nexios.Request) bool {
			if origin == "null" {
				sawNull.Store(true)
			}
			return origin == "https://partner.example" && req.Header("X-Partner") == "1"
		},
		AllowCredentials: true,
	}
	ok := func(o string) want {
		return want{status: 200, origin: o, credentials: true, vary: varyActual, handlerRuns: true}
	}
	no := want{status: 200, vary: varyActual, handlerRuns: true}
	runCases(t, cfg, []tcase{
		{"regex match", "GET", "", hdr("Origin", "https://api.example.net"), ok("https://api.example.net")},
		{"regex is anchored at the end", "GET", "", hdr("Origin", "https://api.example.net.evil.com"), no},
		{"regex is anchored at the start", "GET", "", hdr("Origin", "https://evil.com/https://api.example.net"), no},
		{"second regex", "GET", "", hdr("Origin", "https://pr-42.preview.dev"), ok("https://pr-42.preview.dev")},
		{"func with request", "GET", "", hdr("Origin", "https://partner.example", "X-Partner", "1"), ok("https://partner.example")},
		{"func rejects", "GET", "", hdr("Origin", "https://partner.example"), no},
		{"null never reaches regex or func", "GET", "", hdr("Origin", "null"), no},
	})
	if sawNull.Load() {
		t.Error(`AllowOriginFunc was called with "null"`)
	}
}

func TestAppLevelAnswersPreflightsForAnyPath(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"https://a.example"}})))
	app.Get("/only-get", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	c := testclient.New(app)
	for _, path := range []string{"/only-get", "/no/such/path"} {
		r := c.Options(path, testclient.Header("Origin", "https://a.example"), testclient.Header("Access-Control-Request-Method", "DELETE"))
		if r.Status != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://a.example" ||
			r.Header.Get("Access-Control-Allow-Methods") != allMethods {
			t.Errorf("%s: status %d, headers %v", path, r.Status, r.Header)
		}
	}
	// A wrong method without preflight headers still gets the 405.
	r := c.Delete("/only-get", testclient.Header("Origin", "https://a.example"))
	if r.Status != 405 || r.Header.Get("Access-Control-Allow-Origin") != "https://a.example" {
		t.Errorf("DELETE: status %d, headers %v", r.Status, r.Header)
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	mw := nexios.Must(cors.New(cors.Config{
		AllowOrigins: []string{"https://a.example"},
		Skip:         func(req *nexios.Request) bool { return strings.HasPrefix(req.URL().Path, "/internal") },
	}))
	app := nexios.New(nexios.Config{})
	app.Use(mw)
	ok := func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") }
	app.Get("/internal/x", ok)
	app.Get("/public/x", ok)
	c := testclient.New(app)
	if r := c.Get("/internal/x", testclient.Header("Origin", "https://a.example")); r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Vary") != "" {
		t.Errorf("skipped request got CORS headers: %v", r.Header)
	}
	if r := c.Get("/public/x", testclient.Header("Origin", "https://a.example")); r.Header.Get("Access-Control-Allow-Origin") != "https://a.example" {
		t.Errorf("public request lacks CORS headers: %v", r.Header)
	}
}

func TestVaryAppendsToExisting(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			res.Header().Add("Vary", "Accept-Encoding")
			return next(req, res)
		}
	})
	app.Use(nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"https://a.example"}})))
	app.Get("/x", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Add("Vary", "Accept")
		return res.Text("ok")
	})
	r := testclient.New(app).Get("/x", testclient.Header("Origin", "https://a.example"))
	if got := strings.Join(r.Header.Values("Vary"), ", "); got != "Accept-Encoding, Origin, Accept" {
		t.Errorf("Vary = %q", got)
	}
}
