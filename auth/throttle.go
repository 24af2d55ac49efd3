package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/ratelimit"
)

// ThrottleConfig configures a LoginThrottle.
type ThrottleConfig struct {
	// MaxFailures is how many failed logins an account may have within
	// Window before further attempts are refused. Default 5.
	MaxFailures int
	// MaxIPFailures is how many failed logins a client IP may have within
	// Window, whatever the accounts (password spraying). Default 20.
	MaxIPFailures int
	// Window is the period the counts cover, a sliding window as the
	// ratelimit package estimates it: a locked account waits until the
	// weighted count drops below the limit, between a fraction of Window
	// and about twice it. Default 15 minutes.
	Window time.Duration
	// Store keeps the counters. Default: a ratelimit.MemoryStore of its
	// own; use a shared store (Redis) with several instances.
	Store ratelimit.Store
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// LoginThrottle locks an account or a client IP after too many failed
// logins (seed 001's "rate limit auth endpoints" and "account lockout").
// It counts with the ratelimit package's sliding-window Limiter. In a login
// handler:
//
//	if err := throttle.Check(ctx, username, req.ClientIP()); err != nil {
//		return err // 429 with Retry-After
//	}
//	if !passwordOK {
//		_ = throttle.Failure(ctx, username, req.ClientIP())
//		return nexios.NewHTTPError(401, "Invalid credentials")
//	}
//	_ = throttle.Success(ctx, username, req.ClientIP())
//
// A locked account is locked for everyone, its owner included: that is the
// price of stopping guessing against it. The IP limit is higher so that
// users behind one NAT do not lock each other out.
type LoginThrottle struct {
	account *ratelimit.Limiter
	ip      *ratelimit.Limiter
}

// ErrLoginLocked is the cause wrapped in Check's 429 error.
var ErrLoginLocked = errors.New("auth: too many failed logins")

// NewLoginThrottle returns a LoginThrottle, or an error for an invalid
// configuration.
func NewLoginThrottle(cfg ThrottleConfig) (*LoginThrottle, error) {
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = 5
	}
	if cfg.MaxIPFailures == 0 {
		cfg.MaxIPFailures = 20
	}
	if cfg.Window == 0 {
		cfg.Window = 15 * time.Minute
	}
	if cfg.MaxFailures < 0 || cfg.MaxIPFailures < 0 || cfg.Window < 0 {
		return nil, errors.New("auth: ThrottleConfig values must not be negative")
	}
	if cfg.Store == nil {
		cfg.Store = ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
	}
	mk := func(limit int) (*ratelimit.Limiter, error) {
		return ratelimit.NewLimiter(ratelimit.LimiterConfig{
			Algorithm: ratelimit.SlidingWindow, Limit: limit, Window: cfg.Window, Store: cfg.Store, Now: cfg.Now,
		})
	}
	account, err := mk(cfg.MaxFailures)
	if err != nil {
		return nil, fmt.Errorf("auth: login throttle: %w", err)
	}
	ip, err := mk(cfg.MaxIPFailures)
	if err != nil {
		return nil, fmt.Errorf("auth: login throttle: %w", err)
	}
	return &LoginThrottle{account: account, ip: ip}, nil
}

// Keys in the shared store; the prefixes keep accounts and IPs apart.
func accountKey(a string) string { return "login:account:" + a }
func ipKey(ip string) string     { return "login:ip:" + ip }

// Check returns nil when a login for account from ip may be attempted, or
// a 429 *nexios.HTTPError with Retry-After (wrapping ErrLoginLocked).
// Empty account or ip is not checked. Check does not count an attempt.
func (t *LoginThrottle) Check(ctx context.Context, account, ip string) error {
	var wait time.Duration
	for _, c := range []struct {
		lim *ratelimit.Limiter
		key string
		on  bool
	}{{t.account, accountKey(account), account != ""}, {t.ip, ipKey(ip), ip != ""}} {
		if !c.on {
			continue
		}
		res, err := c.lim.Peek(ctx, c.key)
		if err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
		if !res.Allowed {
			wait = max(wait, res.RetryAfter)
		}
	}
	if wait == 0 {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	e := nexios.NewHTTPError(http.StatusTooManyRequests, "Too many failed login attempts; try again later")
	e.Err = ErrLoginLocked
	e.Extensions = map[string]any{"retry_after": secs}
	return e.WithHeader("Retry-After", strconv.Itoa(secs))
}

// Failure counts a failed login for account and ip.
func (t *LoginThrottle) Failure(ctx context.Context, account, ip string) error {
	if account != "" {
		if _, err := t.account.Allow(ctx, accountKey(account)); err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
	}
	if ip != "" {
		if _, err := t.ip.Allow(ctx, ipKey(ip)); err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
	}
	return nil
}

// Success clears the account's failures after a successful login. The IP's
// count is kept: one valid account must not reset a spraying client.
func (t *LoginThrottle) Success(ctx context.Context, account, _ string) error {
	if account == "" {
		return nil
	}
	if err := t.account.Reset(ctx, accountKey(account)); err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	return nil
}
