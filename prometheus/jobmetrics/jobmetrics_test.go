package jobmetrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/nexios-go/nexios/prometheus/jobmetrics"
)

// TestOutcomes drives the middleware as River does, with each way a job
// can end.
func TestOutcomes(t *testing.T) {
	t.Parallel()
	reg := prom.NewRegistry()
	m, err := jobmetrics.New(reg, jobmetrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job := func(attempt int) *rivertype.JobRow {
		return &rivertype.JobRow{Kind: "mail", Queue: "default", Attempt: attempt, ScheduledAt: time.Now().Add(-2 * time.Second)}
	}
	work := func(attempt int, err error) {
		_ = m.Work(ctx, job(attempt), func(context.Context) error { return err })
	}
	work(1, nil)
	work(1, errors.New("smtp down"))
	work(2, river.JobCancel(errors.New("bad address")))
	work(3, river.JobSnooze(time.Minute))
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
		}()
		_ = m.Work(ctx, job(4), func(context.Context) error { panic("boom") })
	}()

	expect := map[string]float64{
		jobmetrics.OutcomeOK: 1, jobmetrics.OutcomeError: 1, jobmetrics.OutcomeCancel: 1,
		jobmetrics.OutcomeSnooze: 1, jobmetrics.OutcomePanic: 1,
	}
	worked, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range worked {
		if mf.GetName() != "jobs_worked_total" {
			continue
		}
		for _, s := range mf.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "outcome" {
					got[l.GetValue()] = s.GetCounter().GetValue()
				}
			}
		}
	}
	for k, v := range expect {
		if got[k] != v {
			t.Errorf("outcome %s: %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	if n := testutil.CollectAndCount(reg, "jobs_retries_total"); n != 1 {
		t.Errorf("retries series: %d", n)
	}
	// Three attempts after the first (2, 3, 4).
	if v := counter(t, reg, "jobs_retries_total"); v != 3 {
		t.Errorf("retries %v, want 3", v)
	}
	// Queue wait: every job had waited about two seconds.
	if n := testutil.CollectAndCount(reg, "jobs_queue_wait_seconds"); n != 1 {
		t.Errorf("wait series: %d", n)
	}
	if _, err := jobmetrics.New(reg, jobmetrics.Config{}); err == nil {
		t.Error("registering twice on one registry succeeded")
	}
}

// counter returns the value of the only series of a counter family.
func counter(t *testing.T, reg *prom.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return -1
}

func TestInsertCountsUniqueSkipsOut(t *testing.T) {
	t.Parallel()
	reg := prom.NewRegistry()
	m, err := jobmetrics.New(reg, jobmetrics.Config{Namespace: "app"})
	if err != nil {
		t.Fatal(err)
	}
	row := &rivertype.JobRow{Kind: "mail", Queue: "default"}
	_, err = m.InsertMany(context.Background(), nil, func(context.Context) ([]*rivertype.JobInsertResult, error) {
		return []*rivertype.JobInsertResult{{Job: row}, {Job: row, UniqueSkippedAsDuplicate: true}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := counter(t, reg, "app_jobs_enqueued_total"); v != 1 {
		t.Errorf("app_jobs_enqueued_total = %v, want 1", v)
	}
}
