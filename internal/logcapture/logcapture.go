// Package logcapture is a slog.Handler for tests that keeps every record,
// so tests can assert what middleware logged.
package logcapture

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// Entry is one captured record, its attributes flattened by key.
type Entry struct {
	Level slog.Level
	Msg   string
	Attrs map[string]slog.Value
}

// Str returns the attribute key as a string, or "".
func (e Entry) Str(key string) string {
	v, ok := e.Attrs[key]
	if !ok {
		return ""
	}
	return v.String()
}

// Handler is a slog.Handler that keeps every record. MinLevel filters
// like a handler's level option; set it before logging starts.
type Handler struct {
	MinLevel slog.Level
	mu       sync.Mutex
	entries  []Entry
	notify   chan struct{}
}

// New returns a Handler that keeps records of every level.
func New() *Handler {
	return &Handler{MinLevel: slog.LevelDebug, notify: make(chan struct{}, 1)}
}

// Enabled implements slog.Handler.
func (c *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= c.MinLevel }

// Handle implements slog.Handler.
func (c *Handler) Handle(_ context.Context, r slog.Record) error {
	e := Entry{Level: r.Level, Msg: r.Message, Attrs: map[string]slog.Value{}}
	r.Attrs(func(a slog.Attr) bool {
		e.Attrs[a.Key] = a.Value.Resolve()
		return true
	})
	c.mu.Lock()
	c.entries = append(c.entries, e)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
	return nil
}

// WithAttrs implements slog.Handler (attributes are not kept).
func (c *Handler) WithAttrs([]slog.Attr) slog.Handler { return c }

// WithGroup implements slog.Handler (groups are not kept).
func (c *Handler) WithGroup(string) slog.Handler { return c }

// ByMsg returns the records with message msg.
func (c *Handler) ByMsg(msg string) []Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Entry
	for _, e := range c.entries {
		if e.Msg == msg {
			out = append(out, e)
		}
	}
	return out
}

// WaitFor waits until a record with message msg exists and returns the
// last one (access records may be written after the client read the body).
func (c *Handler) WaitFor(t testing.TB, msg string) Entry {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if es := c.ByMsg(msg); len(es) > 0 {
			return es[len(es)-1]
		}
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatalf("no %q record", msg)
		}
	}
}
