package oracle_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	rscors "github.com/rs/cors"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/cors"
)

// The oracle tests compare our header decisions with github.com/rs/cors
// over a table of origins, methods and requested headers, for
// configurations where both implement the same policy. Deliberate
// differences are listed in TestOracleDocumentedDifferences.

type oraclePair struct {
	name string
	ours cors.Config
	rs   rscors.Options
}

func oraclePairs() []oraclePair {
	return []oraclePair{
		{
			name: "credentialed list",
			ours: cors.Config{
				AllowOrigins:     []string{"https://app.example.com", "http://localhost:3000"},
				AllowMethods:     []string{"GET", "POST", "PUT"},
				AllowHeaders:     []string{"Content-Type", "Authorization"},
				ExposeHeaders:    []string{"X-Request-Id", "x-total-count"},
				AllowCredentials: true,
				MaxAge:           time.Hour,
			},
			rs: rscors.Options{
				AllowedOrigins:   []string{"https://app.example.com", "http://localhost:3000"},
				AllowedMethods:   []string{"GET", "POST", "PUT"},
				AllowedHeaders:   []string{"Content-Type", "Authorization"},
				ExposedHeaders:   []string{"X-Request-Id", "x-total-count"},
				AllowCredentials: true,
				MaxAge:           3600,
			},
		},
		{
			name: "any origin, any header",
			ours: cors.Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"*"}, MaxAge: -1,
				AllowMethods: []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}},
			rs: rscors.Options{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"*"}, MaxAge: -1,
				AllowedMethods: []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}},
		},
		{
			name: "default methods, subdomain wildcard",
			ours: cors.Config{AllowOrigins: []string{"https://*.example.org", "null"}, AllowHeaders: []string{"content-type"},
				AllowCredentials: true, AllowPrivateNetwork: true},
			rs: rscors.Options{AllowedOrigins: []string{"https://*.example.org", "null"}, AllowedHeaders: []string{"content-type"},
				AllowCredentials: true, AllowPrivateNetwork: true,
				AllowedMethods: []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}},
		},
	}
}

var (
	oracleOrigins = []string{
		"https://app.example.com", "http://app.example.com", "https://app.example.com:8443",
		"http://localhost:3000", "https://evil.example", "null",
		"https://a.example.org", "https://a.b.example.org", "https://example.org",
		"https://evil-example.org", "https://example.org.evil.com",
	}
	oracleActualMethods    = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
	oraclePreflightMethods = []string{"GET", "POST", "PUT", "DELETE", "CONNECT"}
	// As browsers send them: lower case, sorted, no duplicates.
	oracleRequestHeaders = []string{"", "content-type", "authorization,content-type", "x-evil", "content-type,x-evil"}
)

type outcome struct {
	status                                                     int
	allowOrigin, credentials, methods, headers, expose, maxAge string
	privateNet, vary                                           string
	handlerRan                                                 bool
}

func observe(h http.Handler, ran *bool, r *http.Request) outcome {
	*ran = false
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	g := w.Result().Header
	return outcome{
		status:      w.Code,
		allowOrigin: strings.Join(g.Values("Access-Control-Allow-Origin"), "|"),
		credentials: g.Get("Access-Control-Allow-Credentials"),
		methods:     g.Get("Access-Control-Allow-Methods"),
		headers:     g.Get("Access-Control-Allow-Headers"),
		expose:      g.Get("Access-Control-Expose-Headers"),
		maxAge:      g.Get("Access-Control-Max-Age"),
		privateNet:  g.Get("Access-Control-Allow-Private-Network"),
		vary:        strings.Join(g.Values("Vary"), ", "),
		handlerRan:  *ran,
	}
}

// oracleHandlers returns our app and the rs/cors handler around the same
// endpoint, with flags that record whether the endpoint ran.
func oracleHandlers(t *testing.T, p oraclePair) (ours, theirs http.Handler, oursRan, theirsRan *bool) {
	oursRan, theirsRan = new(bool), new(bool)
	app := nexios.New(nexios.Config{})
	mw, err := cors.New(p.ours)
	if err != nil {
		t.Fatal(err)
	}
	app.Use(mw)
	app.Route(oracleActualMethods, "/r", func(_ *nexios.Request, res *nexios.Response) error {
		*oursRan = true
		return res.Text("ok")
	})
	theirs = rscors.New(p.rs).Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		*theirsRan = true
		_, _ = w.Write([]byte("ok"))
	}))
	return app, theirs, oursRan, theirsRan
}

func TestOracleActualRequests(t *testing.T) {
	t.Parallel()
	for _, p := range oraclePairs() {
		ours, theirs, oursRan, theirsRan := oracleHandlers(t, p)
		for _, origin := range append(oracleOrigins, "") {
			for _, method := range oracleActualMethods {
				r := httptest.NewRequest(method, "/r", nil)
				if origin != "" {
					r.Header.Set("Origin", origin)
				}
				got, exp := observe(ours, oursRan, r), observe(theirs, theirsRan, r)
				if got != exp {
					t.Errorf("%s: %s from %q:\n ours   %+v\n rs/cors %+v", p.name, method, origin, got, exp)
				}
			}
		}
	}
}

