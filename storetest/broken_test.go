package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/storetest"
)

// The kit must catch broken stores: each broken store below runs its
// suite in a child process, which must fail with the expected complaint.

// racyList checks, then revokes, without holding a lock across both:
// the non-atomic RevokeOnce the suite must catch.
type racyList struct{ auth.MemoryRevocationList }

func (l *racyList) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	revoked, err := l.IsRevoked(ctx, auth.RevocationCheck{JTI: jti})
	if err != nil || revoked {
		return false, err
	}
	runtime.Gosched()
	time.Sleep(time.Millisecond)
	_, err = l.MemoryRevocationList.RevokeOnce(ctx, jti, exp)
	return true, err
}

// unforgetfulList keeps revoked jtis forever.
type unforgetfulList struct{ auth.MemoryRevocationList }

func (l *unforgetfulList) RevokeOnce(ctx context.Context, jti string, _ time.Time) (bool, error) {
	return l.MemoryRevocationList.RevokeOnce(ctx, jti, time.Now().Add(24*time.Hour))
}

// peekThenCount is the login throttle's old bug as a store: it looks at
// the count, and counts later.
type peekThenCount struct {
	mu     sync.Mutex
	counts map[string]int
}

func (s *peekThenCount) Reserve(_ context.Context, key string, limit int, _ time.Duration) (auth.ThrottleResult, error) {
	s.mu.Lock()
	n := s.counts[key]
	s.mu.Unlock()
	if n >= limit {
		return auth.ThrottleResult{RetryAfter: time.Minute}, nil
	}
	time.Sleep(time.Millisecond) // the password hash ran here
	s.mu.Lock()
	s.counts[key]++
	s.mu.Unlock()
	return auth.ThrottleResult{Allowed: true}, nil
}

func (s *peekThenCount) Release(_ context.Context, key string, _ uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts[key] > 0 {
		s.counts[key]--
	}
	return nil
}

func (s *peekThenCount) Reset(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.counts, key)
	return nil
}

// generousRelease lets Release go below zero, handing out credit.
type generousRelease struct {
	*auth.MemoryThrottleStore
	mu    sync.Mutex
	extra map[string]int
}

func (s *generousRelease) Reserve(ctx context.Context, key string, limit int, w time.Duration) (auth.ThrottleResult, error) {
	s.mu.Lock()
	if s.extra[key] > 0 {
		s.extra[key]--
		s.mu.Unlock()
		return auth.ThrottleResult{Allowed: true}, nil
	}
	s.mu.Unlock()
	return s.MemoryThrottleStore.Reserve(ctx, key, limit, w)
}

func (s *generousRelease) Release(ctx context.Context, key string, id uint64) error {
	s.mu.Lock()
	s.extra[key]++
	s.mu.Unlock()
	return s.MemoryThrottleStore.Release(ctx, key, id)
}

var brokenSuites = map[string]func(t *testing.T){
	"racy RevokeOnce": func(t *testing.T) {
		storetest.RevocationList(t, func(*testing.T) auth.RevocationList { return &racyList{} })
	},
	"never forgets": func(t *testing.T) {
		storetest.RevocationList(t, func(*testing.T) auth.RevocationList { return &unforgetfulList{} })
	},
	"peek then count": func(t *testing.T) {
		storetest.Throttle(t, func(*testing.T) auth.ThrottleStore { return &peekThenCount{counts: map[string]int{}} })
	},
	"generous release": func(t *testing.T) {
		storetest.Throttle(t, func(*testing.T) auth.ThrottleStore {
			return &generousRelease{MemoryThrottleStore: auth.NewMemoryThrottleStore(auth.MemoryThrottleConfig{}), extra: map[string]int{}}
		})
	},
	"unshared sessions": func(t *testing.T) {
		storetest.Instances(t, unsharedSessions(t))
	},
	"revocation fails open": func(t *testing.T) {
		var b backend
		s := b.wrap(memoryStores(t))
		s.Revocations = failOpenRevocations{s.Revocations.(cutRevocations)}
		storetest.Outage(t, s, b.fault())
	},
}

// TestBrokenStore is the child: it runs one broken suite, named by the
// environment, and is skipped otherwise.
func TestBrokenStore(t *testing.T) {
	name := os.Getenv("STORETEST_BROKEN")
	if name == "" {
		t.Skip("runs only as the child of TestKitCatchesBrokenStores")
	}
	brokenSuites[name](t)
}

func TestKitCatchesBrokenStores(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"racy RevokeOnce":       "100 concurrent RevokeOnce",
		"never forgets":         "after its expiry (forgotten)",
		"peek then count":       "100 concurrent reservations, limit 50",
		"generous release":      "Reserve allowed = true, want false",
		"unshared sessions":     "/me on B: 200 map[instance:1 user:]",
		"revocation fails open": "the revocation check fails closed: GET /api, request 1: 204, want 503",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStore$", "-test.count=1")
			cmd.Env = append(os.Environ(), "STORETEST_BROKEN="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a broken store (%s):\n%s", name, out)
			}
			if !strings.Contains(string(out), want) {
				t.Fatalf("the suite failed, but not with %q:\n%s", want, out)
			}
		})
	}
}
