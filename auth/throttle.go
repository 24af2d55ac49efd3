package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/nexios-go/nexios"
)

// ThrottleConfig configures a LoginThrottle.
type ThrottleConfig struct {
	// MaxFailures is how many login attempts an account may have counted
	// within Window before further attempts are refused. An attempt
	// counts from the moment it is reserved until it succeeds (or is
	// cancelled); a failure stays counted. Default 5.
	MaxFailures int
	// MaxIPFailures is the same for a client network, whatever the
	// accounts (password spraying): the IPv4 address, or the IPv6 /64.
	// Default 20.
	MaxIPFailures int
	// Window is how long counts last: a window starts at the first
	// attempt counted for an account (or network) and lasts Window; when
	// it ends the count starts over. A locked account waits at most
	// Window. Default 15 minutes.
	Window time.Duration
	// Store keeps the counts. Default: a MemoryThrottleStore of its own
	// (one instance); with several instances use a shared store (Redis,
	// SQL).
	Store ThrottleStore
	// Now returns the current time for the default store. Default
	// time.Now.
	Now func() time.Time
}

// LoginThrottle limits password guessing per account and per client
// network (seed 001's "rate limit auth endpoints" and "account lockout").
//
// An attempt is reserved before the password is checked, atomically in
// the store, so concurrent guesses cannot all slip past the limit: of 50
// simultaneous wrong passwords against a limit of 5, at most 5 reach the
// password check and the rest are refused with 429. In a login handler:
//
//	att, err := throttle.Reserve(ctx, username, req.ClientIP())
//	if err != nil {
//		return err // 429 with Retry-After (503 if the store fails)
//	}
//	ok, err := hasher.Verify(ctx, password, hash)
//	if err != nil {
//		_ = att.Cancel(ctx) // not the client's fault: not counted
//		return err
//	}
//	if !ok {
//		_ = att.Failed(ctx) // stays counted
//		return nexios.NewHTTPError(401, "Invalid credentials")
//	}
//	if err := att.Succeeded(ctx); err != nil { // clears the account's count
//		return err
//	}
//
// A locked account is locked for everyone, its owner included: that is
// the price of stopping guessing against it. The network limit is higher
// so that users behind one NAT do not lock each other out. Concurrent
// attempts count while they run, so more than MaxFailures simultaneous
// logins to one account are refused even with the right password.
type LoginThrottle struct {
	store         ThrottleStore
	maxFailures   int
	maxIPFailures int
	window        time.Duration
}

// Errors of the login throttle, wrapped in the *nexios.HTTPError values
// Reserve returns.
var (
	// ErrLoginLocked: too many attempts (429 with Retry-After).
	ErrLoginLocked = errors.New("auth: too many failed logins")
	// ErrThrottleUnavailable: the store failed; the login is refused
	// (503), never let through unthrottled.
	ErrThrottleUnavailable = errors.New("auth: login throttle unavailable")
)

// NewLoginThrottle returns a LoginThrottle, or an error for an invalid
// configuration.
func NewLoginThrottle(cfg ThrottleConfig) (*LoginThrottle, error) {
	if cfg.MaxFailures < 0 || cfg.MaxIPFailures < 0 || cfg.Window < 0 {
		return nil, errors.New("auth: ThrottleConfig values must not be negative")
	}
	t := &LoginThrottle{store: cfg.Store, maxFailures: cfg.MaxFailures, maxIPFailures: cfg.MaxIPFailures, window: cfg.Window}
	if t.maxFailures == 0 {
		t.maxFailures = 5
	}
	if t.maxIPFailures == 0 {
		t.maxIPFailures = 20
	}
	if t.window == 0 {
		t.window = 15 * time.Minute
	}
	if t.store == nil {
		t.store = NewMemoryThrottleStore(MemoryThrottleConfig{Now: cfg.Now})
	}
	return t, nil
}

// Keys in the store; the prefixes keep accounts and networks apart. A
// long account name is hashed so that keys stay small.
func accountKey(a string) string { return storeKey("login:account:", a) }

func storeKey(prefix, s string) string {
	if len(s) > 128 {
		sum := sha256.Sum256([]byte(s))
		s = "sha256:" + hex.EncodeToString(sum[:])
	}
	return prefix + s
}

