package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"

	"github.com/nexios-go/nexios"
)

// APIKeyBackend authenticates by an API key sent in a header, a query
// parameter or a cookie (tried in that order).
type APIKeyBackend struct {
	// Header is the request header carrying the key. Default "X-API-Key"
	// when Header, Query and Cookie are all empty.
	Header string
	// Query is a query parameter carrying the key (keys in URLs end up in
	// logs: prefer the header).
	Query string
	// Cookie is a cookie carrying the key.
	Cookie string
	// Lookup returns the user owning key, or nil, nil for an unknown key.
	// Compare keys in constant time: StaticAPIKeys does, and a database
	// lookup by HashAPIKey(key) reveals nothing through timing. Required.
	Lookup func(ctx context.Context, key string) (nexios.User, error)
	// Realm names the protection space in the challenge. Default "api".
	Realm string
}

// maxAPIKeyLen bounds the keys passed to Lookup.
const maxAPIKeyLen = 512

func (b *APIKeyBackend) validate() error {
	if b.Lookup == nil {
		return errors.New("APIKeyBackend.Lookup is required")
	}
	return nil
}

// Authenticate implements Backend.
func (b *APIKeyBackend) Authenticate(req *nexios.Request) (nexios.User, error) {
	var key string
	header := b.Header
	if header == "" && b.Query == "" && b.Cookie == "" {
		header = "X-API-Key"
	}
	if header != "" {
		key = req.Header(header)
	}
	if key == "" && b.Query != "" {
		key = req.Query(b.Query)
	}
	if key == "" && b.Cookie != "" {
		key = req.Cookie(b.Cookie)
	}
	if key == "" {
		return nil, nil
	}
	if len(key) > maxAPIKeyLen {
		return nil, ErrInvalidCredentials
	}
	u, err := b.Lookup(req.Context(), key)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.IsAuthenticated() {
		return nil, ErrInvalidCredentials
	}
	return u, nil
}

// Challenge implements Backend with an APIKey challenge, as Nexios sends.
func (b *APIKeyBackend) Challenge(error) string {
	realm := b.Realm
	if realm == "" {
		realm = "api"
	}
	return "APIKey realm=" + quote(realm)
}

// StaticAPIKeys returns a Lookup for a fixed set of keys. The presented
// key is hashed and compared with every known key's hash in constant time,
// without stopping at a match, so response times reveal neither a key's
// prefix nor its length nor which key matched.
func StaticAPIKeys(keys map[string]nexios.User) func(ctx context.Context, key string) (nexios.User, error) {
	type entry struct {
		sum  [sha256.Size]byte
		user nexios.User
	}
	entries := make([]entry, 0, len(keys))
	for k, u := range keys {
		entries = append(entries, entry{sha256.Sum256([]byte(k)), u})
	}
	return func(_ context.Context, key string) (nexios.User, error) {
		sum := sha256.Sum256([]byte(key))
		var found nexios.User
		for _, e := range entries {
			if subtle.ConstantTimeCompare(sum[:], e.sum[:]) == 1 {
				found = e.user
			}
		}
		return found, nil
	}
}

// GenerateAPIKey returns a new random key (prefix followed by 256 bits in
// base64url) and its hash to store (HashAPIKey), like Nexios'
// create_api_key. Show the key to its owner once; keep only the hash.
func GenerateAPIKey(prefix string) (key, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	key = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return key, HashAPIKey(key)
}

// HashAPIKey returns the SHA-256 of key in hex: what a database stores and
// looks keys up by. API keys are random, so a fast hash is enough (unlike
// passwords).
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// VerifyAPIKey reports, in constant time, whether key hashes to hash.
func VerifyAPIKey(key, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashAPIKey(key)), []byte(hash)) == 1
}
