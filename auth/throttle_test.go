package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/testclient"
)

func TestMemoryThrottleStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Throttle(t, func(*testing.T) auth.ThrottleStore {
		return auth.NewMemoryThrottleStore(auth.MemoryThrottleConfig{})
	})
}

func mustThrottle(t *testing.T, cfg auth.ThrottleConfig) *auth.LoginThrottle {
	t.Helper()
	th, err := auth.NewLoginThrottle(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// isLocked reports whether err is the throttle's 429, with Retry-After
// within (0, max].
func isLocked(t *testing.T, err error, maxWait time.Duration) {
	t.Helper()
	var he *nexios.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusTooManyRequests || !errors.Is(err, auth.ErrLoginLocked) {
		t.Fatalf("want a 429 wrapping ErrLoginLocked, got %v", err)
	}
	ra, _ := strconv.Atoi(he.Headers.Get("Retry-After"))
	if ra <= 0 || time.Duration(ra)*time.Second > maxWait+time.Second {
		t.Fatalf("Retry-After %q, want within (0, %v]", he.Headers.Get("Retry-After"), maxWait)
	}
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	clk := newClock()
	th := mustThrottle(t, auth.ThrottleConfig{MaxFailures: 3, MaxIPFailures: 5, Window: 10 * time.Minute, Now: clk.Now})
	fail := func(account, ip string) {
		t.Helper()
		att, err := th.Reserve(bg, account, ip)
		if err != nil {
			t.Fatalf("%s from %s refused: %v", account, ip, err)
		}
		_ = att.Failed(bg)
	}
	// Three failures lock the account, from any IP.
	for range 3 {
		fail("ada", "10.0.0.1")
	}
	_, err := th.Reserve(bg, "ada", "10.0.0.99")
	isLocked(t, err, 10*time.Minute)
	// Other accounts are not locked, and the refused attempt did not count
	// against the other network.
	fail("bob", "10.0.0.99")
	// The lock lifts when the window ends.
	clk.Advance(10 * time.Minute)
	fail("ada", "10.0.0.1")

	// Success clears the account's count and takes the attempt off the
	// network's count; the network keeps its failures.
	th2 := mustThrottle(t, auth.ThrottleConfig{MaxFailures: 2, MaxIPFailures: 3, Now: clk.Now})
	attempt := func(ok bool) error {
		att, err := th2.Reserve(bg, "cy", "10.0.0.2")
		if err != nil {
			return err
		}
		if ok {
			return att.Succeeded(bg)
		}
		return att.Failed(bg)
	}
	for round := range 2 {
		// Without the reset, the account (limit 2) would lock in round 2.
		if err := attempt(false); err != nil {
			t.Fatalf("round %d, failure: %v", round, err)
		}
		if err := attempt(true); err != nil {
			t.Fatalf("round %d, success: %v", round, err)
		}
	}
	if err := attempt(false); err != nil { // the network's third failure
		t.Fatal(err)
	}
	isLocked(t, attempt(true), 15*time.Minute)

	// Cancel un-counts both.
	th3 := mustThrottle(t, auth.ThrottleConfig{MaxFailures: 1, MaxIPFailures: 1, Now: clk.Now})
	for range 3 {
		att, err := th3.Reserve(bg, "dee", "10.0.0.4")
		if err != nil {
			t.Fatalf("after Cancel: %v", err)
		}
		_ = att.Cancel(bg)
	}

	// Password spraying: one network, many accounts.
	for _, acct := range []string{"u1", "u2", "u3", "u4", "u5"} {
		fail(acct, "10.0.0.3")
	}
	_, err = th.Reserve(bg, "u6", "10.0.0.3")
	isLocked(t, err, 10*time.Minute)
	fail("u6", "10.0.0.4")
	// An IPv6 /64 is one network.
	for i := range 5 {
		fail("v"+strconv.Itoa(i), "2001:db8:1:2::"+strconv.Itoa(i+1))
	}
	_, err = th.Reserve(bg, "v9", "2001:db8:1:2:ffff::9")
	isLocked(t, err, 10*time.Minute)
	fail("v9", "2001:db8:1:3::1")

	if _, err := auth.NewLoginThrottle(auth.ThrottleConfig{MaxFailures: -1}); err == nil {
		t.Fatal("negative limit accepted")
	}
}

// Issue 18 §2: 50 simultaneous wrong passwords against a limit of 5 admit
// at most 5 password checks. (Before, the throttle peeked before the slow
// hash and counted after it: all 50 were checked.)
func TestLoginThrottleConcurrentGuesses(t *testing.T) {
	t.Parallel()
	th := mustThrottle(t, auth.ThrottleConfig{MaxFailures: 5})
	hash, _ := auth.HashPasswordWith("right", cheap)
	var checks, refused atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			<-start
			// Each from its own address: only the account limit applies.
			att, err := th.Reserve(bg, "ada", "192.0.2."+strconv.Itoa(i+1))
			if err != nil {
				refused.Add(1)
				return
			}
			checks.Add(1)
			time.Sleep(5 * time.Millisecond) // a slow hash
			if ok, _ := auth.VerifyPassword("wrong", hash); !ok {
				_ = att.Failed(bg)
			}
		})
	}
	close(start)
	wg.Wait()
	if checks.Load() != 5 || refused.Load() != 45 {
		t.Fatalf("50 concurrent wrong passwords, limit 5: %d checked, %d refused", checks.Load(), refused.Load())
	}
}

