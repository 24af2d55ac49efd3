package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/websocket"
)

// BenchmarkTake measures rate-limit decisions per second of s, reported
// as takes/s, with one sub-benchmark per algorithm: 16 requests in flight
// per core (a busy app), each goroutine on a key of its own, under a
// limit never reached.
func BenchmarkTake(b *testing.B, s ratelimit.Store) {
	b.Helper()
	for _, alg := range algorithms {
		p := ratelimit.Policy{Algorithm: alg, Limit: 1 << 30, Window: time.Minute}
		b.Run(alg.String(), func(b *testing.B) {
			prefix := unique("bench-" + alg.String())
			var n atomic.Int64
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				key := fmt.Sprint(prefix, "-", n.Add(1))
				for pb.Next() {
					if _, err := s.Take(ctx, key, time.Now(), p, 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "takes/s")
		})
	}
}

// BenchmarkSession measures the round trips of a request with a session
// on s, on one goroutine: sub-benchmark Load loads a saved session of
// three values, Save saves it again (an existing session: the store's
// compare-and-set).
func BenchmarkSession(b *testing.B, s session.Store) {
	b.Helper()
	rec := &session.Record{Values: map[string]any{"user_id": 42, "name": "ada", "cart": []int{1, 2, 3}},
		CreatedAt: time.Now(), LastSeen: time.Now()}
	tok, err := s.Save(ctx, "", rec, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Load", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Load(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Save", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Save(ctx, tok, rec, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBrokerFanOut measures a broadcast to a crowd: one message to
// 10,000 subscribers of a topic, spread over 1 or 3 brokers (instances,
// one sub-benchmark each), from Publish until every subscriber has it;
// reported as deliveries/s. newBrokers returns n brokers sharing one
// backend, as for Broker, and closes them when the benchmark ends.
func BenchmarkBrokerFanOut(b *testing.B, newBrokers func(b *testing.B, n int) []websocket.Broker) {
	b.Helper()
	for _, instances := range []int{1, 3} {
		b.Run(fmt.Sprintf("10k-subscribers-%d-instances", instances), func(b *testing.B) {
			const subs = 10_000
			bs := newBrokers(b, instances)
			topic := unique("fanout")
			var got atomic.Int64
			done := make(chan struct{}, 1)
			for i := range subs {
				unsub, err := bs[i%instances].Subscribe(ctx, topic, func(websocket.Envelope) {
					if got.Add(1)%subs == 0 {
						done <- struct{}{}
					}
				})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(unsub)
			}
			env := websocket.Envelope{Group: topic, Type: websocket.MessageText, Data: []byte("hello, everyone")}
			for b.Loop() {
				if err := bs[0].Publish(ctx, topic, env); err != nil {
					b.Fatal(err)
				}
				<-done
			}
			b.ReportMetric(float64(subs)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
