package nexios

import "sync"

// State holds values shared by every request of an app, such as a database
// handle set at start-up. It is safe for concurrent use.
type State struct {
	mu     sync.RWMutex
	values map[string]any
}

// Set stores v under key.
func (s *State) Set(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = make(map[string]any)
	}
	s.values[key] = v
}

// Get returns the value under key.
func (s *State) Get(key string) (any, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.values[key]
	return v, ok
}

// Delete removes key.
func (s *State) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, key)
}

// StateValue returns the state value under key as a T, reporting false when
// it is absent or of another type.
func StateValue[T any](s *State, key string) (T, bool) {
	v, _ := s.Get(key)
	t, ok := v.(T)
	return t, ok
}