func TestOraclePreflights(t *testing.T) {
	t.Parallel()
	compared := 0
	for _, p := range oraclePairs() {
		ours, theirs, oursRan, theirsRan := oracleHandlers(t, p)
		for _, origin := range oracleOrigins {
			for _, method := range oraclePreflightMethods {
				for _, hdrs := range oracleRequestHeaders {
					for _, pna := range []bool{false, true} {
						r := httptest.NewRequest("OPTIONS", "/r", nil)
						r.Header.Set("Origin", origin)
						r.Header.Set("Access-Control-Request-Method", method)
						if hdrs != "" {
							r.Header.Set("Access-Control-Request-Headers", hdrs)
						}
						if pna {
							r.Header.Set("Access-Control-Request-Private-Network", "true")
						}
						got, exp := observe(ours, oursRan, r), observe(theirs, theirsRan, r)
						compared++
						where := p.name + ": preflight " + method + " [" + hdrs + "] from " + origin
						if got.handlerRan || exp.handlerRan {
							t.Errorf("%s: a preflight reached the endpoint (ours %v, rs/cors %v)", where, got.handlerRan, exp.handlerRan)
						}
						granted := exp.allowOrigin != ""
						// Deliberate difference: a rejected preflight is 403
						// here (rs/cors answers 204 without CORS headers).
						wantStatus := http.StatusForbidden
						if granted {
							wantStatus = http.StatusNoContent
						}
						if got.status != wantStatus || exp.status != http.StatusNoContent {
							t.Errorf("%s: status ours %d (want %d), rs/cors %d", where, got.status, wantStatus, exp.status)
						}
						// Deliberate difference: Allow-Methods lists every
						// allowed method; rs/cors echoes the requested one.
						if granted {
							if exp.methods != method || !slices.Contains(strings.Split(got.methods, ", "), method) {
								t.Errorf("%s: Allow-Methods ours %q, rs/cors %q", where, got.methods, exp.methods)
							}
						} else if got.methods != "" {
							t.Errorf("%s: rejected preflight has Allow-Methods %q", where, got.methods)
						}
						got.methods, exp.methods = "", ""
						got.status, exp.status = 0, 0
						if got != exp {
							t.Errorf("%s:\n ours    %+v\n rs/cors %+v", where, got, exp)
						}
					}
				}
			}
		}
	}
	if compared < 500 {
		t.Fatalf("only %d preflights compared", compared)
	}
}

// TestOracleDocumentedDifferences pins where we deliberately differ from
// rs/cors, so that a change on either side is noticed.
func TestOracleDocumentedDifferences(t *testing.T) {
	t.Parallel()
	p := oraclePairs()[0]
	ours, theirs, oursRan, theirsRan := oracleHandlers(t, p)
	req := func(method string, h ...string) *http.Request {
		r := httptest.NewRequest(method, "/r", nil)
		for i := 0; i < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}

	// 1. Origins are compared exactly (Fetch standard); rs/cors lower-cases
	// them. Browsers always send lower-case origins.
	r := req("GET", "Origin", "https://APP.example.com")
	if got, exp := observe(ours, oursRan, r), observe(theirs, theirsRan, r); got.allowOrigin != "" || exp.allowOrigin == "" {
		t.Errorf("upper-case origin: ours %q, rs/cors %q", got.allowOrigin, exp.allowOrigin)
	}

	// 2. Requested headers may come in any order and case; rs/cors accepts
	// only the sorted lower-case list browsers send.
	r = req("OPTIONS", "Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "Content-Type, Authorization")
	if got, exp := observe(ours, oursRan, r), observe(theirs, theirsRan, r); got.status != 204 || exp.allowOrigin != "" {
		t.Errorf("unsorted headers: ours %d, rs/cors allow-origin %q", got.status, exp.allowOrigin)
	}

	// 3. OPTIONS is an ordinary method for actual requests; rs/cors always
	// allows it.
	r = req("OPTIONS", "Origin", "https://app.example.com")
	if got, exp := observe(ours, oursRan, r), observe(theirs, theirsRan, r); got.allowOrigin != "" || exp.allowOrigin == "" {
		t.Errorf("actual OPTIONS: ours %q, rs/cors %q", got.allowOrigin, exp.allowOrigin)
	}

	// 4. A preflight needs an Origin; without one the request goes to the
	// route (rs/cors swallows it with 204).
	r = req("OPTIONS", "Access-Control-Request-Method", "GET")
	if got, exp := observe(ours, oursRan, r), observe(theirs, theirsRan, r); got.vary != "Origin" || exp.vary == "Origin" {
		t.Errorf("preflight without Origin: ours Vary %q, rs/cors %q", got.vary, exp.vary)
	}

	// 5. A subdomain wildcard stands for one or more whole labels; rs/cors
	// matches any characters, the empty string included.
	w, rs, wRan, rsRan := oracleHandlers(t, oraclePairs()[2])
	for _, origin := range []string{"https://.example.org", "https://evil.com/x.example.org"} {
		r = req("GET", "Origin", origin)
		if got, exp := observe(w, wRan, r), observe(rs, rsRan, r); got.allowOrigin != "" || exp.allowOrigin == "" {
			t.Errorf("%s: ours %q, rs/cors %q", origin, got.allowOrigin, exp.allowOrigin)
		}
	}

	// 6. "*" with credentials: rs/cors sends "*" and credentials together,
	// which browsers reject; New refuses the configuration.
	if _, err := cors.New(cors.Config{AllowOrigins: []string{"*"}, AllowCredentials: true}); err == nil {
		t.Error(`New accepted "*" with credentials`)
	}
	star := rscors.New(rscors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true}).Handler(http.NotFoundHandler())
	var dummy bool
	if exp := observe(star, &dummy, req("GET", "Origin", "https://x.example")); exp.allowOrigin != "*" || exp.credentials != "true" {
		t.Errorf("rs/cors star+credentials: %+v", exp)
	}
}
