package stores

import (
	"context"
	"fmt"
	"time"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
)

// ThrottleStore is the login throttle's auth.ThrottleStore on SQL: one row
// per key in nexios_throttle (count, window end, window id), and every
// Reserve one INSERT … ON CONFLICT DO UPDATE … RETURNING, so of any number
// of concurrent Reserve calls from any number of instances at most limit
// are counted in a window. Window ids are the window's start in
// microseconds, or the previous id + 1, so they only grow: a Release never
// touches a newer window, even after a Reset. The login throttle fails
// closed: a database error refuses the login with 503.
type ThrottleStore struct {
	base
	reserve, release, reset stmt
}

var _ auth.ThrottleStore = (*ThrottleStore)(nil)

// NewThrottleStore returns a ThrottleStore on d, whose tables Migration
// (or Migrate) created.
func NewThrottleStore(d *db.DB) *ThrottleStore {
	s := &ThrottleStore{base: newBase(d)}
	// In DO UPDATE every r.* is the row before the statement, excluded.*
	// the row a new key would get. $2 is the limit, $3 the window in µs.
	s.reserve = s.prepare(`INSERT INTO nexios_throttle AS r (key, count, window_end, window_id, last_allowed)
		VALUES ($1, CASE WHEN $2::bigint > 0 THEN 1 ELSE 0 END, {now} + $3::bigint, {now}, $2::bigint > 0)
		ON CONFLICT (key) DO UPDATE SET
			window_id = CASE WHEN r.window_end > {now} THEN r.window_id
				WHEN r.window_id >= {now} THEN r.window_id + 1 ELSE {now} END,
			count = CASE WHEN r.window_end <= {now} THEN excluded.count
				WHEN r.count < $2::bigint THEN r.count + 1 ELSE r.count END,
			last_allowed = CASE WHEN r.window_end <= {now} THEN excluded.last_allowed
				ELSE r.count < $2::bigint END,
			window_end = CASE WHEN r.window_end <= {now} THEN excluded.window_end ELSE r.window_end END
		RETURNING last_allowed, window_id, window_end - {now}`, 3)
	s.release = s.prepare(`UPDATE nexios_throttle SET count = count - 1
		WHERE key = $1 AND window_id = $2::bigint AND window_end > {now} AND count > 0`, 2)
	// The window ends now; its id stays, so the next one's is larger.
	s.reset = s.prepare(`UPDATE nexios_throttle SET count = 0, window_end = 0 WHERE key = $1`, 1)
	return s
}

// Reserve implements auth.ThrottleStore.
func (s *ThrottleStore) Reserve(ctx context.Context, key string, limit int, window time.Duration) (auth.ThrottleResult, error) {
	var allowed bool
	var id, left int64
	err := s.conn(ctx, true).QueryRowContext(ctx, s.reserve.text, s.reserve.args(dbKey(key), int64(limit), micros(window))...).
		Scan(&allowed, &id, &left)
	if err != nil {
		return auth.ThrottleResult{}, fmt.Errorf("stores: login throttle: %w", err)
	}
	res := auth.ThrottleResult{Allowed: allowed, WindowID: uint64(id)}
	if !allowed {
		res.RetryAfter = time.Duration(max(left, 1)) * time.Microsecond
	}
	return res, nil
}

// Release implements auth.ThrottleStore.
func (s *ThrottleStore) Release(ctx context.Context, key string, windowID uint64) error {
	if windowID > 1<<63-1 {
		return nil // no window of this store has such an id
	}
	if _, err := s.conn(ctx, true).ExecContext(ctx, s.release.text, s.release.args(dbKey(key), int64(windowID))...); err != nil {
		return fmt.Errorf("stores: login throttle: %w", err)
	}
	return nil
}

// Reset implements auth.ThrottleStore.
func (s *ThrottleStore) Reset(ctx context.Context, key string) error {
	if _, err := s.conn(ctx, true).ExecContext(ctx, s.reset.text, s.reset.args(dbKey(key))...); err != nil {
		return fmt.Errorf("stores: login throttle: %w", err)
	}
	return nil
}
