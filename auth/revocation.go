package auth

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// RevocationList remembers revoked tokens until they would have expired
// anyway, three ways: one token by its jti (a rotated refresh token, a
// logout), a token family by its id (a logout, reuse of a rotated refresh
// token: OAuth 2.0 Security BCP §4.14), and every token of a subject issued
// before a time (a password change, "sign out everywhere").
//
// Implementations must be safe for concurrent use, and with several
// instances must be shared by all of them (Redis, SQL). RevokeOnce must be
// atomic: of any number of concurrent calls for one jti, exactly one
// reports first (SET NX in Redis, INSERT … ON CONFLICT DO NOTHING in SQL).
// Entries must keep at least millisecond precision, and an entry must be
// treated as absent once its expiresAt has passed (whether or not it has
// been deleted yet). The storetest package is the conformance suite every
// implementation must pass.
//
// The JWT treats any error from a RevocationList as "cannot tell" and
// refuses the token (ErrRevocationUnavailable, 503): the check always
// fails closed.
type RevocationList interface {
	// RevokeOnce revokes the token with id jti until expiresAt and
	// reports whether this call revoked it (first) or it already was
	// revoked (an unexpired entry exists; its expiry is left as it is).
	RevokeOnce(ctx context.Context, jti string, expiresAt time.Time) (first bool, err error)
	// RevokeFamily revokes every token whose family is family, until
	// expiresAt (when every token of the family has expired). Revoking a
	// family again keeps the later expiry.
	RevokeFamily(ctx context.Context, family string, expiresAt time.Time) error
	// RevokeSubject revokes every token of subject issued before
	// issuedBefore; the entry may be dropped after expiresAt. Revoking a
	// subject again keeps the later of each time.
	RevokeSubject(ctx context.Context, subject string, issuedBefore, expiresAt time.Time) error
	// IsRevoked reports whether a token was revoked by its jti, its
	// family or its subject. Empty fields of t are not checked.
	IsRevoked(ctx context.Context, t RevocationCheck) (bool, error)
}

// RevocationCheck describes the token IsRevoked asks about.
type RevocationCheck struct {
	// JTI is the token's id (claim "jti"); "" is not checked.
	JTI string
	// Family is the token's family (claim "fam"); "" is not checked.
	Family string
	// Subject is the token's subject (claim "sub"); "" is not checked.
	Subject string
	// IssuedAt is the token's issue time (claim "iat"). A token of a
	// revoked subject is revoked when IssuedAt is before the subject's
	// cutoff; the zero time (no iat) is before every cutoff.
	IssuedAt time.Time
}

// checkOf returns the RevocationCheck for c, every field set.
func checkOf(c *Claims) RevocationCheck {
	rc := RevocationCheck{JTI: c.ID, Family: c.Family, Subject: c.Subject}
	if c.IssuedAt != nil {
		rc.IssuedAt = c.IssuedAt.Time
	}
	return rc
}

// Errors about revocation.
var (
	// ErrRevocationUnavailable: the revocation list failed (a store
	// outage), so whether a token was revoked cannot be told and it is
	// refused: 503, never accepted. The store's error is its cause.
	ErrRevocationUnavailable = &Error{
		Code: "revocation_unavailable", Message: "token revocation status unavailable; try again later",
		Status: http.StatusServiceUnavailable,
	}
	// ErrRefreshTokenReused is the cause of the ErrTokenRevoked a refresh
	// token gets when it was already used (rotated): a sign that it was
	// stolen, so its whole family was revoked. Match it with errors.Is.
	ErrRefreshTokenReused = errors.New("auth: refresh token reused; its token family is revoked")
)

// unavailable wraps a RevocationList failure.
func unavailable(err error) error {
	return ErrRevocationUnavailable.because(err)
}