// networkKey returns the key of a client address: the IPv4 address, or
// the IPv6 /64 (one subscriber gets a whole /64, so per-address counts
// would not stop anyone). Anything else is used as given.
func networkKey(ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil {
		a = a.Unmap()
		if a.Is6() {
			p, _ := a.WithZone("").Prefix(64)
			return "login:ip:" + p.String()
		}
		return "login:ip:" + a.String()
	}
	return storeKey("login:ip:", ip)
}

// Attempt is one reserved login attempt. Resolve it once, with Succeeded,
// Failed or Cancel; an attempt never resolved stays counted, like a
// failure. It is not safe for concurrent use.
type Attempt struct {
	t            *LoginThrottle
	account, net string // store keys; "" when not reserved
	accountWin   uint64
	netWin       uint64
	resolved     bool
}

// Reserve counts a login attempt for account from ip before the password
// is checked, or refuses it: a 429 *nexios.HTTPError with Retry-After
// (wrapping ErrLoginLocked) when the account or the network has used its
// attempts, a 503 one (wrapping ErrThrottleUnavailable and the store's
// error) when the store fails. An empty account or ip is not counted.
// Pass the account as the user lookup sees it (normalised case), so that
// "Ada" and "ada" share one count.
func (t *LoginThrottle) Reserve(ctx context.Context, account, ip string) (*Attempt, error) {
	a := &Attempt{t: t}
	// The network first: a refused network creates no account entry, so
	// a spraying client cannot fill the store with account keys.
	if ip != "" {
		key := networkKey(ip)
		res, err := t.store.Reserve(ctx, key, t.maxIPFailures, t.window)
		if err != nil {
			return nil, unavailableThrottle(err)
		}
		if !res.Allowed {
			return nil, locked(res.RetryAfter)
		}
		a.net, a.netWin = key, res.WindowID
	}
	if account != "" {
		key := accountKey(account)
		res, err := t.store.Reserve(ctx, key, t.maxFailures, t.window)
		if err == nil && !res.Allowed {
			err = locked(res.RetryAfter)
		} else if err != nil {
			err = unavailableThrottle(err)
		}
		if err != nil {
			if a.net != "" {
				_ = t.store.Release(context.WithoutCancel(ctx), a.net, a.netWin)
			}
			return nil, err
		}
		a.account, a.accountWin = key, res.WindowID
	}
	return a, nil
}

// Succeeded records a successful login: the account's count is cleared,
// and the attempt is taken off the network's count (one valid account must
// not reset a spraying client, nor count against it).
func (a *Attempt) Succeeded(ctx context.Context) error {
	if a.resolved {
		return nil
	}
	a.resolved = true
	ctx = context.WithoutCancel(ctx) // a client that hung up must not skip this
	var errs []error
	if a.net != "" {
		errs = append(errs, a.t.store.Release(ctx, a.net, a.netWin))
	}
	if a.account != "" {
		errs = append(errs, a.t.store.Reset(ctx, a.account))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	return nil
}

// Failed records a failed login: the attempt stays counted. It only marks
// the attempt resolved (a later Cancel does nothing), and exists so that
// handlers say what happened.
func (a *Attempt) Failed(context.Context) error {
	a.resolved = true
	return nil
}

// Cancel takes the attempt off both counts, for a login that ended
// without an answer about the password (the hasher was busy, the user
// store failed). It is not for wrong passwords: that would undo the
// throttle.
func (a *Attempt) Cancel(ctx context.Context) error {
	if a.resolved {
		return nil
	}
	a.resolved = true
	ctx = context.WithoutCancel(ctx)
	var errs []error
	if a.net != "" {
		errs = append(errs, a.t.store.Release(ctx, a.net, a.netWin))
	}
	if a.account != "" {
		errs = append(errs, a.t.store.Release(ctx, a.account, a.accountWin))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	return nil
}

// locked is the 429 for a refused attempt.
func locked(wait time.Duration) error {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	e := nexios.NewHTTPError(http.StatusTooManyRequests, "Too many failed login attempts; try again later")
	e.Err = ErrLoginLocked
	e.Extensions = map[string]any{"retry_after": secs}
	return e.WithHeader("Retry-After", strconv.Itoa(secs))
}

// unavailableThrottle is the 503 for a failing store.
func unavailableThrottle(err error) error {
	e := nexios.NewHTTPError(http.StatusServiceUnavailable, "Sign-in is temporarily unavailable; try again later")
	e.Err = fmt.Errorf("%w: %w", ErrThrottleUnavailable, err)
	return e.WithHeader("Retry-After", "5")
}
