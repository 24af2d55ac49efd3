package stores_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
)

// singleInstance is an app on one SQLite file with every store on it, as
// a small deployment without Redis would run.
func singleInstance(t *testing.T, path string) (*httptest.Server, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := stores.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	jwt, err := auth.NewJWT(auth.JWTConfig{
		Keys:        []auth.Key{auth.HS256Key([]byte("a shared secret of at least thirty-two bytes"))},
		Revocations: stores.NewRevocationList(d),
	})
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(session.New(session.Config{Store: stores.NewSessionStore(d)})))
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		s := session.From(req)
		s.Regenerate()
		s.Set("user", req.Query("user"))
		return res.NoContent()
	})
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"user": session.From(req).GetString("user")})
	})
	app.Post("/token", func(_ *nexios.Request, res *nexios.Response) error {
		pair, err := jwt.CreateTokenPair("ada", nil)
		if err != nil {
			return err
		}
		return res.JSON(pair)
	})
	app.Post("/refresh", func(req *nexios.Request, res *nexios.Response) error {
		pair, err := jwt.Refresh(req.Context(), req.Header("X-Refresh-Token"))
		if err != nil {
			return err
		}
		return res.JSON(pair)
	})
	app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
		if err := jwt.Revoke(req.Context(), req.Header("X-Refresh-Token")); err != nil {
			return err
		}
		return res.NoContent()
	})
	limited := nexios.NewRouter("/limited")
	limited.Use(nexios.Must(ratelimit.New(ratelimit.Config{Limit: 3, Window: time.Hour,
		Store: stores.NewRateLimitStore(d, stores.RateLimitConfig{})})))
	limited.Get("", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
	app.Mount(limited)
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = d.Close() })
	return srv, d
}

func call(t *testing.T, c *http.Client, method, url, refresh string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if refresh != "" {
		req.Header.Set("X-Refresh-Token", refresh)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}

// A single instance on SQLite, restarted (a new process is a new *db.DB
// on the same file), keeps its sessions, its logouts and its rate-limit
// counts: no Redis needed.
func TestSingleInstanceSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "app.db")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	before, d := singleInstance(t, path)
	if st, _ := call(t, client, "POST", before.URL+"/login?user=ada", ""); st != 204 {
		t.Fatalf("login: %d", st)
	}
	_, revoked := call(t, client, "POST", before.URL+"/token", "")
	_, kept := call(t, client, "POST", before.URL+"/token", "")
	if st, _ := call(t, client, "POST", before.URL+"/logout", revoked["refresh_token"]); st != 204 {
		t.Fatalf("logout: %d", st)
	}
	for i := range 3 {
		if st, _ := call(t, client, "GET", before.URL+"/limited", ""); st != 204 {
			t.Fatalf("request %d within the limit: %d", i, st)
		}
	}
	before.Close()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	after, _ := singleInstance(t, path) // the restart
	if st, body := call(t, client, "GET", after.URL+"/me", ""); st != 200 || body["user"] != "ada" {
		t.Fatalf("the session after a restart: %d %v", st, body)
	}
	if st, _ := call(t, client, "POST", after.URL+"/refresh", revoked["refresh_token"]); st != 401 {
		t.Fatalf("a refresh token revoked before the restart: %d, want 401", st)
	}
	if st, _ := call(t, client, "POST", after.URL+"/refresh", kept["refresh_token"]); st != 200 {
		t.Fatalf("a refresh token not revoked: %d, want 200", st)
	}
	if st, _ := call(t, client, "GET", after.URL+"/limited", ""); st != 429 {
		t.Fatalf("the fourth request after a restart: %d, want 429 (counts survive)", st)
	}
}
