package devserver

import (
	"context"
	"sync"
)

// phase is where the dev server stands.
type phase int

const (
	building phase = iota // a build or restart is under way: requests wait
	running               // the app serves
	failed                // the build failed: pages show the compiler's output
	crashed               // the app exited or never listened: pages show its output
)

// snapshot is the state at one moment.
type snapshot struct {
	phase  phase
	gen    uint64 // bumped at each change a page must reload for
	output string // the compiler's or the crashed app's output
	target string // the app's address while running
}

// status holds the state and wakes those waiting for it to change.
type status struct {
	mu      sync.Mutex
	cur     snapshot
	changed chan struct{} // closed and replaced at each change
	subs    map[chan uint64]struct{}
}

func newStatus() *status {
	return &status{changed: make(chan struct{}), subs: map[chan uint64]struct{}{}}
}

func (s *status) get() snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// set moves to phase p. Unless p is building, open pages are told to
// reload.
func (s *status) set(p phase, output, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur.phase, s.cur.output, s.cur.target = p, output, target
	if p != building {
		s.bumpLocked()
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// reload tells open pages to reload (a template or static file changed).
func (s *status) reload() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bumpLocked()
}

func (s *status) bumpLocked() {
	s.cur.gen++
	for ch := range s.subs {
		select {
		case ch <- s.cur.gen:
		default: // a reload is pending for it already
		}
	}
}

// settled waits until the phase is not building, or ctx ends.
func (s *status) settled(ctx context.Context) (snapshot, error) {
	for {
		s.mu.Lock()
		cur, changed := s.cur, s.changed
		s.mu.Unlock()
		if cur.phase != building {
			return cur, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return cur, ctx.Err()
		}
	}
}

// subscribe returns a channel that receives the generation at each
// reload, and its cancel function.
func (s *status) subscribe() (<-chan uint64, func()) {
	ch := make(chan uint64, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}
}
