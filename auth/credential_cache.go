package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
)

// credentialCache remembers verified Basic credentials: per user name, a
// MAC of the user name and password under a random per-process key, the
// user, and an expiry. The password itself is never kept, and comparing
// MACs takes constant time. Only successes are cached: a wrong password
// always goes through the throttle and the hasher. A nil cache caches
// nothing.
type credentialCache struct {
	key [32]byte
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]credentialEntry
}

type credentialEntry struct {
	mac     [sha256.Size]byte
	user    nexios.User
	expires time.Time
}

func newCredentialCache(ttl time.Duration, size int) *credentialCache {
	c := &credentialCache{ttl: ttl, max: size, now: time.Now, entries: make(map[string]credentialEntry)}
	_, _ = rand.Read(c.key[:])
	return c
}

func (c *credentialCache) mac(username, password string) (out [sha256.Size]byte) {
	m := hmac.New(sha256.New, c.key[:])
	m.Write([]byte(username))
	m.Write([]byte{0})
	m.Write([]byte(password))
	m.Sum(out[:0])
	return out
}

// get returns the cached user for a matching credential, or nil.
func (c *credentialCache) get(username, password string) nexios.User {
	if c == nil {
		return nil
	}
	mac := c.mac(username, password)
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[username]
	if !ok || !now.Before(e.expires) || !hmac.Equal(mac[:], e.mac[:]) {
		return nil
	}
	return e.user
}

// put remembers a verified credential. When the cache is full, expired
// entries go first, then arbitrary ones (an eviction only costs one more
// verification).
func (c *credentialCache) put(username, password string, u nexios.User) {
	if c == nil {
		return
	}
	mac := c.mac(username, password)
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[username]; !ok && len(c.entries) >= c.max {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.max {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[username] = credentialEntry{mac: mac, user: u, expires: now.Add(c.ttl)}
}

func (c *credentialCache) forget(username string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, username)
}
