package stores

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/internal/delivery"
	"github.com/nexios-go/nexios/websocket"
)

// DefaultPayloadTTL is how long an oversized broker payload is kept for
// the instances to fetch.
const DefaultPayloadTTL = time.Minute

// maxInline is the longest NOTIFY payload: PostgreSQL refuses 8000 bytes
// and more.
const maxInline = 7999

// BrokerConfig configures a Broker.
type BrokerConfig struct {
	// Prefix starts the name of every channel: lower-case letters,
	// digits and underscores, at most 30 of them. Default "nexios_ws".
	// Instances of one app must share it.
	Prefix string
	// SubscribeTimeout bounds how long Subscribe waits for the LISTEN
	// of a new topic. Default 5 seconds.
	SubscribeTimeout time.Duration
	// QueueSize bounds the notifications received but not yet
	// delivered; beyond it they are dropped (counted in
	// BrokerStats.Dropped and logged), so that a stalled subscriber
	// cannot exhaust memory. Default 65,536.
	QueueSize int
	// PayloadTTL is how long a payload too large for NOTIFY stays in
	// nexios_broker_payloads for the instances to fetch. Default
	// DefaultPayloadTTL.
	PayloadTTL time.Duration
	// IdlePing is how often an idle listening connection is checked
	// with a query, so that a connection that died silently is noticed.
	// Default 15 seconds.
	IdlePing time.Duration
	// Logger receives outage and drop reports. Default slog.Default().
	Logger *slog.Logger
	// OnReconnect, when set, is called after an outage of the listening
	// connection with how long it was down, once every topic is listened
	// to again (for metrics). Messages published during an outage are
	// lost to this instance: NOTIFY keeps nothing for a session that is
	// not listening.
	OnReconnect func(down time.Duration)
}

// Broker is a websocket.Broker on PostgreSQL LISTEN/NOTIFY, for fleets
// without Redis: the hubs of every instance sharing the database see each
// other's broadcasts and direct messages.
//
// Each instance holds one connection of the database's pool that LISTENs
// to the channels of the topics with local subscribers (a topic's channel
// is the Prefix and a hash of the topic, as channel names are limited to
// 63 bytes). Subscribe returns once the LISTEN has run, so a message
// published afterwards on any instance is delivered. Publish is one
// NOTIFY; a message too large for NOTIFY (8,000 bytes) is stored in
// nexios_broker_payloads in the same statement and its id is notified,
// so any size travels. PostgreSQL delivers notifications in commit
// order, so one publisher's messages arrive in order. Deliveries run on
// one goroutine per broker.
//
// When the listening connection fails, the broker reconnects with
// backoff (10 ms to 1 s) and LISTENs again, logs how long it was down and
// reports it to OnReconnect and Stats; meanwhile Subscribe fails at once
// with ErrBrokerUnavailable, and messages published during the outage are
// not received. No failure panics. LISTEN needs a session of its own: put
// no transaction-pooling PgBouncer between the broker and PostgreSQL.
// Close it at shutdown, before the database.
type Broker struct {
	d         *db.DB
	cfg       BrokerConfig
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	queue     *delivery.Queue[notice]
	onUp      func(time.Duration)
	notify    string
	notifyRef string
	fetch     string
	purge     string

	mu        sync.Mutex
	closed    bool
	topics    map[string]*pgTopic // by channel
	cmds      []listenCmd         // for the listening connection, in order
	interrupt context.CancelFunc  // wakes the listener from its wait

	down      atomic.Bool
	outages   atomic.Int64
	downtime  atomic.Int64
	lastDown  atomic.Int64
	large     atomic.Uint64
	lastPurge atomic.Int64
}

type pgTopic struct {
	subs  []*pgSub // copied on write
	ready chan struct{}
	once  sync.Once
}

func (t *pgTopic) markReady() { t.once.Do(func() { close(t.ready) }) }

type pgSub struct {
	deliver func(websocket.Envelope)
	off     atomic.Bool
}

// listenCmd is a LISTEN (topic set) or UNLISTEN for the listener to run.
type listenCmd struct {
	channel string
	topic   *pgTopic
}

// BrokerStats reports a Broker's health.
type BrokerStats struct {
	// Connected reports whether the listening connection is up.
	Connected bool
	// Outages counts the outages recovered from.
	Outages int64
	// Downtime is their total length.
	Downtime time.Duration
	// LastOutage is the length of the latest one.
	LastOutage time.Duration
	// Dropped counts notifications dropped because the delivery queue
	// was full.
	Dropped uint64
	// Topics is the number of topics with local subscribers.
	Topics int
	// LargePayloads counts the messages this instance published through
	// nexios_broker_payloads.
	LargePayloads uint64
}

// Errors of the Broker.
var (
	// ErrBrokerUnavailable is returned by Subscribe while the listening
	// connection is down.
	ErrBrokerUnavailable = errors.New("stores: broker connection is down")
	// ErrBrokerClosed is returned after Close.
	ErrBrokerClosed = errors.New("stores: broker closed")
)

