package auth

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"

	"github.com/nexios-go/nexios"
)

// BasicBackend authenticates by HTTP Basic credentials (RFC 7617), for
// internal tools. Serve it over HTTPS only: the password travels with
// every request.
type BasicBackend struct {
	// Realm names the protection space. Default "restricted".
	Realm string
	// Verify returns the user for a user name and password, or nil, nil
	// when they are wrong. BasicUsers builds one from password hashes.
	// Required.
	Verify func(ctx context.Context, username, password string) (nexios.User, error)
}

func (b *BasicBackend) validate() error {
	if b.Verify == nil {
		return errors.New("BasicBackend.Verify is required")
	}
	return nil
}

// Authenticate implements Backend.
func (b *BasicBackend) Authenticate(req *nexios.Request) (nexios.User, error) {
	h := req.Header("Authorization")
	scheme, _, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil, nil
	}
	user, pass, ok := req.Raw().BasicAuth()
	if !ok || len(user) > 256 || len(pass) > maxPasswordLen {
		return nil, ErrInvalidCredentials
	}
	u, err := b.Verify(req.Context(), user, pass)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.IsAuthenticated() {
		return nil, ErrInvalidCredentials
	}
	return u, nil
}

// Challenge implements Backend.
func (b *BasicBackend) Challenge(error) string {
	realm := b.Realm
	if realm == "" {
		realm = "restricted"
	}
	return "Basic realm=" + quote(realm) + `, charset="UTF-8"`
}

// BasicUsers returns a Verify function for a fixed set of users: user name
// → password hash (HashPassword). An unknown user name costs a password
// verification too, so timing does not reveal which names exist.
func BasicUsers(hashes map[string]string) func(ctx context.Context, username, password string) (nexios.User, error) {
	hashes = maps.Clone(hashes)
	dummy := sync.OnceValue(func() string {
		h, _ := HashPassword("not a password of anyone")
		return h
	})
	return func(_ context.Context, username, password string) (nexios.User, error) {
		hash, known := hashes[username]
		if !known {
			hash = dummy()
		}
		ok, err := VerifyPassword(password, hash)
		if err != nil {
			return nil, err
		}
		if !ok || !known {
			return nil, nil
		}
		return SimpleUser{ID: username}, nil
	}
}
