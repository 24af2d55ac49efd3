package stores

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/middleware/ratelimit"
)

// Clock selects whose time a RateLimitStore counts with on PostgreSQL.
type Clock uint8

const (
	// ServerClock uses the PostgreSQL server's clock, read once the key's
	// row is locked: every instance counts with one clock, whatever their
	// own say. The default. (SQLite is in the process: it always counts
	// with the time passed to Take.)
	ServerClock Clock = iota
	// CallerClock uses the time passed to Take (the Limiter's Now), for
	// tests with a fake clock. Instances must then keep their clocks in
	// step.
	CallerClock
)

// RateLimitConfig configures a RateLimitStore.
type RateLimitConfig struct {
	// Clock selects the time the policies count with on PostgreSQL.
	// Default ServerClock.
	Clock Clock
}

// RateLimitStore is a ratelimit.Store on SQL: one row per key in
// nexios_rate_limits holding the policy's ratelimit.State, and every Take
// one atomic step that applies the policy with the same arithmetic as
// ratelimit.Policy.Apply (and so as the MemoryStore), to the nanosecond:
//
//   - on PostgreSQL one statement, a call of the function
//     nexios_ratelimit_take (PL/pgSQL, created by Migration), which locks
//     the key's row, runs Policy.Apply's arithmetic (numeric where Go uses
//     128-bit products) and writes the new state;
//   - on SQLite one IMMEDIATE transaction on the single writer connection
//     that runs Policy.Apply itself.
//
// Concurrent Takes from any number of instances are serialised on the
// key's row, so a limit of N admits exactly N. A key back at full quota
// is deleted; rows that expire otherwise are ignored at once and deleted
// by a sweep (Sweep, Sweeper).
type RateLimitStore struct {
	base
	clock                    Clock
	take, reset, read, write stmt
}

var _ ratelimit.Store = (*RateLimitStore)(nil)

// NewRateLimitStore returns a RateLimitStore on d, whose tables Migration
// (or Migrate) created.
func NewRateLimitStore(d *db.DB, cfg RateLimitConfig) *RateLimitStore {
	s := &RateLimitStore{base: newBase(d), clock: cfg.Clock}
	s.take = s.prepare(`SELECT r_allowed, r_remaining, r_reset, r_retry
		FROM nexios_ratelimit_take($1, $2::smallint, $3, $4, $5, $6, $7, $8::bigint)`, 8)
	s.reset = s.prepare(`DELETE FROM nexios_rate_limits WHERE key = $1`, 1)
	s.read = s.prepare(`SELECT alg, t, c, p, expires_ns FROM nexios_rate_limits WHERE key = $1`, 1)
	s.write = s.prepare(`INSERT INTO nexios_rate_limits (key, alg, t, c, p, expires_ns) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET alg = excluded.alg, t = excluded.t, c = excluded.c, p = excluded.p,
			expires_ns = excluded.expires_ns`, 6)
	return s
}

// Take implements ratelimit.Store.
func (s *RateLimitStore) Take(ctx context.Context, key string, now time.Time, p ratelimit.Policy, n int) (ratelimit.Result, error) {
	if err := p.Validate(); err != nil {
		return ratelimit.Result{}, err
	}
	capacity := p.Capacity()
	if n < 0 || n > capacity {
		// As Policy.Apply: nothing admitted, nothing changed.
		return ratelimit.Result{Limit: capacity}, nil
	}
	if s.sqlite {
		return s.takeSQLite(ctx, dbKey(key), now, p, n)
	}
	step := max(int64(p.Window)/int64(p.Limit), 1)
	var at any // NULL: the server's clock
	if s.clock == CallerClock {
		at = now.UnixNano()
	}
	var r ratelimit.Result
	var remaining, reset, retry int64
	err := s.conn(ctx, true).QueryRowContext(ctx, s.take.text,
		dbKey(key), int16(p.Algorithm), int64(p.Limit), int64(p.Window), step, int64(capacity)*step, int64(n), at).
		Scan(&r.Allowed, &remaining, &reset, &retry)
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("stores: rate limit: %w", err)
	}
	r.Limit, r.Remaining, r.Reset, r.RetryAfter = capacity, int(remaining), time.Duration(reset), time.Duration(retry)
	return r, nil
}

// takeSQLite runs Policy.Apply in a write transaction: on SQLite writes
// are serialised (one writer connection, BEGIN IMMEDIATE across
// processes), so the read, the arithmetic and the write are one step.
func (s *RateLimitStore) takeSQLite(ctx context.Context, key []byte, now time.Time, p ratelimit.Policy, n int) (ratelimit.Result, error) {
	var res ratelimit.Result
	err := s.d.Tx(ctx, func(ctx context.Context) error {
		tx := s.conn(ctx, true)
		var st ratelimit.State
		var alg, expires int64
		err := tx.QueryRowContext(ctx, s.read.text, key).Scan(&alg, &st.Time, &st.Count, &st.Prev, &expires)
		present := err == nil
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = nil
		case err != nil:
			return err
		case expires <= now.UnixNano() || ratelimit.Algorithm(alg) != p.Algorithm:
			st = ratelimit.State{} // expired, or written by another algorithm
		}
		var next ratelimit.State
		next, res = p.Apply(st, now, n)
		switch {
		case res.Reset <= 0:
			if present {
				_, err = tx.ExecContext(ctx, s.reset.text, key) // back at full quota: same as absent
			}
		default:
			_, err = tx.ExecContext(ctx, s.write.text, key, int64(p.Algorithm), next.Time, next.Count, next.Prev,
				now.UnixNano()+int64(res.Reset))
		}
		return err
	})
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("stores: rate limit: %w", err)
	}
	return res, nil
}

// Reset implements ratelimit.Store.
func (s *RateLimitStore) Reset(ctx context.Context, key string) error {
	if _, err := s.conn(ctx, true).ExecContext(ctx, s.reset.text, s.reset.args(dbKey(key))...); err != nil {
		return fmt.Errorf("stores: rate limit reset: %w", err)
	}
	return nil
}
