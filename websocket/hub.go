package websocket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/nexios-go/nexios"
)

// ErrHubClosed is returned by a hub's methods after Close.
var ErrHubClosed = errors.New("websocket: hub closed")

// HubConfig configures a Hub. The zero value is a hub on its own
// in-process broker.
type HubConfig struct {
	// Broker carries messages between instances. Default: a new
	// MemoryBroker, which reaches this hub only.
	Broker Broker
	// JSON encodes BroadcastJSON and SendJSON payloads. Default:
	// encoding/json.
	JSON nexios.JSONCodec
}

// Hub keeps named groups of connections (chat rooms, topics, users'
// devices): join and leave, broadcast to a group (optionally except some
// connections), send to one connection by id, count members. A closed
// connection leaves its groups by itself, and a group without members
// disappears.
//
// Delivery never waits for a client: messages go to each connection's
// bounded send queue (see SendQueue), so a stalled client cannot delay the
// others. Broadcasts travel through the Broker, so that hubs of several
// instances sharing a broker reach every member; member counts and
// listings are this instance's.
//
// A Hub is safe for concurrent use. Create one per app (or per kind of
// group), not per connection, and close it at shutdown:
//
//	hub := websocket.NewHub(websocket.HubConfig{})
//	app.OnShutdown(func(ctx context.Context) error { return hub.Close(ctx) })
type Hub struct {
	broker Broker
	codec  nexios.JSONCodec

	mu     sync.RWMutex
	groups map[string]*group
	conns  map[string]*member
	direct func() // unsubscribes from DirectTopic; nil without members
	closed bool
}

type group struct {
	members     map[*Conn]struct{}
	unsubscribe func()
}

type member struct {
	c      *Conn
	groups map[string]struct{}
}

// NewHub returns a hub configured by cfg.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Broker == nil {
		cfg.Broker = NewMemoryBroker()
	}
	if cfg.JSON == nil {
		cfg.JSON = stdJSON{}
	}
	return &Hub{
		broker: cfg.Broker,
		codec:  cfg.JSON,
		groups: make(map[string]*group),
		conns:  make(map[string]*member),
	}
}

// Register makes c reachable by Send without joining a group (Join
// registers too). It is removed when it closes.
func (h *Hub) Register(c *Conn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.registerLocked(c)
	return err
}

func (h *Hub) registerLocked(c *Conn) (*member, error) {
	if h.closed {
		return nil, ErrHubClosed
	}
	if m := h.conns[c.id]; m != nil {
		return m, nil
	}
	if !c.onClosed(func() { h.remove(c) }) {
		return nil, fmt.Errorf("websocket: joining a hub: %w", ErrClosed)
	}
	if h.direct == nil {
		// The subscription belongs to the hub, not to this connection.
		unsub, err := h.broker.Subscribe(context.Background(), DirectTopic, h.deliverDirect)
		if err != nil {
			return nil, fmt.Errorf("websocket: subscribing to direct messages: %w", err)
		}
		h.direct = unsub
	}
	m := &member{c: c}
	h.conns[c.id] = m
	return m, nil
}

// Join adds c to the group name, creating the group if needed. Joining
// twice is a no-op. It fails when c is closed or the hub is.
func (h *Hub) Join(c *Conn, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.registerLocked(c)
	if err != nil {
		return err
	}
	if _, ok := m.groups[name]; ok {
		return nil
	}
	g := h.groups[name]
	if g == nil {
		unsub, err := h.broker.Subscribe(context.Background(), GroupTopicPrefix+name, h.deliverGroup)
		if err != nil {
			return fmt.Errorf("websocket: subscribing to group %q: %w", name, err)
		}
		g = &group{members: make(map[*Conn]struct{}), unsubscribe: unsub}
		h.groups[name] = g
	}
	g.members[c] = struct{}{}
	if m.groups == nil {
		m.groups = make(map[string]struct{})
	}
	m.groups[name] = struct{}{}
	return nil
}

// JoinCatchingUp joins c to the group name and runs catchUp before any of
// the group's broadcasts reaches c: those that arrive meanwhile wait in c's
// send queue and are written after catchUp returns, except those the skip
// function catchUp returns reports as already sent (nil: keep them all).
// It is how a client resumes after a reconnect with neither a gap nor a
// reordering: join, replay what was missed (catchUp writes it with
// c.Send…), then the live messages, without the ones the replay covered.
// redis.History.Join is built on it. An error from catchUp is returned
// and c stays in the group.
func (h *Hub) JoinCatchingUp(c *Conn, name string, catchUp func() (skip func(Message) bool, err error)) error {
	c.hold()
	var skip func(Message) bool
	defer func() { c.release(skip) }()
	if err := h.Join(c, name); err != nil {
		return err
	}
	var err error
	skip, err = catchUp()
	return err
}

// Leave removes c from the group name; an empty group is removed.
func (h *Hub) Leave(c *Conn, name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.conns[c.id]; m != nil {
		delete(m.groups, name)
	}
	h.leaveLocked(c, name)
}

func (h *Hub) leaveLocked(c *Conn, name string) {
	g := h.groups[name]
	if g == nil {
		return
	}
	delete(g.members, c)
	if len(g.members) == 0 {
		g.unsubscribe()
		delete(h.groups, name)
	}
}

