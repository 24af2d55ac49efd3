package stores

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
)

// sweepBatch bounds the rows one DELETE removes, so that a sweep never
// holds a lock (SQLite's single writer, above all) for long.
const sweepBatch = 5000

// Sweep deletes the rows of every store that have expired — sessions,
// revocations, login-throttle windows, rate-limit keys, cache entries and
// (PostgreSQL) broker payloads older than payloadTTL (DefaultPayloadTTL
// when 0) — in batches, and returns how many it deleted. Expired rows are
// ignored by every read the moment they expire, so sweeping only frees
// space: call it from a Sweeper, a cron job or a periodic job, on any
// instance (several at once are fine).
func Sweep(ctx context.Context, d *db.DB, payloadTTL time.Duration) (int64, error) {
	if payloadTTL <= 0 {
		payloadTTL = DefaultPayloadTTL
	}
	b := newBase(d)
	sweeps := []string{
		`DELETE FROM nexios_sessions WHERE id IN
			(SELECT id FROM nexios_sessions WHERE expires_us <= {now} LIMIT %d)`,
		`DELETE FROM nexios_revocations WHERE (kind, value) IN
			(SELECT kind, value FROM nexios_revocations WHERE expires_us <= {now} LIMIT %d)`,
		`DELETE FROM nexios_throttle WHERE key IN
			(SELECT key FROM nexios_throttle WHERE window_end <= {now} LIMIT %d)`,
		`DELETE FROM nexios_rate_limits WHERE key IN
			(SELECT key FROM nexios_rate_limits WHERE expires_ns <= {now} * 1000 LIMIT %d)`,
		`DELETE FROM nexios_cache WHERE key IN
			(SELECT key FROM nexios_cache WHERE expires_us <= {now} LIMIT %d)`,
	}
	if !b.sqlite {
		sweeps = append(sweeps, `DELETE FROM nexios_broker_payloads WHERE id IN
			(SELECT id FROM nexios_broker_payloads WHERE created_at < statement_timestamp() - make_interval(secs => `+
			fmt.Sprint(payloadTTL.Seconds())+`) LIMIT %d)`)
	}
	var total int64
	for _, q := range sweeps {
		st := b.prepare(fmt.Sprintf(q, sweepBatch), 0)
		for {
			res, err := b.conn(ctx, true).ExecContext(ctx, st.text, st.args()...)
			if err != nil {
				return total, fmt.Errorf("stores: sweep: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return total, fmt.Errorf("stores: sweep: %w", err)
			}
			total += n
			if n < sweepBatch {
				break
			}
		}
	}
	return total, nil
}

// SweeperConfig configures a Sweeper.
type SweeperConfig struct {
	// Interval is the time between sweeps. Default 5 minutes.
	Interval time.Duration
	// PayloadTTL is how long the broker's oversized payloads are kept.
	// Default DefaultPayloadTTL.
	PayloadTTL time.Duration
	// Logger receives failed sweeps. Default slog.Default().
	Logger *slog.Logger
}

// Sweeper runs Sweep periodically on one goroutine, from Start (or the
// app's start-up, with Attach) to Stop (or the app's shutdown).
type Sweeper struct {
	d   *db.DB
	cfg SweeperConfig

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewSweeper returns a Sweeper of d's stores; it does nothing until
// started.
func NewSweeper(d *db.DB, cfg SweeperConfig) *Sweeper {
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Sweeper{d: d, cfg: cfg}
}

// Start starts sweeping: at once, then every Interval. Starting a running
// Sweeper does nothing.
func (s *Sweeper) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx, s.done)
}

// Stop stops sweeping and waits for a sweep in progress to end (it is
// cancelled). Stopping a stopped Sweeper does nothing.
func (s *Sweeper) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Attach starts the sweeper when app starts and stops it when app shuts
// down. Attach it after the database (d.Attach(app)), so that it stops
// before the database closes.
func (s *Sweeper) Attach(app *nexios.App) {
	app.OnStartup(func(context.Context) error { s.Start(); return nil })
	app.OnShutdown(func(context.Context) error { s.Stop(); return nil })
}

func (s *Sweeper) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		n, err := Sweep(ctx, s.d, s.cfg.PayloadTTL)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.cfg.Logger.Warn("stores: sweep failed", slog.Any("error", err))
		case n > 0:
			s.cfg.Logger.Debug("stores: swept expired rows", slog.Int64("rows", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
