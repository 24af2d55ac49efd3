package nexios

// User is the client a request acts for, set by authentication middleware
// (package auth). It is never nil on a request: without authentication it
// is Anonymous.
type User interface {
	// IsAuthenticated reports whether the user proved who they are.
	IsAuthenticated() bool
	// Identity is a stable identifier (a user id).
	Identity() string
	// DisplayName is a human-readable name.
	DisplayName() string
	// Scopes are the permissions granted ("admin", "posts:write").
	Scopes() []string
}

// Anonymous is the user of a request nobody authenticated.
type Anonymous struct{}

// IsAuthenticated returns false.
func (Anonymous) IsAuthenticated() bool { return false }

// Identity returns "".
func (Anonymous) Identity() string { return "" }

// DisplayName returns "anonymous".
func (Anonymous) DisplayName() string { return "anonymous" }

// Scopes returns nil.
func (Anonymous) Scopes() []string { return nil }

// UserKey holds the request's user. Authentication middleware sets it
// (UserKey.Set(req, u)); handlers read it with Request.User. It is the one
// feature key the kernel declares, because identity cuts across every
// feature: rate limits, logs, templates and audits all ask who is acting.
var UserKey = NewKey[User]("user")

// User returns the request's user: the one authentication middleware set,
// or Anonymous.
func (q *Request) User() User {
	if u, ok := UserKey.Get(q); ok && u != nil {
		return u
	}
	return Anonymous{}
}
