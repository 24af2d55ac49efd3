package stores_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/websocket"
)

// Rate-limit decisions per second on each database, 16 requests in flight
// per core and a key per goroutine, as bench/redisbench measures Redis.
// On PostgreSQL each Take is one call of nexios_ratelimit_take on the
// server's clock; on a SQLite file one write transaction.
func BenchmarkTake(b *testing.B) {
	for _, kind := range []string{"postgres", "sqlite-file"} {
		b.Run(kind, func(b *testing.B) {
			d := open(b, kind)
			store := stores.NewRateLimitStore(d, stores.RateLimitConfig{})
			for _, alg := range []ratelimit.Algorithm{ratelimit.TokenBucket, ratelimit.SlidingWindow, ratelimit.FixedWindow} {
				p := ratelimit.Policy{Algorithm: alg, Limit: 1 << 30, Window: time.Minute}
				b.Run(alg.String(), func(b *testing.B) {
					var n atomic.Int64
					b.SetParallelism(16)
					b.RunParallel(func(pb *testing.PB) {
						key := fmt.Sprint(alg, "-", n.Add(1))
						for pb.Next() {
							if _, err := store.Take(context.Background(), key, time.Now(), p, 1); err != nil {
								b.Error(err)
								return
							}
						}
					})
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "takes/s")
				})
			}
		})
	}
}

// Session round trips, one goroutine: Load (one SELECT) and Save of an
// existing session (one UPDATE, the compare-and-set).
func BenchmarkSession(b *testing.B) {
	for _, kind := range []string{"postgres", "sqlite-file"} {
		b.Run(kind, func(b *testing.B) {
			s := stores.NewSessionStore(open(b, kind))
			rec := &session.Record{Values: map[string]any{"user_id": 42, "name": "ada", "cart": []int{1, 2, 3}},
				CreatedAt: time.Now(), LastSeen: time.Now()}
			tok, err := s.Save(context.Background(), "", rec, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("Load", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Load(context.Background(), tok); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Save", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Save(context.Background(), tok, rec, time.Hour); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// One message to 10,000 subscribers of a topic, spread over 1 or 3
// brokers (instances) on PostgreSQL: the time from Publish until every
// subscriber has it.
func BenchmarkBrokerFanOut(b *testing.B) {
	for _, instances := range []int{1, 3} {
		b.Run(fmt.Sprintf("10k-subscribers-%d-instances", instances), func(b *testing.B) {
			const subs = 10_000
			_, ds := postgresURLs(b, instances)
			bs := make([]*stores.Broker, instances)
			for i := range bs {
				br, err := stores.NewBroker(context.Background(), ds[i], stores.BrokerConfig{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = br.Close() })
				bs[i] = br
			}
			var got atomic.Int64
			done := make(chan struct{}, 1)
			for i := range subs {
				unsub, err := bs[i%instances].Subscribe(context.Background(), "room", func(websocket.Envelope) {
					if got.Add(1)%subs == 0 {
						done <- struct{}{}
					}
				})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(unsub)
			}
			env := websocket.Envelope{Group: "room", Type: websocket.MessageText, Data: []byte("hello, everyone")}
			for b.Loop() {
				if err := bs[0].Publish(context.Background(), "room", env); err != nil {
					b.Fatal(err)
				}
				<-done
			}
			b.ReportMetric(float64(subs)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
