package auth

import (
	"fmt"
	"slices"

	"github.com/nexios-go/nexios"
)

// SimpleUser is a ready-made authenticated user, like Nexios' SimpleUser:
// an id, a display name and permissions (scopes). Loaders may return it, or
// any type implementing nexios.User.
type SimpleUser struct {
	// ID is the stable identifier (Identity).
	ID string
	// Name is the display name; ID when empty.
	Name string
	// Permissions are the scopes granted ("admin", "posts:write").
	Permissions []string
}

// IsAuthenticated returns true.
func (u SimpleUser) IsAuthenticated() bool { return true }

// Identity returns ID.
func (u SimpleUser) Identity() string { return u.ID }

// DisplayName returns Name, or ID when Name is empty.
func (u SimpleUser) DisplayName() string {
	if u.Name == "" {
		return u.ID
	}
	return u.Name
}

// Scopes returns Permissions.
func (u SimpleUser) Scopes() []string { return u.Permissions }

// HasScopes reports whether u is authenticated and holds every scope
// given.
func HasScopes(u nexios.User, scopes ...string) bool {
	if u == nil || !u.IsAuthenticated() {
		return false
	}
	have := u.Scopes()
	for _, s := range scopes {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}

// Current returns the request's user as a T, or the 401 error Require
// would return for an anonymous request. Its signature fits nexios.Depend,
// for seed 001's get_current_user:
//
//	var currentUser = nexios.Depend(auth.Current[*User])
//	user, err := currentUser.Get(req)
//
// A user of another type than T is a programming error (500).
func Current[T nexios.User](req *nexios.Request) (T, error) {
	var zero T
	u := req.User()
	if !u.IsAuthenticated() {
		return zero, Check(req)
	}
	t, ok := u.(T)
	if !ok {
		return zero, fmt.Errorf("auth: the request's user is a %T, not a %T", u, zero)
	}
	return t, nil
}
