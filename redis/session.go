package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/session"
)

// SessionConfig configures a SessionStore.
type SessionConfig struct {
	// Prefix is put before every session id to make its key. Default
	// "nexios:session:".
	Prefix string
}

// SessionStore is a session.Store on Redis: one string key per session
// holding the record as JSON, with the session's TTL as the key's expiry,
// so Redis forgets sessions by itself.
//
// Saving under an existing token is a compare-and-set: SET … XX only
// updates a session that still exists, so a request that loaded a session
// before it was deleted (a logout or an id rotation on another instance)
// cannot bring it back; it gets session.ErrNotFound instead. A new
// session's id is created with SET … NX, never overwriting another.
type SessionStore struct {
	rdb    goredis.UniversalClient
	prefix string
}

var _ session.Store = (*SessionStore)(nil)

// NewSessionStore returns a SessionStore on rdb.
func NewSessionStore(rdb goredis.UniversalClient, cfg SessionConfig) *SessionStore {
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios:session:"
	}
	return &SessionStore{rdb: rdb, prefix: cfg.Prefix}
}

// Load implements session.Store. A token that is not a session id is not
// looked up.
func (s *SessionStore) Load(ctx context.Context, token string) (*session.Record, error) {
	if !session.ValidID(token) {
		return nil, session.ErrNotFound
	}
	data, err := s.rdb.Get(ctx, s.prefix+token).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, session.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redis: loading a session: %w", err)
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
		return "", fmt.Errorf("redis: session ttl %v is not positive", ttl)
	}
	if token != "" && !session.ValidID(token) {
		return "", errors.New("redis: session token is not a session id")
	}
	ttl = max(ttl.Round(time.Millisecond), time.Millisecond)
	if token != "" {
		rec.ID = token
		data, err := json.Marshal(rec)
		if err != nil {
			return "", fmt.Errorf("redis: encoding a session: %w", err)
		}
		ok, err := s.rdb.SetXX(ctx, s.prefix+token, data, ttl).Result()
		if err != nil {
			return "", fmt.Errorf("redis: saving a session: %w", err)
		}
		if !ok {
			return "", session.ErrNotFound
		}
		return token, nil
	}
	for range 3 { // a collision of 256-bit ids does not happen; a bug might
		rec.ID = session.NewID()
		data, err := json.Marshal(rec)
		if err != nil {
			return "", fmt.Errorf("redis: encoding a session: %w", err)
		}
		ok, err := s.rdb.SetNX(ctx, s.prefix+rec.ID, data, ttl).Result()
		if err != nil {
			return "", fmt.Errorf("redis: saving a session: %w", err)
		}
		if ok {
			return rec.ID, nil
		}
	}
	return "", errors.New("redis: could not create a unique session id")
}

// Delete implements session.Store.
func (s *SessionStore) Delete(ctx context.Context, token string) error {
	if !session.ValidID(token) {
		return nil
	}
	if err := s.rdb.Del(ctx, s.prefix+token).Err(); err != nil {
		return fmt.Errorf("redis: deleting a session: %w", err)
	}
	return nil
}
