// Package delivery is the bounded queue between a broker's connection
// and its subscribers, shared by the Redis and PostgreSQL brokers.
package delivery

import (
	"context"
	"sync"
	"sync/atomic"
)

// Queue decouples receiving from delivering: the connection's reader
// never waits for a subscriber, so the connection keeps flowing
// (subscription confirmations, LISTEN commands) while deliveries are slow
// (a hub holding its lock while it subscribes). It holds at most Max
// items; beyond, Push drops and counts.
type Queue[T any] struct {
	mu      sync.Mutex
	items   []T
	max     int
	signal  chan struct{}
	dropped atomic.Uint64
}

// New returns a queue of at most max items.
func New[T any](max int) *Queue[T] {
	return &Queue[T]{max: max, signal: make(chan struct{}, 1)}
}

// Push queues v, or drops it and reports false when the queue is full.
func (q *Queue[T]) Push(v T) bool {
	q.mu.Lock()
	if len(q.items) >= q.max {
		q.mu.Unlock()
		q.dropped.Add(1)
		return false
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
	return true
}

// Take waits for items and returns all that are queued, in order; false
// once ctx is done.
func (q *Queue[T]) Take(ctx context.Context) ([]T, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			items := q.items
			q.items = nil
			q.mu.Unlock()
			return items, true
		}
		q.mu.Unlock()
		select {
		case <-q.signal:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// Dropped returns how many items Push dropped.
func (q *Queue[T]) Dropped() uint64 { return q.dropped.Load() }
