package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// FallbackConfig configures a FallbackStore.
type FallbackConfig struct {
	// Local counts while the primary store fails. Default: a new
	// MemoryStore with MaxKeys 1,000,000.
	Local Store
	// Cooldown is how long the primary is left alone after it failed
	// before it is tried again, so that an outage does not cost every
	// request a timeout. Default 1 second.
	Cooldown time.Duration
	// Logger receives one warning when the primary fails and one when it
	// is back. Default slog.Default().
	Logger *slog.Logger
	// Now returns the current time (for the cooldown). Default time.Now.
	Now func() time.Time
}

// FallbackStore is the "local fallback" failure policy as a Store: it
// counts in the primary (shared) store, and while that fails, in a local
// store of this instance. The limit then holds per instance instead of
// across them: with N instances a client gets at most N × Limit per window
// during an outage (plus what the primary had counted in the window when
// it failed), instead of the limit being lifted (failing open) or every
// request refused (fail closed). When the primary answers again after the
// cooldown, counting goes back to it; the local counts are not copied
// over.
//
// It suits general traffic on a shared store; for login and password
// reset keep the default fail-closed middleware on the shared store.
type FallbackStore struct {
	primary, local Store
	cooldown       time.Duration
	log            *slog.Logger
	now            func() time.Time

	mu        sync.Mutex
	retryAt   time.Time // the primary is skipped until then
	downSince time.Time // zero while the primary works
}

var _ Store = (*FallbackStore)(nil)

// NewFallbackStore returns a FallbackStore over primary.
func NewFallbackStore(primary Store, cfg FallbackConfig) *FallbackStore {
	if cfg.Local == nil {
		cfg.Local = NewMemoryStore(MemoryConfig{MaxKeys: 1_000_000})
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &FallbackStore{primary: primary, local: cfg.Local, cooldown: cfg.Cooldown, log: cfg.Logger, now: cfg.Now}
}

// Take implements Store: the primary's answer, or the local store's while
// the primary fails.
func (s *FallbackStore) Take(ctx context.Context, key string, now time.Time, p Policy, n int) (Result, error) {
	if s.usePrimary() {
		r, err := s.primary.Take(ctx, key, now, p, n)
		if err == nil {
			s.primaryUp()
			return r, nil
		}
		if ctx.Err() != nil {
			return Result{}, err // the request went away: not an outage
		}
		s.primaryDown(err)
	}
	return s.local.Take(ctx, key, now, p, n)
}

// Reset implements Store: both stores forget key; the primary's error
// is returned.
func (s *FallbackStore) Reset(ctx context.Context, key string) error {
	_ = s.local.Reset(ctx, key)
	return s.primary.Reset(ctx, key)
}

// Degraded reports whether the local store is counting (the primary
// failed and its cooldown is running or it has not answered since).
func (s *FallbackStore) Degraded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.downSince.IsZero()
}

func (s *FallbackStore) usePrimary() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.now().Before(s.retryAt)
}

func (s *FallbackStore) primaryDown(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.retryAt = now.Add(s.cooldown)
	if s.downSince.IsZero() {
		s.downSince = now
		s.log.Warn("ratelimit: primary store failed; counting locally (the limit holds per instance)", slog.Any("error", err))
	}
}

func (s *FallbackStore) primaryUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.downSince.IsZero() {
		s.log.Warn("ratelimit: primary store is back", slog.Duration("down", s.now().Sub(s.downSince)))
		s.downSince = time.Time{}
	}
}
