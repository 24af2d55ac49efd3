package auth

import (
	"context"
	"sync"
	"time"
)

// MemoryRevocationList is an in-process RevocationList, enough for one
// instance (use a shared list, Redis or SQL, for several). The zero value
// is ready to use. Expired entries count as absent at once and are dropped
// by a sweep at most once a minute, on writes.
type MemoryRevocationList struct {
	// Now returns the current time. Default time.Now.
	Now func() time.Time

	mu        sync.RWMutex
	tokens    map[string]time.Time // jti → expiry
	families  map[string]time.Time // family → expiry
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
	for k, exp := range m.families {
		if !now.Before(exp) {
			delete(m.families, k)
		}
	}
	for k, c := range m.subjects {
		if !now.Before(c.expires) {
			delete(m.subjects, k)
		}
	}
}

// RevokeOnce implements RevocationList: the check and the write happen
// under one lock.
func (m *MemoryRevocationList) RevokeOnce(_ context.Context, jti string, expiresAt time.Time) (bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	if exp, ok := m.tokens[jti]; ok && now.Before(exp) {
		return false, nil
	}
	if !now.Before(expiresAt) {
		// Already expired: nothing to remember.
		delete(m.tokens, jti)
		return true, nil
	}
	if m.tokens == nil {
		m.tokens = make(map[string]time.Time)
	}
	m.tokens[jti] = expiresAt
	return true, nil
}

// RevokeFamily implements RevocationList.
func (m *MemoryRevocationList) RevokeFamily(_ context.Context, family string, expiresAt time.Time) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	if !now.Before(expiresAt) {
		return nil
	}
	if m.families == nil {
		m.families = make(map[string]time.Time)
	}
	if exp, ok := m.families[family]; !ok || expiresAt.After(exp) {
		m.families[family] = expiresAt
	}
	return nil
}

// RevokeSubject implements RevocationList.
func (m *MemoryRevocationList) RevokeSubject(_ context.Context, subject string, issuedBefore, expiresAt time.Time) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	if !now.Before(expiresAt) {
		return nil
	}
	if m.subjects == nil {
		m.subjects = make(map[string]cutoff)
	}
	c, ok := m.subjects[subject]
	if !ok || !now.Before(c.expires) {
		c = cutoff{}
	}
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
func (m *MemoryRevocationList) IsRevoked(_ context.Context, t RevocationCheck) (bool, error) {
	now := m.now()
	m.mu.RLock()
	defer m.mu.RUnlock()
	if exp, ok := m.tokens[t.JTI]; ok && t.JTI != "" && now.Before(exp) {
		return true, nil
	}
	if exp, ok := m.families[t.Family]; ok && t.Family != "" && now.Before(exp) {
		return true, nil
	}
	c, ok := m.subjects[t.Subject]
	return ok && t.Subject != "" && now.Before(c.expires) && t.IssuedAt.Before(c.before), nil
}

// Len returns the number of entries held (tokens, families and subjects),
// expired ones not yet swept included.
func (m *MemoryRevocationList) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.tokens) + len(m.families) + len(m.subjects)
}
