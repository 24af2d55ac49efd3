package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

var testSecret = []byte("test secret of thirty-two bytes!")

func newTestClient(t *testing.T, opts ...testclient.Option) *testclient.Client {
	t.Helper()
	app, err := newApp(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return openapitest.Client(t, app, opts...)
}

func login(c *testclient.Client, user, pw string) *testclient.Response {
	return c.Post("/login", testclient.JSON(map[string]string{"username": user, "password": pw}))
}

func text(r *testclient.Response) string { return strings.TrimSpace(r.Text()) }

// The seed's flow: login, bearer token, protected route.
func TestSeedFlow(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	r := login(c, "admin", "password")
	var out map[string]string
	if err := r.JSON(&out); err != nil || r.Status != 200 || len(out) != 1 || strings.Count(out["token"], ".") != 2 {
		t.Fatalf("login: %d %s", r.Status, r.Text())
	}
	r = c.Get("/protected", testclient.BearerToken(out["token"]))
	if r.Status != 200 || text(r) != `{"message":"Hello, admin!"}` {
		t.Fatalf("protected: %d %s", r.Status, r.Text())
	}
	for name, opts := range map[string][]testclient.RequestOption{
		"no token":  nil,
		"bad token": {testclient.BearerToken("invalid_token")},
		"empty":     {testclient.Header("Authorization", "Bearer")},
	} {
		r := c.Get("/protected", opts...)
		if r.Status != 401 || !strings.HasPrefix(text(r), `{"error":`) || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %s %v", name, r.Status, r.Text(), r.Header)
		}
	}
	if r := c.Get("/protected"); text(r) != `{"error":"Not authenticated"}` {
		t.Errorf("no token: %s", r.Text())
	}
}

func TestInvalidCredentials(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	for _, tc := range [][2]string{{"admin", "wrong"}, {"root", "password"}, {"admin", ""}} {
		r := login(c, tc[0], tc[1])
		want := `{"error":"Invalid credentials"}`
		status := 401
		if tc[1] == "" {
			status, want = 422, ""
		}
		if r.Status != status || (want != "" && text(r) != want) {
			t.Errorf("%v: %d %s", tc, r.Status, r.Text())
		}
	}
	if r := c.Post("/login", testclient.Body("application/json", []byte("{"))); r.Status != 400 {
		t.Errorf("malformed body: %d", r.Status)
	}
}

// Seed 001: the refresh token lives in an HttpOnly, SameSite=Strict
// cookie; refresh gives a new access token; logout revokes the refresh
// token.
func TestRefreshAndLogout(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	r := login(c, "admin", "password")
	var ck *http.Cookie
	for _, x := range r.Raw.Cookies() {
		if x.Name == "refresh_token" {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure {
		t.Fatalf("refresh cookie over http: %+v", ck)
	}
	stolen := ck.Value

	r = c.Post("/refresh")
	var m map[string]string
	if err := r.JSON(&m); err != nil || r.Status != 200 || m["token_type"] != "bearer" {
		t.Fatalf("refresh: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/protected", testclient.BearerToken(m["access_token"])); r.Status != 200 {
		t.Fatalf("refreshed token: %d %s", r.Status, r.Text())
	}

	if r := c.Post("/logout"); r.Status != 200 || text(r) != `{"message":"Successfully logged out"}` {
		t.Fatalf("logout: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/refresh"); r.Status != 401 || text(r) != `{"error":"Missing token"}` {
		t.Fatalf("refresh after logout (cookie gone): %d %s", r.Status, r.Text())
	}
	replay := c.Post("/refresh", testclient.Cookie(&http.Cookie{Name: "refresh_token", Value: stolen}))
	if replay.Status != 401 || text(replay) != `{"error":"Invalid token: token revoked"}` {
		t.Fatalf("replayed refresh token: %d %s", replay.Status, replay.Text())
	}

	// Over HTTPS the cookie is Secure.
	s := newTestClient(t, testclient.WithBaseURL("https://testserver"))
	for _, x := range login(s, "admin", "password").Raw.Cookies() {
		if x.Name == "refresh_token" && !x.Secure {
			t.Fatal("refresh cookie over https is not Secure")
		}
	}
}

// Five failed logins lock the account, even for the right password.
func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	for i := range 5 {
		if r := login(c, "admin", "guess"); r.Status != 401 {
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
	}
	r := login(c, "admin", "password")
	if r.Status != 429 || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Text(), "Too many failed login attempts") {
		t.Fatalf("locked: %d %s %v", r.Status, r.Text(), r.Header)
	}
}

func TestSecretFromEnv(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	t.Setenv("TEST_JWT_SECRET", "")
	s, err := auth.SecretFromEnv("TEST_JWT_SECRET", logger)
	if err != nil || len(s) != 32 || !strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("unset: %d bytes, %v, %q", len(s), err, logs.String())
	}
	t.Setenv("TEST_JWT_SECRET", "1234")
	if _, err := auth.SecretFromEnv("TEST_JWT_SECRET", logger); err == nil {
		t.Fatal("short secret accepted")
	}
}
