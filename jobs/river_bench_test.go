package jobs_test

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/nexios-go/nexios/db"
)

// riverPing is BenchmarkRiverDirect's job: River's own API, no facade.
type riverPing struct {
	N int `json:"n"`
}

func (riverPing) Kind() string { return "river_ping" }

// riverDriver is the driver the facade uses, without LISTEN on
// PostgreSQL (the data layer's pool is database/sql): poll only.
func riverDriver(d *db.DB) riverdriver.Driver[*sql.Tx] {
	if d.Dialect() == db.SQLite {
		return riversqlite.New(d.SQL())
	}
	return riverdatabasesql.New(d.SQL())
}

// BenchmarkRiverDirect is the baseline of BenchmarkEnqueue and
// BenchmarkThroughput: the same work through River's own client on the
// same database and hardware, so the facade's cost can be read off.
func BenchmarkRiverDirect(b *testing.B) {
	eachBench(b, func(b *testing.B, d *db.DB) {
		b.Run("enqueue", func(b *testing.B) {
			rc, err := river.NewClient(riverDriver(d), &river.Config{Logger: quiet})
			check(b, err)
			ctx := b.Context()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := rc.Insert(ctx, riverPing{N: i}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("throughput", func(b *testing.B) {
			var worked atomic.Int64
			workers := river.NewWorkers()
			river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[riverPing]) error {
				worked.Add(1)
				return nil
			}))
			rc, err := river.NewClient(riverDriver(d), &river.Config{
				Logger: quiet, Workers: workers,
				Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 50}},
				FetchCooldown: time.Millisecond, FetchPollInterval: 50 * time.Millisecond,
			})
			check(b, err)
			ctx := b.Context()
			check(b, rc.Start(ctx))
			b.Cleanup(func() {
				sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_ = rc.Stop(sctx)
			})
			b.ResetTimer()
			begun := time.Now()
			n := int64(b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for i := next.Add(1); i <= n; i = next.Add(1) {
						if _, err := rc.Insert(ctx, riverPing{N: int(i)}, nil); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			for worked.Load() < n && !b.Failed() {
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()
			b.ReportMetric(float64(n)/time.Since(begun).Seconds(), "jobs/s")
		})
	})
}
