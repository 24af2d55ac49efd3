package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/examples/internal/curltest"
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

// csrfToken fetches a CSRF token for c (its cookie lands in c's jar).
func csrfToken(t *testing.T, c *testclient.Client) string {
	t.Helper()
	var m map[string]string
	if err := c.Get("/csrf").JSON(&m); err != nil || m["csrf_token"] == "" {
		t.Fatalf("no CSRF token: %v %v", m, err)
	}
	return m["csrf_token"]
}

const adaPassword = "correct horse battery staple"

func loginAs(t *testing.T, c *testclient.Client, user, pw string) *testclient.Response {
	t.Helper()
	return c.Post("/login", testclient.Header("X-CSRFToken", csrfToken(t, c)),
		testclient.JSON(map[string]string{"username": user, "password": pw}))
}

// The seed's flow through the test client's cookie jar.
func TestSessionFlow(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	r := c.Get("/protected")
	if r.Status != 401 || strings.TrimSpace(r.Text()) != `{"error":"Not authenticated"}` || r.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous: %d %s %v", r.Status, r.Text(), r.Header)
	}
	r = loginAs(t, c, "ada", adaPassword)
	if r.Status != 200 || strings.TrimSpace(r.Text()) != `{"message":"Logged in","user_id":1}` {
		t.Fatalf("login: %d %s", r.Status, r.Text())
	}
	ck := r.Cookie("session_id")
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("login cookie: %+v", ck)
	}
	if r := c.Get("/protected"); r.Status != 200 || strings.TrimSpace(r.Text()) != `{"message":"Hello, ada!"}` {
		t.Fatalf("protected: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/logout", testclient.Header("X-CSRFToken", csrfToken(t, c))); r.Status != 200 || strings.TrimSpace(r.Text()) != `{"message":"Logged out"}` {
		t.Fatalf("logout: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/protected"); r.Status != 401 {
		t.Fatalf("after logout: %d %s", r.Status, r.Text())
	}
	// Logout needs the CSRF token too.
	loginAs(t, c, "ada", adaPassword)
	if r := c.Post("/logout"); r.Status != 403 {
		t.Fatalf("logout without a CSRF token: %d %s", r.Status, r.Text())
	}
}

// Logging in again rotates the session id; the old cookie is dead.
func TestLoginRegeneratesSession(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	first := loginAs(t, c, "ada", adaPassword).Cookie("session_id")
	second := loginAs(t, c, "grace", "tr0ub4dor&3-lovelace").Cookie("session_id")
	if first == nil || second == nil || first.Value == second.Value {
		t.Fatalf("the session cookie did not change: %v %v", first, second)
	}
	if r := c.Get("/protected"); !strings.Contains(r.Text(), "Hello, grace!") {
		t.Fatalf("new cookie: %d %s", r.Status, r.Text())
	}
	r := c.Get("/protected", testclient.Cookie(&http.Cookie{Name: "session_id", Value: first.Value}))
	if r.Status != 401 {
		t.Fatalf("old cookie after re-login: %d %s", r.Status, r.Text())
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	token := csrfToken(t, c)
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"username": "ada"}`, 422},
		{`{"username": 1, "password": "x"}`, 422},
		{`{}`, 422},
		{`not json`, 400},
	} {
		r := c.Post("/login", testclient.Header("X-CSRFToken", token), testclient.Body("application/json", []byte(tc.body)))
		if r.Status != tc.status {
			t.Errorf("%s: %d %s", tc.body, r.Status, r.Text())
		}
	}
	r := c.Get("/protected", testclient.Cookie(&http.Cookie{Name: "session_id", Value: "forged"}))
	if r.Status != 401 || strings.TrimSpace(r.Text()) != `{"error":"Not authenticated"}` {
		t.Fatalf("forged cookie: %d %s", r.Status, r.Text())
	}
}

// The curl lines of the package documentation work as written (issue 10).
func TestCurlLines(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	app, err := newApp(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	hc := *openapitest.Client(t, app).HTTPClient()
	hc.Jar = nil // curltest keeps the cookies, as curl -b/-c do
	curltest.Run(t, string(src), &hc)
}

func TestSecretFromEnv(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	t.Setenv("TEST_SESSION_SECRET", "")
	s, err := auth.SecretFromEnv("TEST_SESSION_SECRET", logger)
	if err != nil || len(s) != 32 || !strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("unset: %d bytes, %v, log %q", len(s), err, logs.String())
	}
	t.Setenv("TEST_SESSION_SECRET", "short")
	if _, err := auth.SecretFromEnv("TEST_SESSION_SECRET", logger); err == nil {
		t.Fatal("a short secret was accepted")
	}
	t.Setenv("TEST_SESSION_SECRET", string(testSecret))
	if s, err := auth.SecretFromEnv("TEST_SESSION_SECRET", logger); err != nil || string(s) != string(testSecret) {
		t.Fatalf("set: %q %v", s, err)
	}
}
