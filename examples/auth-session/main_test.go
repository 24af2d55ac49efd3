package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

var testSecret = []byte("test secret of thirty-two bytes!")

func newTestClient(t *testing.T) *testclient.Client {
	t.Helper()
	app, err := newApp(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return testclient.New(app)
}

// The seed's flow through the test client's cookie jar.
func TestSessionFlow(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	steps := []struct {
		method, path string
		body         any
		status       int
		want         string
	}{
		{"GET", "/protected", nil, 401, `{"error":"Not authenticated"}`},
		{"POST", "/login", map[string]int{"user_id": 1}, 200, `{"message":"Logged in","user_id":1}`},
		{"GET", "/protected", nil, 200, `{"message":"Hello, user!"}`},
		{"POST", "/logout", nil, 200, `{"message":"Logged out"}`},
		{"GET", "/protected", nil, 401, `{"error":"Not authenticated"}`},
	}
	for i, s := range steps {
		var opts []testclient.RequestOption
		if s.body != nil {
			opts = append(opts, testclient.JSON(s.body))
		}
		r := c.Do(s.method, s.path, opts...)
		if r.Status != s.status || strings.TrimSpace(r.Text()) != s.want {
			t.Fatalf("step %d %s %s: %d %s", i, s.method, s.path, r.Status, r.Text())
		}
		if r.Status == 401 && r.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("step %d: 401 without WWW-Authenticate", i)
		}
		if s.path == "/login" {
			ck := r.Raw.Cookies()
			if len(ck) != 1 || ck[0].Name != "session_id" || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode {
				t.Fatalf("login cookie: %+v", ck)
			}
		}
	}
}

// Logging in again rotates the session id; the old cookie is dead.
func TestLoginRegeneratesSession(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	first := c.Post("/login", testclient.JSON(map[string]int{"user_id": 1})).Raw.Cookies()[0]
	second := c.Post("/login", testclient.JSON(map[string]int{"user_id": 2})).Raw.Cookies()[0]
	if first.Value == second.Value {
		t.Fatal("the session cookie did not change")
	}
	r := c.Get("/protected", testclient.Cookie(&http.Cookie{Name: "session_id", Value: first.Value}))
	if r.Status != 401 {
		t.Fatalf("old cookie after re-login: %d %s", r.Status, r.Text())
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"user_id": 0}`, 422},
		{`{"user_id": "one"}`, 422},
		{`{}`, 422},
		{`not json`, 400},
	} {
		r := c.Post("/login", testclient.Body("application/json", []byte(tc.body)))
		if r.Status != tc.status {
			t.Errorf("%s: %d %s", tc.body, r.Status, r.Text())
		}
	}
	r := c.Get("/protected", testclient.Cookie(&http.Cookie{Name: "session_id", Value: "forged"}))
	if r.Status != 401 || strings.TrimSpace(r.Text()) != `{"error":"Not authenticated"}` {
		t.Fatalf("forged cookie: %d %s", r.Status, r.Text())
	}
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
