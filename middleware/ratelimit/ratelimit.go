package ratelimit

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/nexios-go/nexios"
)

// HeaderMode selects the rate-limit headers sent with every response.
type HeaderMode uint8

const (
	// XRateLimitHeaders sends X-RateLimit-Limit (the capacity),
	// X-RateLimit-Remaining and X-RateLimit-Reset (seconds until the full
	// quota is back, rounded up). The default.
	XRateLimitHeaders HeaderMode = iota
	// IETFHeaders sends the RateLimit-Policy and RateLimit fields of
	// draft-ietf-httpapi-ratelimit-headers-09:
	//	RateLimit-Policy: "default";q=100;w=60
	//	RateLimit: "default";r=42;t=17
	// (q: Limit, w: Window in seconds rounded up, r: remaining, t: seconds
	// until the full quota is back). The draft may still change.
	IETFHeaders
	// NoHeaders sends no rate-limit header; a 429 still has Retry-After.
	NoHeaders
)

// Config configures the middleware. The zero value allows 100 requests a
// minute per client IP with the sliding-window counter, in memory.
type Config struct {
	// Algorithm, Limit, Window, Burst, Store and Now configure the limiter
	// as in LimiterConfig: defaults SlidingWindow, 100, 1 minute, Limit,
	// a new MemoryStore, time.Now.
	Algorithm Algorithm
	Limit     int
	Window    time.Duration
	Burst     int
	Store     Store
	Now       func() time.Time

	// Limiter is an existing limiter to use instead (shared with code
	// outside HTTP, or between routes that share a quota). Setting it and
	// any of the fields above is an error.
	Limiter *Limiter

	// KeyFunc returns the key a request is counted under. Default ByIP.
	KeyFunc KeyFunc
	// Prefix is put before every key, to keep limiters that share a Store
	// apart ("login:"). Default "": no prefix, no allocation.
	Prefix string

	// Headers selects the rate-limit headers. Default XRateLimitHeaders.
	Headers HeaderMode
	// PolicyName names the policy in IETFHeaders. Default "default".
	PolicyName string

	// FailClosed answers 503 when the store fails, for limits an attacker
	// would like lifted (login, password reset, sign-up). Default false:
	// fail open — requests are admitted and the error is logged at warn
	// level, the right choice for general traffic, where an outage of the
	// shared store must not take the site down. NewFallbackStore is the
	// third policy: a local limit while the store is down.
	FailClosed bool

	// Skip exempts requests from the limit (health checks, trusted
	// clients). They are not counted and get no headers. Default nil.
	Skip func(req *nexios.Request) bool
}

// ExceededError is the cause wrapped in the 429 *nexios.HTTPError of a
// rejected request, for error handlers that render their own response:
//
//	var ex *ratelimit.ExceededError
//	if errors.As(err, &ex) { … ex.Result.RetryAfter … }
type ExceededError struct {
	Result Result
}

// Error implements error.
func (e *ExceededError) Error() string {
	return "ratelimit: limit exceeded, retry after " + e.Result.RetryAfter.String()
}

// Canonical header keys, so that values are assigned into the header map
// without Header.Set's canonicalisation and allocation.
const (
	hLimit     = "X-Ratelimit-Limit"
	hRemaining = "X-Ratelimit-Remaining"
	hReset     = "X-Ratelimit-Reset"
	hPolicy    = "Ratelimit-Policy"
	hRateLimit = "Ratelimit"
)

// maxTable bounds the pre-built header values; larger numbers are
// formatted per request.
const maxTable = 4096

type middleware struct {
	lim      *Limiter
	key      KeyFunc
	prefix   string
	headers  HeaderMode
	failOpen bool
	skip     func(*nexios.Request) bool

	limit  []string   // X-RateLimit-Limit value
	policy []string   // RateLimit-Policy value
	ietf   string     // `"name";r=` prefix of the RateLimit value
	nums   [][]string // pre-built decimal values 0..len-1
}