var _ websocket.Broker = (*Broker)(nil)

var validPrefix = regexp.MustCompile(`^[a-z0-9_]{1,30}$`)

// NewBroker returns a Broker on d, a PostgreSQL database whose tables
// Migration (or Migrate) created. It takes the listening connection from
// d's pool before it returns, so PostgreSQL must answer.
func NewBroker(ctx context.Context, d *db.DB, cfg BrokerConfig) (*Broker, error) {
	if d.Dialect() != db.Postgres {
		return nil, fmt.Errorf("stores: the broker needs PostgreSQL (LISTEN/NOTIFY), not %s", d.Dialect())
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios_ws"
	}
	if !validPrefix.MatchString(cfg.Prefix) {
		return nil, fmt.Errorf("stores: broker prefix %q: want 1 to 30 of a-z, 0-9 and _", cfg.Prefix)
	}
	if cfg.SubscribeTimeout <= 0 {
		cfg.SubscribeTimeout = 5 * time.Second
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 65536
	}
	if cfg.PayloadTTL <= 0 {
		cfg.PayloadTTL = DefaultPayloadTTL
	}
	if cfg.IdlePing <= 0 {
		cfg.IdlePing = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	conn, err := d.SQL().Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("stores: broker: %w", err)
	}
	bctx, cancel := context.WithCancel(context.Background())
	b := &Broker{
		d: d, cfg: cfg, ctx: bctx, cancel: cancel, onUp: cfg.OnReconnect,
		queue:  delivery.New[notice](cfg.QueueSize),
		topics: make(map[string]*pgTopic),
		notify: `SELECT pg_notify($1, $2)`,
		notifyRef: `WITH p AS (INSERT INTO nexios_broker_payloads (data) VALUES ($2) RETURNING id)
			SELECT pg_notify($1, 'r' || p.id) FROM p`,
		fetch: `SELECT data FROM nexios_broker_payloads WHERE id = $1`,
		purge: `DELETE FROM nexios_broker_payloads WHERE created_at < statement_timestamp() - make_interval(secs => $1)`,
	}
	b.wg.Go(func() { b.listenLoop(conn) })
	b.wg.Go(b.deliverLoop)
	return b, nil
}

// channel returns topic's channel: names are identifiers of at most 63
// bytes, topics are any string.
func (b *Broker) channel(topic string) string {
	sum := sha256.Sum256([]byte(topic))
	return b.cfg.Prefix + "_" + hex.EncodeToString(sum[:16])
}

