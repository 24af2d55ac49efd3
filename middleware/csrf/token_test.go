package csrf_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/csrf"
	"github.com/nexios-go/nexios/testclient"
)

// issue fetches GET /f with a fresh client and returns the token cookie
// value and the masked token from the body.
func issue(t *testing.T, app *nexios.App, base, cookieName string) (cookie, masked string) {
	t.Helper()
	r := testclient.New(app, testclient.WithBaseURL(base)).Get("/f")
	ck := r.Cookie(cookieName)
	if r.Status != 200 || ck == nil {
		t.Fatalf("GET: status %d, cookie %v", r.Status, ck)
	}
	return ck.Value, r.Text()
}

func TestTokenMode(t *testing.T) {
	t.Parallel()
	cfg := csrf.Config{
		Mode:           csrf.TokenMode,
		TrustedOrigins: []string{"https://admin.example.com"},
		ExemptPaths:    []string{"/hooks/{provider}"},
	}
	for level, build := range levels(t, cfg) {
		t.Run(level, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int64
			var lastErr atomic.Value
			app := build(&hits, &lastErr)
			cookie, masked := issue(t, app, "http://testserver", "csrftoken")
			other, otherMasked := issue(t, app, "http://testserver", "csrftoken")
			if len(cookie) != 43 || len(masked) != 86 || cookie == other {
				t.Fatalf("cookie %q, masked %q, other %q", cookie, masked, other)
			}
			withCookie := func(v string, opts ...testclient.RequestOption) []testclient.RequestOption {
				return append([]testclient.RequestOption{testclient.Cookie(&http.Cookie{Name: "csrftoken", Value: v})}, opts...)
			}
			flipped := "A" + cookie[1:]
			if cookie[0] == 'A' {
				flipped = "B" + cookie[1:]
			}
			multipart := testclient.Multipart(map[string]string{"csrf_token": masked, "title": "x"})
			for _, tc := range []tcase{
				{"GET never blocked", "GET", "", withCookie(cookie, crossSite...), 200, nil, ""},
				{"header, plain cookie value", "POST", "", withCookie(cookie, h("X-CSRFToken", cookie)), 200, nil, ""},
				{"header, masked", "PUT", "", withCookie(cookie, h("X-CSRFToken", masked)), 200, nil, ""},
				{"form field, masked", "POST", "", withCookie(cookie, formPost("csrf_token", masked)), 200, nil, ""},
				{"multipart field", "PATCH", "", withCookie(cookie, multipart), 200, nil, ""},
				{"same-origin browser", "DELETE", "", withCookie(cookie, join(sameOrigin, h("X-CSRFToken", masked))...), 200, nil, ""},
				{"trusted origin with token", "POST", "", withCookie(cookie, join(trustedSite, h("X-CSRFToken", masked))...), 200, nil, ""},
				{"exempt route", "POST", "/hooks/x", nil, 200, nil, ""},

				{"missing token", "POST", "", withCookie(cookie), 403, csrf.ErrTokenMissing, "X-CSRFToken header or the csrf_token form field"},
				{"token in JSON body is not read", "POST", "", withCookie(cookie, testclient.JSON(map[string]string{"csrf_token": masked})), 403, csrf.ErrTokenMissing, "missing"},
				{"missing cookie", "POST", "", []testclient.RequestOption{h("X-CSRFToken", cookie)}, 403, csrf.ErrNoToken, "no CSRF cookie"},
				{"token from another cookie", "POST", "", withCookie(cookie, h("X-CSRFToken", other)), 403, csrf.ErrTokenInvalid, "incorrect"},
				{"masked token from another cookie", "POST", "", withCookie(cookie, h("X-CSRFToken", otherMasked)), 403, csrf.ErrTokenInvalid, "incorrect"},
				{"form token from another cookie", "POST", "", withCookie(cookie, formPost("csrf_token", otherMasked)), 403, csrf.ErrTokenInvalid, "incorrect"},
				{"garbage token", "POST", "", withCookie(cookie, h("X-CSRFToken", "not-a-token")), 403, csrf.ErrTokenInvalid, "incorrect"},
				{"altered token", "POST", "", withCookie(cookie, h("X-CSRFToken", flipped)), 403, csrf.ErrTokenInvalid, "incorrect"},
				{"cookie and header both chosen by the client", "POST", "", withCookie("x", h("X-CSRFToken", "x")), 403, csrf.ErrNoToken, "no CSRF cookie"},
				{"cross-site with a valid token", "POST", "", withCookie(cookie, join(crossSite, h("X-CSRFToken", masked))...), 403, csrf.ErrCrossOrigin, "cross-origin"},
				{"planted cookie and header from another site", "POST", "", withCookie(other, join(crossSite, h("X-CSRFToken", other))...), 403, csrf.ErrCrossOrigin, "cross-origin"},
				{"trusted origin without token", "POST", "", withCookie(cookie, trustedSite...), 403, csrf.ErrTokenMissing, "missing"},
				{"wrong field name", "POST", "", withCookie(cookie, formPost("csrftoken", masked)), 403, csrf.ErrTokenMissing, "missing"},
			} {
				hits.Store(0)
				lastErr = atomic.Value{}
				r := testclient.New(app).Do(tc.method, orPath(tc.path), tc.opts...)
				if r.Status != tc.status {
					t.Errorf("%s: status %d, want %d: %s", tc.name, r.Status, tc.status, r.Text())
					continue
				}
				if tc.status != 403 {
					continue
				}
				checkProblem(t, r, tc.detail)
				if err, _ := lastErr.Load().(error); !errors.Is(err, tc.cause) {
					t.Errorf("%s: error %v, want %v", tc.name, err, tc.cause)
				}
				if hits.Load() != 0 {
					t.Errorf("%s: handler ran", tc.name)
				}
			}
		})
	}
}

