package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/testclient"
)

// redisURL returns the test Redis on a database of its own (emptied), or
// skips the test.
func redisURL(t *testing.T) string {
	t.Helper()
	raw := os.Getenv("NEXIOS_TEST_REDIS_URL")
	if raw == "" {
		t.Skip("NEXIOS_TEST_REDIS_URL is not set: the multi-instance test needs Redis")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/11" // the blog's tests only
	rdb, err := redis.Open(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.FlushDB(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// TestThreeInstances runs three instances of the blog on one database and
// one Redis, each behind its own HTTP server, and checks that they behave
// as one app: a sign-in on one is valid on the others, a logout on B is a
// logout on A and C, a limit of 100 requests a minute holds across the
// three, and a chat message sent on A reaches members on B and C.
func TestThreeInstances(t *testing.T) {
	rurl := redisURL(t)
	dbtest.Each(t, migrationFS(t), func(t *testing.T, d *db.DB) {
		rdb, err := redis.Open(rurl)
		if err != nil {
			t.Fatal(err)
		}
		defer rdb.Close()
		rdb.FlushDB(t.Context())
		var srv [3]*httptest.Server
		var c [3]*testclient.Client
		for i := range srv {
			cfg := Config{Addr: "127.0.0.1:0", JWTSecret: testSecret, UploadDir: t.TempDir(), RequestRate: 100,
				MailFrom: "blog@example.com", RedisURL: rurl}
			b, err := build(t.Context(), d, cfg, slog.New(slog.DiscardHandler), wiring{sender: mail.NewMemory(), hash: fastHash})
			if err != nil {
				t.Fatal(err)
			}
			app := b.app
			if err := app.Startup(t.Context()); err != nil {
				t.Fatal(err)
			}
			srv[i] = httptest.NewServer(app)
			c[i] = testclient.Remote(srv[i].URL)
			t.Cleanup(func() {
				srv[i].Close()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = app.Shutdown(ctx)
			})
		}
		a, b, cc := c[0], c[1], c[2]

		// A sign-up on A, a sign-in on B, used on C.
		expect(t, "sign up on A", a.Post("/api/v1/users", jsonBody(map[string]string{
			"username": "ann", "email": "ann@example.com", "password": goodPassword})), http.StatusCreated)
		r := b.Post("/api/v1/auth/login", jsonBody(map[string]string{"username": "ann", "password": goodPassword}))
		expect(t, "sign in on B", r, http.StatusOK)
		var tokens struct {
			Access  string `json:"access_token"`
			Refresh string `json:"refresh_token"`
		}
		mustJSON(t, r, &tokens)
		expect(t, "me on C", cc.Get("/api/v1/users/me", testclient.BearerToken(tokens.Access)), http.StatusOK)

		// A refresh on A rotates; the used token is refused on C.
		expect(t, "refresh on A", a.Post("/api/v1/auth/refresh", testclient.BearerToken(tokens.Refresh)), http.StatusOK)
		expect(t, "reuse on C", cc.Post("/api/v1/auth/refresh", testclient.BearerToken(tokens.Refresh)), http.StatusUnauthorized)

		// A logout on B is a logout on A and C, on the very next request.
		r = a.Post("/api/v1/auth/login", jsonBody(map[string]string{"username": "ann", "password": goodPassword}))
		mustJSON(t, r, &tokens)
		expect(t, "logout on B", b.Post("/api/v1/auth/logout", testclient.BearerToken(tokens.Access)), http.StatusOK)
		expect(t, "me on A after logout", a.Get("/api/v1/users/me", testclient.BearerToken(tokens.Access)), http.StatusUnauthorized)
		expect(t, "me on C after logout", cc.Get("/api/v1/users/me", testclient.BearerToken(tokens.Access)), http.StatusUnauthorized)

		// A chat message sent on A reaches members on B and C.
		ctx := context.Background()
		join := func(c *testclient.Client) *testclient.WSConn {
			ws, err := c.WebSocket(ctx, "/api/v1/ws/chat/lobby")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ws.Close() })
			// An invalid message is answered by the member's own handler
			// once it has joined and announced itself.
			if err := ws.SendText(`{"text":""}`); err != nil {
				t.Fatal(err)
			}
			var m chatOut
			if err := ws.ReceiveJSON(&m); err != nil || m.Type != "error" {
				t.Fatalf("ready: %+v %v", m, err)
			}
			return ws
		}
		receive := func(name string, ws *testclient.WSConn, want chatOut) {
			t.Helper()
			var m chatOut
			if err := ws.ReceiveJSON(&m); err != nil || m != want {
				t.Fatalf("member on %s got %+v (%v), want %+v", name, m, err, want)
			}
		}
		wsB := join(b)
		wsC := join(cc)
		receive("B", wsB, chatOut{"system", "User joined"})
		wsA := join(a)
		receive("B", wsB, chatOut{"system", "User joined"})
		receive("C", wsC, chatOut{"system", "User joined"})
		if err := wsA.SendJSON(map[string]string{"text": "hello from A"}); err != nil {
			t.Fatal(err)
		}
		receive("B", wsB, chatOut{"message", "hello from A"})
		receive("C", wsC, chatOut{"message", "hello from A"})

		// 100 requests a minute across the three: exactly 100 of 300.
		rdb.FlushDB(t.Context()) // a fresh window for the count
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		for i := range 300 {
			wg.Go(func() {
				r := c[i%3].Get("/api/v1/posts")
				mu.Lock()
				counts[r.Status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if counts[200] != 100 || counts[429] != 200 {
			t.Errorf("300 requests across three instances: %v, want 100 × 200 and 200 × 429", counts)
		}
	})
}
