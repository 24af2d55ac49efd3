package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

// TestPasswordsVerify: right, wrong and unknown accounts, and the
// throttle's refusal after the failures it allows.
func TestPasswordsVerify(t *testing.T) {
	t.Parallel()
	hasher := mustHasher(t, auth.HasherConfig{Params: auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{MaxFailures: 2})
	if err != nil {
		t.Fatal(err)
	}
	pw := &auth.Passwords{Hasher: hasher, Throttle: throttle}
	hash, err := hasher.Hash(t.Context(), "S3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{})
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		h := hash
		if req.Query("user") != "ann" {
			h = "" // unknown account
		}
		if err := pw.Verify(req, req.Query("user"), req.Query("pw"), h); err != nil {
			return err
		}
		return res.Text("ok")
	})
	c := testclient.New(app)
	for _, tc := range []struct {
		user, pw string
		status   int
	}{
		{"ann", "S3cret-pass", 200},
		{"bob", "S3cret-pass", 401}, // unknown: a failure for bob
		{"ann", "wrong", 401},
		{"ann", "wrong", 401},
		{"ann", "S3cret-pass", 429}, // two failures in the window: refused even when right
		{"bob", "x", 401},
	} {
		r := c.Post("/login?user=" + tc.user + "&pw=" + tc.pw)
		if r.Status != tc.status {
			t.Errorf("%s/%s: %d %s, want %d", tc.user, tc.pw, r.Status, r.Text(), tc.status)
		}
		if tc.status == 429 && r.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	}
}

func TestPasswordsWithoutThrottle(t *testing.T) {
	t.Parallel()
	hasher := mustHasher(t, auth.HasherConfig{Params: auth.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	pw := &auth.Passwords{Hasher: hasher}
	app := nexios.New(nexios.Config{})
	var got error
	app.Post("/", func(req *nexios.Request, res *nexios.Response) error {
		h, err := pw.Hash(req, "pw")
		if err != nil {
			return err
		}
		got = pw.Verify(req, "ann", "other", h)
		return pw.Verify(req, "ann", "pw", h)
	})
	if r := testclient.New(app).Post("/"); r.Status != 200 || !errors.Is(got, auth.ErrInvalidCredentials) {
		t.Errorf("%d, wrong password: %v", r.Status, got)
	}
}

// TestRefreshCookie: the cookie's attributes, clearing it, and reading a
// token from the cookie or a bearer header.
func TestRefreshCookie(t *testing.T) {
	t.Parallel()
	rc := auth.RefreshCookie{Path: "/api/v1/auth", MaxAge: 3600e9}
	app := nexios.New(nexios.Config{})
	app.Post("/api/v1/auth/set", func(req *nexios.Request, res *nexios.Response) error {
		return rc.Set(res, "tok-1")
	})
	app.Post("/api/v1/auth/clear", func(req *nexios.Request, res *nexios.Response) error {
		return rc.Clear(res)
	})
	app.Post("/api/v1/auth/read", func(req *nexios.Request, res *nexios.Response) error {
		tok, fromCookie := rc.Token(req)
		if fromCookie {
			return res.Text("cookie:" + tok)
		}
		return res.Text("bearer:" + tok)
	})
	c := testclient.New(app)
	r := c.Post("/api/v1/auth/set")
	set := r.Header.Get("Set-Cookie")
	for _, want := range []string{"refresh_token=tok-1", "Path=/api/v1/auth", "Max-Age=3600", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %q", set, want)
		}
	}
	if r := c.Post("/api/v1/auth/read"); r.Text() != "cookie:tok-1" {
		t.Errorf("from the jar: %q", r.Text())
	}
	if r := c.Post("/api/v1/auth/clear"); !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("clear: %q", r.Header.Get("Set-Cookie"))
	}
	fresh := testclient.New(app)
	if r := fresh.Post("/api/v1/auth/read", testclient.BearerToken("tok-2")); r.Text() != "bearer:tok-2" {
		t.Errorf("from the header: %q", r.Text())
	}
	if r := fresh.Post("/api/v1/auth/read", testclient.Header("Authorization", "Basic eDp5")); r.Text() != "cookie:" {
		t.Errorf("another scheme: %q", r.Text())
	}
	// A bearer header is the explicit choice: it wins over the cookie.
	if r := c.Post("/api/v1/auth/read", testclient.BearerToken("tok-3")); r.Text() != "bearer:tok-3" {
		t.Errorf("header and cookie: %q", r.Text())
	}
}