// A failing store refuses logins (503), never lets them through
// unthrottled.
func TestLoginThrottleFailsClosed(t *testing.T) {
	t.Parallel()
	th := mustThrottle(t, auth.ThrottleConfig{Store: failingThrottleStore{}})
	_, err := th.Reserve(bg, "ada", "10.0.0.1")
	var he *nexios.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusServiceUnavailable || !errors.Is(err, auth.ErrThrottleUnavailable) ||
		!errors.Is(err, errStoreDown) || he.Headers.Get("Retry-After") == "" {
		t.Fatalf("failing store: %v", err)
	}
}

var errStoreDown = errors.New("store down")

type failingThrottleStore struct{}

func (failingThrottleStore) Reserve(context.Context, string, int, time.Duration) (auth.ThrottleResult, error) {
	return auth.ThrottleResult{}, errStoreDown
}
func (failingThrottleStore) Release(context.Context, string, uint64) error { return errStoreDown }
func (failingThrottleStore) Reset(context.Context, string) error           { return errStoreDown }

// The memory store holds a bounded number of keys and fails closed beyond.
func TestMemoryThrottleStoreMaxKeys(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := auth.NewMemoryThrottleStore(auth.MemoryThrottleConfig{MaxKeys: 3, Now: clk.Now})
	for _, k := range []string{"a", "b", "c"} {
		if r, err := s.Reserve(bg, k, 1, time.Minute); err != nil || !r.Allowed {
			t.Fatal(r, err)
		}
	}
	if _, err := s.Reserve(bg, "d", 1, time.Minute); !errors.Is(err, auth.ErrThrottleFull) {
		t.Fatalf("a fourth key: %v", err)
	}
	if r, err := s.Reserve(bg, "a", 1, time.Minute); err != nil || r.Allowed {
		t.Fatalf("a known key when full: %+v %v", r, err)
	}
	clk.Advance(2 * time.Minute) // the windows end: a sweep frees them
	if r, err := s.Reserve(bg, "d", 1, time.Minute); err != nil || !r.Allowed || s.Len() != 1 {
		t.Fatalf("after the windows ended: %+v %v, %d keys", r, err, s.Len())
	}
}

// The throttle in a login handler: 401s, then 429 with Retry-After.
func TestLoginThrottleHTTP(t *testing.T) {
	t.Parallel()
	th := mustThrottle(t, auth.ThrottleConfig{MaxFailures: 2})
	app := quietApp()
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		user := req.FormValue("username")
		att, err := th.Reserve(req.Context(), user, req.ClientIP())
		if err != nil {
			return err
		}
		if req.FormValue("password") != "right" {
			_ = att.Failed(req.Context())
			return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
		}
		if err := att.Succeeded(req.Context()); err != nil {
			return err
		}
		return res.Text("welcome")
	})
	c := testclient.New(app)
	try := func(pw string) *testclient.Response {
		return c.Post("/login", testclient.Form(map[string][]string{"username": {"ada"}, "password": {pw}}))
	}
	if r := try("right"); r.Status != 200 {
		t.Fatalf("right password: %d", r.Status)
	}
	expectProblem(t, try("wrong"), 401, "Invalid credentials")
	expectProblem(t, try("wrong"), 401, "Invalid credentials")
	r := try("right")
	expectProblem(t, r, 429, "Too many failed login attempts; try again later")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}
