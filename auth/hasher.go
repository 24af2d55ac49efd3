package auth

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/nexios-go/nexios"
)

// HasherConfig configures a Hasher. The zero value is valid.
type HasherConfig struct {
	// Params are the argon2id parameters of new hashes. Default
	// DefaultArgon2Params (19 MiB, 2 iterations, 1 lane).
	Params Argon2Params
	// MaxMemory bounds the memory (bytes) that hashes being computed hold
	// at once: an argon2id hash holds its m parameter for its whole run.
	// A stored hash needing more than MaxMemory runs alone. Default
	// 64 MiB: three hashes at the default 19 MiB.
	MaxMemory int64
	// MaxConcurrent bounds the hashes computed at once, whatever their
	// memory (hashing is CPU-bound: more than the CPUs only adds
	// latency). Default runtime.GOMAXPROCS(0).
	MaxConcurrent int
	// MaxQueue bounds the calls waiting for a turn; more are refused at
	// once with 503. Default 64.
	MaxQueue int
	// MaxWait bounds how long a call waits for a turn before it is
	// refused with 503. Default 3 seconds.
	MaxWait time.Duration
	// RetryAfter is what the 503 tells clients to wait. Default 1 second.
	RetryAfter time.Duration
}

// ErrHasherBusy is wrapped by the 503 *nexios.HTTPError (with Retry-After)
// a Hasher returns when its queue is full or a call waited MaxWait.
var ErrHasherBusy = errors.New("auth: password hasher busy")

// Hasher hashes and verifies passwords through a bounded queue, so that a
// burst of logins cannot take the server's memory: argon2id at the default
// parameters holds 19 MiB per hash, and 50 concurrent unbounded logins
// held about 1 GB. At most MaxConcurrent hashes run at once within
// MaxMemory; up to MaxQueue calls wait (at most MaxWait, and never past
// their context); the rest get 503 with Retry-After at once. A Hasher is
// safe for concurrent use; share one per process (login, Basic auth,
// registration, password change).
type Hasher struct {
	params     Argon2Params
	retryAfter time.Duration
	maxWait    time.Duration
	sem        *weighted
	dummyOnce  sync.Once
	dummy      string
}

// NewHasher returns a Hasher, or an error for unusable parameters.
func NewHasher(cfg HasherConfig) (*Hasher, error) {
	if cfg.Params == (Argon2Params{}) {
		cfg.Params = DefaultArgon2Params()
	}
	if err := cfg.Params.check(); err != nil {
		return nil, fmt.Errorf("auth: HasherConfig.Params: %w", err)
	}
	if cfg.MaxMemory < 0 || cfg.MaxConcurrent < 0 || cfg.MaxQueue < 0 || cfg.MaxWait < 0 || cfg.RetryAfter < 0 {
		return nil, errors.New("auth: HasherConfig values must not be negative")
	}
	if cfg.MaxMemory == 0 {
		cfg.MaxMemory = 64 << 20
	}
	if cfg.MaxConcurrent == 0 {
		cfg.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxQueue == 0 {
		cfg.MaxQueue = 64
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 3 * time.Second
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = time.Second
	}
	return &Hasher{
		params: cfg.Params, retryAfter: cfg.RetryAfter, maxWait: cfg.MaxWait,
		sem: newWeighted(cfg.MaxMemory, int64(cfg.MaxConcurrent), cfg.MaxQueue),
	}, nil
}

// Params returns the parameters of new hashes, for NeedsRehash.
func (h *Hasher) Params() Argon2Params { return h.params }

// Hash hashes password with argon2id (a PHC string, as HashPassword).
// It fails with ErrPasswordTooLong, with the 503 of a busy hasher, or
// with the context's error.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > maxPasswordLen {
		return "", ErrPasswordTooLong
	}
	release, err := h.acquire(ctx, memoryOf(h.params))
	if err != nil {
		return "", err
	}
	defer release()
	return HashPasswordWith(password, h.params)
}

// Verify reports whether password matches hash (argon2id or bcrypt, as
// VerifyPassword), in turn with the other calls. Besides ErrUnknownHash
// for an unusable hash, it fails with the 503 of a busy hasher or with the
// context's error; neither says anything about the password.
func (h *Hasher) Verify(ctx context.Context, password, hash string) (bool, error) {
	if len(password) > maxPasswordLen {
		return false, nil
	}
	weight := int64(4 << 10) // bcrypt: 4 KiB of state, CPU-bound
	if strings.HasPrefix(hash, "$argon2id$") {
		p, _, _, err := parseArgon2(hash)
		if err != nil {
			return false, err
		}
		weight = memoryOf(p)
	}
	release, err := h.acquire(ctx, weight)
	if err != nil {
		return false, err
	}
	defer release()
	return VerifyPassword(password, hash)
}

