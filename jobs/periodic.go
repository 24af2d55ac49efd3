package jobs

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// Schedule gives the next tick of a periodic job after a time: a cron
// expression's parser (robfig/cron's Schedule) fits.
type Schedule interface {
	Next(time.Time) time.Time
}

// Periodic is a job enqueued on a schedule. Only the elected leader among
// the clients sharing the database enqueues it, so it runs once per tick
// however many instances run; when the leader stops or dies another takes
// over (within seconds to a quarter of a minute) and restarts the
// schedule from its own clock.
//
//	jobs.Periodic{Every: time.Hour, Args: func() jobs.Args { return PruneSessions{} }}
type Periodic struct {
	// Every is the interval between ticks (at least a second). A job of
	// an Every schedule is also unique per interval (by kind and
	// arguments, periods aligned on the Unix epoch), so two leaders
	// overlapping during a fail-over cannot enqueue one tick twice.
	Every time.Duration
	// Schedule, instead of Every, gives the ticks.
	Schedule Schedule
	// Args returns the job of a tick; nil skips the tick. It must not
	// block.
	Args func() Args
	// Options for the enqueued jobs (queue, priority, max attempts, ...).
	Options []Option
	// RunOnStart also enqueues a job when a client becomes leader: a
	// hedge for long intervals that a restart would otherwise push back.
	RunOnStart bool
}

func (p Periodic) validate() error {
	switch {
	case p.Args == nil:
		return errors.New("no Args function")
	case p.Every != 0 && p.Schedule != nil:
		return errors.New("both Every and Schedule are set")
	case p.Every == 0 && p.Schedule == nil:
		return errors.New("neither Every nor Schedule is set")
	case p.Schedule == nil && p.Every < time.Second:
		return fmt.Errorf("interval %s: want at least a second", p.Every)
	}
	_, err := collect(p.Options)
	return err
}

// river converts p to River's periodic job.
func (p Periodic) river(logger *slog.Logger) *river.PeriodicJob {
	schedule := p.Schedule
	opts := p.Options
	if schedule == nil {
		schedule = river.PeriodicInterval(p.Every)
		o, _ := collect(opts) // validated
		if o.unique == nil {
			opts = append(opts[:len(opts):len(opts)], Unique(Uniqueness{ByArgs: true, ByPeriod: p.Every}))
		}
	}
	construct := func() (river.JobArgs, *river.InsertOpts) {
		args := p.Args()
		if args == nil {
			return nil, nil
		}
		ro, err := riverOptions(args, opts)
		if err != nil {
			logger.Error("jobs: periodic job skipped", "kind", args.Kind(), "error", err)
			return nil, nil
		}
		return args, ro
	}
	return river.NewPeriodicJob(schedule, construct, &river.PeriodicJobOpts{RunOnStart: p.RunOnStart})
}
