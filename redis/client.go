package redis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Kind tells which Redis deployment a Client talks to.
type Kind uint8

const (
	// Standalone is one Redis server (redis://, rediss://, unix://).
	Standalone Kind = iota
	// Sentinel is a primary found through Redis Sentinel
	// (redis+sentinel://, rediss+sentinel://).
	Sentinel
	// Cluster is a Redis Cluster (redis+cluster://, rediss+cluster://).
	Cluster
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Sentinel:
		return "sentinel"
	case Cluster:
		return "cluster"
	}
	return "standalone"
}

// Client is a go-redis client opened from a URL, usable by every store of
// this package (they take a goredis.UniversalClient, which Client is).
// It is safe for concurrent use; create one per process and Close it at
// shutdown, after the stores and brokers that use it.
type Client struct {
	goredis.UniversalClient
	kind Kind
}

// Kind returns the deployment the client talks to.
func (c *Client) Kind() Kind { return c.kind }

// Ready reports whether Redis answers a PING: a readiness check. On a
// cluster every primary must answer.
func (c *Client) Ready(ctx context.Context) error {
	if cc, ok := c.UniversalClient.(*goredis.ClusterClient); ok {
		if err := cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
			return n.Ping(ctx).Err()
		}); err != nil {
			return fmt.Errorf("redis: not ready: %w", err)
		}
		return nil
	}
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: not ready: %w", err)
	}
	return nil
}

// EnvURL is the environment variable FromEnv reads.
const EnvURL = "REDIS_URL"

// ErrNoURL is returned by FromEnv when REDIS_URL is unset or empty.
var ErrNoURL = errors.New("redis: " + EnvURL + " is not set")

// FromEnv opens the client named by the REDIS_URL environment variable;
// see Open for the URL forms.
func FromEnv() (*Client, error) {
	u := strings.TrimSpace(os.Getenv(EnvURL))
	if u == "" {
		return nil, ErrNoURL
	}
	return Open(u)
}

// Open returns a client for the Redis named by rawURL. Nothing is dialled
// until the first command (use Ready to check the connection). Forms:
//
//	redis://[user:password@]host[:port][/db][?options]     one server
//	rediss://...                                           the same over TLS
//	unix://[user:password@]/path/to/redis.sock[?db=N]      a Unix socket
//	redis+sentinel://[user:password@]sentinel[:port][/db]?master_name=mymaster[&addr=sentinel2:port...]
//	redis+cluster://[user:password@]node[:port]?addr=node2:port[&addr=...]
//	(rediss+sentinel://, rediss+cluster:// over TLS)
//
// Options are go-redis' URL query parameters (dial_timeout=3s,
// read_timeout, pool_size, max_retries, client_name, skip_verify=true…);
// an unknown option is an error. dialer_retries (default 1 here, where
// go-redis tries 5 times) and dialer_retry_timeout are accepted in every
// form: during an outage a command then fails at once, and the store's
// failure policy decides, instead of every request waiting for redials. In a sentinel URL, the user and password
// are the Sentinel's, and username= and password= options the primary's.
func Open(rawURL string) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis: invalid URL: %w", redactErr(err, rawURL))
	}
	base, mode, _ := strings.Cut(u.Scheme, "+")
	if base != "redis" && base != "rediss" && base != "unix" || base == "unix" && mode != "" {
		return nil, fmt.Errorf("redis: unsupported URL scheme %q (want redis, rediss, unix, redis+sentinel or redis+cluster)", u.Scheme)
	}
	u.Scheme = base
	// A failed dial is not retried by default (go-redis tries five
	// times): during an outage each command then fails at once instead of
	// holding its request, and the failure policy decides.
	q := u.Query()
	retries, retryWait := 1, time.Duration(0)
	if v := q.Get("dialer_retries"); v != "" {
		if retries, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("redis: invalid dialer_retries %q", v)
		}
		q.Del("dialer_retries")
	}
	if v := q.Get("dialer_retry_timeout"); v != "" {
		if retryWait, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("redis: invalid dialer_retry_timeout %q", v)
		}
		q.Del("dialer_retry_timeout")
	}
	u.RawQuery = q.Encode()
	plain := u.String()
	switch mode {
	case "":
		opt, err := goredis.ParseURL(plain)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", redactErr(err, plain))
		}
		opt.DialerRetries, opt.DialerRetryTimeout = retries, retryWait
		return &Client{UniversalClient: goredis.NewClient(opt), kind: Standalone}, nil
	case "sentinel":
		opt, err := goredis.ParseFailoverURL(plain)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", redactErr(err, plain))
		}
		if opt.MasterName == "" {
			return nil, errors.New("redis: a sentinel URL needs master_name=")
		}
		opt.DialerRetries, opt.DialerRetryTimeout = retries, retryWait
		return &Client{UniversalClient: goredis.NewFailoverClient(opt), kind: Sentinel}, nil
	case "cluster":
		opt, err := goredis.ParseClusterURL(plain)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", redactErr(err, plain))
		}
		opt.DialerRetries, opt.DialerRetryTimeout = retries, retryWait
		return &Client{UniversalClient: goredis.NewClusterClient(opt), kind: Cluster}, nil
	}
	return nil, fmt.Errorf("redis: unsupported URL scheme %q (want redis, rediss, unix, redis+sentinel or redis+cluster)", u.Scheme+"+"+mode)
}

// redactErr keeps a password in the URL out of an error message.
func redactErr(err error, rawURL string) error {
	u, perr := url.Parse(rawURL)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// isCluster reports whether c routes keys over a Redis Cluster.
func isCluster(c goredis.UniversalClient) bool {
	if rc, ok := c.(*Client); ok {
		c = rc.UniversalClient
	}
	_, ok := c.(*goredis.ClusterClient)
	return ok
}
