package auth

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
)

// BasicBackend authenticates by HTTP Basic credentials (RFC 7617), for
// internal tools. Serve it over HTTPS only: the password travels with
// every request.
//
// The password arrives with every request, so two defences run by
// default: wrong passwords are throttled like a login form (Throttle), and
// a verified credential is remembered for CacheTTL so that a client
// sending it again does not cost a password hash per request.
type BasicBackend struct {
	// Realm names the protection space. Default "restricted".
	Realm string
	// Verify returns the user for a user name and password, or nil, nil
	// when they are wrong. BasicUsers (or Hasher.BasicUsers) builds one
	// from password hashes, through a bounded Hasher. Required.
	Verify func(ctx context.Context, username, password string) (nexios.User, error)
	// Throttle limits guessing per user name and client network; a
	// refused request gets 429 with Retry-After. Default: a LoginThrottle
	// with its defaults, of this backend's own (share one, with a shared
	// store, across instances).
	Throttle *LoginThrottle
	// CacheTTL is how long a verified user name and password are
	// remembered (as a keyed MAC, never the password): requests repeating
	// them within it skip Verify. It is also how long a changed password
	// or a disabled user may still get in with the old credential, unless
	// Forget is called. Default 1 minute; negative disables the cache.
	CacheTTL time.Duration
	// CacheSize bounds the remembered credentials (one per user name).
	// Default 1024.
	CacheSize int

	once     sync.Once
	throttle *LoginThrottle
	cache    *credentialCache
}

func (b *BasicBackend) validate() error {
	if b.Verify == nil {
		return errors.New("BasicBackend.Verify is required")
	}
	if b.CacheSize < 0 {
		return errors.New("BasicBackend.CacheSize must not be negative")
	}
	return nil
}

func (b *BasicBackend) init() {
	b.once.Do(func() {
		b.throttle = b.Throttle
		if b.throttle == nil {
			b.throttle, _ = NewLoginThrottle(ThrottleConfig{}) // the defaults are valid
		}
		ttl, size := b.CacheTTL, b.CacheSize
		if ttl == 0 {
			ttl = time.Minute
		}
		if size <= 0 {
			size = 1024
		}
		if ttl > 0 {
			b.cache = newCredentialCache(ttl, size)
		}
	})
}

// Authenticate implements Backend.
func (b *BasicBackend) Authenticate(req *nexios.Request) (nexios.User, error) {
	h := req.Header("Authorization")
	scheme, _, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil, nil
	}
	user, pass, ok := req.Raw().BasicAuth()
	if !ok || len(user) > 256 || len(pass) > maxPasswordLen {
		return nil, ErrInvalidCredentials
	}
	b.init()
	if u := b.cache.get(user, pass); u != nil {
		return u, nil
	}
	ctx := req.Context()
	att, err := b.throttle.Reserve(ctx, user, req.ClientIP())
	if err != nil {
		return nil, err // 429, or 503 when the throttle's store fails
	}
	u, err := b.Verify(ctx, user, pass)
	if err != nil {
		if s := nexios.StatusOf(err); s >= 400 && s < 500 {
			_ = att.Failed(ctx) // a refused credential (ErrUserInactive …)
		} else {
			_ = att.Cancel(ctx) // no answer about the password: not counted
		}
		return nil, err
	}
	if u == nil || !u.IsAuthenticated() {
		_ = att.Failed(ctx)
		return nil, ErrInvalidCredentials
	}
	if err := att.Succeeded(ctx); err != nil {
		return nil, err
	}
	b.cache.put(user, pass, u)
	return u, nil
}

// Forget drops the remembered credential of username, so that a changed
// password or a disabled account takes effect at once rather than within
// CacheTTL.
func (b *BasicBackend) Forget(username string) {
	b.init()
	b.cache.forget(username)
}

// Challenge implements Backend.
func (b *BasicBackend) Challenge(error) string {
	realm := b.Realm
	if realm == "" {
		realm = "restricted"
	}
	return "Basic realm=" + quote(realm) + `, charset="UTF-8"`
}

// BasicUsers returns a Verify function for a fixed set of users: user name
// → password hash (HashPassword), verified through a Hasher of its own
// with the default limits. Use Hasher.BasicUsers to share the server's
// Hasher.
func BasicUsers(hashes map[string]string) func(ctx context.Context, username, password string) (nexios.User, error) {
	h, _ := NewHasher(HasherConfig{}) // the defaults are valid
	return h.BasicUsers(hashes)
}

// BasicUsers returns a Verify function for a fixed set of users: user name
// → password hash, verified through h. An unknown user name costs a
// verification too (against DummyHash), so timing does not reveal which
// names exist.
func (h *Hasher) BasicUsers(hashes map[string]string) func(ctx context.Context, username, password string) (nexios.User, error) {
	hashes = maps.Clone(hashes)
	return func(ctx context.Context, username, password string) (nexios.User, error) {
		hash, known := hashes[username]
		if !known {
			hash = h.DummyHash()
		}
		ok, err := h.Verify(ctx, password, hash)
		if err != nil {
			return nil, err
		}
		if !ok || !known {
			return nil, nil
		}
		return SimpleUser{ID: username}, nil
	}
}
