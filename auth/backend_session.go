package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
)

// SessionBackend authenticates by a user id kept in the session (seed 000
// §4's SessionAuthBackend(user_key="user_id", authenticate_func=...)).
// The session middleware must be added before the authentication
// middleware. Login and Logout manage the session for you.
type SessionBackend struct {
	// Key is the session key holding the user id. Default "user_id".
	Key string
	// Load returns the user with the given id (the Go form of
	// authenticate_func). Returning nil, nil or ErrUserNotFound logs the
	// session out of the request; ErrUserInactive refuses a disabled
	// account; other errors fail the request. Required.
	Load func(ctx context.Context, id string) (nexios.User, error)
	// Fingerprint, when set, ties sessions to the user's credentials:
	// Login stores Fingerprint(user), and a session whose stored value
	// differs from the current one has ended. Return something that
	// changes with the password (PasswordFingerprint of the hash), and a
	// password change signs out every session of the user, on every
	// device, with any store.
	Fingerprint func(u nexios.User) string
	// Realm names the protection space in the WWW-Authenticate challenge.
	// Default "app".
	Realm string
}

// fingerprintKey is the session key of the stored fingerprint.
const fingerprintKey = "_auth_fingerprint"

func (b *SessionBackend) validate() error {
	if b.Load == nil {
		return errors.New("SessionBackend.Load is required")
	}
	return nil
}

func (b *SessionBackend) key() string {
	if b.Key == "" {
		return "user_id"
	}
	return b.Key
}

var errNoSession = errors.New("auth: SessionBackend needs the session middleware, added before auth.Middleware")

// Authenticate implements Backend.
func (b *SessionBackend) Authenticate(req *nexios.Request) (nexios.User, error) {
	s := session.From(req)
	if s == nil {
		return nil, errNoSession
	}
	raw, ok := s.Get(b.key())
	if !ok {
		return nil, nil
	}
	id := idString(raw)
	if id == "" {
		return nil, ErrUserNotFound
	}
	u, err := b.Load(req.Context(), id)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.IsAuthenticated() {
		return nil, ErrUserNotFound
	}
	if b.Fingerprint != nil {
		stored := s.GetString(fingerprintKey)
		if subtle.ConstantTimeCompare([]byte(stored), []byte(b.Fingerprint(u))) != 1 {
			s.Destroy()
			return nil, ErrSessionEnded
		}
	}
	return u, nil
}

// Challenge implements Backend with the Cookie scheme of
// draft-broyer-http-cookie-auth: there is no registered scheme for
// cookie sessions, and RFC 9110 wants a challenge with every 401.
func (b *SessionBackend) Challenge(error) string {
	realm := b.Realm
	if realm == "" {
		realm = "app"
	}
	return "Cookie realm=" + quote(realm)
}

// Login signs u in: it regenerates the session id (against session
// fixation), stores u's identity (and fingerprint) and sets req.User() for
// the rest of the request.
func (b *SessionBackend) Login(req *nexios.Request, u nexios.User) error {
	s := session.From(req)
	if s == nil {
		return errNoSession
	}
	s.Regenerate()
	s.Set(b.key(), u.Identity())
	if b.Fingerprint != nil {
		s.Set(fingerprintKey, b.Fingerprint(u))
	}
	nexios.UserKey.Set(req, u)
	return nil
}

// Logout ends the session (store entry and cookie) and makes the rest of
// the request anonymous.
func (b *SessionBackend) Logout(req *nexios.Request) {
	if s := session.From(req); s != nil {
		s.Destroy()
	}
	nexios.UserKey.Set(req, nexios.Anonymous{})
}

// idString turns a stored user id back into a string: session values went
// through JSON, so 42 comes back as 42.0.
func idString(v any) string {
	switch id := v.(type) {
	case string:
		return id
	case float64:
		if id == math.Trunc(id) && math.Abs(id) < 1<<53 {
			return strconv.FormatInt(int64(id), 10)
		}
	case int:
		return strconv.Itoa(id)
	case int64:
		return strconv.FormatInt(id, 10)
	case json.Number:
		return id.String()
	}
	return ""
}
