package storetest_test

import (
	"net/http"
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/testclient/cluster"
	"github.com/nexios-go/nexios/websocket"
)

// A store's tests call the suites with a constructor; here the memory
// implementations, which pass them (see the auth package's tests).
func Example() {
	_ = func(t *testing.T) {
		storetest.RevocationList(t, func(*testing.T) auth.RevocationList { return &auth.MemoryRevocationList{} })
		storetest.Throttle(t, func(*testing.T) auth.ThrottleStore {
			return auth.NewMemoryThrottleStore(auth.MemoryThrottleConfig{})
		})
	}
}

// A store's tests run the outage scenario on stores that share one
// backend, with a way to take it away: here the cut and restore of a
// TCP proxy in front of the database, as the SQL stores' tests do.
func ExampleOutage() {
	_ = func(t *testing.T, s storetest.Stores, cut, restore func()) {
		storetest.Outage(t, s, storetest.Fault{Cut: cut, Restore: restore})
	}
}

// Three instances of the scenarios' app, each on its own stores, hub and
// broker over one shared backend (here the in-memory stores, which three
// instances in one process can share), then the scale-out scenario.
func ExampleInstances() {
	_ = func(t *testing.T) {
		sessions := session.NewMemoryStore(session.MemoryConfig{})
		t.Cleanup(func() { _ = sessions.Close() })
		s := storetest.Stores{
			Sessions:    sessions,
			Revocations: &auth.MemoryRevocationList{},
			RateLimit:   ratelimit.NewMemoryStore(ratelimit.MemoryConfig{}),
		}
		broker := websocket.NewMemoryBroker()
		c := cluster.Start(t, 3, func(i int) http.Handler {
			hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
			app := storetest.NewApp(i, s, hub)
			app.OnShutdown(hub.Close)
			return app
		})
		storetest.Instances(t, c)
	}
}

// The benchmarks of a store's module call the kit's bodies with the
// store.
func ExampleBenchmarkTake() {
	_ = func(b *testing.B) {
		storetest.BenchmarkTake(b, ratelimit.NewMemoryStore(ratelimit.MemoryConfig{}))
	}
}
