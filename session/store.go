package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Store.Load for a token that names no live
// session: unknown, malformed, forged, revoked or expired. The middleware
// answers it with a new, empty session.
var ErrNotFound = errors.New("session: not found")

// Record is what a Store keeps for one session.
type Record struct {
	// ID identifies the session (Session.ID). Server-side stores use it
	// as the cookie value; the cookie store keeps it inside the cookie.
	// Save fills it in for a new session.
	ID string `json:"id"`
	// Values are the session's data. Stores serialise them as JSON, so
	// numbers come back as float64 (Session.GetInt converts them).
	Values map[string]any `json:"values"`
	// CreatedAt is when the session began (the absolute timeout counts
	// from it).
	CreatedAt time.Time `json:"created_at"`
	// LastSeen is when the session was last saved (the idle timeout counts
	// from it).
	LastSeen time.Time `json:"last_seen"`
}

// Store keeps sessions. The token is the value of the session cookie: an
// id for server-side stores (memory, file, Redis), the encrypted session
// itself for the cookie store. Implementations must be safe for concurrent
// use, must never trust a token (validate it before using it as a key or
// a file name) and must forget a session once its TTL has passed.
type Store interface {
	// Load returns the session under token, or ErrNotFound when there is
	// none (never a half-read record).
	Load(ctx context.Context, token string) (*Record, error)
	// Save stores rec for ttl and returns the token the client must send
	// from now on. An empty token asks for a new session: the store picks
	// a fresh unguessable id and sets rec.ID. A token is only ever one that
	// Load accepted or Save returned.
	//
	// A server-side store updates an existing session only if it still
	// exists (a compare-and-set: SET … XX in Redis): when it was deleted
	// or expired since it was loaded — a logout or an id rotation by
	// another request, maybe on another instance — Save returns
	// ErrNotFound rather than bring it back, and the middleware ends the
	// request's session.
	Save(ctx context.Context, token string, rec *Record, ttl time.Duration) (string, error)
	// Delete forgets the session under token, so that a copy of the
	// cookie cannot bring it back. Unknown tokens are not an error.
	Delete(ctx context.Context, token string) error
}

// idBytes is the size of a session id: 256 random bits.
const idBytes = 32

// NewID returns a new session id: 256 bits from crypto/rand as 64
// lower-case hex digits.
func NewID() string {
	var b [idBytes]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s has the form of an id from NewID. Stores check
// it before using a client's token as a map key, a file name or a Redis
// key.
func ValidID(s string) bool {
	if len(s) != 2*idBytes {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// saveToken checks the arguments of a server-side Save and returns the id
// to save under: a new one for a new session, the given one when it is a
// valid id (never a path or anything a client could choose freely).
func saveToken(token string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("session: ttl %v is not positive", ttl)
	}
	if token == "" {
		return NewID(), nil
	}
	if !ValidID(token) {
		return "", errBadToken
	}
	return token, nil
}
