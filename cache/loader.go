package cache

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Loader reads through a Cache with request coalescing: Load returns the
// cached value of a key, or computes it once however many callers of this
// process ask for it at the same time (the others wait for that one
// computation), stores it for the TTL and returns it. This stops a cache
// stampede, where an expired popular key sends every concurrent request to
// the backend at once: with N instances sharing a Redis cache, a key is
// computed at most N times at once, once per instance.
//
// A failed computation is not cached; its error goes to every caller that
// waited for it. A failing cache is not fatal: Load then computes the
// value (coalesced all the same) and returns it with no error, reporting
// the cache's error to OnCacheError.
type Loader struct {
	c   Cache
	ttl time.Duration

	// OnCacheError, when set, is called with errors of the cache (Get or
	// Set failing), for logging or metrics. It must be set before Load is
	// first called.
	OnCacheError func(error)

	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done  chan struct{}
	value []byte
	err   error
}

// NewLoader returns a Loader storing values in c for ttl.
func NewLoader(c Cache, ttl time.Duration) *Loader {
	return &Loader{c: c, ttl: ttl, calls: make(map[string]*call)}
}

// Load returns the value of key from the cache, or from compute. compute
// runs in its own goroutine with a context that keeps ctx's values but not
// its cancellation (other callers may be waiting for it); a caller whose
// ctx ends stops waiting and gets ctx's error, while the computation goes
// on for the others. A panic in compute is returned as an error to every
// waiting caller.
func (l *Loader) Load(ctx context.Context, key string, compute func(context.Context) ([]byte, error)) ([]byte, error) {
	v, ok, err := l.c.Get(ctx, key)
	if err != nil {
		l.report(err)
	} else if ok {
		return v, nil
	}
	l.mu.Lock()
	c, running := l.calls[key]
	if !running {
		c = &call{done: make(chan struct{})}
		l.calls[key] = c
		go l.run(context.WithoutCancel(ctx), key, c, compute)
	}
	l.mu.Unlock()
	select {
	case <-c.done:
		if c.err != nil {
			return nil, c.err
		}
		return append([]byte(nil), c.value...), nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

func (l *Loader) run(ctx context.Context, key string, c *call, compute func(context.Context) ([]byte, error)) {
	defer func() {
		if p := recover(); p != nil {
			c.err = fmt.Errorf("cache: computing %q panicked: %v", key, p)
		}
		l.mu.Lock()
		delete(l.calls, key)
		l.mu.Unlock()
		close(c.done)
	}()
	c.value, c.err = compute(ctx)
	if c.err == nil {
		if err := l.c.Set(ctx, key, c.value, l.ttl); err != nil {
			l.report(err)
		}
	}
}

func (l *Loader) report(err error) {
	if l.OnCacheError != nil {
		l.OnCacheError(err)
	}
}
