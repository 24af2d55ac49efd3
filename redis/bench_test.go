package redis_test

import (
	"testing"

	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/websocket"
)

// Take on the server's clock, one key per goroutine, from many
// goroutines (the shape of a busy app).
func BenchmarkRateLimitTake(b *testing.B) {
	storetest.BenchmarkTake(b, redis.NewRateLimitStore(testClient(b), redis.RateLimitConfig{Prefix: prefix(b)}))
}

func BenchmarkSession(b *testing.B) {
	storetest.BenchmarkSession(b, redis.NewSessionStore(testClient(b), redis.SessionConfig{Prefix: prefix(b)}))
}

// One message to 10,000 subscribers of a topic, spread over 1 or 3
// brokers (instances), each on its own client: the time from Publish
// until every subscriber has it.
func BenchmarkBrokerFanOut(b *testing.B) {
	storetest.BenchmarkBrokerFanOut(b, func(b *testing.B, n int) []websocket.Broker {
		out := make([]websocket.Broker, n)
		for i, br := range brokers(b, n, redis.BrokerConfig{}) {
			out[i] = br
		}
		return out
	})
}
