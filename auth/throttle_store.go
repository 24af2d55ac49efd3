package auth

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ThrottleStore counts login attempts per key for a LoginThrottle, in
// fixed windows: a key's window starts at the first attempt counted after
// its previous window ended, and lasts the window given.
//
// Reserve must check and count in one atomic step: of any number of
// concurrent Reserve calls for a key with limit n, at most n are allowed in
// a window (a Lua script in Redis, one INSERT … ON CONFLICT DO UPDATE …
// RETURNING in SQL). Implementations must be safe for concurrent use and,
// with several instances, shared by all of them. The storetest package is
// the conformance suite every implementation must pass.
//
// The LoginThrottle fails closed: a store error refuses the login (503).
type ThrottleStore interface {
	// Reserve counts one attempt against key if fewer than limit are
	// counted in key's current window (starting a window of length
	// window when none is running). The result says whether it was
	// counted and identifies the window; when refused, RetryAfter is the
	// time left in the window.
	Reserve(ctx context.Context, key string, limit int, window time.Duration) (ThrottleResult, error)
	// Release un-counts one attempt that Reserve counted in the window
	// identified by windowID (an attempt that succeeded or was
	// abandoned). It does nothing when that window has ended or its
	// count is zero.
	Release(ctx context.Context, key string, windowID uint64) error
	// Reset forgets key's count (a successful login clears the account's
	// failures).
	Reset(ctx context.Context, key string) error
}

// ThrottleResult is the outcome of ThrottleStore.Reserve.
type ThrottleResult struct {
	// Allowed reports whether the attempt was counted.
	Allowed bool
	// WindowID identifies the key's current window, for Release: any
	// value that differs between successive windows of a key (a counter,
	// or the window's start in milliseconds when a key cannot start two
	// windows within one millisecond).
	WindowID uint64
	// RetryAfter is, when the attempt was refused, how long until the
	// window ends.
	RetryAfter time.Duration
}

// MemoryThrottleConfig configures a MemoryThrottleStore.
type MemoryThrottleConfig struct {
	// MaxKeys bounds the keys held (accounts and IP networks with a
	// running window). When it is reached and a sweep of ended windows
	// frees nothing, Reserve for a new key fails with ErrThrottleFull
	// (which the throttle answers 503: fail closed) rather than forget
	// counts an attacker built up. Default 1,000,000 (about 150 MB).
	MaxKeys int
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// ErrThrottleFull is the error of a MemoryThrottleStore holding MaxKeys
// running windows.
var ErrThrottleFull = errors.New("auth: login throttle store is full")

// MemoryThrottleStore is an in-process ThrottleStore, enough for one
// instance. Create it with NewMemoryThrottleStore.
type MemoryThrottleStore struct {
	maxKeys int
	now     func() time.Time

	mu        sync.Mutex
	windows   map[string]*throttleWindow
	nextID    uint64
	lastSweep time.Time
}

type throttleWindow struct {
	id    uint64
	count int
	end   time.Time
}

// NewMemoryThrottleStore returns a MemoryThrottleStore.
func NewMemoryThrottleStore(cfg MemoryThrottleConfig) *MemoryThrottleStore {
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 1_000_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &MemoryThrottleStore{maxKeys: cfg.MaxKeys, now: cfg.Now, windows: make(map[string]*throttleWindow)}
}

// Reserve implements ThrottleStore.
func (s *MemoryThrottleStore) Reserve(_ context.Context, key string, limit int, window time.Duration) (ThrottleResult, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.windows[key]
	if !ok || !now.Before(w.end) {
		if !ok && len(s.windows) >= s.maxKeys {
			s.sweep(now, time.Second)
			if len(s.windows) >= s.maxKeys {
				return ThrottleResult{}, ErrThrottleFull
			}
		}
		s.nextID++
		w = &throttleWindow{id: s.nextID, end: now.Add(window)}
		s.windows[key] = w
		s.sweep(now, time.Minute)
	}
	if w.count >= limit {
		return ThrottleResult{WindowID: w.id, RetryAfter: w.end.Sub(now)}, nil
	}
	w.count++
	return ThrottleResult{Allowed: true, WindowID: w.id}, nil
}

// Release implements ThrottleStore.
func (s *MemoryThrottleStore) Release(_ context.Context, key string, windowID uint64) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.windows[key]; ok && w.id == windowID && now.Before(w.end) && w.count > 0 {
		w.count--
	}
	return nil
}

// Reset implements ThrottleStore.
func (s *MemoryThrottleStore) Reset(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.windows, key)
	return nil
}

// Len returns the number of keys held, ended windows not yet swept
// included.
func (s *MemoryThrottleStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.windows)
}

// sweep drops ended windows unless it ran less than every ago: once a
// minute as a routine, at most once a second when the store is full (a
// sweep walks every key, which a flood must not make happen per request).
// The caller holds the lock.
func (s *MemoryThrottleStore) sweep(now time.Time, every time.Duration) {
	if now.Sub(s.lastSweep) < every {
		return
	}
	s.lastSweep = now
	for k, w := range s.windows {
		if !now.Before(w.end) {
			delete(s.windows, k)
		}
	}
}
