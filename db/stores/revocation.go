package stores

import (
	"context"
	"fmt"
	"time"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
)

// RevocationList is an auth.RevocationList on SQL: one row per revoked
// jti, family or subject in nexios_revocations, each kept until the
// tokens it revokes have expired. RevokeOnce is one INSERT … ON CONFLICT
// that only replaces an expired row, so of any number of concurrent calls
// for one jti, from any number of instances, exactly one is first;
// families and subjects are upserts that keep the later times. Times are
// kept to the millisecond, rounded up, as on Redis.
//
// The JWT code treats every error as "cannot tell" and refuses the token
// with 503: the revocation check always fails closed.
type RevocationList struct {
	base
	once, family, subject, check stmt
}

var _ auth.RevocationList = (*RevocationList)(nil)

// kindSubject marks a subject's row; 'j' and 'f' mark a jti's and a
// family's.
const kindSubject = "s"

// NewRevocationList returns a RevocationList on d, whose tables
// Migration (or Migrate) created.
func NewRevocationList(d *db.DB) *RevocationList {
	l := &RevocationList{base: newBase(d)}
	// An unexpired row makes the insert a no-op (no row affected); an
	// expired one is absent and replaced.
	l.once = l.prepare(`INSERT INTO nexios_revocations AS r (kind, value, cutoff_ms, expires_us)
		VALUES ('j', $1, 0, $2::bigint)
		ON CONFLICT (kind, value) DO UPDATE SET expires_us = excluded.expires_us
		WHERE r.expires_us <= {now}`, 2)
	// A revocation that has already expired changes nothing (the memory
	// list's rule); one over an expired row starts afresh.
	l.family = l.prepare(`INSERT INTO nexios_revocations AS r (kind, value, cutoff_ms, expires_us)
		SELECT 'f', $1::bytea, 0, $2::bigint WHERE $2::bigint > {now}
		ON CONFLICT (kind, value) DO UPDATE SET expires_us = CASE
			WHEN r.expires_us > {now} AND r.expires_us > excluded.expires_us THEN r.expires_us
			ELSE excluded.expires_us END`, 2)
	l.subject = l.prepare(`INSERT INTO nexios_revocations AS r (kind, value, cutoff_ms, expires_us)
		SELECT 's', $1::bytea, $2::bigint, $3::bigint WHERE $3::bigint > {now}
		ON CONFLICT (kind, value) DO UPDATE SET
			cutoff_ms = CASE WHEN r.expires_us > {now} AND r.cutoff_ms > excluded.cutoff_ms
				THEN r.cutoff_ms ELSE excluded.cutoff_ms END,
			expires_us = CASE WHEN r.expires_us > {now} AND r.expires_us > excluded.expires_us
				THEN r.expires_us ELSE excluded.expires_us END`, 3)
	// NULL for a field not asked about: it equals nothing.
	l.check = l.prepare(`SELECT kind, cutoff_ms FROM nexios_revocations WHERE expires_us > {now} AND (
		(kind = 'j' AND value = $1) OR (kind = 'f' AND value = $2) OR (kind = 's' AND value = $3))`, 3)
	return l
}

// RevokeOnce implements auth.RevocationList.
func (l *RevocationList) RevokeOnce(ctx context.Context, jti string, expiresAt time.Time) (bool, error) {
	res, err := l.conn(ctx, true).ExecContext(ctx, l.once.text, l.once.args(dbKey(jti), ceilMs(expiresAt)*1000)...)
	if err != nil {
		return false, fmt.Errorf("stores: revoking a token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("stores: revoking a token: %w", err)
	}
	return n == 1, nil
}

// RevokeFamily implements auth.RevocationList.
func (l *RevocationList) RevokeFamily(ctx context.Context, family string, expiresAt time.Time) error {
	if _, err := l.conn(ctx, true).ExecContext(ctx, l.family.text, l.family.args(dbKey(family), ceilMs(expiresAt)*1000)...); err != nil {
		return fmt.Errorf("stores: revoking a token family: %w", err)
	}
	return nil
}

// RevokeSubject implements auth.RevocationList.
func (l *RevocationList) RevokeSubject(ctx context.Context, subject string, issuedBefore, expiresAt time.Time) error {
	args := l.subject.args(dbKey(subject), max(ceilMs(issuedBefore), 0), ceilMs(expiresAt)*1000)
	if _, err := l.conn(ctx, true).ExecContext(ctx, l.subject.text, args...); err != nil {
		return fmt.Errorf("stores: revoking a subject: %w", err)
	}
	return nil
}

// IsRevoked implements auth.RevocationList: one query.
func (l *RevocationList) IsRevoked(ctx context.Context, t auth.RevocationCheck) (bool, error) {
	if t.JTI == "" && t.Family == "" && t.Subject == "" {
		return false, nil
	}
	key := func(s string) any {
		if s == "" {
			return nil
		}
		return dbKey(s)
	}
	rows, err := l.conn(ctx, false).QueryContext(ctx, l.check.text, l.check.args(key(t.JTI), key(t.Family), key(t.Subject))...)
	if err != nil {
		return false, fmt.Errorf("stores: checking revocation: %w", err)
	}
	defer rows.Close()
	revoked := false
	for rows.Next() {
		var kind string
		var cutoff int64
		if err := rows.Scan(&kind, &cutoff); err != nil {
			return false, fmt.Errorf("stores: checking revocation: %w", err)
		}
		if kind != kindSubject || t.IssuedAt.Before(time.UnixMilli(cutoff)) {
			revoked = true
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("stores: checking revocation: %w", err)
	}
	return revoked, nil
}
