package storetest_test

import (
	"testing"

	"github.com/nexios-go/nexios/cache"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/websocket"
)

// The in-process implementations shipped with nexios pass their suites.

func TestMemorySessionStore(t *testing.T) {
	t.Parallel()
	storetest.SessionStore(t, func(t *testing.T) session.Store {
		s := session.NewMemoryStore(session.MemoryConfig{})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestFileSessionStore(t *testing.T) {
	t.Parallel()
	storetest.SessionStore(t, func(t *testing.T) session.Store {
		s, err := session.NewFileStore(session.FileConfig{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestMemoryRateLimitStore(t *testing.T) {
	t.Parallel()
	storetest.RateLimitStore(t, func(*testing.T) ratelimit.Store {
		return ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
	})
}

func TestMemoryBroker(t *testing.T) {
	t.Parallel()
	storetest.Broker(t, func(_ *testing.T, n int) []websocket.Broker {
		b := websocket.NewMemoryBroker()
		bs := make([]websocket.Broker, n)
		for i := range bs {
			bs[i] = b
		}
		return bs
	})
}

func TestMemoryCache(t *testing.T) {
	t.Parallel()
	storetest.Cache(t, func(*testing.T) cache.Cache { return cache.NewMemory(cache.MemoryConfig{}) })
}
