package redis

import (
	"context"
	"sync"
	"sync/atomic"
)

// deliveryQueue decouples receiving from delivering: the reader never
// waits for a subscriber, so subscription confirmations keep flowing
// while deliveries are slow (a hub holding its lock while it subscribes).
type deliveryQueue struct {
	mu      sync.Mutex
	items   []queued
	max     int
	signal  chan struct{}
	dropped atomic.Uint64
}

type queued struct {
	channel, payload string
}

func newDeliveryQueue(max int) *deliveryQueue {
	return &deliveryQueue{max: max, signal: make(chan struct{}, 1)}
}

// push queues a message, or reports false when the queue is full.
func (q *deliveryQueue) push(channel, payload string) bool {
	q.mu.Lock()
	if len(q.items) >= q.max {
		q.mu.Unlock()
		q.dropped.Add(1)
		return false
	}
	q.items = append(q.items, queued{channel, payload})
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
	return true
}

// take waits for messages and returns them all, or false when ctx ends.
func (q *deliveryQueue) take(ctx context.Context) ([]queued, bool) {
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
