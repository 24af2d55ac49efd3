package delivery_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/delivery"
)

// Items come out in order, in batches; a full queue drops and counts; Take
// ends with its context.
func TestQueue(t *testing.T) {
	t.Parallel()
	q := delivery.New[int](3)
	for i := range 5 {
		if ok := q.Push(i); ok != (i < 3) {
			t.Fatalf("push %d: %v", i, ok)
		}
	}
	if got, ok := q.Take(t.Context()); !ok || len(got) != 3 || got[0] != 0 || got[2] != 2 || q.Dropped() != 2 {
		t.Fatalf("take %v %v, dropped %d", got, ok, q.Dropped())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, ok := q.Take(ctx); ok {
		t.Fatal("Take returned without items or an ended context")
	}
}

// Concurrent pushers and one taker: nothing pushed is lost or duplicated.
func TestQueueConcurrent(t *testing.T) {
	t.Parallel()
	q := delivery.New[int](1 << 20)
	const pushers, each = 8, 1000
	var wg sync.WaitGroup
	for p := range pushers {
		wg.Go(func() {
			for i := range each {
				q.Push(p*each + i)
			}
		})
	}
	seen := make(map[int]bool)
	for len(seen) < pushers*each {
		items, ok := q.Take(t.Context())
		if !ok {
			t.Fatal("context ended")
		}
		for _, v := range items {
			if seen[v] {
				t.Fatalf("%d delivered twice", v)
			}
			seen[v] = true
		}
	}
	wg.Wait()
}