// remove forgets a closed connection.
func (h *Hub) remove(c *Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.conns[c.id]
	if m == nil {
		return
	}
	for name := range m.groups {
		h.leaveLocked(c, name)
	}
	delete(h.conns, c.id)
	h.dropDirectIfIdleLocked()
}

func (h *Hub) dropDirectIfIdleLocked() {
	if len(h.conns) == 0 && h.direct != nil {
		h.direct()
		h.direct = nil
	}
}

// Broadcast sends msg to every member of the group name, on every instance,
// except the connections listed. It returns once the message is queued for
// the local members (and handed to the broker for the others); it never
// waits for a client. msg.Data must not be modified afterwards.
func (h *Hub) Broadcast(ctx context.Context, name string, msg Message, except ...*Conn) error {
	env := Envelope{Group: name, Type: msg.Type, Data: msg.Data}
	if len(except) > 0 {
		env.Except = make([]string, 0, len(except))
		for _, c := range except {
			if c != nil {
				env.Except = append(env.Except, c.id)
			}
		}
	}
	if err := h.broker.Publish(ctx, GroupTopicPrefix+name, env); err != nil {
		return fmt.Errorf("websocket: broadcasting to %q: %w", name, err)
	}
	return nil
}

// BroadcastText broadcasts a text message; see Broadcast.
func (h *Hub) BroadcastText(ctx context.Context, name, text string, except ...*Conn) error {
	return h.Broadcast(ctx, name, TextMessage(text), except...)
}

// BroadcastJSON broadcasts v encoded once as JSON in a text message; see
// Broadcast.
func (h *Hub) BroadcastJSON(ctx context.Context, name string, v any, except ...*Conn) error {
	msg, err := h.jsonMessage(v)
	if err != nil {
		return err
	}
	return h.Broadcast(ctx, name, msg, except...)
}

// Send queues msg for the connection with the given id. A local
// connection's errors (ErrQueueFull, a closed connection) are returned; an
// id that is not local is handed to the broker for the other instances,
// and the message is dropped if none has it.
func (h *Hub) Send(ctx context.Context, id string, msg Message) error {
	h.mu.RLock()
	m := h.conns[id]
	h.mu.RUnlock()
	if m != nil {
		return m.c.enqueue(msg.Type, msg.Data)
	}
	if err := h.broker.Publish(ctx, DirectTopic, Envelope{To: id, Type: msg.Type, Data: msg.Data}); err != nil {
		return fmt.Errorf("websocket: sending to %s: %w", id, err)
	}
	return nil
}

// SendJSON sends v encoded as JSON to one connection; see Send.
func (h *Hub) SendJSON(ctx context.Context, id string, v any) error {
	msg, err := h.jsonMessage(v)
	if err != nil {
		return err
	}
	return h.Send(ctx, id, msg)
}

func (h *Hub) jsonMessage(v any) (Message, error) {
	var buf bytes.Buffer
	if err := h.codec.Encode(&buf, v); err != nil {
		return Message{}, fmt.Errorf("websocket: encoding JSON: %w", err)
	}
	return Message{Type: MessageText, Data: bytes.TrimSuffix(buf.Bytes(), []byte("\n"))}, nil
}

// deliverGroup queues a broadcast for the local members of its group.
func (h *Hub) deliverGroup(env Envelope) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	g := h.groups[env.Group]
	if g == nil {
		return
	}
	for c := range g.members {
		if len(env.Except) > 0 && slices.Contains(env.Except, c.id) {
			continue
		}
		// A full queue is the member's problem (dropped or disconnected
		// by its policy), never the broadcast's.
		_ = c.enqueue(env.Type, env.Data)
	}
}

// deliverDirect queues a direct message if its connection is local.
func (h *Hub) deliverDirect(env Envelope) {
	h.mu.RLock()
	m := h.conns[env.To]
	h.mu.RUnlock()
	if m != nil {
		_ = m.c.enqueue(env.Type, env.Data)
	}
}

// Count returns the number of local members of the group name.
func (h *Hub) Count(name string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if g := h.groups[name]; g != nil {
		return len(g.members)
	}
	return 0
}

// Groups returns the names of the groups with local members, sorted.
func (h *Hub) Groups() []string {
	h.mu.RLock()
	names := make([]string, 0, len(h.groups))
	for name := range h.groups {
		names = append(names, name)
	}
	h.mu.RUnlock()
	slices.Sort(names)
	return names
}

// Members returns the local members of the group name.
func (h *Hub) Members(name string) []*Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	g := h.groups[name]
	if g == nil {
		return nil
	}
	out := make([]*Conn, 0, len(g.members))
	for c := range g.members {
		out = append(out, c)
	}
	return out
}

// Conn returns the local connection with the given id.
func (h *Hub) Conn(id string) (*Conn, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := h.conns[id]
	if m == nil {
		return nil, false
	}
	return m.c, true
}

// Close closes every local connection of the hub with CloseGoingAway
// (1001), concurrently, and refuses new members. It returns when they are
// closed or ctx is done.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	conns := make([]*Conn, 0, len(h.conns))
	for _, m := range h.conns {
		conns = append(conns, m.c)
	}
	h.mu.Unlock()

	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { _ = c.Close(CloseGoingAway, "server shutting down") })
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("websocket: closing the hub: %w", context.Cause(ctx))
	}
}

// stdJSON is the default codec: encoding/json.
type stdJSON struct{}

func (stdJSON) Encode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
func (stdJSON) Decode(data []byte, v any) error { return json.Unmarshal(data, v) }
