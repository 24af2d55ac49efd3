package stores_test

import (
	"testing"

	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/websocket"
)

// Rate-limit decisions per second on each database, 16 requests in flight
// per core and a key per goroutine, as bench/redisbench measures Redis.
// On PostgreSQL each Take is one call of nexios_ratelimit_take on the
// server's clock; on a SQLite file one write transaction.
func BenchmarkTake(b *testing.B) {
	for _, kind := range []string{"postgres", "sqlite-file"} {
		b.Run(kind, func(b *testing.B) {
			storetest.BenchmarkTake(b, stores.NewRateLimitStore(open(b, kind), stores.RateLimitConfig{}))
		})
	}
}

// Session round trips, one goroutine: Load (one SELECT) and Save of an
// existing session (one UPDATE, the compare-and-set).
func BenchmarkSession(b *testing.B) {
	for _, kind := range []string{"postgres", "sqlite-file"} {
		b.Run(kind, func(b *testing.B) {
			storetest.BenchmarkSession(b, stores.NewSessionStore(open(b, kind)))
		})
	}
}

// One message to 10,000 subscribers of a topic, spread over 1 or 3
// brokers (instances) on PostgreSQL: the time from Publish until every
// subscriber has it.
func BenchmarkBrokerFanOut(b *testing.B) {
	storetest.BenchmarkBrokerFanOut(b, func(b *testing.B, n int) []websocket.Broker {
		_, ds := postgresURLs(b, n)
		bs := make([]websocket.Broker, n)
		for i := range bs {
			bs[i] = newBroker(b, ds[i], stores.BrokerConfig{})
		}
		return bs
	})
}
