package redis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/auth"
)

//go:embed revocation.lua
var revocationLua string

var revocationScript = goredis.NewScript(revocationLua)

// RevocationConfig configures a RevocationList.
type RevocationConfig struct {
	// Prefix is put before every key. Default "nexios:revoked:".
	Prefix string
}

// RevocationList is an auth.RevocationList on Redis. A revoked jti is a
// key set with SET NX PXAT (atomic: exactly one of any number of
// concurrent RevokeOnce calls is first); families and subjects are keys
// written by a Lua script that keeps the later times. Every entry expires
// with the token it revokes, so the list never grows beyond the live
// tokens. Times are kept to the millisecond, rounded up (an entry lasts
// at least as long as asked, a subject's cutoff covers at least the
// tokens issued before it).
//
// The JWT code treats every error as "cannot tell" and refuses the token
// with 503: the revocation check always fails closed.
type RevocationList struct {
	rdb    goredis.UniversalClient
	prefix string
}

var _ auth.RevocationList = (*RevocationList)(nil)

// NewRevocationList returns a RevocationList on rdb.
func NewRevocationList(rdb goredis.UniversalClient, cfg RevocationConfig) *RevocationList {
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios:revoked:"
	}
	return &RevocationList{rdb: rdb, prefix: cfg.Prefix}
}

func (l *RevocationList) jtiKey(jti string) string     { return l.prefix + "jti:" + jti }
func (l *RevocationList) familyKey(fam string) string  { return l.prefix + "fam:" + fam }
func (l *RevocationList) subjectKey(sub string) string { return l.prefix + "sub:" + sub }

// ceilMs returns t in Unix milliseconds, rounded up.
func ceilMs(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}

// RevokeOnce implements auth.RevocationList.
func (l *RevocationList) RevokeOnce(ctx context.Context, jti string, expiresAt time.Time) (bool, error) {
	// PXAT in the past stores nothing, like the memory list; it must be
	// positive for Redis.
	err := l.rdb.Do(ctx, "SET", l.jtiKey(jti), "1", "NX", "PXAT", max(ceilMs(expiresAt), 1)).Err()
	switch {
	case errors.Is(err, goredis.Nil):
		return false, nil // an unexpired entry exists
	case err != nil:
		return false, fmt.Errorf("redis: revoking a token: %w", err)
	}
	return true, nil
}

// RevokeFamily implements auth.RevocationList.
func (l *RevocationList) RevokeFamily(ctx context.Context, family string, expiresAt time.Time) error {
	err := revocationScript.Run(ctx, l.rdb, []string{l.familyKey(family)}, "family", max(ceilMs(expiresAt), 1)).Err()
	if err != nil {
		return fmt.Errorf("redis: revoking a token family: %w", err)
	}
	return nil
}

// RevokeSubject implements auth.RevocationList.
func (l *RevocationList) RevokeSubject(ctx context.Context, subject string, issuedBefore, expiresAt time.Time) error {
	err := revocationScript.Run(ctx, l.rdb, []string{l.subjectKey(subject)}, "subject",
		max(ceilMs(expiresAt), 1), max(ceilMs(issuedBefore), 0)).Err()
	if err != nil {
		return fmt.Errorf("redis: revoking a subject: %w", err)
	}
	return nil
}

// IsRevoked implements auth.RevocationList: one round trip (a pipeline of
// up to three GETs).
func (l *RevocationList) IsRevoked(ctx context.Context, t auth.RevocationCheck) (bool, error) {
	var jti, fam, sub *goredis.StringCmd
	_, err := l.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		if t.JTI != "" {
			jti = p.Get(ctx, l.jtiKey(t.JTI))
		}
		if t.Family != "" {
			fam = p.Get(ctx, l.familyKey(t.Family))
		}
		if t.Subject != "" {
			sub = p.Get(ctx, l.subjectKey(t.Subject))
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return false, fmt.Errorf("redis: checking revocation: %w", err)
	}
	for _, c := range []*goredis.StringCmd{jti, fam} {
		if c == nil {
			continue
		}
		switch err := c.Err(); {
		case err == nil:
			return true, nil
		case !errors.Is(err, goredis.Nil):
			return false, fmt.Errorf("redis: checking revocation: %w", err)
		}
	}
	if sub == nil {
		return false, nil
	}
	v, err := sub.Result()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redis: checking revocation: %w", err)
	}
	b, _, ok := strings.Cut(v, " ")
	before, perr := strconv.ParseInt(b, 10, 64)
	if !ok || perr != nil {
		// Fail closed on an entry this list did not write.
		return false, fmt.Errorf("redis: checking revocation: malformed subject entry %q", v)
	}
	return t.IssuedAt.Before(time.UnixMilli(before)), nil
}
