package redis

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/internal/delivery"
	"github.com/nexios-go/nexios/websocket"
)

// Sharding selects classic or sharded Pub/Sub.
type Sharding uint8

const (
	// ShardingAuto uses sharded Pub/Sub (SPUBLISH/SSUBSCRIBE) when the
	// server has it (Redis 7 and later) and classic Pub/Sub otherwise.
	ShardingAuto Sharding = iota
	// ShardingOn always uses sharded Pub/Sub.
	ShardingOn
	// ShardingOff always uses classic Pub/Sub (PUBLISH/SUBSCRIBE).
	ShardingOff
)

// BrokerConfig configures a Broker.
type BrokerConfig struct {
	// Prefix is put before every topic to make its channel. Default
	// "nexios:ws:". Instances of one app must share it.
	Prefix string
	// Sharding selects classic or sharded Pub/Sub. Default ShardingAuto.
	Sharding Sharding
	// Shards spreads channels over that many hash slots on a Redis
	// Cluster with sharded Pub/Sub, each served by one subscription
	// connection to the slot's node: messages then travel only through
	// the nodes owning those slots instead of every node of the cluster.
	// Default 16 on a cluster, 1 otherwise. Instances of one app must use
	// the same value.
	Shards int
	// SubscribeTimeout bounds how long Subscribe waits for Redis to
	// confirm a new subscription. Default 5 seconds.
	SubscribeTimeout time.Duration
	// QueueSize bounds the messages received but not yet delivered;
	// beyond it messages are dropped (counted in Stats.Dropped and
	// logged), so that a stalled subscriber cannot exhaust memory.
	// Default 65,536.
	QueueSize int
	// Logger receives outage and drop reports. Default slog.Default().
	Logger *slog.Logger
	// OnReconnect, when set, is called after an outage of the
	// subscription connection with how long it was down, once the
	// subscriptions are back (for metrics). Messages published during an
	// outage are lost to this instance: Pub/Sub keeps nothing (see
	// History).
	OnReconnect func(down time.Duration)
}

// Broker is a websocket.Broker on Redis Pub/Sub: the hubs of every
// instance sharing it see each other's broadcasts and direct messages.
//
// Each instance holds one subscription connection (one per shard on a
// cluster) carrying the channels of the topics with local subscribers;
// Subscribe returns once Redis has confirmed the subscription, so a
// message published afterwards on any instance is delivered. Deliveries
// run on one goroutine in the order received. When the connection fails,
// the broker reconnects with backoff and resubscribes, logs how long it
// was down and reports it to OnReconnect and Stats; Publish fails
// meanwhile, and messages published during the outage are not received.
// Close it at shutdown, before the Redis client.
type Broker struct {
	rdb      goredis.UniversalClient
	prefix   string
	sharded  bool
	shards   []*brokerShard
	timeout  time.Duration
	log      *slog.Logger
	onUp     func(time.Duration)
	queue    *delivery.Queue[queued]
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	closedMu sync.Mutex
	closed   bool

	mu     sync.Mutex
	topics map[string]*brokerTopic // by channel

	outages  atomic.Int64
	downtime atomic.Int64
	lastDown atomic.Int64
}

type brokerTopic struct {
	subs  []*brokerSub // copied on write
	ready chan struct{}
	once  sync.Once
	shard *brokerShard
}

type brokerSub struct {
	deliver func(websocket.Envelope)
	off     atomic.Bool
}

// brokerShard is one subscription connection and its reader.
type brokerShard struct {
	b     *Broker
	cmdMu sync.Mutex // orders subscription changes with the commands sent
	ps    *goredis.PubSub
	down  atomic.Bool
}

// BrokerStats reports a Broker's health.
type BrokerStats struct {
	// Sharded reports whether sharded Pub/Sub is in use.
	Sharded bool
	// Connected reports whether every subscription connection is up.
	Connected bool
	// Outages counts the outages recovered from.
	Outages int64
	// Downtime is their total length.
	Downtime time.Duration
	// LastOutage is the length of the latest one.
	LastOutage time.Duration
	// Dropped counts messages dropped because the delivery queue was
	// full.
	Dropped uint64
	// Topics is the number of topics with local subscribers.
	Topics int
}

// ErrBrokerUnavailable is returned by Subscribe while the subscription
// connection is down.
var ErrBrokerUnavailable = errors.New("redis: broker connection is down")

// ErrBrokerClosed is returned after Close.
var ErrBrokerClosed = errors.New("redis: broker closed")

var _ websocket.Broker = (*Broker)(nil)