// Publish implements websocket.Broker: one statement, sent at once (not
// in a transaction ctx may carry).
func (b *Broker) Publish(ctx context.Context, topic string, env websocket.Envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := env.MarshalBinary()
	if err != nil {
		return err
	}
	ch := b.channel(topic)
	if len(data)+1 <= maxInline {
		// JSON is valid UTF-8 without NUL: a valid text payload.
		_, err = b.d.SQL().ExecContext(ctx, b.notify, ch, "i"+string(data))
	} else {
		_, err = b.d.SQL().ExecContext(ctx, b.notifyRef, ch, data)
		if err == nil {
			b.large.Add(1)
			b.purgeOld(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("stores: publishing: %w", err)
	}
	return nil
}

// purgeOld deletes expired payloads, at most twice per PayloadTTL per
// broker (Sweep does it too).
func (b *Broker) purgeOld(ctx context.Context) {
	now := time.Now().UnixNano()
	last := b.lastPurge.Load()
	if now-last < int64(b.cfg.PayloadTTL/2) || !b.lastPurge.CompareAndSwap(last, now) {
		return
	}
	if _, err := b.d.SQL().ExecContext(ctx, b.purge, b.cfg.PayloadTTL.Seconds()); err != nil {
		b.cfg.Logger.Warn("postgres broker: purging old payloads failed", slog.Any("error", err))
	}
}

// Subscribe implements websocket.Broker. It returns once the topic's
// LISTEN has run, or an error after SubscribeTimeout, when ctx ends, or
// at once while the listening connection is down.
func (b *Broker) Subscribe(ctx context.Context, topic string, deliver func(websocket.Envelope)) (func(), error) {
	if deliver == nil {
		return nil, errors.New("stores: Subscribe with a nil deliver function")
	}
	ch := b.channel(topic)
	s := &pgSub{deliver: deliver}
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return nil, ErrBrokerClosed
	case b.down.Load():
		b.mu.Unlock()
		return nil, ErrBrokerUnavailable
	}
	t := b.topics[ch]
	if t != nil {
		t.subs = append(t.subs[:len(t.subs):len(t.subs)], s)
	} else {
		t = &pgTopic{subs: []*pgSub{s}, ready: make(chan struct{})}
		b.topics[ch] = t
		b.command(listenCmd{channel: ch, topic: t})
	}
	b.mu.Unlock()
	unsub := func() { b.remove(ch, t, s) }
	timer := time.NewTimer(b.cfg.SubscribeTimeout)
	defer timer.Stop()
	var err error
	select {
	case <-t.ready:
		var once sync.Once
		return func() { once.Do(unsub) }, nil
	case <-ctx.Done():
		err = context.Cause(ctx)
	case <-timer.C:
		err = fmt.Errorf("stores: subscribing to %q: not listening within %v", topic, b.cfg.SubscribeTimeout)
	case <-b.ctx.Done():
		err = ErrBrokerClosed
	}
	unsub()
	return nil, err
}

// command queues c for the listener and wakes it; the caller holds mu.
func (b *Broker) command(c listenCmd) {
	b.cmds = append(b.cmds, c)
	if b.interrupt != nil {
		b.interrupt()
		b.interrupt = nil
	}
}

// remove unregisters s, and UNLISTENs when it was the topic's last
// subscriber.
func (b *Broker) remove(ch string, t *pgTopic, s *pgSub) {
	s.off.Store(true)
	b.mu.Lock()
	defer b.mu.Unlock()
	subs := make([]*pgSub, 0, len(t.subs))
	for _, x := range t.subs {
		if x != s {
			subs = append(subs, x)
		}
	}
	t.subs = subs
	if len(subs) == 0 && b.topics[ch] == t {
		delete(b.topics, ch)
		if !b.closed {
			b.command(listenCmd{channel: ch})
		}
	}
}

// notice is a notification waiting for delivery: its channel and
// payload.
type notice struct {
	channel, payload string
}

// deliverLoop hands queued notifications to their topic's subscribers.
func (b *Broker) deliverLoop() {
	for {
		items, ok := b.queue.Take(b.ctx)
		if !ok {
			return
		}
		for _, it := range items {
			b.mu.Lock()
			t := b.topics[it.channel]
			var subs []*pgSub
			if t != nil {
				subs = t.subs
			}
			b.mu.Unlock()
			if len(subs) == 0 {
				continue // unsubscribed since: no need to fetch a payload
			}
			env, err := b.decode(it.payload)
			if err != nil {
				if b.ctx.Err() == nil {
					b.cfg.Logger.Warn("postgres broker: message dropped", slog.String("channel", it.channel), slog.Any("error", err))
				}
				continue
			}
			for _, s := range subs {
				if !s.off.Load() {
					s.deliver(env)
				}
			}
		}
	}
}

// decode returns the envelope a payload carries, fetching it from
// nexios_broker_payloads when the payload is a reference.
func (b *Broker) decode(payload string) (websocket.Envelope, error) {
	var env websocket.Envelope
	ref, data, err := parsePayload(payload)
	if err != nil {
		return env, err
	}
	if data == nil {
		ctx, cancel := context.WithTimeout(b.ctx, b.cfg.SubscribeTimeout)
		defer cancel()
		if err := b.d.SQL().QueryRowContext(ctx, b.fetch, ref).Scan(&data); err != nil {
			return env, fmt.Errorf("fetching payload %d: %w", ref, err)
		}
	}
	err = env.UnmarshalBinary(data)
	return env, err
}

// parsePayload splits a notification's payload: "i" and the envelope
// itself, or "r" and the id of its row in nexios_broker_payloads.
func parsePayload(payload string) (ref int64, inline []byte, err error) {
	if payload == "" {
		return 0, nil, errors.New("empty payload")
	}
	switch payload[0] {
	case 'i':
		return 0, []byte(payload[1:]), nil
	case 'r':
		id, err := strconv.ParseInt(payload[1:], 10, 64)
		if err != nil || id <= 0 {
			return 0, nil, fmt.Errorf("bad payload reference %.40q", payload)
		}
		return id, nil, nil
	}
	return 0, nil, fmt.Errorf("unknown payload kind %.1q", payload)
}

// Stats reports the broker's health.
func (b *Broker) Stats() BrokerStats {
	b.mu.Lock()
	n := len(b.topics)
	b.mu.Unlock()
	return BrokerStats{
		Connected: !b.down.Load(), Outages: b.outages.Load(),
		Downtime: time.Duration(b.downtime.Load()), LastOutage: time.Duration(b.lastDown.Load()),
		Dropped: b.queue.Dropped(), Topics: n, LargePayloads: b.large.Load(),
	}
}

// Close stops the broker: its listening connection is closed (not
// returned to the pool), its goroutines end, and Subscribe fails from
// then on. Deliver functions are not called after Close returns.
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.cancel()
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}

// badConn marks err as fatal for the connection, which database/sql then
// closes instead of returning it to the pool (it LISTENs).
func badConn(err error) error { return fmt.Errorf("%w: %w", driver.ErrBadConn, err) }
