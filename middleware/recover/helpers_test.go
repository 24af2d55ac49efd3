package recover_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"
)

// entry is one captured record, its attributes flattened by key.
type entry struct {
	Level slog.Level
	Msg   string
	Attrs map[string]slog.Value
}

func (e entry) str(key string) string {
	v, ok := e.Attrs[key]
	if !ok {
		return ""
	}
	return v.String()
}

// capture is a slog.Handler that keeps every record. minLevel filters like
// a handler's level option.
type capture struct {
	minLevel slog.Level
	mu       sync.Mutex
	entries  []entry
	notify   chan struct{}
}

func newCapture() *capture {
	return &capture{minLevel: slog.LevelDebug, notify: make(chan struct{}, 1)}
}

func (c *capture) Enabled(_ context.Context, l slog.Level) bool { return l >= c.minLevel }

func (c *capture) Handle(_ context.Context, r slog.Record) error {
	e := entry{Level: r.Level, Msg: r.Message, Attrs: map[string]slog.Value{}}
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

func (c *capture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *capture) WithGroup(string) slog.Handler      { return c }

// byMsg returns the records with message msg.
func (c *capture) byMsg(msg string) []entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []entry
	for _, e := range c.entries {
		if e.Msg == msg {
			out = append(out, e)
		}
	}
	return out
}

// waitFor waits until a record with message msg exists and returns the
// last one (access records may be written after the client read the body).
func (c *capture) waitFor(t *testing.T, msg string) entry {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if es := c.byMsg(msg); len(es) > 0 {
			return es[len(es)-1]
		}
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatalf("no %q record", msg)
		}
	}
}

// nopWriter is a ResponseWriter that keeps nothing, so benchmarks and
// allocation tests measure the framework alone.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

// catch runs f and returns what it panicked with. It lives in a file that
// does not import the recover package, which would shadow the builtin.
func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
