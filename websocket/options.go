package websocket

import (
	"bytes"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Defaults of the connection options.
const (
	DefaultReadLimit    = 1 << 20          // bytes per message
	DefaultPingInterval = 30 * time.Second // between keepalive pings
	DefaultPingTimeout  = 15 * time.Second // for the pong to arrive
	DefaultWriteTimeout = 10 * time.Second // per queued message
	DefaultSendQueue    = 256              // queued messages per connection
)

// SlowPolicy says what happens to a connection whose send queue is full:
// its client reads more slowly than messages are broadcast to it.
type SlowPolicy int

const (
	// Disconnect closes a slow connection (the default): the client
	// notices, reconnects and resynchronises, and no message is silently
	// lost.
	Disconnect SlowPolicy = iota
	// DropMessage drops the messages that do not fit and keeps the
	// connection; Conn.Dropped counts them.
	DropMessage
)

// String returns the policy's name.
func (p SlowPolicy) String() string {
	switch p {
	case Disconnect:
		return "Disconnect"
	case DropMessage:
		return "DropMessage"
	}
	return fmt.Sprintf("SlowPolicy(%d)", int(p))
}

// CompressionMode selects permessage-deflate (RFC 7692) compression.
// Compression is off by default: it costs CPU and memory per connection,
// and pays only for large, repetitive messages.
type CompressionMode int

const (
	// CompressionDisabled sends messages uncompressed (the default).
	CompressionDisabled CompressionMode = iota
	// CompressionNoContextTakeover compresses each message on its own:
	// little memory per connection.
	CompressionNoContextTakeover
	// CompressionContextTakeover keeps a 32 KiB window across messages:
	// better ratios, more memory per connection.
	CompressionContextTakeover
)

// Option configures WebSocket connections accepted by Handler, Accept or a
// Consumer.
type Option func(*config)

// config is the validated, immutable configuration shared by the
// connections of one handler, with the buffer pool they share.
type config struct {
	originPatterns []string
	skipOrigin     bool
	subprotocols   []string
	compression    CompressionMode
	readLimit      int64
	readTimeout    time.Duration
	pingInterval   time.Duration
	pingTimeout    time.Duration
	writeTimeout   time.Duration
	queueSize      int
	slowPolicy     SlowPolicy
	logger         *slog.Logger
	errorFrame     func(*Conn, *MessageError) any
	buffers        sync.Pool
}

// AllowOrigins lets pages from other origins connect. By default only
// same-origin pages (and clients that send no Origin header, which are not
// browsers) may connect: a WebSocket is not covered by CORS, so a foreign
// page could otherwise act with the user's cookies. A pattern is a host
// ("app.example.com", "*.example.com", "localhost:*") or, when it contains
// "://", a scheme and host ("https://app.example.com"); matching is
// case-insensitive with path.Match.
func AllowOrigins(patterns ...string) Option {
	return func(c *config) { c.originPatterns = append(c.originPatterns, patterns...) }
}

// InsecureSkipOriginCheck accepts connections from any origin. Use it only
// for connections that carry no credentials.
func InsecureSkipOriginCheck() Option { return func(c *config) { c.skipOrigin = true } }

// Subprotocols lists the subprotocols the server speaks, in order of
// preference; the first one the client also offers is selected
// (Conn.Subprotocol). A client that offers none of them is still accepted,
// with no subprotocol.
func Subprotocols(names ...string) Option {
	return func(c *config) { c.subprotocols = append(c.subprotocols, names...) }
}

// Compression enables permessage-deflate when the client supports it.
func Compression(mode CompressionMode) Option { return func(c *config) { c.compression = mode } }

// ReadLimit caps the size of one incoming message (default 1 MiB). A
// larger message closes the connection with CloseMessageTooBig (1009). A
// negative n removes the limit.
func ReadLimit(n int64) Option { return func(c *config) { c.readLimit = n } }

// ReadTimeout bounds the wait for each message in the Messages and JSON
// iterators and in Consumers; an idle client is then disconnected. It is
// off by default: keepalive pings already detect dead peers.
func ReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// Keepalive sets how often the server pings an idle client and how long it
// waits for the pong (defaults 30s and 15s). A client that does not answer
// is disconnected. Pongs are read by whoever reads the connection (Receive,
// the iterators, CloseRead), so a handler that stops reading for longer
// than the timeout is treated as dead. A zero interval turns pings off.
func Keepalive(interval, timeout time.Duration) Option {
	return func(c *config) { c.pingInterval, c.pingTimeout = interval, timeout }
}

// WriteTimeout bounds the write of each queued message (hub broadcasts and
// sends), default 10s; a client that does not take a message in time is
// disconnected. Direct sends (SendText, ...) are bounded by their context.
func WriteTimeout(d time.Duration) Option { return func(c *config) { c.writeTimeout = d } }

// SendQueue sets how many messages may wait for a connection (default
// 256) and what happens when a slow client lets the queue fill up.
// Broadcasts never wait for a slow client.
func SendQueue(size int, policy SlowPolicy) Option {
	return func(c *config) { c.queueSize, c.slowPolicy = size, policy }
}

// Logger sets where handler failures are logged. The default is the app's
// logger.
func Logger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// newConfig applies opts over the defaults and validates the result.
func newConfig(opts []Option) (*config, error) {
	c := &config{
		readLimit:    DefaultReadLimit,
		pingInterval: DefaultPingInterval,
		pingTimeout:  DefaultPingTimeout,
		writeTimeout: DefaultWriteTimeout,
		queueSize:    DefaultSendQueue,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	for _, p := range c.originPatterns {
		if _, err := path.Match(strings.ToLower(p), ""); err != nil {
			return nil, fmt.Errorf("websocket: origin pattern %q: %w", p, err)
		}
	}
	switch {
	case c.queueSize <= 0:
		return nil, fmt.Errorf("websocket: send queue size %d must be positive", c.queueSize)
	case c.slowPolicy != Disconnect && c.slowPolicy != DropMessage:
		return nil, fmt.Errorf("websocket: unknown slow-consumer policy %d", c.slowPolicy)
	case c.compression < CompressionDisabled || c.compression > CompressionContextTakeover:
		return nil, fmt.Errorf("websocket: unknown compression mode %d", c.compression)
	case c.pingInterval > 0 && c.pingTimeout <= 0:
		return nil, fmt.Errorf("websocket: keepalive timeout %v must be positive", c.pingTimeout)
	}
	if c.readLimit == 0 {
		c.readLimit = DefaultReadLimit
	}
	c.buffers.New = func() any { return new(bytes.Buffer) }
	return c, nil
}

func (c *config) libraryCompression() websocket.CompressionMode {
	switch c.compression {
	case CompressionNoContextTakeover:
		return websocket.CompressionNoContextTakeover
	case CompressionContextTakeover:
		return websocket.CompressionContextTakeover
	}
	return websocket.CompressionDisabled
}

// maxPooledBuffer keeps the buffers of rare huge messages out of the pool,
// so that idle connections do not pin them.
const maxPooledBuffer = 64 << 10

func (c *config) getBuffer() *bytes.Buffer { return c.buffers.Get().(*bytes.Buffer) }

func (c *config) putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	c.buffers.Put(b)
}
