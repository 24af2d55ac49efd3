package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var algorithms = []Algorithm{FixedWindow, SlidingWindow, TokenBucket}

// TestMemoryStoreConcurrentExact: 200 concurrent Takes on one key with
// Limit 50 admit exactly 50, for every algorithm.
func TestMemoryStoreConcurrentExact(t *testing.T) {
	t.Parallel()
	for _, alg := range algorithms {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			s := NewMemoryStore(MemoryConfig{})
			p := Policy{Algorithm: alg, Limit: 50, Window: time.Minute}
			var ok, rejected atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 200 {
				wg.Go(func() {
					<-start
					r, err := s.Take(context.Background(), "k", base.Add(time.Second), p, 1)
					switch {
					case err != nil:
						t.Error(err)
					case r.Allowed:
						ok.Add(1)
					default:
						rejected.Add(1)
					}
				})
			}
			close(start)
			wg.Wait()
			if ok.Load() != 50 || rejected.Load() != 150 {
				t.Fatalf("admitted %d, rejected %d; want 50 and 150", ok.Load(), rejected.Load())
			}
		})
	}
}

func TestMemoryStoreKeysIndependent(t *testing.T) {
	t.Parallel()
	s := NewMemoryStore(MemoryConfig{Shards: 3}) // rounded up to 4
	if len(s.shards) != 4 {
		t.Fatalf("shards = %d, want 4", len(s.shards))
	}
	p := Policy{Algorithm: FixedWindow, Limit: 2, Window: time.Minute}
	ctx := context.Background()
	for i := range 100 {
		key := fmt.Sprint("client-", i)
		for j := range 3 {
			r, err := s.Take(ctx, key, base, p, 1)
			if err != nil || r.Allowed != (j < 2) {
				t.Fatalf("%s request %d: %+v %v", key, j, r, err)
			}
		}
	}
}

// TestMemoryStoreEviction: expired keys are removed by the sweep that Take
// runs and by Sweep, and a fresh map replaces one that emptied.
func TestMemoryStoreEviction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := Policy{Algorithm: SlidingWindow, Limit: 5, Window: time.Minute}
	s := NewMemoryStore(MemoryConfig{Shards: 1, SweepInterval: time.Minute})
	for i := range 2000 {
		if _, err := s.Take(ctx, fmt.Sprint("ip-", i), base, p, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Len(); n != 2000 {
		t.Fatalf("Len = %d, want 2000", n)
	}
	// Not expired yet (a sliding window keeps a count for two windows).
	if _, err := s.Take(ctx, "other", base.Add(119*time.Second), p, 1); err != nil {
		t.Fatal(err)
	}
	if n := s.Len(); n != 2001 {
		t.Fatalf("Len before expiry = %d, want 2001", n)
	}
	// Past expiry and past the sweep interval: the next Take sweeps.
	if _, err := s.Take(ctx, "late", base.Add(179*time.Second), p, 1); err != nil {
		t.Fatal(err)
	}
	if n := s.Len(); n != 2 { // "other" (expires at 180 s) and "late"
		t.Fatalf("Len after sweep = %d, want 2", n)
	}
	if s.shards[0].peak > 4 {
		t.Errorf("map not replaced after emptying: peak %d", s.shards[0].peak)
	}
	if got := s.Sweep(base.Add(time.Hour)); got != 2 || s.Len() != 0 {
		t.Fatalf("Sweep removed %d, Len %d; want 2 and 0", got, s.Len())
	}
}

// TestMemoryStoreExpiredIgnored: an expired key not yet swept counts as
// fresh, and a key back at full quota is not kept.
func TestMemoryStoreExpiredIgnored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewMemoryStore(MemoryConfig{SweepInterval: 24 * time.Hour})
	p := Policy{Algorithm: FixedWindow, Limit: 1, Window: time.Minute}
	if r, _ := s.Take(ctx, "k", base, p, 1); !r.Allowed {
		t.Fatal("first request rejected")
	}
	if r, _ := s.Take(ctx, "k", base.Add(time.Minute), p, 1); !r.Allowed {
		t.Fatal("request in the next window rejected")
	}
	if r, _ := s.Take(ctx, "peek", base, p, 0); !r.Allowed || s.Len() != 1 {
		t.Fatalf("a peek at an unknown key stored it: Len %d", s.Len())
	}
}

func TestMemoryStoreMaxKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewMemoryStore(MemoryConfig{Shards: 1, MaxKeys: 3})
	p := Policy{Algorithm: FixedWindow, Limit: 1, Window: time.Minute}
	for i := range 3 {
		if _, err := s.Take(ctx, fmt.Sprint(i), base, p, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Take(ctx, "new", base, p, 1); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("4th key: err = %v, want ErrStoreFull", err)
	}
	if r, err := s.Take(ctx, "0", base, p, 1); err != nil || r.Allowed {
		t.Fatalf("a known key when full: %+v %v", r, err)
	}
	// Once the old keys expire, a new key gets in.
	if r, err := s.Take(ctx, "new", base.Add(time.Minute), p, 1); err != nil || !r.Allowed {
		t.Fatalf("after expiry: %+v %v", r, err)
	}
}

func TestMemoryStoreResetAndAlgorithmChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewMemoryStore(MemoryConfig{})
	fixed := Policy{Algorithm: FixedWindow, Limit: 1, Window: time.Minute}
	s.Take(ctx, "k", base, fixed, 1)
	if r, _ := s.Take(ctx, "k", base, fixed, 1); r.Allowed {
		t.Fatal("second request admitted")
	}
	if err := s.Reset(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Take(ctx, "k", base, fixed, 1); !r.Allowed {
		t.Fatal("rejected after Reset")
	}
	// State written by one algorithm is not misread by another.
	gcra := Policy{Algorithm: TokenBucket, Limit: 1, Window: time.Minute}
	if r, _ := s.Take(ctx, "k", base, gcra, 1); !r.Allowed {
		t.Fatal("another algorithm read the fixed-window state")
	}
	if _, err := s.Take(ctx, "k", base, Policy{}, 1); err == nil {
		t.Fatal("invalid policy accepted")
	}
}

// TestNoGoroutines: stores and limiters start no goroutine, so none leaks.
func TestNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 50 {
		s := NewMemoryStore(MemoryConfig{})
		lim, err := NewLimiter(LimiterConfig{Store: s})
		if err != nil {
			t.Fatal(err)
		}
		lim.Allow(context.Background(), "k")
		s.Sweep(time.Now())
		if _, err := New(Config{}); err != nil {
			t.Fatal(err)
		}
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines: %d before, %d after", before, after)
	}
}
