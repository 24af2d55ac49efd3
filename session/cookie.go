package session

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
)

// KeyPair is the key material of a CookieStore: an HMAC-SHA256 key that
// signs the cookie and an AES key that encrypts it.
type KeyPair struct {
	// HashKey signs; 32 or 64 bytes.
	HashKey []byte
	// BlockKey encrypts (AES-128, -192 or -256); 16, 24 or 32 bytes.
	BlockKey []byte
}

// GenerateKeyPair returns a random KeyPair (64-byte hash key, AES-256).
// Keys must survive restarts (or every client loses its session): store
// them as secrets, or derive them with KeysFromSecret.
func GenerateKeyPair() KeyPair {
	k := KeyPair{HashKey: make([]byte, 64), BlockKey: make([]byte, 32)}
	_, _ = rand.Read(k.HashKey)
	_, _ = rand.Read(k.BlockKey)
	return k
}

// KeysFromSecret derives a KeyPair from one secret of at least 32 bytes
// (an environment variable, say) with HKDF-SHA256, so the signing and the
// encryption keys are independent.
func KeysFromSecret(secret []byte) (KeyPair, error) {
	if len(secret) < 32 {
		return KeyPair{}, fmt.Errorf("session: the secret has %d bytes; at least 32 are needed", len(secret))
	}
	hash, err := hkdf.Key(sha256.New, secret, nil, "nexios session signing key", 64)
	if err != nil {
		return KeyPair{}, fmt.Errorf("session: deriving keys: %w", err)
	}
	block, err := hkdf.Key(sha256.New, secret, nil, "nexios session encryption key", 32)
	if err != nil {
		return KeyPair{}, fmt.Errorf("session: deriving keys: %w", err)
	}
	return KeyPair{HashKey: hash, BlockKey: block}, nil
}

// Denylist remembers ids of sessions that ended (logout, Regenerate) until
// they would have expired anyway, so that a copy of their cookie is
// refused. A CookieStore needs one because a cookie cannot be taken back
// from a client. Implementations must be safe for concurrent use; with
// several instances, use a shared one (Redis).
type Denylist interface {
	// Add refuses id until the time given.
	Add(ctx context.Context, id string, until time.Time) error
	// Contains reports whether id is refused.
	Contains(ctx context.Context, id string) (bool, error)
}

