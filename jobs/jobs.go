package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Args are a job's arguments: a value that encodes to JSON and names the
// kind of job it is. The kind selects the worker (Register), so it must
// stay the same across releases while jobs of that kind may be queued.
// It is River's JobArgs interface, so River's own options interfaces
// (InsertOpts() river.InsertOpts) work on Args too.
//
//	type WelcomeMail struct {
//		UserID int64 `json:"user_id"`
//	}
//
//	func (WelcomeMail) Kind() string { return "welcome_mail" }
type Args interface {
	Kind() string
}

// State is where a job is in its life.
type State string

// The states of a job. Available, Scheduled, Retryable, Running and
// Pending jobs are still to be worked; Completed, Cancelled and Discarded
// ones are finished (Cancelled and Discarded are the dead letters: a
// permanent failure and attempts exhausted).
const (
	Available State = "available" // waiting for a worker
	Scheduled State = "scheduled" // waiting for its time (Delay, At)
	Running   State = "running"   // being worked
	Retryable State = "retryable" // failed, waiting for its next attempt
	Completed State = "completed" // worked successfully
	Cancelled State = "cancelled" // stopped for good: Permanent error, Cancel, or arguments that no longer decode
	Discarded State = "discarded" // failed on its last attempt
	Pending   State = "pending"   // held back, never worked until moved on (River's pending state)
)

// States lists every state.
func States() []State {
	return []State{Available, Scheduled, Running, Retryable, Completed, Cancelled, Discarded, Pending}
}

// Finished reports whether s is final: Completed, Cancelled or Discarded.
func (s State) Finished() bool { return s == Completed || s == Cancelled || s == Discarded }

// Info describes a job as stored.
type Info struct {
	ID    int64
	Kind  string
	Queue string
	State State
	// Attempt counts the times the job was started (1 while the first
	// attempt runs).
	Attempt     int
	MaxAttempts int
	// Priority is 1 (first) to 4 (last).
	Priority int
	Tags     []string
	// RawArgs are the arguments as stored (JSON).
	RawArgs json.RawMessage
	// Errors lists the failed attempts, oldest first.
	Errors      []AttemptError
	CreatedAt   time.Time
	ScheduledAt time.Time
	// AttemptedAt is when the last attempt started (nil before the first).
	AttemptedAt *time.Time
	// FinalizedAt is when the job reached a final state.
	FinalizedAt *time.Time
	// Duplicate is set by Enqueue when the job was unique (Unique) and an
	// equal one already existed: Info describes that job and nothing was
	// inserted.
	Duplicate bool
}

// AttemptError is the error of one failed attempt.
type AttemptError struct {
	At      time.Time
	Attempt int
	Error   string
	// Trace is the stack of a panic, empty for a returned error.
	Trace string
}

// Job is a job handed to its worker: what is stored (Info) and the
// arguments decoded.
type Job[A Args] struct {
	Info
	Args A
}

// Enqueuer adds jobs. *Client (River) and *Memory (tests) implement it,
// so application code takes an Enqueuer and tests give it a Memory.
type Enqueuer interface {
	// Enqueue adds a job. Inside a transaction of the data layer (ctx
	// from db.Tx) it joins that transaction, as every query under that
	// context does.
	Enqueue(ctx context.Context, args Args, opts ...Option) (*Info, error)
	// EnqueueTx adds a job in the data layer's transaction that ctx
	// carries, and fails with ErrNoTx without one: the job exists only if
	// the transaction commits.
	EnqueueTx(ctx context.Context, args Args, opts ...Option) (*Info, error)
}

// Manager inspects and acts on stored jobs: the API of the command line's
// jobs commands. *Client and *Memory implement it.
type Manager interface {
	// List returns the jobs that match f, newest first.
	List(ctx context.Context, f Filter) ([]*Info, error)
	// Get returns a job, or an error matching ErrNotFound.
	Get(ctx context.Context, id int64) (*Info, error)
	// Retry makes a job available to run again at once (a failed,
	// cancelled, discarded or scheduled one; a completed one runs again
	// too). A running job is left alone.
	Retry(ctx context.Context, id int64) (*Info, error)
	// Cancel stops a job for good. A running job's context is cancelled
	// and, whatever it returns, it is not retried. A finished job is left
	// as it is.
	Cancel(ctx context.Context, id int64) (*Info, error)
}

// Filter selects jobs for List. Zero fields select everything.
type Filter struct {
	States []State
	Kinds  []string
	Queues []string
	// BeforeID lists jobs with an ID below it: the next page after a page
	// whose last (oldest) job had that ID.
	BeforeID int64
	// Limit is the page size (default 100, at most 10000).
	Limit int
}

// Errors of the package, matched with errors.Is.
var (
	// ErrNoTx is returned by EnqueueTx when ctx carries no transaction of
	// the client's database.
	ErrNoTx = errors.New("jobs: EnqueueTx needs the context of a transaction of the client's database (db.Tx)")
	// ErrNotFound is returned for a job ID that does not exist.
	ErrNotFound = errors.New("jobs: job not found")
	// ErrRegistered is returned by Register for a kind that already has a
	// worker.
	ErrRegistered = errors.New("jobs: a worker for this kind is already registered")
	// ErrInUse is returned by Register once the client has been used
	// (started, or a job enqueued or listed): workers are registered first.
	ErrInUse = errors.New("jobs: register workers before the client is used")
	// ErrInsertOnly is returned by Start and Run on an insert-only client.
	ErrInsertOnly = errors.New("jobs: an insert-only client does not work jobs")
	// ErrStopped is returned by Start on a client that was stopped: a
	// client starts once.
	ErrStopped = errors.New("jobs: client stopped")
	// ErrDecode matches the error of a job whose arguments no longer
	// decode into the worker's type; such a job is cancelled, not retried.
	ErrDecode = errors.New("jobs: arguments do not decode")
)

// limit returns the effective page size of f.
func (f Filter) limit() int {
	switch {
	case f.Limit <= 0:
		return 100
	case f.Limit > 10000:
		return 10000
	}
	return f.Limit
}
