package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/nexios-go/nexios/db"
)

// sqlTx is the transaction type of both River drivers used here.
type sqlTx = *sql.Tx

// rawArgs stands for every Args type in River: River registers a worker
// per kind and decodes the job's JSON into the worker's type before
// calling it. Decoding into the real type there would make a job whose
// arguments no longer decode an ordinary error, retried 25 times; the
// worker decodes EncodedArgs itself instead and cancels such a job.
type rawArgs struct{ kind string }

// Kind is the kind the worker was registered for.
func (a rawArgs) Kind() string { return a.kind }

// UnmarshalJSON keeps nothing: the worker reads JobRow.EncodedArgs.
func (*rawArgs) UnmarshalJSON([]byte) error { return nil }

// riverWorker runs a registered worker for River.
type riverWorker struct {
	river.WorkerDefaults[rawArgs]
	w      *worker
	logger *slog.Logger
}

func (rw *riverWorker) Work(ctx context.Context, job *river.Job[rawArgs]) error {
	info := infoFromRow(job.JobRow)
	err := rw.w.work(ctx, info)
	switch o := outcomeOf(ctx, err); o.kind {
	case outcomeDone:
		return nil
	case outcomeSnooze:
		return river.JobSnooze(o.snooze)
	case outcomeCancel:
		logFailure(ctx, rw.logger, info, err, "cancelled, not retried")
		return river.JobCancel(err)
	case outcomeStopped:
		return err // River makes the job available again, attempt not counted
	default:
		if info.Attempt >= info.MaxAttempts {
			logFailure(ctx, rw.logger, info, err, "discarded: that was its last attempt")
		} else {
			logFailure(ctx, rw.logger, info, err, "will retry")
		}
		return err
	}
}

func (rw *riverWorker) Timeout(*river.Job[rawArgs]) time.Duration { return rw.w.timeout }

func (rw *riverWorker) NextRetry(job *river.Job[rawArgs]) time.Time {
	if rw.w.backoff == nil {
		return time.Time{} // the client's policy
	}
	return time.Now().Add(rw.w.backoff(len(job.Errors) + 1))
}

type outcomeKind int

const (
	outcomeDone    outcomeKind = iota
	outcomeRetry               // an error: retry with backoff, or discard after the last attempt
	outcomeCancel              // Permanent (or River's JobCancel): cancelled
	outcomeSnooze              // Snooze: again later, attempt not counted
	outcomeStopped             // the job's context was cancelled (stop, Cancel) and it returned that
)

type outcome struct {
	kind   outcomeKind
	snooze time.Duration
}

// outcomeOf classifies what a worker returned.
func outcomeOf(ctx context.Context, err error) outcome {
	if err == nil {
		return outcome{kind: outcomeDone}
	}
	if se, ok := errors.AsType[*SnoozeError](err); ok {
		return outcome{kind: outcomeSnooze, snooze: se.Delay}
	}
	if _, ok := errors.AsType[*PermanentError](err); ok {
		return outcome{kind: outcomeCancel}
	}
	if _, ok := errors.AsType[*rivertype.JobCancelError](err); ok {
		return outcome{kind: outcomeCancel}
	}
	// The job's context was cancelled (the client stops, or Cancel) and
	// the worker returned that: not a failure of the job.
	if errors.Is(ctx.Err(), context.Canceled) && errors.Is(err, context.Canceled) {
		return outcome{kind: outcomeStopped}
	}
	return outcome{kind: outcomeRetry}
}

func logFailure(ctx context.Context, logger *slog.Logger, info Info, err error, what string) {
	level := slog.LevelWarn
	if what != "will retry" {
		level = slog.LevelError
	}
	logger.Log(ctx, level, "jobs: job failed; "+what,
		"kind", info.Kind, "job_id", info.ID, "attempt", info.Attempt, "max_attempts", info.MaxAttempts,
		"queue", info.Queue, "error", err)
}

// errorHandler cancels a job whose stored arguments are not JSON at all
// (River fails it before the worker runs; retrying cannot help).
type errorHandler struct{ logger *slog.Logger }

func (h *errorHandler) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	if json.Valid(job.EncodedArgs) {
		return nil
	}
	h.logger.ErrorContext(ctx, "jobs: job failed; cancelled, not retried: its stored arguments are not JSON",
		"kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "error", err)
	return &river.ErrorHandlerResult{SetCancelled: true}
}

func (h *errorHandler) HandlePanic(context.Context, *rivertype.JobRow, any, string) *river.ErrorHandlerResult {
	return nil // River logs it; the attempt counts as failed
}

// backoffPolicy is Config.Backoff as River's retry policy.
type backoffPolicy struct {
	fn func(failures int) time.Duration
}

func (p backoffPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p.fn(len(job.Errors) + 1))
}

// riverOptions converts options to River's.
func riverOptions(args Args, opts []Option) (*river.InsertOpts, error) {
	if args == nil {
		return nil, errors.New("jobs: enqueue: nil args")
	}
	o, err := collect(opts)
	if err != nil {
		return nil, err
	}
	ro := &river.InsertOpts{
		Queue:       o.queue,
		Priority:    o.priority,
		MaxAttempts: o.maxAttempts,
		ScheduledAt: o.scheduledAt(time.Now()),
		Tags:        o.tags,
	}
	if u := o.unique; u != nil {
		ro.UniqueOpts = river.UniqueOpts{ByArgs: u.ByArgs, ByPeriod: u.ByPeriod, ByQueue: u.ByQueue}
		for _, s := range u.ByState {
			ro.UniqueOpts.ByState = append(ro.UniqueOpts.ByState, rivertype.JobState(s))
		}
	}
	return ro, nil
}

func infoFromResult(res *rivertype.JobInsertResult) *Info {
	info := infoFromRow(res.Job)
	info.Duplicate = res.UniqueSkippedAsDuplicate
	return &info
}

func infoFromRow(r *rivertype.JobRow) Info {
	info := Info{
		ID: r.ID, Kind: r.Kind, Queue: r.Queue, State: State(r.State),
		Attempt: r.Attempt, MaxAttempts: r.MaxAttempts, Priority: r.Priority,
		Tags: r.Tags, RawArgs: json.RawMessage(r.EncodedArgs),
		CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt,
		AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt,
	}
	for _, e := range r.Errors {
		// River stores a cancelled job's error with the name of its
		// wrapper type in front; the worker's error is what matters.
		msg := strings.TrimPrefix(e.Error, "JobCancelError: ")
		info.Errors = append(info.Errors, AttemptError{At: e.At, Attempt: e.Attempt, Error: msg, Trace: e.Trace})
	}
	return info
}

// driver returns River's driver for the database: riversqlite on
// SQLite; on PostgreSQL riverdatabasesql, with a pgx pool for LISTEN when
// listen is set (see postgresDriver), whose Close Stop calls.
func (c *Client) driver(ctx context.Context, listen bool) (riverdriver.Driver[*sql.Tx], closer, error) {
	switch c.d.Dialect() {
	case db.SQLite:
		return riversqlite.New(c.d.SQL()), nil, nil
	case db.Postgres:
		return postgresDriver(ctx, c.d.SQL(), listen && !c.cfg.PollOnly)
	}
	return nil, nil, fmt.Errorf("jobs: unsupported dialect %q", c.d.Dialect())
}

// closer is what Stop closes after River: the LISTEN pool.
type closer interface{ Close() }
