package stores

import (
	"context"
	"sync"
	"sync/atomic"
)

// deliveryQueue decouples receiving from delivering: the listener never
// waits for a subscriber, so LISTEN commands keep flowing while
// deliveries are slow (a hub holding its lock while it subscribes).
type deliveryQueue struct {
	mu      sync.Mutex
	items   []notice
	max     int
	ready   chan struct{}
	dropped atomic.Uint64
}

// notice is one notification: its channel and payload.
type notice struct {
	channel, payload string
}

func newDeliveryQueue(max int) *deliveryQueue {
	return &deliveryQueue{max: max, ready: make(chan struct{}, 1)}
}

// push queues a notice, or drops it and reports false when the queue is
// full.
func (q *deliveryQueue) push(n notice) bool {
	q.mu.Lock()
	if len(q.items) >= q.max {
		q.mu.Unlock()
		q.dropped.Add(1)
		return false
	}
	q.items = append(q.items, n)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// take waits for notices and returns all that are queued, in order; false
// once ctx is done.
func (q *deliveryQueue) take(ctx context.Context) ([]notice, bool) {
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
		case <-q.ready:
		case <-ctx.Done():
			return nil, false
		}
	}
}
