package stores_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/storetest"
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
	srv := httptest.NewServer(storetest.NewApp(0, storetest.Stores{
		Sessions:    stores.NewSessionStore(d),
		Revocations: stores.NewRevocationList(d),
		RateLimit:   stores.NewRateLimitStore(d, stores.RateLimitConfig{}),
	}, nil))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = d.Close() })
	return srv, d
}

// A single instance on SQLite, restarted (a new process is a new *db.DB
// on the same file), keeps its sessions, its logouts and its rate-limit
// counts: no Redis needed.
func TestSingleInstanceSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "app.db")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	send := func(method, url, refresh string) (int, map[string]any) {
		t.Helper()
		return storetest.Send(t, client, method, url, refresh)
	}

	before, d := singleInstance(t, path)
	if st, _ := send("POST", before.URL+"/login?user=ada", ""); st != 204 {
		t.Fatalf("login: %d", st)
	}
	_, pair := send("POST", before.URL+"/token", "")
	revoked, _ := pair["refresh_token"].(string)
	_, pair = send("POST", before.URL+"/token", "")
	kept, _ := pair["refresh_token"].(string)
	if st, _ := send("POST", before.URL+"/logout", revoked); st != 204 {
		t.Fatalf("logout: %d", st)
	}
	for i := range storetest.LimitPerMinute {
		if st, _ := send("GET", before.URL+"/limited", ""); st != 204 {
			t.Fatalf("request %d within the limit: %d", i, st)
		}
	}
	before.Close()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	after, _ := singleInstance(t, path) // the restart
	if st, body := send("GET", after.URL+"/me", ""); st != 200 || body["user"] != "ada" {
		t.Fatalf("the session after a restart: %d %v", st, body)
	}
	if st, _ := send("POST", after.URL+"/refresh", revoked); st != 401 {
		t.Fatalf("a refresh token revoked before the restart: %d, want 401", st)
	}
	if st, _ := send("POST", after.URL+"/refresh", kept); st != 200 {
		t.Fatalf("a refresh token not revoked: %d, want 200", st)
	}
	if st, _ := send("GET", after.URL+"/limited", ""); st != 429 {
		t.Fatalf("the request after the limit, after a restart: %d, want 429 (counts survive)", st)
	}
}
