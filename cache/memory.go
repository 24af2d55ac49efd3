package cache

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// MemoryConfig configures a Memory cache.
type MemoryConfig struct {
	// MaxEntries bounds the number of entries. Default 10,000.
	MaxEntries int
	// MaxBytes bounds the total size of keys and values. Default 64 MiB.
	MaxBytes int64
	// Now returns the current time. Default time.Now; tests inject a
	// clock.
	Now func() time.Time
}

// Memory is an in-process Cache bounded in entries and bytes: the least
// recently used entry goes first when a bound is reached, and an entry is
// never returned after its TTL. Values are copied in and out. It starts no
// goroutine; expired entries are dropped when met, or evicted as the least
// recently used.
type Memory struct {
	maxEntries int
	maxBytes   int64
	now        func() time.Time

	mu    sync.Mutex
	ll    *list.List // front: most recently used
	items map[string]*list.Element
	bytes int64
}

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
}

func (e *memEntry) size() int64 { return int64(len(e.key) + len(e.value)) }

var _ Cache = (*Memory)(nil)

// NewMemory returns an empty Memory cache.
func NewMemory(cfg MemoryConfig) *Memory {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 10_000
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Memory{maxEntries: cfg.MaxEntries, maxBytes: cfg.MaxBytes, now: cfg.Now,
		ll: list.New(), items: make(map[string]*list.Element)}
}

// Get implements Cache.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*memEntry)
	if !now.Before(e.expires) {
		m.removeLocked(el)
		return nil, false, nil
	}
	m.ll.MoveToFront(el)
	return append([]byte(nil), e.value...), true, nil
}

// Set implements Cache. A value larger than MaxBytes is not stored (and
// any older value under key is removed).
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return ErrInvalidTTL
	}
	e := &memEntry{key: key, value: append([]byte(nil), value...), expires: m.now().Add(ttl)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.removeLocked(el)
	}
	if e.size() > m.maxBytes {
		return nil
	}
	m.items[key] = m.ll.PushFront(e)
	m.bytes += e.size()
	for len(m.items) > m.maxEntries || m.bytes > m.maxBytes {
		m.removeLocked(m.ll.Back())
	}
	return nil
}

// Delete implements Cache.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.removeLocked(el)
	}
	return nil
}

// Len returns the number of entries held, expired ones not yet dropped
// included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Bytes returns the total size of the keys and values held.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}

func (m *Memory) removeLocked(el *list.Element) {
	e := m.ll.Remove(el).(*memEntry)
	delete(m.items, e.key)
	m.bytes -= e.size()
}
