package session_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient"
)

// flakyStore fails every call while down is set.
type flakyStore struct {
	session.Store
	down atomic.Bool
}

var errDown = errors.New("store unreachable")

func (s *flakyStore) Load(ctx context.Context, token string) (*session.Record, error) {
	if s.down.Load() {
		return nil, errDown
	}
	return s.Store.Load(ctx, token)
}

func (s *flakyStore) Save(ctx context.Context, token string, rec *session.Record, ttl time.Duration) (string, error) {
	if s.down.Load() {
		return "", errDown
	}
	return s.Store.Save(ctx, token, rec, ttl)
}

// A store outage is a 503 — never a request that goes on as a stranger
// and never a cookie that logs the client out — and the session is there
// again when the store is back.
func TestStoreOutageIs503(t *testing.T) {
	t.Parallel()
	mem := session.NewMemoryStore(session.MemoryConfig{})
	t.Cleanup(func() { _ = mem.Close() })
	store := &flakyStore{Store: mem}
	app := testApp(t, session.Config{Store: store}, nil)
	app.Get("/set-only", func(req *nexios.Request, _ *nexios.Response) error {
		session.From(req).Set("n", 1)
		return nil
	})
	c := testclient.New(app)
	if _, v := get(t, c, "POST", "/login"); v.UserID != 7 {
		t.Fatalf("login: %+v", v)
	}
	store.down.Store(true)
	for _, path := range []string{"/peek", "/count"} {
		r := c.Get(path)
		if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Text(), "session store unavailable") {
			t.Fatalf("GET %s with the store down: %d %s", path, r.Status, r.Text())
		}
		if sessionCookie(r, "session_id") != nil {
			t.Fatalf("GET %s with the store down touched the cookie", path)
		}
	}
	// A new client's session cannot be saved: a handler that returns
	// without writing gets a 503 (one that wrote its response already
	// gets it without the cookie, and the failure is logged).
	if r := testclient.New(app).Get("/set-only"); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("a new session that cannot be saved: %d, want 503", r.Status)
	}
	store.down.Store(false)
	if _, v := get(t, c, "GET", "/peek"); v.UserID != 7 || v.New {
		t.Fatalf("after the outage: %+v, want the logged-in session back", v)
	}
}

// A logout while another request of the same session is running: the
// late request's save does not bring the session back.
func TestLogoutWinsOverAConcurrentSave(t *testing.T) {
	t.Parallel()
	mem := session.NewMemoryStore(session.MemoryConfig{})
	t.Cleanup(func() { _ = mem.Close() })
	app := testApp(t, session.Config{Store: mem}, nil)
	entered, release := make(chan struct{}), make(chan struct{})
	app.Get("/slow", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Set("n", 41)
		close(entered)
		<-release
		return res.NoContent()
	})
	c := testclient.New(app)
	get(t, c, "POST", "/login")
	token := jarValue(c, "session_id")
	done := make(chan *testclient.Response)
	go func() {
		done <- testclient.New(app).Get("/slow", testclient.Cookie(&http.Cookie{Name: "session_id", Value: token}))
	}()
	<-entered
	if r := c.Post("/logout"); r.Status != http.StatusOK {
		t.Fatalf("logout: %d", r.Status)
	}
	close(release)
	r := <-done
	if r.Status != http.StatusNoContent {
		t.Fatalf("the slow request: %d %s", r.Status, r.Text())
	}
	if ck := sessionCookie(r, "session_id"); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("the slow request's cookie: %v; want it deleted", ck)
	}
	if _, err := mem.Load(bg, token); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("the logged-out session came back: %v", err)
	}
}
