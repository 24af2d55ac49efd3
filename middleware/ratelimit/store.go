package ratelimit

import (
	"context"
	"errors"
	"hash/maphash"
	"math/bits"
	"sync"
	"time"
)

// Store keeps the per-key state of rate limits. It is designed for an
// atomic remote store (a Redis store implements Take as one script): the
// in-memory MemoryStore is the default.
//
// Expiry: after Take, a key whose Result.Reset is d may be deleted at
// now+d or later (a Redis store sets PEXPIREAT); a missing key must behave
// exactly like the zero State. A store may therefore evict expired keys
// whenever it likes without changing any outcome.
type Store interface {
	// Take atomically reads the state of key, applies policy to a request
	// of cost n arriving at now and stores the new state, with the
	// semantics of Policy.Apply (n = 0 only reads). Concurrent Takes on one key must
	// behave as if run one after another. The error is for the store
	// failing (a network error); a rejected request is not an error.
	Take(ctx context.Context, key string, now time.Time, policy Policy, n int) (Result, error)
	// Reset forgets key, restoring its full quota (a successful login
	// clearing its failed attempts). Resetting an unknown key is not an
	// error.
	Reset(ctx context.Context, key string) error
}

// ErrStoreFull is returned by a MemoryStore that holds MaxKeys live keys
// when a new key arrives.
var ErrStoreFull = errors.New("ratelimit: memory store is full")

// MemoryConfig configures a MemoryStore. The zero value is ready to use.
type MemoryConfig struct {
	// Shards is the number of independently locked maps, rounded up to a
	// power of two. Default 64.
	Shards int
	// SweepInterval is how often each shard deletes its expired keys, on
	// the next Take that reaches it after the interval (measured with the
	// time passed to Take). Expired keys are also ignored on access.
	// Default 1 minute.
	SweepInterval time.Duration
	// MaxKeys caps the number of keys held (spread over the shards); a new
	// key over the cap gets ErrStoreFull once expired keys have been swept.
	// Default 0: no cap.
	MaxKeys int
}

// MemoryStore is an in-process Store: sharded maps guarded by mutexes.
// It starts no goroutine: expired keys are swept shard by shard from Take,
// so there is nothing to close. It is safe for concurrent use.
type MemoryStore struct {
	shards   []shard
	mask     uint64
	seed     maphash.Seed
	interval int64
	perShard int
}

type shard struct {
	mu        sync.Mutex
	m         map[string]entry
	nextSweep int64
	peak      int
	_         [24]byte // keep shards on separate cache lines
}

type entry struct {
	st      State
	expires int64 // Unix ns; the state is the zero State from then on
	alg     Algorithm
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(cfg MemoryConfig) *MemoryStore {
	n := cfg.Shards
	if n <= 0 {
		n = 64
	}
	n = 1 << bits.Len(uint(n-1)) // round up to a power of two
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	s := &MemoryStore{
		shards:   make([]shard, n),
		mask:     uint64(n - 1),
		seed:     maphash.MakeSeed(),
		interval: int64(cfg.SweepInterval),
	}
	if cfg.MaxKeys > 0 {
		s.perShard = max(cfg.MaxKeys/n, 1)
	}
	for i := range s.shards {
		s.shards[i].m = make(map[string]entry)
	}
	return s
}

func (s *MemoryStore) shard(key string) *shard {
	return &s.shards[maphash.String(s.seed, key)&s.mask]
}

// Take implements Store.
func (s *MemoryStore) Take(_ context.Context, key string, now time.Time, p Policy, n int) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	t := now.UnixNano()
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if t >= sh.nextSweep {
		sh.sweep(t)
		sh.nextSweep = t + s.interval
	}
	e, present := sh.m[key]
	if present && (e.expires <= t || e.alg != p.Algorithm) {
		e = entry{} // expired, or written by another algorithm
	}
	st, res := p.Apply(e.st, now, n)
	switch {
	case res.Reset <= 0:
		if present {
			delete(sh.m, key) // back at full quota: same as absent
		}
		return res, nil
	case !present && s.perShard > 0 && len(sh.m) >= s.perShard:
		sh.sweep(t)
		if len(sh.m) >= s.perShard {
			return Result{}, ErrStoreFull
		}
	}
	sh.m[key] = entry{st: st, expires: t + int64(res.Reset), alg: p.Algorithm}
	if !present {
		sh.peak = max(sh.peak, len(sh.m))
	}
	return res, nil
}

// Reset implements Store.
func (s *MemoryStore) Reset(_ context.Context, key string) error {
	sh := s.shard(key)
	sh.mu.Lock()
	delete(sh.m, key)
	sh.mu.Unlock()
	return nil
}

// Sweep deletes every key expired at now from every shard and returns how
// many it deleted. Take sweeps on its own; call Sweep to free memory
// sooner, for instance from a ticker.
func (s *MemoryStore) Sweep(now time.Time) int {
	t, n := now.UnixNano(), 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += sh.sweep(t)
		sh.nextSweep = t + s.interval
		sh.mu.Unlock()
	}
	return n
}

// Len returns the number of keys held, expired ones not yet swept
// included.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// sweep deletes the shard's expired keys. Go maps never shrink, so a map
// that has emptied to a quarter of its peak is replaced by a fresh copy.
func (sh *shard) sweep(t int64) int {
	n := 0
	for k, e := range sh.m {
		if e.expires <= t {
			delete(sh.m, k)
			n++
		}
	}
	if sh.peak >= 1024 && len(sh.m) < sh.peak/4 {
		m := make(map[string]entry, len(sh.m))
		for k, e := range sh.m {
			m[k] = e
		}
		sh.m, sh.peak = m, len(m)
	}
	return n
}