// New returns the rate-limit middleware, or an error for an invalid
// configuration. Use it at app level (every request, 404s included),
// router level (the router's routes only) or route level; each New has its
// own quota.
func New(cfg Config) (nexios.Middleware, error) {
	lim := cfg.Limiter
	if lim == nil {
		var err error
		lim, err = NewLimiter(LimiterConfig{Algorithm: cfg.Algorithm, Limit: cfg.Limit, Window: cfg.Window,
			Burst: cfg.Burst, Store: cfg.Store, Now: cfg.Now})
		if err != nil {
			return nil, err
		}
	} else if cfg.Algorithm != 0 || cfg.Limit != 0 || cfg.Window != 0 || cfg.Burst != 0 || cfg.Store != nil || cfg.Now != nil {
		return nil, errors.New("ratelimit: set either Limiter or the limiter fields (Algorithm, Limit, Window, Burst, Store, Now), not both")
	}
	if cfg.Headers > NoHeaders {
		return nil, fmt.Errorf("ratelimit: unknown header mode %d", cfg.Headers)
	}
	if cfg.PolicyName == "" {
		cfg.PolicyName = "default"
	}
	for _, c := range cfg.PolicyName {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return nil, fmt.Errorf("ratelimit: PolicyName %q must be printable ASCII without quotes or backslashes", cfg.PolicyName)
		}
	}
	if cfg.KeyFunc == nil {
		cfg.KeyFunc = ByIP
	}
	p := lim.Policy()
	m := &middleware{
		lim: lim, key: cfg.KeyFunc, prefix: cfg.Prefix, headers: cfg.Headers,
		failOpen: !cfg.FailClosed, skip: cfg.Skip,
		limit:  []string{strconv.Itoa(p.capacity())},
		policy: []string{`"` + cfg.PolicyName + `";q=` + strconv.Itoa(p.Limit) + ";w=" + strconv.FormatInt(ceilSeconds(p.Window), 10)},
		ietf:   `"` + cfg.PolicyName + `";r=`,
	}
	if cfg.Headers == XRateLimitHeaders {
		n := min(max(int64(p.capacity()), ceilSeconds(maxReset(p)))+1, maxTable)
		m.nums = make([][]string, n)
		for i := range m.nums {
			m.nums[i] = []string{strconv.Itoa(i)}
		}
	}
	return m.wrap, nil
}

// maxReset bounds Result.Reset for p.
func maxReset(p Policy) time.Duration {
	switch p.Algorithm {
	case FixedWindow:
		return p.Window
	case TokenBucket:
		return time.Duration(int64(p.capacity()) * p.interval())
	}
	return 2 * p.Window
}

func (m *middleware) wrap(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if m.skip != nil && m.skip(req) {
			return next(req, res)
		}
		key, err := m.key(req)
		if err != nil {
			return keyError(err)
		}
		if key == "" {
			return nexios.NewHTTPError(http.StatusInternalServerError, "").Wrap(errors.New("ratelimit: KeyFunc returned an empty key"))
		}
		if m.prefix != "" {
			key = m.prefix + key
		}
		r, err := m.lim.Allow(req.Context(), key)
		if err != nil {
			if m.failOpen {
				req.App().Logger().LogAttrs(req.Context(), slog.LevelWarn, "ratelimit: store failed; request admitted",
					slog.String("path", req.URL().Path), slog.Any("error", err))
				return next(req, res)
			}
			return nexios.NewHTTPError(http.StatusServiceUnavailable, "rate limiting is unavailable; try again later").Wrap(err)
		}
		m.setHeaders(res.Header(), r)
		if !r.Allowed {
			secs := strconv.FormatInt(max(ceilSeconds(r.RetryAfter), 1), 10)
			return nexios.NewHTTPError(http.StatusTooManyRequests, "rate limit exceeded; retry in "+secs+" seconds").
				WithHeader("Retry-After", secs).Wrap(&ExceededError{Result: r})
		}
		return next(req, res)
	}
}

// keyError passes on an error that carries a status and turns any other
// into a 500.
func keyError(err error) error {
	var sc interface{ StatusCode() int }
	if errors.As(err, &sc) {
		return err
	}
	return nexios.NewHTTPError(http.StatusInternalServerError, "").Wrap(fmt.Errorf("ratelimit: key: %w", err))
}

func (m *middleware) setHeaders(h http.Header, r Result) {
	switch m.headers {
	case XRateLimitHeaders:
		h[hLimit] = m.limit
		h[hRemaining] = m.num(int64(r.Remaining))
		h[hReset] = m.num(ceilSeconds(r.Reset))
	case IETFHeaders:
		var buf [96]byte // on the stack unless the policy name is long
		b := append(buf[:0], m.ietf...)
		b = strconv.AppendInt(b, int64(r.Remaining), 10)
		b = append(b, ";t="...)
		b = strconv.AppendInt(b, ceilSeconds(r.Reset), 10)
		h[hPolicy] = m.policy
		h[hRateLimit] = []string{string(b)}
	}
}

func (m *middleware) num(n int64) []string {
	if n >= 0 && n < int64(len(m.nums)) {
		return m.nums[n]
	}
	return []string{strconv.FormatInt(n, 10)}
}

// ceilSeconds returns d in whole seconds, rounded up.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}
