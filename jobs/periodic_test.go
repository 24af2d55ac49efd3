package jobs_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
)

type tick struct{}

func (tick) Kind() string { return "tick" }

// TestPeriodicOncePerTickAcrossInstances runs three clients on one
// PostgreSQL database with a job every second, then stops the leader
// half-way so another takes over: every tick is enqueued and worked
// exactly once, by whichever client.
func TestPeriodicOncePerTickAcrossInstances(t *testing.T) {
	t.Parallel()
	d := openDB(t, db.Postgres)
	const every = time.Second

	var mu sync.Mutex
	worked := map[int64]int{}    // job ID → times worked
	ticks := map[time.Time]int{} // scheduled tick → jobs
	clients := make([]*jobs.Client, 3)
	for i := range clients {
		clients[i] = newClient(t, d, jobs.Config{
			Periodic: []jobs.Periodic{{Every: every, Args: func() jobs.Args { return tick{} }}},
		}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[tick]) error {
				mu.Lock()
				defer mu.Unlock()
				worked[j.ID]++
				ticks[j.ScheduledAt.Truncate(every)]++
				return nil
			}))
		})
	}
	// The first client starts alone, so it leads.
	start(t, clients[0])
	waitTicks := func(n int) {
		t.Helper()
		deadline := time.Now().Add(time.Duration(n+10) * every)
		for {
			mu.Lock()
			got := len(worked)
			mu.Unlock()
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d ticks worked, want %d", got, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitTicks(1)
	start(t, clients[1])
	start(t, clients[2])
	waitTicks(3)
	// The leader resigns; one of the others is elected and carries on.
	stopCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	check(t, clients[0].Stop(stopCtx))
	resigned := time.Now()
	waitTicks(6)
	t.Logf("a new leader enqueued ticks %s after the old one resigned", time.Since(resigned).Round(100*time.Millisecond))
	for _, c := range clients[1:] {
		check(t, c.Stop(stopCtx))
	}

	mu.Lock()
	defer mu.Unlock()
	for id, n := range worked {
		if n != 1 {
			t.Errorf("job %d worked %d times", id, n)
		}
	}
	var at []time.Time
	for tk, n := range ticks {
		if n != 1 {
			t.Errorf("tick %s enqueued %d times, want once", tk.Format(time.StampMilli), n)
		}
		at = append(at, tk)
	}
	slices.SortFunc(at, time.Time.Compare)
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < every {
			t.Errorf("ticks %s and %s are %s apart, want at least %s", at[i-1].Format(time.StampMilli), at[i].Format(time.StampMilli), gap, every)
		}
	}
	stored := must[[]*jobs.Info](t)(clients[1].List(context.Background(), jobs.Filter{Kinds: []string{"tick"}}))
	if len(stored) != len(worked) {
		t.Errorf("%d tick jobs stored, %d worked", len(stored), len(worked))
	}
}
