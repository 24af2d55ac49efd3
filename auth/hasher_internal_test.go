package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The semaphore is FIFO, bounds memory and count, bounds its queue, and a
// waiter that gives up at the front lets the next one in.
func TestWeighted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newWeighted(10, 3, 2)
	if err := s.acquire(ctx, 6); err != nil {
		t.Fatal(err)
	}
	// A waits for memory; B would fit but queues behind A (FIFO).
	aCtx, cancelA := context.WithCancel(ctx)
	aErr, bErr := make(chan error, 1), make(chan error, 1)
	go func() { aErr <- s.acquire(aCtx, 6) }()
	waitQueue(t, s, 1)
	go func() { bErr <- s.acquire(ctx, 1) }()
	waitQueue(t, s, 2)
	if err := s.acquire(ctx, 1); !errors.Is(err, errQueueFull) {
		t.Fatalf("a third waiter: %v", err)
	}
	select {
	case err := <-bErr:
		t.Fatalf("B overtook A: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	cancelA()
	if err := <-aErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("A: %v", err)
	}
	if err := <-bErr; err != nil {
		t.Fatalf("B after A gave up: %v", err)
	}
	// Count bound: 6 + 1 in use (2 of 3); one more fits, then none.
	if err := s.acquire(ctx, 1); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := s.acquire(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("over the count: %v", err)
	}
	// A call heavier than the budget runs alone once everything is back.
	s.release(6)
	s.release(1)
	s.release(1)
	if err := s.acquire(ctx, 100); err != nil {
		t.Fatal(err)
	}
	s.release(100)
	if s.mem != 0 || s.n != 0 || s.waiters.Len() != 0 {
		t.Fatalf("not back to empty: mem %d n %d waiters %d", s.mem, s.n, s.waiters.Len())
	}
}

func waitQueue(t *testing.T, s *weighted, n int) {
	t.Helper()
	for range 1000 {
		s.mu.Lock()
		l := s.waiters.Len()
		s.mu.Unlock()
		if l == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the queue never reached %d", n)
}
