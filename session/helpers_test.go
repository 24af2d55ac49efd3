package session_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient"
)

// clock is a settable time source shared by the middleware and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// storeKind builds one kind of store on a clock.
type storeKind struct {
	name      string
	new       func(t *testing.T, now func() time.Time) session.Store
	stateless bool // the cookie store: the token changes on every save
}

var storeKinds = []storeKind{
	{name: "memory", new: func(t *testing.T, now func() time.Time) session.Store {
		s := session.NewMemoryStore(session.MemoryConfig{Now: now})
		t.Cleanup(func() { _ = s.Close() })
		return s
	}},
	{name: "file", new: func(t *testing.T, now func() time.Time) session.Store {
		s, err := session.NewFileStore(session.FileConfig{Dir: t.TempDir(), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}},
	{name: "cookie", stateless: true, new: func(t *testing.T, now func() time.Time) session.Store {
		s, err := session.NewCookieStore(session.CookieStoreConfig{
			Keys: []session.KeyPair{session.GenerateKeyPair()},
			Now:  now, Denylist: &session.MemoryDenylist{Now: now},
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// logBuffer collects the app's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testApp is an app with the session middleware and routes that exercise
// it.
func testApp(t testing.TB, cfg session.Config, logs *logBuffer) *nexios.App {
	t.Helper()
	var h slog.Handler = slog.DiscardHandler
	if logs != nil {
		h = slog.NewTextHandler(logs, nil)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(h)})
	app.Use(nexios.Must(session.New(cfg)))
	values := func(req *nexios.Request, res *nexios.Response) error {
		s := session.From(req)
		n, _ := s.GetInt("n")
		uid, _ := s.GetInt("user_id")
		return res.JSON(map[string]any{"n": n, "user_id": uid, "new": s.IsNew()})
	}
	app.Get("/count", func(req *nexios.Request, res *nexios.Response) error {
		n, _ := session.From(req).GetInt("n")
		session.From(req).Set("n", n+1)
		return values(req, res)
	})
	app.Get("/peek", values)
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Regenerate()
		session.From(req).Set("user_id", 7)
		return values(req, res)
	})
	app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Destroy()
		return res.JSON(map[string]string{"message": "bye"})
	})
	app.Get("/clear", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Clear()
		return res.NoContent()
	})
	app.Get("/flash", func(req *nexios.Request, res *nexios.Response) error {
		if m := req.Query("add"); m != "" {
			session.From(req).AddFlash(m)
			return res.NoContent()
		}
		return res.JSON(session.From(req).Flashes())
	})
	app.Get("/raw", func(req *nexios.Request, res *nexios.Response) error {
		// A handler that writes the body itself, net/http style.
		session.From(req).Set("n", 100)
		res.Header().Set("Content-Type", "application/json")
		_, err := res.Write([]byte(`{"raw":true}`))
		return err
	})
	app.Get("/late", func(req *nexios.Request, res *nexios.Response) error {
		if err := res.Text("streamed"); err != nil {
			return err
		}
		n, _ := session.From(req).GetInt("n")
		session.From(req).Set("n", n+10) // after the response was committed
		return nil
	})
	app.Get("/fail", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Set("n", 999)
		return nexios.NewHTTPError(http.StatusInternalServerError, "boom")
	})
	app.Get("/reject", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).AddFlash("try again")
		return nexios.NewHTTPError(http.StatusBadRequest, "bad input")
	})
	return app
}

type counts struct {
	N      int  `json:"n"`
	UserID int  `json:"user_id"`
	New    bool `json:"new"`
}

func get(t *testing.T, c *testclient.Client, method, path string, opts ...testclient.RequestOption) (*testclient.Response, counts) {
	t.Helper()
	r := c.Do(method, path, opts...)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	var v counts
	if r.Status == http.StatusOK && r.Header.Get("Content-Type") == "application/json" {
		if err := r.JSON(&v); err != nil {
			t.Fatalf("%s %s: %v in %q", method, path, err, r.Text())
		}
	}
	return r, v
}

// sessionCookie returns the session cookie a response set, or nil.
func sessionCookie(r *testclient.Response, name string) *http.Cookie {
	for _, c := range r.Raw.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// jarValue returns the session cookie held by the client's jar, or "".
func jarValue(c *testclient.Client, name string) string {
	u, _ := url.Parse("http://testserver/")
	for _, ck := range c.Jar().Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

var bg = context.Background()
