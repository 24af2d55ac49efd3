package nexios

import (
	"context"
	"sync"
	"time"
)

// taskContext is the context of a response's background tasks: the
// request context's values, none of its cancellation, and a deadline. It
// is one allocation per response; its timer is created only if a task
// waits on Done, so a task that never blocks costs no timer.
type taskContext struct {
	parent   context.Context
	deadline time.Time

	mu    sync.Mutex
	done  chan struct{}
	timer *time.Timer
	err   error
}

func newTaskContext(parent context.Context, deadline time.Time) *taskContext {
	return &taskContext{parent: parent, deadline: deadline}
}

func (c *taskContext) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *taskContext) Value(key any) any { return c.parent.Value(key) }

func (c *taskContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		} else {
			c.timer = time.AfterFunc(time.Until(c.deadline), func() { c.cancel(context.DeadlineExceeded) })
		}
	}
	return c.done
}

func (c *taskContext) Err() error {
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err == nil && !time.Now().Before(c.deadline) {
		c.cancel(context.DeadlineExceeded)
		return context.DeadlineExceeded
	}
	return err
}

func (c *taskContext) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.done != nil {
		close(c.done)
	}
}

// end cancels the context once the response's tasks have returned.
func (c *taskContext) end() { c.cancel(context.Canceled) }

// String names the context in debugging output.
func (c *taskContext) String() string { return "nexios.backgroundTaskContext" }
