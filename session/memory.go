package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// MemoryConfig configures a MemoryStore. The zero value is ready to use.
type MemoryConfig struct {
	// SweepInterval is how often a background goroutine deletes expired
	// sessions. Default 1 minute; negative: no goroutine (expired
	// sessions are still never returned, and Sweep can be called by hand).
	SweepInterval time.Duration
	// Now returns the current time. Default time.Now; tests inject a
	// clock.
	Now func() time.Time
}

// MemoryStore keeps sessions in process memory: the default for a single
// instance and for tests. Sessions are lost on restart and not shared
// between instances (use a Redis store for that). Values are stored as
// JSON, so a handler never shares a map with the store and every store
// behaves alike (numbers come back as float64). Call Close to stop the
// sweeper.
type MemoryStore struct {
	mu      sync.RWMutex
	entries map[string]memEntry
	now     func() time.Time

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

type memEntry struct {
	data    []byte
	expires time.Time
}

var errBadToken = errors.New("session: token is not a session id")

// NewMemoryStore returns a MemoryStore and starts its sweeper.
func NewMemoryStore(cfg MemoryConfig) *MemoryStore {
	s := &MemoryStore{entries: make(map[string]memEntry), now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	interval := cfg.SweepInterval
	if interval == 0 {
		interval = time.Minute
	}
	if interval > 0 {
		s.stop, s.done = make(chan struct{}), make(chan struct{})
		go s.sweepLoop(interval)
	}
	return s
}

func (s *MemoryStore) sweepLoop(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Sweep()
		}
	}
}

// Load implements Store.
func (s *MemoryStore) Load(_ context.Context, token string) (*Record, error) {
	if !ValidID(token) {
		return nil, ErrNotFound
	}
	s.mu.RLock()
	e, ok := s.entries[token]
	s.mu.RUnlock()
	if !ok || !s.now().Before(e.expires) {
		return nil, ErrNotFound
	}
	rec := new(Record)
	if err := json.Unmarshal(e.data, rec); err != nil {
		return nil, fmt.Errorf("session: decoding a stored session: %w", err)
	}
	rec.ID = token
	return rec, nil
}

// Save implements Store.
func (s *MemoryStore) Save(_ context.Context, token string, rec *Record, ttl time.Duration) (string, error) {
	existing := token != ""
	token, err := saveToken(token, ttl)
	if err != nil {
		return "", err
	}
	rec.ID = token
	data, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("session: encoding session values: %w", err)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[token]; existing && (!ok || !now.Before(e.expires)) {
		// Deleted (a logout, a rotation) or expired meanwhile: never
		// brought back by a request that still held it.
		return "", ErrNotFound
	}
	s.entries[token] = memEntry{data: data, expires: now.Add(ttl)}
	return token, nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(_ context.Context, token string) error {
	s.mu.Lock()
	delete(s.entries, token)
	s.mu.Unlock()
	return nil
}

// Sweep deletes expired sessions now and returns how many it deleted.
func (s *MemoryStore) Sweep() int {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, e := range s.entries {
		if !now.Before(e.expires) {
			delete(s.entries, k)
			n++
		}
	}
	return n
}

// Len returns the number of sessions held, expired ones not yet swept
// included.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.entries)
}

// Close stops the sweeper and waits for it to return. The store stays
// usable; it just no longer sweeps in the background.
func (s *MemoryStore) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			close(s.stop)
			<-s.done
		}
	})
	return nil
}
