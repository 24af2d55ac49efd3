package jobs_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/jobs"
)

// benchDB returns a database of the dialect with River's tables: a SQLite
// file (WAL, as an app runs it) or a fresh PostgreSQL database.
func benchDB(b *testing.B, dialect db.Dialect) *db.DB {
	b.Helper()
	var d *db.DB
	if dialect == db.SQLite {
		var err error
		d, err = db.Open(b.Context(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = d.Close() })
	} else {
		d = dbtest.Postgres(b, nil)
	}
	if err := jobs.Migrate(b.Context(), d); err != nil {
		b.Fatal(err)
	}
	return d
}

func eachBench(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) { fn(b, benchDB(b, dialect)) })
	}
}

// BenchmarkEnqueue inserts one job per operation, in its own transaction.
func BenchmarkEnqueue(b *testing.B) {
	eachBench(b, func(b *testing.B, d *db.DB) {
		c := newClient(b, d, jobs.Config{InsertOnly: true}, nil)
		ctx := b.Context()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := c.Enqueue(ctx, ping{N: i}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEnqueueTx runs one data-layer transaction per operation that
// enqueues a job: the cost of the transactional path, begin and commit
// included.
func BenchmarkEnqueueTx(b *testing.B) {
	eachBench(b, func(b *testing.B, d *db.DB) {
		c := newClient(b, d, jobs.Config{InsertOnly: true}, nil)
		ctx := b.Context()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			err := d.Tx(ctx, func(ctx context.Context) error {
				_, err := c.EnqueueTx(ctx, ping{N: i})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkThroughput enqueues b.N jobs from 8 goroutines (requests of a
// web app) while a started client works them (a queue of 50 workers), and
// measures until the last is worked: end-to-end jobs per second.
func BenchmarkThroughput(b *testing.B) {
	eachBench(b, func(b *testing.B, d *db.DB) {
		var worked atomic.Int64
		c := newClient(b, d, jobs.Config{
			Queues:        map[string]int{"default": 50},
			FetchCooldown: time.Millisecond,
			PollInterval:  50 * time.Millisecond,
		}, func(c *jobs.Client) {
			check(b, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				worked.Add(1)
				return nil
			}))
		})
		start(b, c)
		ctx := b.Context()
		b.ResetTimer()
		begun := time.Now()
		n := int64(b.N)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for i := next.Add(1); i <= n; i = next.Add(1) {
					if _, err := c.Enqueue(ctx, ping{N: int(i)}); err != nil {
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
}
