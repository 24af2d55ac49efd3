// Package jobmetrics exports durable job metrics (package jobs, on River)
// to Prometheus, as River middleware:
//
//	jm := nexios.Must(jobmetrics.New(m.Registry(), jobmetrics.Config{}))
//	c, err := jobs.New(d, jobs.Config{Middleware: []rivertype.Middleware{jm}})
//
// It counts jobs enqueued and worked by kind, queue and outcome, and
// times both the wait from a job's scheduled time to the start of its
// work (queue latency: how far behind the workers are) and the work
// itself. Attempts after the first count as retries.
package jobmetrics

import (
	"context"
	"errors"
	"fmt"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Outcomes of a worked job (the outcome label).
const (
	OutcomeOK     = "ok"
	OutcomeError  = "error"  // failed; retried if attempts remain
	OutcomeCancel = "cancel" // failed permanently (jobs.Permanent, undecodable arguments)
	OutcomeSnooze = "snooze" // postponed (jobs.Snooze)
	OutcomePanic  = "panic"
)

// Config configures the metrics.
type Config struct {
	// Namespace prefixes every metric name (default: none).
	Namespace string
	// Buckets are the buckets of both latency histograms, in seconds
	// (default: 10 ms to 1 hour).
	Buckets []float64
}

// DefaultBuckets span quick jobs and long backlogs.
var DefaultBuckets = []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600}

// Metrics is River middleware (insert and work) that records job metrics.
// Put it in jobs.Config.Middleware.
type Metrics struct {
	river.MiddlewareDefaults

	enqueued *prom.CounterVec
	worked   *prom.CounterVec
	retries  *prom.CounterVec
	running  *prom.GaugeVec
	wait     *prom.HistogramVec
	duration *prom.HistogramVec
}

// New returns the middleware with its metrics registered on reg.
func New(reg prom.Registerer, cfg Config) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("jobmetrics: nil registerer")
	}
	b := cfg.Buckets
	if b == nil {
		b = DefaultBuckets
	}
	ns := cfg.Namespace
	kq := []string{"kind", "queue"}
	m := &Metrics{
		enqueued: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "jobs_enqueued_total",
			Help: "Jobs enqueued, by kind and queue (unique duplicates skipped are not counted)."}, kq),
		worked: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "jobs_worked_total",
			Help: "Job attempts worked, by kind, queue and outcome (ok, error, cancel, snooze, panic)."}, []string{"kind", "queue", "outcome"}),
		retries: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "jobs_retries_total",
			Help: "Job attempts after the first, by kind and queue."}, kq),
		running: prom.NewGaugeVec(prom.GaugeOpts{Namespace: ns, Name: "jobs_running",
			Help: "Jobs being worked by this process, by kind and queue."}, kq),
		wait: prom.NewHistogramVec(prom.HistogramOpts{Namespace: ns, Name: "jobs_queue_wait_seconds",
			Help: "Time from a job's scheduled time (its enqueue, or the end of its backoff) to the start of its work.", Buckets: b}, kq),
		duration: prom.NewHistogramVec(prom.HistogramOpts{Namespace: ns, Name: "jobs_run_duration_seconds",
			Help: "Run time of job attempts, by kind and queue.", Buckets: b}, kq),
	}
	for _, c := range []prom.Collector{m.enqueued, m.worked, m.retries, m.running, m.wait, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("jobmetrics: %w", err)
		}
	}
	return m, nil
}

// InsertMany implements rivertype.JobInsertMiddleware.
func (m *Metrics) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	res, err := doInner(ctx)
	if err != nil {
		return res, err
	}
	for _, r := range res {
		if r != nil && r.Job != nil && !r.UniqueSkippedAsDuplicate {
			m.enqueued.WithLabelValues(r.Job.Kind, r.Job.Queue).Inc()
		}
	}
	return res, err
}

// Work implements rivertype.WorkerMiddleware.
func (m *Metrics) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	start := time.Now()
	kind, queue := job.Kind, job.Queue
	if wait := start.Sub(job.ScheduledAt); wait >= 0 {
		m.wait.WithLabelValues(kind, queue).Observe(wait.Seconds())
	}
	if job.Attempt > 1 {
		m.retries.WithLabelValues(kind, queue).Inc()
	}
	running := m.running.WithLabelValues(kind, queue)
	running.Inc()
	panicked := true
	defer func() {
		running.Dec()
		m.duration.WithLabelValues(kind, queue).Observe(time.Since(start).Seconds())
		m.worked.WithLabelValues(kind, queue, outcome(err, panicked)).Inc()
	}()
	err = doInner(ctx)
	panicked = false
	return err
}

func outcome(err error, panicked bool) string {
	var (
		cancel *river.JobCancelError
		snooze *river.JobSnoozeError
	)
	switch {
	case panicked:
		return OutcomePanic
	case err == nil:
		return OutcomeOK
	case errors.As(err, &cancel):
		return OutcomeCancel
	case errors.As(err, &snooze):
		return OutcomeSnooze
	}
	return OutcomeError
}
