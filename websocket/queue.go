package websocket

import (
	"context"
	"time"

	"github.com/coder/websocket"
)

// queued is a message waiting in a connection's send queue. Its data is
// shared by every receiver of a broadcast and never modified.
type queued struct {
	typ  MessageType
	data []byte
}

// Queue puts msg in the connection's send queue and returns at once; a
// goroutine writes queued messages in order. It is how hubs deliver: a
// slow client fills its own queue, never the sender's time. When the queue
// is full the message is refused with ErrQueueFull, and the connection is
// closed under the Disconnect policy (the default). After Close, Queue
// returns the close error. msg.Data must not be modified afterwards.
func (c *Conn) Queue(msg Message) error {
	return c.enqueue(msg.Type, msg.Data)
}

func (c *Conn) enqueue(typ MessageType, data []byte) error {
	c.mu.Lock()
	if c.localClose != nil { // closing, or dropped
		err := c.localClose
		c.mu.Unlock()
		return err
	}
	if len(c.queue)-c.qhead >= c.cfg.queueSize {
		c.dropped.Add(1)
		if c.cfg.slowPolicy == Disconnect {
			why := &CloseError{Code: ClosePolicyViolation, Reason: "too slow", Err: ErrQueueFull}
			c.localClose = why
			// Dropping the connection may wait on a blocked write: never
			// on the broadcaster's time.
			c.spawnLocked(func() { c.abort(why) })
		}
		c.mu.Unlock()
		return ErrQueueFull
	}
	if c.qhead > 0 && len(c.queue) == cap(c.queue) {
		// Reuse the room of the messages already written.
		n := copy(c.queue, c.queue[c.qhead:])
		clear(c.queue[n:])
		c.queue, c.qhead = c.queue[:n], 0
	}
	c.queue = append(c.queue, queued{typ: typ, data: data})
	if !c.draining && !c.held {
		c.draining = true
		c.wg.Add(1) // c.localClose is nil, so Close has not started waiting
		go c.drainFunc()
	}
	c.mu.Unlock()
	return nil
}

// hold makes queued messages wait until release: the drain goroutine, if
// one runs, stops after the message it is writing.
func (c *Conn) hold() {
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
}

// release ends a hold: the queued messages skip does not reject (all when
// skip is nil) are written, in the order they were queued.
func (c *Conn) release(skip func(Message) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = false
	if skip != nil {
		kept := c.queue[:c.qhead]
		for _, m := range c.queue[c.qhead:] {
			if !skip(Message{Type: m.typ, Data: m.data}) {
				kept = append(kept, m)
			}
		}
		clear(c.queue[len(kept):])
		c.queue = kept
	}
	if c.qhead < len(c.queue) && !c.draining && c.localClose == nil {
		c.draining = true
		c.wg.Add(1)
		go c.drainFunc()
	}
}

// keepQueue is the capacity of a drained queue's array that is kept for
// the next burst: small enough not to weigh on idle connections.
const keepQueue = 4

// drain writes queued messages until the queue is empty, then exits: idle
// connections keep no writer goroutine.
func (c *Conn) drain() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		if c.held || c.qhead == len(c.queue) {
			if !c.held {
				c.queue, c.qhead = c.queue[:0], 0
				if cap(c.queue) > keepQueue {
					c.queue = nil // let a burst's array go
				}
			}
			c.draining = false
			if c.drained != nil {
				close(c.drained)
				c.drained = nil
			}
			c.mu.Unlock()
			return
		}
		m := c.queue[c.qhead]
		c.queue[c.qhead] = queued{} // the data may be large: do not pin it
		c.qhead++
		c.mu.Unlock()

		if err := c.writeQueued(m); err != nil {
			c.abort(&CloseError{Code: CloseAbnormal, Reason: "write failed", Err: err})
			c.mu.Lock()
			clear(c.queue)
			c.queue, c.qhead = c.queue[:0], 0
			c.mu.Unlock()
		}
	}
}

// writeQueued writes one queued message. The write timeout is a timer
// that drops the connection, reused from message to message: a context
// per write would cost allocations on every member of every broadcast.
func (c *Conn) writeQueued(m queued) error {
	if c.cfg.writeTimeout > 0 {
		if c.writeTimer == nil {
			c.writeTimer = time.AfterFunc(c.cfg.writeTimeout, c.writeStalled)
		} else {
			c.writeTimer.Reset(c.cfg.writeTimeout)
		}
		defer c.writeTimer.Stop()
	}
	if err := c.ws.Write(context.Background(), websocket.MessageType(m.typ), m.data); err != nil {
		return err
	}
	if c.obs != nil {
		c.obs.Sent(c, m.typ, len(m.data))
	}
	return nil
}

// writeStalled drops a connection whose client did not take a queued
// message within the write timeout.
func (c *Conn) writeStalled() {
	c.abort(&CloseError{Code: CloseAbnormal, Reason: "write timeout", Err: context.DeadlineExceeded})
}
