package mail

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DefaultCapacity is how many messages a Memory keeps by default.
const DefaultCapacity = 500

// Memory is a Sender that keeps messages instead of sending them: the
// outbox of tests (see package mailtest) and the store of the development
// inbox (NewInbox). It validates and builds each message exactly as SMTP
// would, so an invalid address fails here too and the kept bytes are what
// a server would receive. It keeps the newest Capacity messages. It is
// safe for concurrent use.
type Memory struct {
	from     string
	capacity int
	now      func() time.Time

	mu      sync.Mutex
	seq     uint64
	sent    []*Sent       // oldest first
	changed chan struct{} // closed and replaced on every change
	failure error
}

// Sent is a message kept by a Memory.
type Sent struct {
	// ID identifies the message in the Memory ("1", "2", ...).
	ID string
	// Message is a copy of what was passed to Send, with From filled in
	// from the default.
	Message Message
	// Envelope is the built message: envelope and RFC 5322 bytes.
	Envelope *Envelope
}

// MemoryOption configures a Memory.
type MemoryOption func(*Memory)

// WithCapacity keeps the newest n messages (n > 0); the default is
// DefaultCapacity.
func WithCapacity(n int) MemoryOption {
	return func(m *Memory) {
		if n > 0 {
			m.capacity = n
		}
	}
}

// WithDefaultFrom sets the From of messages that have none.
func WithDefaultFrom(addr string) MemoryOption {
	return func(m *Memory) { m.from = addr }
}

// NewMemory returns an empty Memory.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{capacity: DefaultCapacity, now: time.Now, changed: make(chan struct{})}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Send implements Sender: it validates, builds and keeps msg, or returns
// the error set by FailWith.
func (m *Memory) Send(ctx context.Context, msg *Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	failure := m.failure
	m.mu.Unlock()
	if failure != nil {
		return failure
	}
	env, err := msg.Build(m.from, m.now())
	if err != nil {
		return err
	}
	kept := *msg
	if kept.From == "" {
		kept.From = m.from
	}
	// A deep copy: the caller may reuse its message and buffers.
	kept.To, kept.Cc, kept.Bcc = slices.Clone(msg.To), slices.Clone(msg.Cc), slices.Clone(msg.Bcc)
	kept.Headers = maps.Clone(msg.Headers)
	kept.Attachments = slices.Clone(msg.Attachments)
	for i := range kept.Attachments {
		kept.Attachments[i].Data = bytes.Clone(kept.Attachments[i].Data)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	m.sent = append(m.sent, &Sent{ID: strconv.FormatUint(m.seq, 10), Message: kept, Envelope: env})
	if over := len(m.sent) - m.capacity; over > 0 {
		clear(m.sent[:over])
		m.sent = slices.Delete(m.sent, 0, over)
	}
	m.notify()
	return nil
}

// notify wakes the waiters; m.mu is held.
func (m *Memory) notify() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// FailWith makes every following Send return err (nil restores normal
// sending): to test retries and error paths without a server.
func (m *Memory) FailWith(err error) {
	m.mu.Lock()
	m.failure = err
	m.mu.Unlock()
}

// Messages returns the kept messages, oldest first.
func (m *Memory) Messages() []*Sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// Len returns the number of kept messages.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// Get returns the kept message with id, or nil.
func (m *Memory) Get(id string) *Sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.sent {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Clear forgets every message.
func (m *Memory) Clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.sent)
	m.sent = m.sent[:0]
	m.notify()
}

// From returns the default From address.
func (m *Memory) From() string { return m.from }

// Wait blocks until a kept message satisfies match and returns the first
// such (oldest first), or returns ctx's error: for mail sent
// asynchronously (a background task, a job). Give ctx a deadline.
func (m *Memory) Wait(ctx context.Context, match func(*Sent) bool) (*Sent, error) {
	for {
		m.mu.Lock()
		changed, sent := m.changed, slices.Clone(m.sent)
		m.mu.Unlock()
		for _, s := range sent {
			if match(s) {
				return s, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