// NewBroker returns a Broker on rdb. With ShardingAuto it asks the server
// whether it has sharded Pub/Sub, so Redis must answer.
func NewBroker(ctx context.Context, rdb goredis.UniversalClient, cfg BrokerConfig) (*Broker, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios:ws:"
	}
	if cfg.SubscribeTimeout <= 0 {
		cfg.SubscribeTimeout = 5 * time.Second
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 65536
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	sharded := cfg.Sharding == ShardingOn
	if cfg.Sharding == ShardingAuto {
		err := rdb.Do(ctx, "PUBSUB", "SHARDNUMSUB").Err()
		switch {
		case err == nil:
			sharded = true
		case isUnknownCommand(err):
		default:
			return nil, fmt.Errorf("redis: broker: detecting sharded Pub/Sub: %w", err)
		}
	}
	n := cfg.Shards
	if n <= 0 {
		n = 1
		if sharded && isCluster(rdb) {
			n = 16
		}
	}
	if !sharded {
		n = 1 // classic Pub/Sub reaches every node of a cluster anyway
	}
	bctx, cancel := context.WithCancel(context.Background())
	b := &Broker{
		rdb: rdb, prefix: cfg.Prefix, sharded: sharded, timeout: cfg.SubscribeTimeout,
		log: cfg.Logger, onUp: cfg.OnReconnect, ctx: bctx, cancel: cancel,
		topics: make(map[string]*brokerTopic),
	}
	b.queue = delivery.New[queued](cfg.QueueSize)
	for range n {
		b.shards = append(b.shards, &brokerShard{b: b})
	}
	b.wg.Go(b.deliverLoop)
	return b, nil
}

func isUnknownCommand(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "unknown subcommand") || strings.Contains(s, "unknown command")
}

// channel returns topic's channel and shard.
func (b *Broker) channel(topic string) (string, *brokerShard) {
	if len(b.shards) == 1 {
		return b.prefix + topic, b.shards[0]
	}
	i := int(crc32.ChecksumIEEE([]byte(topic)) % uint32(len(b.shards)))
	return b.prefix + "{" + strconv.Itoa(i) + "}" + topic, b.shards[i]
}

// Publish implements websocket.Broker.
func (b *Broker) Publish(ctx context.Context, topic string, env websocket.Envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := env.MarshalBinary()
	if err != nil {
		return err
	}
	ch, _ := b.channel(topic)
	if b.sharded {
		err = b.rdb.SPublish(ctx, ch, data).Err()
	} else {
		err = b.rdb.Publish(ctx, ch, data).Err()
	}
	if err != nil {
		return fmt.Errorf("redis: publishing: %w", err)
	}
	return nil
}

// Subscribe implements websocket.Broker. It returns when Redis has
// confirmed the subscription, or an error after SubscribeTimeout, when
// ctx ends, or at once while the connection is down.
func (b *Broker) Subscribe(ctx context.Context, topic string, deliver func(websocket.Envelope)) (func(), error) {
	if deliver == nil {
		return nil, errors.New("redis: Subscribe with a nil deliver function")
	}
	ch, sh := b.channel(topic)
	s := &brokerSub{deliver: deliver}
	t, err := sh.add(ctx, ch, s)
	if err != nil {
		return nil, err
	}
	unsub := func() { sh.remove(ch, t, s) }
	timer := time.NewTimer(b.timeout)
	defer timer.Stop()
	select {
	case <-t.ready:
		var once sync.Once
		return func() { once.Do(unsub) }, nil
	case <-ctx.Done():
		err = context.Cause(ctx)
	case <-timer.C:
		err = fmt.Errorf("redis: subscribing to %q: not confirmed within %v", topic, b.timeout)
	case <-b.ctx.Done():
		err = ErrBrokerClosed
	}
	unsub()
	return nil, err
}

// add registers s for ch, subscribing the connection when ch is new.
func (sh *brokerShard) add(ctx context.Context, ch string, s *brokerSub) (*brokerTopic, error) {
	b := sh.b
	sh.cmdMu.Lock()
	defer sh.cmdMu.Unlock()
	b.closedMu.Lock()
	closed := b.closed
	b.closedMu.Unlock()
	if closed {
		return nil, ErrBrokerClosed
	}
	if sh.down.Load() {
		return nil, ErrBrokerUnavailable
	}
	b.mu.Lock()
	t := b.topics[ch]
	if t != nil {
		t.subs = append(t.subs[:len(t.subs):len(t.subs)], s)
		b.mu.Unlock()
		return t, nil
	}
	t = &brokerTopic{subs: []*brokerSub{s}, ready: make(chan struct{}), shard: sh}
	b.topics[ch] = t
	b.mu.Unlock()
	if sh.ps == nil {
		// The first channel picks the connection's node on a cluster.
		if b.sharded {
			sh.ps = b.rdb.SSubscribe(ctx, ch)
		} else {
			sh.ps = b.rdb.Subscribe(ctx, ch)
		}
		b.wg.Go(sh.readLoop)
		return t, nil
	}
	var err error
	if b.sharded {
		err = sh.ps.SSubscribe(ctx, ch)
	} else {
		err = sh.ps.Subscribe(ctx, ch)
	}
	if err != nil {
		// go-redis keeps the channel and resubscribes on reconnect; the
		// confirmation may still come within the timeout.
		b.log.Debug("redis broker: subscribe command failed", slog.String("channel", ch), slog.Any("error", err))
	}
	return t, nil
}

