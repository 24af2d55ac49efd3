package auth

import (
	"context"
	"sync"
	"time"
)

// RevocationList remembers revoked tokens until they would have expired
// anyway: single tokens by jti (logout, a rotated refresh token) and every
// token of a subject issued before a time (a password change, "sign out
// everywhere"). Implementations must be safe for concurrent use; with
// several instances, use a shared one (Redis).
type RevocationList interface {
	// RevokeToken revokes the token with id jti; the entry may be dropped
	// after expiresAt.
	RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error
	// RevokeSubject revokes every token of subject issued before
	// issuedBefore; the entry may be dropped after expiresAt (when every
	// such token has expired).
	RevokeSubject(ctx context.Context, subject string, issuedBefore, expiresAt time.Time) error
	// IsRevoked reports whether a token (its jti, subject and issue time)
	// was revoked.
	IsRevoked(ctx context.Context, jti, subject string, issuedAt time.Time) (bool, error)
}

// MemoryRevocationList is an in-process RevocationList. The zero value is
// ready to use. Entries are dropped once their tokens have expired, swept
// at most once a minute on writes.
type MemoryRevocationList struct {
	// Now returns the current time. Default time.Now.
	Now func() time.Time

	mu        sync.RWMutex
	tokens    map[string]time.Time // jti → expiry
	subjects  map[string]cutoff
	lastSweep time.Time
}

type cutoff struct {
	before, expires time.Time
}

func (m *MemoryRevocationList) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// sweep drops expired entries; the caller holds the write lock.
func (m *MemoryRevocationList) sweep(now time.Time) {
	if now.Sub(m.lastSweep) < time.Minute {
		return
	}
	m.lastSweep = now
	for k, exp := range m.tokens {
		if !now.Before(exp) {
			delete(m.tokens, k)
		}
	}
	for k, c := range m.subjects {
		if !now.Before(c.expires) {
			delete(m.subjects, k)
		}
	}
}

// RevokeToken implements RevocationList.
func (m *MemoryRevocationList) RevokeToken(_ context.Context, jti string, expiresAt time.Time) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	if m.tokens == nil {
		m.tokens = make(map[string]time.Time)
	}
	if now.Before(expiresAt) {
		m.tokens[jti] = expiresAt
	}
	return nil
}

// RevokeSubject implements RevocationList.
func (m *MemoryRevocationList) RevokeSubject(_ context.Context, subject string, issuedBefore, expiresAt time.Time) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	if m.subjects == nil {
		m.subjects = make(map[string]cutoff)
	}
	c := m.subjects[subject]
	if issuedBefore.After(c.before) {
		c.before = issuedBefore
	}
	if expiresAt.After(c.expires) {
		c.expires = expiresAt
	}
	m.subjects[subject] = c
	return nil
}

// IsRevoked implements RevocationList.
func (m *MemoryRevocationList) IsRevoked(_ context.Context, jti, subject string, issuedAt time.Time) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if _, ok := m.tokens[jti]; ok && jti != "" {
		return true, nil
	}
	c, ok := m.subjects[subject]
	return ok && issuedAt.Before(c.before), nil
}

// Len returns the number of entries held (tokens and subjects), expired
// ones not yet swept included.
func (m *MemoryRevocationList) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.tokens) + len(m.subjects)
}
