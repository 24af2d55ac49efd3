package session

import (
	"encoding/json"
	"maps"
	"math"
	"sync"
	"time"
)

// Session is one client's session data. The session middleware loads it
// before the handler, exposes it as From(req), and saves it after the
// handler when it was modified. Values should survive a
// JSON round trip (stores serialise them): strings, numbers, booleans,
// slices and maps of those.
type Session struct {
	mu         sync.Mutex
	id         string
	values     map[string]any
	createdAt  time.Time
	isNew      bool
	modified   bool
	regenerate bool
	destroyed  bool
}

const flashKey = "_flash"

// newSession builds a session: id (empty for a new session), its values
// (owned by the session from now on) and when it was created.
func newSession(id string, values map[string]any, createdAt time.Time) *Session {
	if values == nil {
		values = make(map[string]any)
	}
	return &Session{id: id, values: values, createdAt: createdAt, isNew: id == ""}
}

// ID returns the session id ("" until a new session is saved).
func (s *Session) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// IsNew reports whether the session was created by this request.
func (s *Session) IsNew() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isNew
}

// CreatedAt returns when the session was created.
func (s *Session) CreatedAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdAt
}

// Get returns the value under key.
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	return v, ok
}

// GetString returns the string under key, or "".
func (s *Session) GetString(key string) string {
	v, _ := s.Get(key)
	str, _ := v.(string)
	return str
}

// GetInt returns the integer under key. Numbers that went through JSON
// (float64, json.Number) are converted when they are whole.
func (s *Session) GetInt(key string) (int, bool) {
	v, _ := s.Get(key)
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int(n), true
		}
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// GetBool returns the boolean under key, or false.
func (s *Session) GetBool(key string) bool {
	v, _ := s.Get(key)
	b, _ := v.(bool)
	return b
}

// Set stores v under key.
func (s *Session) Set(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = v
	s.modified = true
}

// Delete removes key.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.values[key]; ok {
		delete(s.values, key)
		s.modified = true
	}
}

// Clear removes every value, keeping the session.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.values) > 0 {
		clear(s.values)
		s.modified = true
	}
}

// AddFlash queues a message for the next request that reads Flashes.
func (s *Session) AddFlash(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []any
	switch v := s.values[flashKey].(type) {
	case []any:
		list = v
	case []string:
		for _, m := range v {
			list = append(list, m)
		}
	}
	s.values[flashKey] = append(list, msg)
	s.modified = true
}

// Flashes returns and removes the queued flash messages.
func (s *Session) Flashes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.values[flashKey]
	if !ok {
		return nil
	}
	delete(s.values, flashKey)
	s.modified = true
	var out []string
	switch v := raw.(type) {
	case []any:
		for _, m := range v {
			if str, ok := m.(string); ok {
				out = append(out, str)
			}
		}
	case []string:
		out = v
	}
	return out
}

// Regenerate asks for a new session id with the same data, to be issued
// when the response is written. Call it on login, against session
// fixation.
func (s *Session) Regenerate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regenerate, s.modified = true, true
}

// Destroy deletes the session from its store and the client's cookie when
// the response is written. Call it on logout.
func (s *Session) Destroy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.destroyed, s.modified = true, true
	clear(s.values)
}

// snapshot is what the middleware reads back after the handler: the
// values to save and what the handler asked for.
type snapshot struct {
	ID         string
	Values     map[string]any
	CreatedAt  time.Time
	Modified   bool
	Regenerate bool
	Destroyed  bool
}

// snapshot returns the session's state for the middleware.
func (s *Session) snapshot() snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return snapshot{
		ID: s.id, Values: maps.Clone(s.values), CreatedAt: s.createdAt,
		Modified: s.modified, Regenerate: s.regenerate, Destroyed: s.destroyed,
	}
}

// saved records the id the session was saved under and clears the
// modification flags.
func (s *Session) saved(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.id, s.isNew = id, false
	s.modified, s.regenerate = false, false
}

// Modified reports whether the session changed (Set, Delete, Clear,
// flashes, Regenerate, Destroy) since it was loaded or last saved.
func (s *Session) Modified() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modified
}
