package stores

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/session"
)

// SessionStore is a session.Store on SQL: one row per session in
// nexios_sessions holding the record as JSON and its expiry. Expired rows
// are never loaded nor updated, whether or not a sweep (Sweep, Sweeper)
// has deleted them yet.
//
// Saving under an existing token is a compare-and-set — an UPDATE of a
// live row: a session deleted meanwhile (a logout or an id rotation, on
// any instance) is never brought back by a late request, which gets
// session.ErrNotFound instead. A new session's id is an INSERT that never
// overwrites another.
type SessionStore struct {
	base
	load, update, insert, del stmt
}

var _ session.Store = (*SessionStore)(nil)

// NewSessionStore returns a SessionStore on d, whose tables Migration
// (or Migrate) created.
func NewSessionStore(d *db.DB) *SessionStore {
	s := &SessionStore{base: newBase(d)}
	s.load = s.prepare(`SELECT data FROM nexios_sessions WHERE id = $1 AND expires_us > {now}`, 1)
	s.update = s.prepare(`UPDATE nexios_sessions SET data = $2, expires_us = {now} + $3::bigint
		WHERE id = $1 AND expires_us > {now}`, 3)
	s.insert = s.prepare(`INSERT INTO nexios_sessions (id, data, expires_us) VALUES ($1, $2, {now} + $3::bigint)
		ON CONFLICT (id) DO NOTHING`, 3)
	s.del = s.prepare(`DELETE FROM nexios_sessions WHERE id = $1`, 1)
	return s
}

// Load implements session.Store. A token that is not a session id is not
// looked up.
func (s *SessionStore) Load(ctx context.Context, token string) (*session.Record, error) {
	if !session.ValidID(token) {
		return nil, session.ErrNotFound
	}
	var data []byte
	err := s.conn(ctx, false).QueryRowContext(ctx, s.load.text, s.load.args(token)...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, session.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("stores: loading a session: %w", err)
	}
	rec := new(session.Record)
	if err := json.Unmarshal(data, rec); err != nil {
		// Not something this store wrote: the client gets a new session.
		return nil, session.ErrNotFound
	}
	rec.ID = token
	return rec, nil
}

// Save implements session.Store.
func (s *SessionStore) Save(ctx context.Context, token string, rec *session.Record, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("stores: session ttl %v is not positive", ttl)
	}
	if token != "" && !session.ValidID(token) {
		return "", errors.New("stores: session token is not a session id")
	}
	us := micros(ttl)
	if token != "" {
		rec.ID = token
		data, err := json.Marshal(rec)
		if err != nil {
			return "", fmt.Errorf("stores: encoding a session: %w", err)
		}
		res, err := s.conn(ctx, true).ExecContext(ctx, s.update.text, s.update.args(token, data, us)...)
		if err != nil {
			return "", fmt.Errorf("stores: saving a session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return "", session.ErrNotFound // deleted or expired meanwhile: never resurrected
		}
		return token, nil
	}
	for range 3 { // a collision of 256-bit ids does not happen; a bug might
		rec.ID = session.NewID()
		data, err := json.Marshal(rec)
		if err != nil {
			return "", fmt.Errorf("stores: encoding a session: %w", err)
		}
		res, err := s.conn(ctx, true).ExecContext(ctx, s.insert.text, s.insert.args(rec.ID, data, us)...)
		if err != nil {
			return "", fmt.Errorf("stores: saving a session: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return rec.ID, nil
		}
	}
	return "", errors.New("stores: could not create a unique session id")
}

// Delete implements session.Store.
func (s *SessionStore) Delete(ctx context.Context, token string) error {
	if !session.ValidID(token) {
		return nil
	}
	if _, err := s.conn(ctx, true).ExecContext(ctx, s.del.text, s.del.args(token)...); err != nil {
		return fmt.Errorf("stores: deleting a session: %w", err)
	}
	return nil
}
