package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

const testSecret = "0123456789abcdef0123456789abcdef"

// The seed's test password, "password123", fails the seed's own password
// rule (no upper-case letter): the tests use one that passes.
const goodPassword = "Password123"

// fastHash keeps argon2id cheap in tests (the race detector slows it
// tenfold); the default parameters are tested in package auth.
var fastHash = auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// env is one blog app over one test database.
type env struct {
	t      *testing.T
	app    *nexios.App
	c      *testclient.Client // checks every exchange against the OpenAPI document
	outbox *mail.Memory
	d      *db.DB
}

// migrationFS is the app's migration directory.
func migrationFS(t testing.TB) fs.FS {
	t.Helper()
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// each runs fn on SQLite and on PostgreSQL (when NEXIOS_TEST_POSTGRES_URL
// is set), each with a fresh database and app.
func each(t *testing.T, fn func(t *testing.T, e *env), tweak ...func(*Config)) {
	t.Helper()
	dbtest.Each(t, migrationFS(t), func(t *testing.T, d *db.DB) {
		fn(t, newEnv(t, d, tweak...))
	})
}

func newEnv(t *testing.T, d *db.DB, tweak ...func(*Config)) *env {
	t.Helper()
	cfg := Config{
		Addr: "127.0.0.1:0", JWTSecret: testSecret, UploadDir: t.TempDir(), RequestRate: 100000,
		MailFrom: "Blog <blog@example.com>",
	}
	for _, f := range tweak {
		f(&cfg)
	}
	outbox := mail.NewMemory()
	log := slog.New(slog.DiscardHandler)
	b, err := build(t.Context(), d, cfg, log, wiring{sender: outbox, hash: fastHash})
	if err != nil {
		t.Fatal(err)
	}
	app := b.app
	if err := app.Startup(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &env{t: t, app: app, c: openapitest.Client(t, app), outbox: outbox, d: d}
}

// fresh returns a new checking client: no cookies, unlike e.c, whose jar
// keeps what earlier requests set (the refresh cookie of a login).
func (e *env) fresh() *testclient.Client { return openapitest.Client(e.t, e.app) }

// user is a signed-up user with a token.
type user struct {
	ID      int64
	Name    string
	Access  string
	Refresh string
}

func (e *env) signUp(name string) *user {
	e.t.Helper()
	r := e.c.Post("/api/v1/users", testclient.JSON(map[string]string{
		"username": name, "email": name + "@example.com", "password": goodPassword,
	}))
	if r.Status != http.StatusCreated {
		e.t.Fatalf("sign-up %s: %d %s", name, r.Status, r.Text())
	}
	var u struct {
		ID int64 `json:"id"`
	}
	mustJSON(e.t, r, &u)
	tokens := e.login(name, goodPassword)
	return &user{ID: u.ID, Name: name, Access: tokens.AccessToken, Refresh: tokens.RefreshToken}
}

func (e *env) login(name, password string) auth.TokenPair {
	e.t.Helper()
	r := e.c.Post("/api/v1/auth/login", testclient.JSON(map[string]string{"username": name, "password": password}))
	if r.Status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", name, r.Status, r.Text())
	}
	var p auth.TokenPair
	mustJSON(e.t, r, &p)
	return p
}

func (u *user) bearer() testclient.RequestOption { return testclient.BearerToken(u.Access) }

func mustJSON(t testing.TB, r *testclient.Response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%d %s: %v", r.Status, r.Text(), err)
	}
}

// apiErr decodes the seed's error body.
func apiErr(t testing.TB, r *testclient.Response) apiError {
	t.Helper()
	var e apiError
	mustJSON(t, r, &e)
	return e
}

// expect checks a status and, for errors, that the body is the seed's
// error shape with that code.
func expect(t testing.TB, what string, r *testclient.Response, status int) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("%s: %v", what, r.Err)
	}
	if r.Status != status {
		t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Text(), status)
	}
	if status >= 400 {
		if e := apiErr(t, r); e.Code != status || e.Error == "" {
			t.Fatalf("%s: error body %s", what, r.Text())
		}
	}
}

func fields(e apiError) string {
	var out []string
	for _, f := range e.Details {
		out = append(out, f.Location+"."+f.Field)
	}
	return strings.Join(out, ",")
}

func jsonBody(v any) testclient.RequestOption { return testclient.JSON(v) }

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// expiredToken is an access token signed with the app's secret that
// expired an hour ago.
func expiredToken(t testing.TB) string {
	t.Helper()
	old, err := auth.NewJWT(auth.JWTConfig{
		Keys: []auth.Key{auth.HS256Key([]byte(testSecret))},
		Now:  func() time.Time { return time.Now().Add(-2 * time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := old.CreateAccessToken("1", nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
