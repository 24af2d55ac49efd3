package auth_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
)

func mustHasher(t testing.TB, cfg auth.HasherConfig) *auth.Hasher {
	t.Helper()
	h, err := auth.NewHasher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHasher(t *testing.T) {
	t.Parallel()
	h := mustHasher(t, auth.HasherConfig{Params: cheap})
	hash, err := h.Hash(bg, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(bg, "pw", hash); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := h.Verify(bg, "nope", hash); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	dummy := h.DummyHash()
	if ok, err := h.Verify(bg, "pw", dummy); ok || err != nil || h.DummyHash() != dummy {
		t.Fatalf("dummy hash: %v %v", ok, err)
	}
	if auth.NeedsRehash(h.DummyHash(), h.Params()) {
		t.Fatal("the dummy hash has other parameters")
	}
	if _, err := h.Verify(bg, "pw", "plain"); !errors.Is(err, auth.ErrUnknownHash) {
		t.Fatalf("unusable hash: %v", err)
	}
	for name, cfg := range map[string]auth.HasherConfig{
		"weak params":  {Params: auth.Argon2Params{Memory: 1, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}},
		"negative max": {MaxQueue: -1},
	} {
		if _, err := auth.NewHasher(cfg); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// busy checks err is the hasher's 503 with Retry-After.
func busy(t *testing.T, err error) {
	t.Helper()
	var he *nexios.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusServiceUnavailable || !errors.Is(err, auth.ErrHasherBusy) ||
		he.Headers.Get("Retry-After") != "2" {
		t.Fatalf("want the hasher's 503 with Retry-After: 2, got %#v", err)
	}
}

// The queue is bounded: with one slot taken and the queue full, a call is
// refused at once; a queued call gives up after MaxWait; a cancelled
// caller leaves the queue.
func TestHasherQueueBounds(t *testing.T) {
	t.Parallel()
	// Slow 4 MiB hashes, room for one at a time.
	p := auth.Argon2Params{Memory: 4 << 10, Iterations: 16, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	h := mustHasher(t, auth.HasherConfig{Params: p, MaxMemory: 4 << 20, MaxQueue: 1, MaxWait: 300 * time.Millisecond, RetryAfter: 1500 * time.Millisecond})
	hash, _ := auth.HashPasswordWith("pw", p)

	var wg sync.WaitGroup
	results := make(chan error, 8)
	start := make(chan struct{})
	for range 6 {
		wg.Go(func() {
			<-start
			_, err := h.Verify(bg, "pw", hash)
			results <- err
		})
	}
	close(start)
	wg.Wait()
	close(results)
	var ok, refused int
	for err := range results {
		if err == nil {
			ok++
			continue
		}
		busy(t, err)
		refused++
	}
	// One runs, one waits (and runs, or gives up after 300 ms); the other
	// four are refused at once.
	if ok < 1 || ok > 2 || refused < 4 {
		t.Fatalf("6 concurrent verifications, 1 slot, queue 1: %d ran, %d refused", ok, refused)
	}

	// A caller whose context ends leaves the queue with its context's
	// error, not the hasher's 503.
	hold := make(chan struct{})
	go func() {
		_, _ = h.Verify(bg, "pw", hash)
		close(hold)
	}()
	time.Sleep(5 * time.Millisecond)
	ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
	defer cancel()
	_, err := h.Verify(ctx, "pw", hash)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled caller: %v", err)
	}
	<-hold
}

// Heap check (issue 18 §5): 50 concurrent verifications hold at most
// MaxMemory of argon2 state at once, not 50 times a hash's memory.
func TestHasherBoundsMemory(t *testing.T) {
	// Not parallel: it measures the process's heap.
	p := auth.Argon2Params{Memory: 8 << 10, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32} // 8 MiB
	h := mustHasher(t, auth.HasherConfig{Params: p, MaxMemory: 16 << 20, MaxConcurrent: 8, MaxQueue: 64, MaxWait: 30 * time.Second})
	hash, _ := auth.HashPasswordWith("pw", p)
	runtime.GC()
	stop := heapSampler()
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for range 50 {
		wg.Go(func() {
			if ok, err := h.Verify(bg, "pw", hash); !ok || err != nil {
				wrong.Add(1)
			}
		})
	}
	wg.Wait()
	grew := stop()
	if wrong.Load() != 0 {
		t.Fatalf("%d verifications failed", wrong.Load())
	}
	// Unbounded: 50 × 8 MiB = 400 MiB live. Bounded: 2 × 8 MiB live, and
	// the garbage collector's slack on top.
	t.Logf("heap grew by %d MiB at most", grew>>20)
	if grew > 100<<20 {
		t.Fatalf("50 concurrent verifications grew the heap by %d MiB", grew>>20)
	}
}

// heapSampler samples HeapInuse every millisecond until stop, which
// returns the largest growth over the starting figure.
func heapSampler() (stop func() int64) {
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		return int64(peak.Load()) - int64(base.HeapInuse)
	}
}
