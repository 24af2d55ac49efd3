package jobs

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Option sets how one job is enqueued.
type Option func(*insertOptions)

// insertOptions are the options of one Enqueue. Zero fields take the
// defaults: the args' own InsertOpts (River's JobArgsWithInsertOpts), then
// the client's.
type insertOptions struct {
	queue       string
	priority    int
	maxAttempts int
	at          time.Time
	delay       time.Duration
	tags        []string
	unique      *Uniqueness
	err         error
}

// Queue puts the job in the named queue (default "default"). A client
// works the queues of its Config.Queues.
func Queue(name string) Option {
	return func(o *insertOptions) {
		if err := validName("queue", name); err != nil {
			o.err = err
		}
		o.queue = name
	}
}

// Priority orders jobs of a queue: 1 runs first, 4 last (default 1).
func Priority(p int) Option {
	return func(o *insertOptions) {
		if p < 1 || p > 4 {
			o.err = fmt.Errorf("jobs: priority %d out of range 1 (first) to 4 (last)", p)
		}
		o.priority = p
	}
}

// MaxAttempts bounds the attempts of the job (default Config.MaxAttempts,
// 25): after the last failed one the job is discarded.
func MaxAttempts(n int) Option {
	return func(o *insertOptions) {
		if n < 1 {
			o.err = fmt.Errorf("jobs: max attempts %d: want at least 1", n)
		}
		o.maxAttempts = n
	}
}

// Delay makes the job wait d before its first attempt.
func Delay(d time.Duration) Option {
	return func(o *insertOptions) {
		if d < 0 {
			o.err = fmt.Errorf("jobs: negative delay %s", d)
		}
		o.delay, o.at = d, time.Time{}
	}
}

// At makes the job wait until t before its first attempt (a time in the
// past runs it at once).
func At(t time.Time) Option {
	return func(o *insertOptions) { o.at, o.delay = t, 0 }
}

// Tags labels the job, for List and dashboards. A tag is 3 to 255 word
// characters or dashes.
func Tags(tags ...string) Option {
	return func(o *insertOptions) {
		for _, t := range tags {
			if len(t) > 255 || !tagRE.MatchString(t) {
				o.err = fmt.Errorf("jobs: invalid tag %q: want 3 to 255 letters, digits, _ or -, not starting or ending with -", t)
			}
		}
		o.tags = append([]string(nil), tags...)
	}
}

// Uniqueness says when a job is a duplicate of one already stored. A
// duplicate is not inserted: Enqueue returns the existing job with
// Info.Duplicate set. The job's kind is always part of the comparison.
type Uniqueness struct {
	// ByArgs compares the arguments (their JSON encoding).
	ByArgs bool
	// ByPeriod allows one job per period (at least a second): periods
	// are aligned on multiples of it since the Unix epoch, and a job
	// falls in the period of its scheduled time.
	ByPeriod time.Duration
	// ByQueue compares the queue.
	ByQueue bool
	// ByState lists the states in which an existing job counts (default:
	// every state but Cancelled and Discarded, so a dead letter does not
	// block a new job). It must include Available, Pending, Running and
	// Scheduled.
	ByState []State
}

// Unique makes the job unique: it is not inserted when a job of its kind
// that matches u already exists.
//
//	c.Enqueue(ctx, Digest{UserID: 7}, jobs.Unique(jobs.Uniqueness{ByArgs: true, ByPeriod: time.Hour}))
func Unique(u Uniqueness) Option {
	return func(o *insertOptions) {
		if err := u.validate(); err != nil {
			o.err = err
		}
		o.unique = &u
	}
}

// requiredUniqueStates must be in every Uniqueness.ByState (River's
// unique index relies on it).
var requiredUniqueStates = [...]State{Available, Pending, Running, Scheduled}

func (u Uniqueness) validate() error {
	if !u.ByArgs && u.ByPeriod == 0 && !u.ByQueue && u.ByState == nil {
		return fmt.Errorf("jobs: Unique needs ByArgs, ByPeriod, ByQueue or ByState")
	}
	if u.ByPeriod != 0 && u.ByPeriod < time.Second {
		return fmt.Errorf("jobs: unique period %s: want at least a second", u.ByPeriod)
	}
	for _, s := range u.ByState {
		if !slices.Contains(States(), s) {
			return fmt.Errorf("jobs: unique state %q is not a state", s)
		}
	}
	if len(u.ByState) > 0 {
		for _, s := range requiredUniqueStates {
			if !slices.Contains(u.ByState, s) {
				return fmt.Errorf("jobs: unique states must include %s (and %v)", s, requiredUniqueStates)
			}
		}
	}
	return nil
}

// states returns the states in which an existing job blocks a new one.
func (u Uniqueness) states() []State {
	if len(u.ByState) > 0 {
		return u.ByState
	}
	return []State{Available, Completed, Pending, Retryable, Running, Scheduled}
}

var (
	tagRE  = regexp.MustCompile(`\A[\w][\w\-]+[\w]\z`)
	nameRE = regexp.MustCompile(`\A[a-z0-9]+(?:[_\-]?[a-z0-9]+)*\z`)
)

// validName checks a queue name the way River does.
func validName(what, name string) error {
	if len(name) == 0 || len(name) > 64 || !nameRE.MatchString(name) {
		return fmt.Errorf("jobs: invalid %s name %q: want up to 64 lowercase letters and digits, words separated by _ or -", what, name)
	}
	return nil
}

// collect applies opts.
func collect(opts []Option) (insertOptions, error) {
	var o insertOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o, o.err
}

// scheduledAt is when the job may first run, or the zero time for now.
func (o insertOptions) scheduledAt(now time.Time) time.Time {
	if o.delay > 0 {
		return now.Add(o.delay)
	}
	return o.at
}
