package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/cache"
)

var bg = context.Background()

func TestMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	c := cache.NewMemory(cache.MemoryConfig{MaxEntries: 3})
	for _, k := range []string{"a", "b", "c"} {
		_ = c.Set(bg, k, []byte(k), time.Hour)
	}
	_, _, _ = c.Get(bg, "a") // a is now the most recent; b the least
	_ = c.Set(bg, "d", []byte("d"), time.Hour)
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok, _ := c.Get(bg, k); ok != want {
			t.Errorf("%s present = %v, want %v", k, ok, want)
		}
	}
	if c.Len() != 3 {
		t.Errorf("Len %d", c.Len())
	}
}

func TestMemoryBoundsBytes(t *testing.T) {
	t.Parallel()
	c := cache.NewMemory(cache.MemoryConfig{MaxBytes: 100})
	for i := range 10 {
		_ = c.Set(bg, fmt.Sprint(i), make([]byte, 30), time.Hour)
	}
	if c.Bytes() > 100 || c.Len() != 3 {
		t.Fatalf("%d bytes in %d entries, want at most 100", c.Bytes(), c.Len())
	}
	_ = c.Set(bg, "huge", make([]byte, 200), time.Hour)
	if _, ok, _ := c.Get(bg, "huge"); ok {
		t.Fatal("a value over MaxBytes was stored")
	}
}

// 50 concurrent Loads of one key compute it once; all get the value.
func TestLoaderCoalesces(t *testing.T) {
	t.Parallel()
	l := cache.NewLoader(cache.NewMemory(cache.MemoryConfig{}), time.Minute)
	var computed atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for range 50 {
		wg.Go(func() {
			v, err := l.Load(bg, "k", func(context.Context) ([]byte, error) {
				computed.Add(1)
				<-release
				return []byte("value"), nil
			})
			if err != nil || string(v) != "value" {
				wrong.Add(1)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let them all queue on the one computation
	close(release)
	wg.Wait()
	if computed.Load() != 1 || wrong.Load() != 0 {
		t.Fatalf("computed %d times, %d wrong answers", computed.Load(), wrong.Load())
	}
	// Cached now.
	v, err := l.Load(bg, "k", func(context.Context) ([]byte, error) { return nil, errors.New("not called") })
	if err != nil || string(v) != "value" {
		t.Fatalf("%q %v", v, err)
	}
}

func TestLoaderErrorsPanicsAndCancellation(t *testing.T) {
	t.Parallel()
	l := cache.NewLoader(cache.NewMemory(cache.MemoryConfig{}), time.Minute)
	boom := errors.New("boom")
	if _, err := l.Load(bg, "e", func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("error: %v", err)
	}
	// Errors are not cached.
	if v, err := l.Load(bg, "e", func(context.Context) ([]byte, error) { return []byte("ok"), nil }); err != nil || string(v) != "ok" {
		t.Fatalf("after an error: %q %v", v, err)
	}
	if _, err := l.Load(bg, "p", func(context.Context) ([]byte, error) { panic("bad") }); err == nil {
		t.Fatal("a panic was not reported")
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	slow := make(chan struct{})
	defer close(slow)
	if _, err := l.Load(ctx, "c", func(context.Context) ([]byte, error) { <-slow; return nil, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
