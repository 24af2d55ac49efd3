package auth

import "net/http"

// Error is a rejected credential: a token that does not verify, a wrong
// password, an unknown user. It renders as its Status (401 unless said
// otherwise) with Message as the problem detail; the cause (Err) is kept
// for logs and never shown. Compare with the Err* values using errors.Is,
// which matches on Code.
type Error struct {
	// Code is a stable identifier ("token_expired").
	Code string
	// Message is safe to show to the client ("token expired").
	Message string
	// Status is the HTTP status; 0 means 401.
	Status int
	// Err is the underlying cause.
	Err error
}

// Error implements error; it returns Message only, so that the cause does
// not leak into responses.
func (e *Error) Error() string { return e.Message }

// StatusCode returns the HTTP status the error renders with.
func (e *Error) StatusCode() int {
	if e.Status == 0 {
		return http.StatusUnauthorized
	}
	return e.Status
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// because returns a copy of e with cause as its Err.
func (e *Error) because(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// Rejections returned by backends and by the JWT verifier. Each is a
// 401 *Error.
var (
	// ErrInvalidCredentials: a wrong user name, password or API key.
	ErrInvalidCredentials = &Error{Code: "invalid_credentials", Message: "invalid credentials"}
	// ErrTokenMalformed: not a JWT (wrong number of parts, bad encoding).
	ErrTokenMalformed = &Error{Code: "token_malformed", Message: "malformed token"}
	// ErrTokenInvalid: a bad signature, an algorithm or key that is not
	// accepted, a missing required claim.
	ErrTokenInvalid = &Error{Code: "token_invalid", Message: "invalid token"}
	// ErrTokenExpired: the exp claim has passed.
	ErrTokenExpired = &Error{Code: "token_expired", Message: "token expired"}
	// ErrTokenNotYetValid: the nbf claim (or iat) is in the future.
	ErrTokenNotYetValid = &Error{Code: "token_not_yet_valid", Message: "token not yet valid"}
	// ErrTokenAudience: the aud claim names none of the accepted audiences.
	ErrTokenAudience = &Error{Code: "token_audience", Message: "token audience not accepted"}
	// ErrTokenIssuer: the iss claim is not the expected issuer.
	ErrTokenIssuer = &Error{Code: "token_issuer", Message: "token issuer not accepted"}
	// ErrTokenRevoked: the token was revoked (logout, password change,
	// refresh token rotation).
	ErrTokenRevoked = &Error{Code: "token_revoked", Message: "token revoked"}
	// ErrTokenType: a refresh token used as an access token, or the
	// reverse.
	ErrTokenType = &Error{Code: "token_type", Message: "wrong token type"}
	// ErrUserNotFound: the credentials name a user that does not exist
	// (any more).
	ErrUserNotFound = &Error{Code: "user_not_found", Message: "user not found"}
	// ErrUserInactive: the user exists but is disabled. A loader returns
	// it to refuse an inactive account.
	ErrUserInactive = &Error{Code: "user_inactive", Message: "user is inactive"}
	// ErrSessionEnded: the session was signed in before the user's
	// credentials changed (SessionBackend.Fingerprint).
	ErrSessionEnded = &Error{Code: "session_ended", Message: "session ended; sign in again"}
)