// CookieStoreConfig configures a CookieStore.
type CookieStoreConfig struct {
	// Keys are the key pairs. The first encodes; every one decodes, so
	// keys rotate by putting a new pair first and keeping the old ones
	// until the cookies they encoded have expired. At least one.
	Keys []KeyPair
	// Name binds the cookies to this store: it is covered by the MAC, so
	// a cookie of another store with the same keys does not decode.
	// Default "session".
	Name string
	// Denylist remembers ended sessions. Default: a new MemoryDenylist
	// (enough for one instance).
	Denylist Denylist
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// CookieStore keeps the whole session in the cookie, signed (HMAC-SHA256)
// and encrypted (AES-CTR) with github.com/gorilla/securecookie: nothing is
// stored on the server except the ids of ended sessions (Denylist).
// Values must fit in a cookie: about 3 KB of JSON. A client can send back an
// older cookie of the same session (and so older values) until the session
// ends; keep data that must not roll back in a server-side store.
type CookieStore struct {
	codecs []securecookie.Codec
	name   string
	deny   Denylist
	now    func() time.Time
}

// cookiePayload is what the cookie carries; short names keep it small.
type cookiePayload struct {
	ID       string         `json:"i"`
	Values   map[string]any `json:"v"`
	Created  int64          `json:"c"` // Unix milliseconds
	LastSeen int64          `json:"a"`
	Expires  int64          `json:"e"`
}

// NewCookieStore returns a CookieStore, or an error for missing or
// malformed keys.
func NewCookieStore(cfg CookieStoreConfig) (*CookieStore, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("session: CookieStoreConfig.Keys needs at least one key pair")
	}
	s := &CookieStore{name: cfg.Name, deny: cfg.Denylist, now: cfg.Now}
	if s.name == "" {
		s.name = "session"
	}
	if s.deny == nil {
		s.deny = &MemoryDenylist{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i, k := range cfg.Keys {
		if n := len(k.HashKey); n != 32 && n != 64 {
			return nil, fmt.Errorf("session: key pair %d: the hash key has %d bytes; want 32 or 64", i, n)
		}
		if n := len(k.BlockKey); n != 16 && n != 24 && n != 32 {
			return nil, fmt.Errorf("session: key pair %d: the block key has %d bytes; want 16, 24 or 32", i, n)
		}
		sc := securecookie.New(k.HashKey, k.BlockKey)
		// Expiry is in the payload, checked by Load, so the codec's own
		// timestamp check (30 days by default) must not cut sessions short.
		sc.MaxAge(0)
		sc.SetSerializer(securecookie.JSONEncoder{})
		s.codecs = append(s.codecs, sc)
	}
	return s, nil
}

// decode authenticates, decrypts and decodes a cookie value.
func (s *CookieStore) decode(token string) (*cookiePayload, bool) {
	p := new(cookiePayload)
	if securecookie.DecodeMulti(s.name, token, p, s.codecs...) != nil || !ValidID(p.ID) {
		return nil, false
	}
	return p, true
}

// Load implements Store.
func (s *CookieStore) Load(ctx context.Context, token string) (*Record, error) {
	p, ok := s.decode(token)
	if !ok || s.now().UnixMilli() >= p.Expires {
		return nil, ErrNotFound
	}
	denied, err := s.deny.Contains(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("session: checking the denylist: %w", err)
	}
	if denied {
		return nil, ErrNotFound
	}
	return &Record{
		ID: p.ID, Values: p.Values,
		CreatedAt: time.UnixMilli(p.Created), LastSeen: time.UnixMilli(p.LastSeen),
	}, nil
}

// Save implements Store. The returned token is the encoded session; it
// changes on every save.
func (s *CookieStore) Save(_ context.Context, token string, rec *Record, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("session: ttl %v is not positive", ttl)
	}
	if token == "" || !ValidID(rec.ID) {
		rec.ID = NewID()
	}
	p := cookiePayload{
		ID: rec.ID, Values: rec.Values,
		Created: rec.CreatedAt.UnixMilli(), LastSeen: rec.LastSeen.UnixMilli(),
		Expires: s.now().Add(ttl).UnixMilli(),
	}
	v, err := securecookie.EncodeMulti(s.name, &p, s.codecs[0])
	if err != nil {
		return "", fmt.Errorf("session: encoding the session cookie (values too large for a cookie?): %w", err)
	}
	return v, nil
}

// Delete implements Store: the session's id goes on the denylist until the
// cookie would have expired.
func (s *CookieStore) Delete(ctx context.Context, token string) error {
	p, ok := s.decode(token)
	if !ok || s.now().UnixMilli() >= p.Expires {
		return nil
	}
	if err := s.deny.Add(ctx, p.ID, time.UnixMilli(p.Expires)); err != nil {
		return fmt.Errorf("session: adding to the denylist: %w", err)
	}
	return nil
}

// MemoryDenylist is an in-process Denylist. The zero value is ready to
// use. Entries are dropped once past their time, swept at most once a
// minute on Add.
type MemoryDenylist struct {
	// Now returns the current time. Default time.Now.
	Now func() time.Time

	mu        sync.RWMutex
	ids       map[string]time.Time
	lastSweep time.Time
}

func (d *MemoryDenylist) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Add implements Denylist.
func (d *MemoryDenylist) Add(_ context.Context, id string, until time.Time) error {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ids == nil {
		d.ids = make(map[string]time.Time)
	}
	if now.Sub(d.lastSweep) > time.Minute {
		for k, t := range d.ids {
			if !now.Before(t) {
				delete(d.ids, k)
			}
		}
		d.lastSweep = now
	}
	if now.Before(until) {
		d.ids[id] = until
	}
	return nil
}

// Contains implements Denylist.
func (d *MemoryDenylist) Contains(_ context.Context, id string) (bool, error) {
	d.mu.RLock()
	until, ok := d.ids[id]
	d.mu.RUnlock()
	return ok && d.now().Before(until), nil
}

// Len returns the number of ids held, expired ones not yet swept included.
func (d *MemoryDenylist) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.ids)
}