func orPath(p string) string {
	if p == "" {
		return "/f"
	}
	return p
}

func TestTokenCookieAttributes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base string
		cfg        csrf.Config
		cookie     string
		secure     bool
	}{
		{"http", "http://testserver", csrf.Config{Mode: csrf.TokenMode}, "csrftoken", false},
		{"https", "https://testserver", csrf.Config{Mode: csrf.TokenMode}, "csrftoken", true},
		{"__Host- prefix", "http://testserver", csrf.Config{Mode: csrf.TokenMode, CookieName: "__Host-csrf"}, "__Host-csrf", true},
		{"forced secure", "http://testserver", csrf.Config{Mode: csrf.TokenMode, CookieSecure: true}, "csrftoken", true},
	} {
		app := nexios.New(nexios.Config{})
		app.Use(nexios.Must(csrf.New(tc.cfg)))
		app.Get("/", func(req *nexios.Request, res *nexios.Response) error { return res.Text(csrf.Token(req)) })
		r := testclient.New(app, testclient.WithBaseURL(tc.base)).Get("/")
		raw := r.Header.Get("Set-Cookie")
		ck := r.Cookie(tc.cookie)
		if ck == nil || len(ck.Value) != 43 || ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != tc.secure {
			t.Errorf("%s: Set-Cookie %q", tc.name, raw)
		}
		if strings.Contains(strings.ToLower(raw), "httponly") {
			t.Errorf("%s: cookie is HttpOnly: %q", tc.name, raw)
		}
		// A client that already holds a token gets no new cookie.
		r2 := testclient.New(app).Get("/", testclient.Cookie(&http.Cookie{Name: tc.cookie, Value: ck.Value}))
		if r2.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s: cookie re-issued: %q", tc.name, r2.Header.Get("Set-Cookie"))
		}
	}
}

func TestBrowserFormFlow(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(csrf.New(csrf.Config{Mode: csrf.TokenMode, CookieName: "__Host-csrf", HeaderName: "X-XSRF-Token", FormField: "_csrf"})))
	app.Get("/form", func(req *nexios.Request, res *nexios.Response) error {
		return res.HTML(`<form method="post"><input type="hidden" name="_csrf" value="` + csrf.Token(req) + `"></form>`)
	})
	app.Post("/form", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("saved " + req.FormValue("title"))
	})
	c := testclient.New(app, testclient.WithBaseURL("https://testserver")) // keeps cookies like a browser
	page := c.Get("/form").Text()
	token := page[strings.Index(page, `value="`)+7 : strings.LastIndex(page, `"`)]
	r := c.Post("/form", testclient.Form(url.Values{"_csrf": {token}, "title": {"hi"}}), h("Sec-Fetch-Site", "same-origin"))
	if r.Status != 200 || r.Text() != "saved hi" {
		t.Fatalf("form post: %d %s", r.Status, r.Text())
	}
	// The page token is masked differently on every render, and each one
	// is accepted.
	page2 := c.Get("/form").Text()
	if page2 == page {
		t.Error("token not re-masked")
	}
	if r := c.Post("/form", h("X-XSRF-Token", token)); r.Status != 200 {
		t.Errorf("header: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/form", h("X-CSRFToken", token)); r.Status != 403 {
		t.Errorf("default header name accepted: %d", r.Status)
	}
}

