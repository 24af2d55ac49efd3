package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/testclient/cluster"
)

// Every route, on three in-process instances sharing each backend (the
// multi-process test behind HAProxy is lb_test.go).
func TestRoutesOnThreeInstances(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"redis", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Backend: backend, Prefix: "scaleout_" + strings.ToLower(rand.Text()[:8]),
				JWTSecret: "a development secret of at least 32 bytes", RateLimit: 5}
			switch backend {
			case "redis":
				if cfg.RedisURL = os.Getenv("NEXIOS_TEST_REDIS_URL"); cfg.RedisURL == "" {
					t.Skip("NEXIOS_TEST_REDIS_URL is unset")
				}
			case "postgres":
				cfg.DatabaseURL = dbtest.EmptyPostgres(t)
			}
			c := cluster.Start(t, 3, func(i int) http.Handler {
				cfg := cfg
				cfg.Instance = string(rune('a' + i))
				app, err := build(context.Background(), cfg, slog.New(slog.DiscardHandler))
				if err != nil {
					t.Fatal(err)
				}
				return app
			})
			f := &lb{t: t, front: c.Balancer(), client: c.Client()}
			for i := range 3 {
				if st, on, _ := f.do("GET", c.URL(i)+"/healthz", ""); st != 200 || on != string(rune('a'+i)) {
					t.Fatalf("healthz on %d: %d %q", i, st, on)
				}
			}
			if st, _, _ := f.do("POST", c.URL(0)+"/login?user=ada", ""); st != 200 {
				t.Fatalf("login: %d", st)
			}
			if st, on, body := f.do("GET", c.URL(2)+"/me", ""); st != 200 || on != "c" || body["user"] != "ada" {
				t.Fatalf("me on c: %d %q %v", st, on, body)
			}
			_, _, pair := f.do("POST", c.URL(1)+"/token", "")
			if st, _, _ := f.do("POST", c.URL(2)+"/logout", pair["refresh_token"]); st != 204 {
				t.Fatalf("logout: %d", st)
			}
			if st, _, _ := f.do("POST", c.URL(0)+"/refresh", pair["refresh_token"]); st != 401 {
				t.Fatalf("a revoked refresh token: %d", st)
			}
			for i, want := range []int{204, 204, 204, 204, 204, 429} {
				if st, _, _ := f.do("GET", c.URL(i%3)+"/limited", ""); st != want {
					t.Fatalf("request %d of a 5/min limit: %d, want %d", i+1, st, want)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			onA, _ := f.dial(ctx, c.URL(0), "room")
			onB, _ := f.dial(ctx, c.URL(1), "room")
			if err := onA.Write(ctx, cws.MessageText, []byte("hi")); err != nil {
				t.Fatal(err)
			}
			f.expect(ctx, onB, "hi", "a client on b")
		})
	}
}
