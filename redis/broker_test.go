package redis_test

import (
	"context"
	"testing"

	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/websocket"
)

// brokers returns n brokers, each on its own client, as n instances.
func brokers(t testing.TB, n int, cfg redis.BrokerConfig) []*redis.Broker {
	t.Helper()
	if cfg.Prefix == "" {
		cfg.Prefix = prefix(t)
	}
	out := make([]*redis.Broker, n)
	for i := range out {
		b, err := redis.NewBroker(context.Background(), testClient(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		out[i] = b
	}
	return out
}

// TestStandalone runs the broker's conformance kit on sharded Pub/Sub
// (Redis 7); this runs it on the classic PUBLISH/SUBSCRIBE older servers
// get.
func TestBrokerClassicPubSub(t *testing.T) {
	t.Parallel()
	storetest.Broker(t, func(t *testing.T, n int) []websocket.Broker {
		bs := brokers(t, n, redis.BrokerConfig{Sharding: redis.ShardingOff})
		out := make([]websocket.Broker, n)
		for i, b := range bs {
			out[i] = b
		}
		return out
	})
}

func TestBrokerDetectsSharding(t *testing.T) {
	t.Parallel()
	b := brokers(t, 1, redis.BrokerConfig{})[0]
	if !b.Stats().Sharded {
		t.Error("Redis 7 has sharded Pub/Sub, but the broker did not use it")
	}
}
