package stores

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// listenLoop keeps a listening connection until Close: it listens on
// first, then, whenever the connection fails, takes another from the pool
// with backoff and LISTENs to every topic again. An outage lasts from the
// failure to the moment every topic is listened to again.
func (b *Broker) listenLoop(first *sql.Conn) {
	conn := first
	var downSince time.Time
	backoff := 10 * time.Millisecond
	up := func() {
		backoff = 10 * time.Millisecond
		if downSince.IsZero() {
			return
		}
		d := time.Since(downSince)
		downSince = time.Time{}
		b.outages.Add(1)
		b.downtime.Add(int64(d))
		b.lastDown.Store(int64(d))
		b.down.Store(false)
		b.cfg.Logger.Warn("postgres broker: listening connection restored", slog.Duration("down", d))
		if b.onUp != nil {
			b.onUp(d)
		}
	}
	for {
		var err error
		if conn == nil {
			conn, err = b.d.SQL().Conn(b.ctx)
		}
		if conn != nil {
			err = conn.Raw(func(dc any) error {
				sc, ok := dc.(*stdlib.Conn)
				if !ok {
					return badConn(fmt.Errorf("unexpected driver connection %T", dc))
				}
				return b.listen(sc.Conn(), up)
			})
			_ = conn.Close() // discarded: Raw reported it bad
			conn = nil
		}
		if b.ctx.Err() != nil {
			return
		}
		if downSince.IsZero() {
			downSince = time.Now()
			b.down.Store(true)
			b.cfg.Logger.Warn("postgres broker: listening connection lost; reconnecting", slog.Any("error", err))
		}
		select {
		case <-time.After(backoff):
		case <-b.ctx.Done():
			return
		}
		backoff = min(2*backoff, time.Second)
	}
}

// listen LISTENs to every topic on pc, calls up, then runs the queued
// commands and receives notifications until the connection fails or the
// broker closes. It always returns an error that makes database/sql
// discard the connection.
func (b *Broker) listen(pc *pgx.Conn, up func()) error {
	b.mu.Lock()
	listening := make(map[string]*pgTopic, len(b.topics))
	for ch, t := range b.topics {
		listening[ch] = t
	}
	b.cmds = nil // a fresh session: the map is the whole truth
	b.mu.Unlock()
	for ch := range listening {
		if err := b.exec(pc, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return badConn(err)
		}
	}
	up()
	b.mu.Lock()
	for ch, t := range listening {
		if b.topics[ch] == t { // not replaced meanwhile (its own LISTEN is queued)
			t.markReady()
		}
	}
	b.mu.Unlock()
	for {
		b.mu.Lock()
		cmds := b.cmds
		b.cmds = nil
		var wait context.Context
		var cancel context.CancelFunc
		if len(cmds) == 0 {
			wait, cancel = context.WithTimeout(b.ctx, b.cfg.IdlePing)
			b.interrupt = cancel
		}
		b.mu.Unlock()
		if len(cmds) > 0 {
			if err := b.run(pc, cmds); err != nil {
				return badConn(err)
			}
			continue
		}
		n, err := pc.WaitForNotification(wait)
		idle := errors.Is(wait.Err(), context.DeadlineExceeded)
		b.mu.Lock()
		b.interrupt = nil
		b.mu.Unlock()
		cancel()
		if n != nil && !b.queue.Push(notice{channel: n.Channel, payload: n.Payload}) {
			b.cfg.Logger.Warn("postgres broker: delivery queue full; message dropped", slog.String("channel", n.Channel))
		}
		switch {
		case err == nil:
		case b.ctx.Err() != nil:
			return badConn(b.ctx.Err())
		case pc.IsClosed() || wait.Err() == nil:
			return badConn(err) // the connection failed
		case idle:
			// Nothing for IdlePing: prove the connection, so that one
			// that died silently is noticed.
			if err := b.exec(pc, "SELECT 1"); err != nil {
				return badConn(err)
			}
		}
		// Otherwise a command woke the wait: run it.
	}
}

// run executes queued LISTEN/UNLISTEN commands in order; a topic is ready
// once its LISTEN has run.
func (b *Broker) run(pc *pgx.Conn, cmds []listenCmd) error {
	for _, c := range cmds {
		verb := "UNLISTEN "
		if c.topic != nil {
			verb = "LISTEN "
		}
		if err := b.exec(pc, verb+pgx.Identifier{c.channel}.Sanitize()); err != nil {
			return err
		}
		if c.topic != nil {
			c.topic.markReady()
		}
	}
	return nil
}

// exec runs one command on the listening connection, bounded by
// SubscribeTimeout: a server that stopped answering ends the session.
func (b *Broker) exec(pc *pgx.Conn, q string) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.SubscribeTimeout)
	defer cancel()
	_, err := pc.Exec(ctx, q)
	return err
}
