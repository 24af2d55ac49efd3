package auth_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	clk := newClock()
	th, err := auth.NewLoginThrottle(auth.ThrottleConfig{MaxFailures: 3, MaxIPFailures: 5, Window: 10 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	// Three failures lock the account, from any IP.
	for i := range 3 {
		if err := th.Check(bg, "ada", "10.0.0.1"); err != nil {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
		_ = th.Failure(bg, "ada", "10.0.0.1")
	}
	err = th.Check(bg, "ada", "10.0.0.99")
	var he *nexios.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusTooManyRequests || !errors.Is(err, auth.ErrLoginLocked) {
		t.Fatalf("locked account: %v", err)
	}
	// The sliding window weighs the previous window: the wait is under two windows.
	if ra, _ := strconv.Atoi(he.Headers.Get("Retry-After")); ra <= 0 || ra > 1200 {
		t.Fatalf("Retry-After %q", he.Headers.Get("Retry-After"))
	}
	// Other accounts are not locked.
	if err := th.Check(bg, "bob", "10.0.0.99"); err != nil {
		t.Fatalf("bob: %v", err)
	}
	// The lock lifts as the window slides.
	clk.Advance(20 * time.Minute)
	if err := th.Check(bg, "ada", "10.0.0.1"); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	// Success clears the account's failures, not the IP's.
	_ = th.Failure(bg, "ada", "10.0.0.2")
	_ = th.Failure(bg, "ada", "10.0.0.2")
	_ = th.Success(bg, "ada", "10.0.0.2")
	_ = th.Failure(bg, "ada", "10.0.0.2")
	_ = th.Failure(bg, "ada", "10.0.0.2")
	if err := th.Check(bg, "ada", ""); err != nil {
		t.Fatalf("success did not reset the account: %v", err)
	}

	// Password spraying: one IP, many accounts.
	for _, acct := range []string{"u1", "u2", "u3", "u4", "u5"} {
		_ = th.Failure(bg, acct, "10.0.0.3")
	}
	if err := th.Check(bg, "u6", "10.0.0.3"); err == nil {
		t.Fatal("a spraying IP was not locked")
	}
	if err := th.Check(bg, "u6", "10.0.0.4"); err != nil {
		t.Fatalf("another IP: %v", err)
	}

	if _, err := auth.NewLoginThrottle(auth.ThrottleConfig{MaxFailures: -1}); err == nil {
		t.Fatal("negative limit accepted")
	}
}

// The throttle in a login handler: 401s, then 429 with Retry-After.
func TestLoginThrottleHTTP(t *testing.T) {
	t.Parallel()
	th, err := auth.NewLoginThrottle(auth.ThrottleConfig{MaxFailures: 2})
	if err != nil {
		t.Fatal(err)
	}
	app := quietApp()
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		user := req.FormValue("username")
		if err := th.Check(req.Context(), user, req.ClientIP()); err != nil {
			return err
		}
		if req.FormValue("password") != "right" {
			if err := th.Failure(req.Context(), user, req.ClientIP()); err != nil {
				return err
			}
			return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
		}
		return res.Text("welcome")
	})
	c := testclient.New(app)
	try := func(pw string) *testclient.Response {
		return c.Post("/login", testclient.Form(map[string][]string{"username": {"ada"}, "password": {pw}}))
	}
	expectProblem(t, try("wrong"), 401, "Invalid credentials")
	expectProblem(t, try("wrong"), 401, "Invalid credentials")
	r := try("right")
	expectProblem(t, r, 429, "Too many failed login attempts; try again later")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}