// DummyHash returns a hash that no password matches, with the Hasher's
// parameters: verify against it for an unknown user name, so that the
// response takes as long as for a known one and does not reveal which
// names exist. It costs nothing to make (random salt and key).
func (h *Hasher) DummyHash() string {
	h.dummyOnce.Do(func() {
		salt, key := make([]byte, h.params.SaltLength), make([]byte, h.params.KeyLength)
		_, _ = rand.Read(salt)
		_, _ = rand.Read(key)
		b64 := base64.RawStdEncoding
		h.dummy = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.params.Memory,
			h.params.Iterations, h.params.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
	})
	return h.dummy
}

// memoryOf is the memory an argon2id hash holds, in bytes.
func memoryOf(p Argon2Params) int64 { return int64(p.Memory) << 10 }

// acquire waits for a turn; release ends it.
func (h *Hasher) acquire(parent context.Context, weight int64) (release func(), err error) {
	ctx, cancel := context.WithTimeout(parent, h.maxWait)
	defer cancel()
	if err := h.sem.acquire(ctx, weight); err != nil {
		if errors.Is(err, errQueueFull) || parent.Err() == nil {
			return nil, h.busy() // full, or MaxWait passed
		}
		return nil, fmt.Errorf("auth: waiting to hash a password: %w", err)
	}
	return func() { h.sem.release(weight) }, nil
}

// busy is the 503 of a busy hasher.
func (h *Hasher) busy() error {
	secs := max(1, int((h.retryAfter+time.Second-1)/time.Second))
	e := nexios.NewHTTPError(http.StatusServiceUnavailable, "Too many sign-ins at once; try again shortly")
	e.Err = ErrHasherBusy
	e.Extensions = map[string]any{"retry_after": secs}
	return e.WithHeader("Retry-After", strconv.Itoa(secs))
}

// errQueueFull: the weighted semaphore's queue is full.
var errQueueFull = errors.New("queue full")

// weighted is a FIFO semaphore bounding two sums at once, memory and a
// count, with a bounded queue of waiters (x/sync/semaphore's design, plus
// the count and the queue bound).
type weighted struct {
	maxMem, maxN int64
	maxQueue     int

	mu      sync.Mutex
	mem, n  int64
	waiters list.List // of *waiter
}

type waiter struct {
	weight int64
	ready  chan struct{} // closed when granted
}

func newWeighted(maxMem, maxN int64, maxQueue int) *weighted {
	return &weighted{maxMem: maxMem, maxN: maxN, maxQueue: maxQueue}
}

// clamp lets a call heavier than the whole budget run, alone.
func (s *weighted) clamp(w int64) int64 { return min(w, s.maxMem) }

func (s *weighted) fits(w int64) bool { return s.mem+w <= s.maxMem && s.n < s.maxN }

func (s *weighted) acquire(ctx context.Context, w int64) error {
	w = s.clamp(w)
	s.mu.Lock()
	if s.waiters.Len() == 0 && s.fits(w) {
		s.mem += w
		s.n++
		s.mu.Unlock()
		return nil
	}
	if s.waiters.Len() >= s.maxQueue {
		s.mu.Unlock()
		return errQueueFull
	}
	wt := &waiter{weight: w, ready: make(chan struct{})}
	elem := s.waiters.PushBack(wt)
	s.mu.Unlock()

	select {
	case <-wt.ready:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		select {
		case <-wt.ready:
			// Granted while giving up: hand the turn back.
			s.mu.Unlock()
			s.release(w)
		default:
			front := s.waiters.Front() == elem
			s.waiters.Remove(elem)
			if front {
				// The next waiter may fit where this one did not.
				s.grant()
			}
			s.mu.Unlock()
		}
		return ctx.Err()
	}
}

func (s *weighted) release(w int64) {
	w = s.clamp(w)
	s.mu.Lock()
	s.mem -= w
	s.n--
	s.grant()
	s.mu.Unlock()
}

// grant wakes waiters in order while they fit; the caller holds the lock.
func (s *weighted) grant() {
	for {
		e := s.waiters.Front()
		if e == nil {
			return
		}
		wt := e.Value.(*waiter)
		if !s.fits(wt.weight) {
			return
		}
		s.mem += wt.weight
		s.n++
		s.waiters.Remove(e)
		close(wt.ready)
	}
}