// remove unregisters s, unsubscribing the connection from ch when it was
// the last subscriber.
func (sh *brokerShard) remove(ch string, t *brokerTopic, s *brokerSub) {
	b := sh.b
	s.off.Store(true)
	sh.cmdMu.Lock()
	defer sh.cmdMu.Unlock()
	b.mu.Lock()
	subs := make([]*brokerSub, 0, len(t.subs))
	for _, x := range t.subs {
		if x != s {
			subs = append(subs, x)
		}
	}
	t.subs = subs
	last := len(subs) == 0 && b.topics[ch] == t
	if last {
		delete(b.topics, ch)
	}
	b.mu.Unlock()
	if !last || sh.ps == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	var err error
	if b.sharded {
		err = sh.ps.SUnsubscribe(ctx, ch)
	} else {
		err = sh.ps.Unsubscribe(ctx, ch)
	}
	if err != nil {
		// Dropped from go-redis' list all the same: a reconnect will not
		// subscribe it again, and stray messages find no topic.
		b.log.Debug("redis broker: unsubscribe command failed", slog.String("channel", ch), slog.Any("error", err))
	}
}

// readLoop receives from the shard's connection until Close: messages go
// to the delivery queue, confirmations release Subscribe, errors start an
// outage that ends with the next successful receive.
func (sh *brokerShard) readLoop() {
	b := sh.b
	var downSince time.Time
	backoff := 10 * time.Millisecond
	for {
		msg, err := sh.ps.ReceiveTimeout(b.ctx, 15*time.Second)
		if b.ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Idle: a PING proves the connection; its failure shows
				// on the next receive.
				_ = sh.ps.Ping(b.ctx)
				continue
			}
			if downSince.IsZero() {
				downSince = time.Now()
				sh.down.Store(true)
				b.log.Warn("redis broker: subscription connection lost; reconnecting", slog.Any("error", err))
			}
			select {
			case <-time.After(backoff):
			case <-b.ctx.Done():
				return
			}
			backoff = min(backoff*2, time.Second)
			continue
		}
		backoff = 10 * time.Millisecond
		if !downSince.IsZero() {
			d := time.Since(downSince)
			downSince = time.Time{}
			sh.down.Store(false)
			b.outages.Add(1)
			b.downtime.Add(int64(d))
			b.lastDown.Store(int64(d))
			b.log.Warn("redis broker: subscription connection restored", slog.Duration("down", d))
			if b.onUp != nil {
				b.onUp(d)
			}
		}
		switch m := msg.(type) {
		case *goredis.Subscription:
			if m.Kind == "subscribe" || m.Kind == "ssubscribe" {
				b.mu.Lock()
				t := b.topics[m.Channel]
				b.mu.Unlock()
				if t != nil {
					t.once.Do(func() { close(t.ready) })
				}
			}
		case *goredis.Message:
			if !b.queue.Push(queued{m.Channel, m.Payload}) {
				b.log.Warn("redis broker: delivery queue full; message dropped", slog.String("channel", m.Channel))
			}
		}
	}
}

// queued is a message waiting for delivery: its channel and payload.
type queued struct {
	channel, payload string
}

// deliverLoop hands queued messages to their topic's subscribers.
func (b *Broker) deliverLoop() {
	for {
		items, ok := b.queue.Take(b.ctx)
		if !ok {
			return
		}
		for _, it := range items {
			var env websocket.Envelope
			if err := env.UnmarshalBinary([]byte(it.payload)); err != nil {
				b.log.Warn("redis broker: undecodable message dropped", slog.String("channel", it.channel), slog.Any("error", err))
				continue
			}
			b.mu.Lock()
			t := b.topics[it.channel]
			var subs []*brokerSub
			if t != nil {
				subs = t.subs
			}
			b.mu.Unlock()
			for _, s := range subs {
				if !s.off.Load() {
					s.deliver(env)
				}
			}
		}
	}
}

// Stats reports the broker's health.
func (b *Broker) Stats() BrokerStats {
	up := true
	for _, sh := range b.shards {
		if sh.down.Load() {
			up = false
		}
	}
	b.mu.Lock()
	n := len(b.topics)
	b.mu.Unlock()
	return BrokerStats{
		Sharded: b.sharded, Connected: up, Outages: b.outages.Load(),
		Downtime: time.Duration(b.downtime.Load()), LastOutage: time.Duration(b.lastDown.Load()),
		Dropped: b.queue.Dropped(), Topics: n,
	}
}

// Close stops the broker: its connections close, its goroutines end, and
// Subscribe fails from then on. Subscriptions' deliver functions are not
// called after Close returns.
func (b *Broker) Close() error {
	b.closedMu.Lock()
	if b.closed {
		b.closedMu.Unlock()
		return nil
	}
	b.closed = true
	b.closedMu.Unlock()
	b.cancel()
	var err error
	for _, sh := range b.shards {
		sh.cmdMu.Lock()
		if sh.ps != nil {
			if cerr := sh.ps.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
		sh.cmdMu.Unlock()
	}
	b.wg.Wait()
	return err
}