// memoryStore is a TokenStore keyed by an X-Session header, standing in
// for the session package.
type memoryStore struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memoryStore) Get(req *nexios.Request) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[req.Header("X-Session")]
	return v, ok
}

func (s *memoryStore) Set(req *nexios.Request, _ *nexios.Response, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[req.Header("X-Session")] = token
	return nil
}

func TestStoreAndRotate(t *testing.T) {
	t.Parallel()
	store := &memoryStore{m: map[string]string{}}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(csrf.New(csrf.Config{Mode: csrf.TokenMode, Store: store})))
	app.Get("/f", func(req *nexios.Request, res *nexios.Response) error { return res.Text(csrf.Token(req)) })
	app.Post("/f", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("done") })
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		if err := csrf.Rotate(req, res); err != nil {
			return err
		}
		return res.Text(csrf.Token(req))
	})
	c := testclient.New(app)
	s1 := h("X-Session", "s1")
	r := c.Get("/f", s1)
	tok := r.Text()
	if r.Header.Get("Set-Cookie") != "" || len(tok) != 86 {
		t.Fatalf("store mode: Set-Cookie %q, token %q", r.Header.Get("Set-Cookie"), tok)
	}
	if r := c.Post("/f", s1, h("X-CSRFToken", tok)); r.Status != 200 {
		t.Fatalf("valid token: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/f", h("X-Session", "s2"), h("X-CSRFToken", tok)); r.Status != 403 || !strings.Contains(r.Text(), "session") {
		t.Errorf("session without token: %d %s", r.Status, r.Text())
	}
	c.Get("/f", h("X-Session", "s2"))
	if r := c.Post("/f", h("X-Session", "s2"), h("X-CSRFToken", tok)); r.Status != 403 {
		t.Errorf("token of another session: %d", r.Status)
	}
	login := c.Post("/login", s1, h("X-CSRFToken", tok))
	if login.Status != 200 {
		t.Fatalf("login: %d %s", login.Status, login.Text())
	}
	if r := c.Post("/f", s1, h("X-CSRFToken", tok)); r.Status != 403 {
		t.Errorf("token from before the rotation accepted: %d", r.Status)
	}
	if r := c.Post("/f", s1, h("X-CSRFToken", login.Text())); r.Status != 200 {
		t.Errorf("rotated token: %d %s", r.Status, r.Text())
	}
}

func TestWithoutMiddleware(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		if csrf.Token(req) != "" || csrf.Rotate(req, res) == nil {
			return errors.New("Token or Rotate worked without the middleware")
		}
		return res.Text("ok")
	})
	originMode := nexios.New(nexios.Config{})
	originMode.Use(nexios.Must(csrf.New(csrf.Config{})))
	originMode.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		if csrf.Token(req) != "" {
			return errors.New("Token in OriginMode")
		}
		return res.Text("ok")
	})
	for _, a := range []*nexios.App{app, originMode} {
		if r := testclient.New(a).Get("/"); r.Status != 200 || r.Header.Get("Set-Cookie") != "" {
			t.Errorf("%d %s", r.Status, r.Text())
		}
	}
}

func TestDuplicateCookies(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(csrf.New(csrf.Config{Mode: csrf.TokenMode})))
	app.Get("/f", func(req *nexios.Request, res *nexios.Response) error { return res.Text(csrf.Token(req)) })
	app.Post("/f", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("done") })
	cookie, _ := issue(t, app, "http://testserver", "csrftoken")
	// A malformed cookie of the same name ahead of the real one is passed
	// over.
	r := testclient.New(app).Post("/f", h("Cookie", `csrftoken=junk; other=1; csrftoken="`+cookie+`"`), h("X-CSRFToken", cookie))
	if r.Status != 200 {
		t.Errorf("%d %s", r.Status, r.Text())
	}
}
