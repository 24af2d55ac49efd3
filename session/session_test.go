package session_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient"
)

// Every behaviour of the middleware, with each store.
func TestMiddlewareWithEachStore(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range behaviours {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					clk := newClock()
					logs := &logBuffer{}
					cfg := session.Config{
						Store: kind.new(t, clk.Now), Now: clk.Now,
						IdleTimeout: time.Hour, AbsoluteTimeout: 8 * time.Hour,
					}
					app := testApp(t, cfg, logs)
					tc.run(t, &env{kind: kind, clk: clk, logs: logs, c: testclient.New(app), app: app})
				})
			}
		})
	}
}

type env struct {
	kind storeKind
	clk  *clock
	logs *logBuffer
	c    *testclient.Client
	app  interface {
		ServeHTTP(http.ResponseWriter, *http.Request)
	}
}

const name = "session_id"

var behaviours = []struct {
	name string
	run  func(t *testing.T, e *env)
}{
	{"counter through the cookie jar", func(t *testing.T, e *env) {
		for want := 1; want <= 3; want++ {
			r, v := get(t, e.c, "GET", "/count")
			if v.N != want {
				t.Fatalf("request %d: n = %d, want %d", want, v.N, want)
			}
			ck := sessionCookie(r, name)
			if ck == nil {
				t.Fatalf("request %d: no session cookie: %v", want, r.Header)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure ||
				ck.MaxAge != int(time.Hour/time.Second) {
				t.Fatalf("cookie attributes: %+v", ck)
			}
		}
	}},
	{"unmodified sessions are not saved", func(t *testing.T, e *env) {
		r, v := get(t, e.c, "GET", "/peek")
		if !v.New || sessionCookie(r, name) != nil {
			t.Fatalf("a new untouched session set a cookie: %v", r.Header)
		}
		get(t, e.c, "GET", "/count")
		r, v = get(t, e.c, "GET", "/peek")
		if v.N != 1 || v.New || sessionCookie(r, name) != nil {
			t.Fatalf("peek: %+v, Set-Cookie %q", v, r.Header.Values("Set-Cookie"))
		}
	}},
	{"a planted id is never adopted", func(t *testing.T, e *env) {
		planted := session.NewID()
		r, v := get(t, e.c, "GET", "/count", testclient.Cookie(&http.Cookie{Name: name, Value: planted}))
		ck := sessionCookie(r, name)
		if v.N != 1 || !v.New || ck == nil || ck.Value == planted {
			t.Fatalf("planted id: %+v, cookie %+v", v, ck)
		}
	}},
	{"login regenerates the id (fixation)", func(t *testing.T, e *env) {
		get(t, e.c, "GET", "/count")
		before := jarValue(e.c, name)
		r, v := get(t, e.c, "POST", "/login")
		after := sessionCookie(r, name)
		if v.UserID != 7 || v.N != 1 || after == nil || after.Value == before {
			t.Fatalf("login: %+v, cookie before %q after %+v", v, before, after)
		}
		// The pre-login id is dead: whoever planted or copied it is not
		// logged in.
		other := testclient.New(e.app)
		_, v = get(t, other, "GET", "/peek", testclient.Cookie(&http.Cookie{Name: name, Value: before}))
		if !v.New || v.UserID != 0 {
			t.Fatalf("old id still works after login: %+v", v)
		}
		_, v = get(t, e.c, "GET", "/peek")
		if v.UserID != 7 || v.N != 1 {
			t.Fatalf("the new id lost the data: %+v", v)
		}
	}},
	{"logout destroys the session; replaying its cookie fails", func(t *testing.T, e *env) {
		get(t, e.c, "POST", "/login")
		stolen := jarValue(e.c, name)
		r, _ := get(t, e.c, "POST", "/logout")
		ck := sessionCookie(r, name)
		if ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
			t.Fatalf("logout did not delete the cookie: %+v", ck)
		}
		if jarValue(e.c, name) != "" {
			t.Fatal("the jar kept the cookie")
		}
		replay := testclient.New(e.app)
		_, v := get(t, replay, "GET", "/peek", testclient.Cookie(&http.Cookie{Name: name, Value: stolen}))
		if !v.New || v.UserID != 0 {
			t.Fatalf("replayed cookie after logout: %+v", v)
		}
	}},
	{"clearing every value ends the session", func(t *testing.T, e *env) {
		get(t, e.c, "GET", "/count")
		r, _ := get(t, e.c, "GET", "/clear")
		if ck := sessionCookie(r, name); ck == nil || ck.MaxAge >= 0 {
			t.Fatalf("clear: cookie %+v", ck)
		}
		_, v := get(t, e.c, "GET", "/peek")
		if !v.New {
			t.Fatalf("session survived Clear: %+v", v)
		}
	}},
	{"forged and tampered cookies give a new session and are deleted", func(t *testing.T, e *env) {
		get(t, e.c, "GET", "/count")
		good := jarValue(e.c, name)
		tampered := []byte(good)
		tampered[len(tampered)/2] ^= 1
		for _, bad := range []string{"forged", "../../etc/passwd", string(tampered), good[:len(good)-1], strings.Repeat("a", 5000)} {
			c := testclient.New(e.app)
			r, v := get(t, c, "GET", "/peek", testclient.Cookie(&http.Cookie{Name: name, Value: bad}))
			if r.Status != http.StatusOK || !v.New || v.N != 0 {
				t.Fatalf("cookie %.40q: status %d, %+v", bad, r.Status, v)
			}
			if ck := sessionCookie(r, name); ck == nil || ck.MaxAge >= 0 {
				t.Fatalf("cookie %.40q not deleted: %+v", bad, ck)
			}
		}
	}},
	{"idle timeout", func(t *testing.T, e *env) {
		get(t, e.c, "GET", "/count")
		stale := jarValue(e.c, name)
		e.clk.Advance(time.Hour)
		// The jar dropped the cookie (Max-Age); a client that kept it
		// gets nothing either.
		r, v := get(t, testclient.New(e.app), "GET", "/peek", testclient.Cookie(&http.Cookie{Name: name, Value: stale}))
		if !v.New || v.N != 0 || r.Status != http.StatusOK {
			t.Fatalf("idle session still alive: %+v", v)
		}
	}},
	{"activity keeps a session alive until the absolute timeout", func(t *testing.T, e *env) {
		get(t, e.c, "GET", "/count")
		token := jarValue(e.c, name)
		// Read-only requests every 20 minutes: each renews the session
		// (a tenth of the idle timeout has passed), without a change.
		for range 30 {
			e.clk.Advance(20 * time.Minute)
			c := testclient.New(e.app)
			r, v := get(t, c, "GET", "/peek", testclient.Cookie(&http.Cookie{Name: name, Value: token}))
			if e.clk.Now().Sub(newClock().Now()) >= 8*time.Hour {
				if !v.New {
					t.Fatalf("session alive after the absolute timeout: %+v", v)
				}
				return
			}
			if v.N != 1 {
				t.Fatalf("after %v: %+v", e.clk.Now().Sub(newClock().Now()), v)
			}
			ck := sessionCookie(r, name)
			if ck == nil {
				t.Fatal("an active session was not renewed")
			}
			token = ck.Value
		}
		t.Fatal("unreachable")
	}},
	{"a handler that writes the body itself gets its cookie", func(t *testing.T, e *env) {
		r, _ := get(t, e.c, "GET", "/raw")
		if r.Text() != `{"raw":true}` || sessionCookie(r, name) == nil {
			t.Fatalf("raw: %q %v", r.Text(), r.Header)
		}
		_, v := get(t, e.c, "GET", "/peek")
		if v.N != 100 {
			t.Fatalf("raw write lost the session: %+v", v)
		}
	}},
	{"an error response carries the cookie; a server error saves nothing", func(t *testing.T, e *env) {
		r, _ := get(t, e.c, "GET", "/reject")
		if r.Status != http.StatusBadRequest || sessionCookie(r, name) == nil {
			t.Fatalf("reject: %d %v", r.Status, r.Header)
		}
		r = e.c.Get("/flash")
		if r.Text() != "[\"try again\"]\n" {
			t.Fatalf("flash after a 400: %q", r.Text())
		}
		r, _ = get(t, e.c, "GET", "/fail")
		if r.Status != http.StatusInternalServerError || sessionCookie(r, name) != nil {
			t.Fatalf("fail: %d %v", r.Status, r.Header)
		}
		_, v := get(t, e.c, "GET", "/peek")
		if v.N == 999 {
			t.Fatal("a failed request's changes were saved")
		}
	}},
	{"flash messages are read once", func(t *testing.T, e *env) {
		e.c.Get("/flash", testclient.Query("add", "saved"))
		e.c.Get("/flash", testclient.Query("add", "again"))
		if got := e.c.Get("/flash").Text(); got != "[\"saved\",\"again\"]\n" {
			t.Fatalf("flashes: %q", got)
		}
		if got := e.c.Get("/flash").Text(); got != "null\n" {
			t.Fatalf("flashes read twice: %q", got)
		}
	}},
	{"changes after the response was committed", func(t *testing.T, e *env) {
		get(t, e.c, "GET", "/count")
		if r := e.c.Get("/late"); r.Text() != "streamed" {
			t.Fatalf("late: %q", r.Text())
		}
		_, v := get(t, e.c, "GET", "/peek")
		if e.kind.stateless {
			// The cookie holds the data and was already sent: the change
			// is lost, and said so in the log.
			if v.N != 1 || !strings.Contains(e.logs.String(), "after the response was sent") {
				t.Fatalf("cookie store late change: %+v, log %q", v, e.logs.String())
			}
			return
		}
		if v.N != 11 {
			t.Fatalf("server-side store lost a late change: %+v (log %q)", v, e.logs.String())
		}
	}},
}

