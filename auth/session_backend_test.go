package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient"
)

// accounts is a tiny user database with password hashes.
type accounts struct {
	mu     sync.Mutex
	hashes map[string]string // id → hash
	active map[string]bool
}

type account struct {
	auth.SimpleUser
	hash string
}

func newAccounts(t testing.TB) *accounts {
	t.Helper()
	h, err := auth.HashPasswordWith("Secret123", cheap)
	if err != nil {
		t.Fatal(err)
	}
	return &accounts{hashes: map[string]string{"ada": h, "bob": h}, active: map[string]bool{"ada": true, "bob": true}}
}

func (a *accounts) load(_ context.Context, id string) (nexios.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	h, ok := a.hashes[id]
	if !ok {
		return nil, nil
	}
	if !a.active[id] {
		return nil, auth.ErrUserInactive
	}
	return account{SimpleUser: auth.SimpleUser{ID: id, Name: id}, hash: h}, nil
}

func (a *accounts) setPassword(id, pw string) {
	h, _ := auth.HashPasswordWith(pw, cheap)
	a.mu.Lock()
	a.hashes[id] = h
	a.mu.Unlock()
}

// cheap argon2id parameters keep tests fast.
var cheap = auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// sessionApp is seed 000 §4's session app, with login, logout and a
// password change.
func sessionApp(t testing.TB, store session.Store, clk *clock, db *accounts) *nexios.App {
	t.Helper()
	backend := &auth.SessionBackend{
		Key: "user_id", Load: db.load,
		Fingerprint: func(u nexios.User) string { return auth.PasswordFingerprint(u.(account).hash) },
	}
	app := quietApp()
	app.Use(nexios.Must(session.New(session.Config{Store: store, Now: clk.Now, IdleTimeout: time.Hour})))
	app.Use(nexios.Must(auth.Middleware(backend)))
	app.Get("/visit", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Set("visited", true) // an anonymous session
		return res.NoContent()
	})
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		var in struct{ Username, Password string }
		if err := req.JSON(&in); err != nil {
			return err
		}
		u, err := db.load(req.Context(), in.Username)
		if err != nil {
			return err
		}
		if u == nil {
			return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
		}
		if ok, err := auth.VerifyPassword(in.Password, u.(account).hash); err != nil || !ok {
			return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
		}
		if err := backend.Login(req, u); err != nil {
			return err
		}
		return res.JSON(map[string]string{"message": "Logged in"})
	})
	app.Get("/protected", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"message": "Hello, " + req.User().DisplayName() + "!"})
	}, auth.Required())
	app.Post("/change-password", func(req *nexios.Request, res *nexios.Response) error {
		var in struct{ New string }
		if err := req.JSON(&in); err != nil {
			return err
		}
		id := req.User().Identity()
		db.setPassword(id, in.New)
		u, _ := db.load(req.Context(), id)
		// Other sessions of the user end (their fingerprint is stale);
		// this one continues with a new id.
		return backend.Login(req, u)
	}, auth.Required())
	app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
		backend.Logout(req)
		return res.JSON(map[string]string{"message": "Logged out"})
	})
	return app
}

func cookieValue(c *testclient.Client) string {
	u, _ := url.Parse("http://testserver/")
	for _, ck := range c.Jar().Cookies(u) {
		if ck.Name == "session_id" {
			return ck.Value
		}
	}
	return ""
}

func withCookie(v string) testclient.RequestOption {
	return testclient.Cookie(&http.Cookie{Name: "session_id", Value: v})
}

