package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
)

// WorkFunc works one job. Returning nil completes it; an error fails the
// attempt and the job is retried with backoff until its attempts run out
// (then it is discarded); Permanent(err) cancels it at once; Snooze(d)
// runs it again after d without counting an attempt. A panic is
// recovered and counts as an error. ctx is cancelled at the job's timeout
// and when the client stops for good.
type WorkFunc[A Args] func(ctx context.Context, job *Job[A]) error

// Registry is where workers are registered: *Client and *Memory.
type Registry interface {
	register(w *worker) error
}

// worker is a registered worker, without its type parameter.
type worker struct {
	kind    string
	timeout time.Duration
	backoff func(failures int) time.Duration
	// work decodes info.RawArgs and calls the WorkFunc.
	work func(ctx context.Context, info Info) error
}

// WorkerOption configures one worker.
type WorkerOption func(*worker)

// Timeout bounds each attempt of the worker's jobs (default
// Config.JobTimeout); -1 means no limit. The job's context is cancelled
// when it passes.
func Timeout(d time.Duration) WorkerOption {
	return func(w *worker) { w.timeout = d }
}

// Backoff sets how long the worker's failed jobs wait before their next
// attempt, given the number of failed attempts so far (1 after the
// first). The default is Config.Backoff.
func Backoff(fn func(failures int) time.Duration) WorkerOption {
	return func(w *worker) { w.backoff = fn }
}

// DefaultBackoff is the default wait before a retry: failures⁴ seconds
// (1s, 16s, 81s, 4m16s, 10m25s, ...; 25 attempts span about three weeks).
// The River client adds ±10% of jitter so that jobs that failed together
// do not retry together.
func DefaultBackoff(failures int) time.Duration {
	s := math.Pow(float64(max(failures, 1)), 4)
	if s >= math.MaxInt64/float64(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}

// Register makes fn the worker of A's kind on r (a *Client or a *Memory).
// Register every worker before the client is used (ErrInUse after); one
// worker per kind (ErrRegistered).
//
// A is decoded from the job's JSON for every attempt. Arguments that no
// longer decode into A (a field whose type changed between releases) are a
// permanent failure: the job is cancelled with an error matching
// ErrDecode, never retried. A must be a value type (a struct), whose zero
// value gives the kind.
func Register[A Args](r Registry, fn WorkFunc[A], opts ...WorkerOption) error {
	if fn == nil {
		return errors.New("jobs: Register: nil WorkFunc")
	}
	var zero A
	if t := reflect.TypeFor[A](); t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
		return fmt.Errorf("jobs: Register: args type %s: want a value type, whose zero value names the kind", t)
	}
	kind := zero.Kind()
	if kind == "" {
		return fmt.Errorf("jobs: Register: %T has an empty Kind", zero)
	}
	w := &worker{kind: kind}
	for _, o := range opts {
		o(w)
	}
	w.work = func(ctx context.Context, info Info) error {
		var args A
		if err := json.Unmarshal(info.RawArgs, &args); err != nil {
			return Permanent(&DecodeError{ID: info.ID, Kind: info.Kind, Err: err})
		}
		return fn(ctx, &Job[A]{Info: info, Args: args})
	}
	return r.register(w)
}

// DecodeError is the error of a job whose arguments do not decode into
// its worker's type. It matches ErrDecode.
type DecodeError struct {
	ID   int64
	Kind string
	Err  error
}

// Error says which job does not decode and why.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("jobs: arguments of %s job %d do not decode: %v", e.Kind, e.ID, e.Err)
}

// Unwrap returns the JSON error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrDecode.
func (e *DecodeError) Is(target error) bool { return target == ErrDecode }

// PermanentError is a failure that another attempt would not fix; see
// Permanent.
type PermanentError struct{ Err error }

// Permanent marks err as permanent: returned by a worker, the job is
// cancelled (a dead letter, kept with its error for inspection and Retry)
// instead of retried. An invalid e-mail address, arguments that make no
// sense, a resource that is gone.
func Permanent(err error) error {
	if err == nil {
		err = errors.New("jobs: permanent failure")
	}
	return &PermanentError{Err: err}
}

// Error is the wrapped error's message.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the error.
func (e *PermanentError) Unwrap() error { return e.Err }

// SnoozeError asks for the job to run again later; see Snooze.
type SnoozeError struct{ Delay time.Duration }

// Snooze, returned by a worker, runs the job again after d without
// counting an attempt: for work that is not ready yet (a rate limit, data
// still arriving).
func Snooze(d time.Duration) error {
	return &SnoozeError{Delay: max(d, 0)}
}

// Error says for how long.
func (e *SnoozeError) Error() string { return fmt.Sprintf("jobs: snoozed for %s", e.Delay) }