func TestCookieOptions(t *testing.T) {
	t.Parallel()
	store := session.NewMemoryStore(session.MemoryConfig{SweepInterval: -1})
	cases := []struct {
		name    string
		cfg     session.Config
		baseURL string
		want    []string
		notWant []string
	}{
		{name: "defaults over http", want: []string{"session_id=", "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=86400"},
			notWant: []string{"Secure", "Domain"}},
		{name: "https sets Secure", baseURL: "https://testserver", want: []string{"Secure", "HttpOnly"}},
		{name: "Nexios' custom settings", cfg: session.Config{
			CookieName: "custom_session", CookiePath: "/api", CookieDomain: "example.com",
			CookieSecure: true, CookieSameSite: http.SameSiteStrictMode,
		}, want: []string{"custom_session=", "Path=/api", "Domain=example.com", "Secure", "HttpOnly", "SameSite=Strict"}},
		{name: "fixed max age", cfg: session.Config{CookieMaxAge: time.Hour}, want: []string{"Max-Age=3600"}},
		{name: "browser-session cookie", cfg: session.Config{CookieMaxAge: -1}, notWant: []string{"Max-Age", "Expires"}},
		{name: "absolute timeout caps max age", cfg: session.Config{IdleTimeout: 2 * time.Hour, AbsoluteTimeout: time.Hour},
			want: []string{"Max-Age=3600"}},
		{name: "script access", cfg: session.Config{DisableHTTPOnly: true}, notWant: []string{"HttpOnly"}},
		{name: "__Host- prefix forces Secure", cfg: session.Config{CookieName: "__Host-sid"}, want: []string{"__Host-sid=", "Secure"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.Store = store
			app := testApp(t, tc.cfg, nil)
			var opts []testclient.Option
			if tc.baseURL != "" {
				opts = append(opts, testclient.WithBaseURL(tc.baseURL))
			}
			r := testclient.New(app, opts...).Get("/count")
			sc := r.Header.Get("Set-Cookie")
			for _, w := range tc.want {
				if !strings.Contains(sc, w) {
					t.Errorf("Set-Cookie %q lacks %q", sc, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(sc, w) {
					t.Errorf("Set-Cookie %q has %q", sc, w)
				}
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	store := session.NewMemoryStore(session.MemoryConfig{SweepInterval: -1})
	cases := []struct {
		name string
		cfg  session.Config
		want string
	}{
		{"no store", session.Config{}, "Store is required"},
		{"never expires", session.Config{Store: store, IdleTimeout: -1, AbsoluteTimeout: -1}, "must expire"},
		{"__Host- with a domain", session.Config{Store: store, CookieName: "__Host-s", CookieDomain: "example.com"}, "no domain"},
		{"bad cookie name", session.Config{Store: store, CookieName: "a b"}, "invalid cookie"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := session.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// Concurrent clients each keep their own session.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	store := session.NewMemoryStore(session.MemoryConfig{})
	t.Cleanup(func() { _ = store.Close() })
	app := testApp(t, session.Config{Store: store}, nil)
	done := make(chan []int)
	for range 8 {
		go func() {
			c := testclient.New(app)
			var got []int
			for range 20 {
				var v counts
				_ = c.Get("/count").JSON(&v)
				got = append(got, v.N)
			}
			done <- got
		}()
	}
	want := make([]int, 20)
	for i := range want {
		want[i] = i + 1
	}
	for range 8 {
		if got := <-done; !slices.Equal(got, want) {
			t.Fatalf("counts %v", got)
		}
	}
	if n := store.Len(); n != 8 {
		t.Fatalf("store holds %d sessions, want 8", n)
	}
}

// When Skip says so, the request runs without a session.
func TestSkip(t *testing.T) {
	t.Parallel()
	store := session.NewMemoryStore(session.MemoryConfig{SweepInterval: -1})
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(session.New(session.Config{
		Store: store,
		Skip:  func(req *nexios.Request) bool { return req.URL().Path == "/health" },
	})))
	has := func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(session.From(req) != nil)
	}
	app.Get("/health", has)
	app.Get("/page", has)
	c := testclient.New(app)
	if got := c.Get("/health").Text(); got != "false\n" {
		t.Fatalf("/health has a session: %q", got)
	}
	if got := c.Get("/page").Text(); got != "true\n" {
		t.Fatalf("/page has no session: %q", got)
	}
}