// The browser-like flow through the test client's cookie jar, with every
// failure the issue lists: forged, replayed-after-logout and expired
// cookies, fixation, a password change on another device.
func TestSessionAuthFlow(t *testing.T) {
	t.Parallel()
	stores := map[string]func(clk *clock) session.Store{
		"memory": func(clk *clock) session.Store {
			s := session.NewMemoryStore(session.MemoryConfig{Now: clk.Now, SweepInterval: -1})
			return s
		},
		"cookie": func(clk *clock) session.Store {
			s, err := session.NewCookieStore(session.CookieStoreConfig{
				Keys: []session.KeyPair{session.GenerateKeyPair()}, Now: clk.Now, Denylist: &session.MemoryDenylist{Now: clk.Now},
			})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			db := newAccounts(t)
			app := sessionApp(t, mk(clk), clk, db)
			login := func(c *testclient.Client, user string, password ...string) {
				t.Helper()
				pw := "Secret123"
				if len(password) > 0 {
					pw = password[0]
				}
				r := c.Post("/login", testclient.JSON(map[string]string{"username": user, "password": pw}))
				if r.Status != 200 {
					t.Fatalf("login %s: %d %s", user, r.Status, r.Text())
				}
			}
			unauth := func(r *testclient.Response, detail string) {
				t.Helper()
				expectProblem(t, r, 401, detail)
				if ch := challenge(r); ch != `Cookie realm="app"` {
					t.Errorf("WWW-Authenticate %q", ch)
				}
			}

			browser := testclient.New(app)
			unauth(browser.Get("/protected"), "Not authenticated")

			// Fixation: an attacker plants its anonymous session in the
			// victim's browser; login issues a new id.
			attacker := testclient.New(app)
			attacker.Get("/visit")
			planted := cookieValue(attacker)
			victim := testclient.New(app)
			r := victim.Post("/login", withCookie(planted), testclient.JSON(map[string]string{"username": "ada", "password": "Secret123"}))
			if r.Status != 200 || cookieValue(victim) == "" || cookieValue(victim) == planted {
				t.Fatalf("login kept the planted id: %d", r.Status)
			}
			unauth(attacker.Get("/protected"), "Not authenticated")
			if got := victim.Get("/protected").Text(); got != `{"message":"Hello, ada!"}`+"\n" {
				t.Fatalf("victim: %s", got)
			}

			// Login → cookie → protected page → logout.
			browser.Get("/visit")
			before := cookieValue(browser)
			login(browser, "ada")
			if after := cookieValue(browser); after == before || after == "" {
				t.Fatal("the session id did not change on login")
			}
			if got := browser.Get("/protected").Text(); got != `{"message":"Hello, ada!"}`+"\n" {
				t.Fatalf("protected: %s", got)
			}
			stolen := cookieValue(browser)
			if r := browser.Post("/logout"); r.Status != 200 || cookieValue(browser) != "" {
				t.Fatalf("logout: %d, jar %q", r.Status, cookieValue(browser))
			}
			unauth(browser.Get("/protected"), "Not authenticated")
			unauth(testclient.New(app).Get("/protected", withCookie(stolen)), "Not authenticated")

			// Forged cookies.
			for _, forged := range []string{"forged", session.NewID(), stolen[:len(stolen)-2]} {
				unauth(testclient.New(app).Get("/protected", withCookie(forged)), "Not authenticated")
			}

			// A password change ends the user's other sessions.
			laptop, phone := testclient.New(app), testclient.New(app)
			login(laptop, "bob")
			login(phone, "bob")
			if r := laptop.Post("/change-password", testclient.JSON(map[string]string{"new": "Other456"})); r.Status != 200 {
				t.Fatalf("change-password: %d %s", r.Status, r.Text())
			}
			if r := laptop.Get("/protected"); r.Status != 200 {
				t.Fatalf("the device that changed the password was signed out: %d", r.Status)
			}
			unauth(phone.Get("/protected"), "session ended; sign in again")
			unauth(phone.Get("/protected"), "Not authenticated") // the stale session was destroyed

			// Inactive and deleted users.
			login(phone, "ada")
			db.mu.Lock()
			db.active["ada"] = false
			db.mu.Unlock()
			unauth(phone.Get("/protected"), "user is inactive")
			db.mu.Lock()
			delete(db.hashes, "ada")
			db.mu.Unlock()
			unauth(phone.Get("/protected"), "user not found")

			// Idle expiry.
			login(laptop, "bob", "Other456")
			kept := cookieValue(laptop)
			clk.Advance(time.Hour)
			unauth(testclient.New(app).Get("/protected", withCookie(kept)), "Not authenticated")
		})
	}
}

// SessionBackend without the session middleware is a configuration error:
// a 500, not an anonymous request.
func TestSessionBackendNeedsSessions(t *testing.T) {
	t.Parallel()
	app := protectedApp(t, &auth.SessionBackend{Load: func(context.Context, string) (nexios.User, error) { return nil, nil }})
	expectProblem(t, testclient.New(app).Get("/public"), 500, "")
}
