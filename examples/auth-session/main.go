// Command auth-session is the Go port of §4 of the Nexios API examples
// ("Session Auth Example"): SessionAuthBackend(user_key="user_id",
// authenticate_func=get_user_by_id) behind AuthenticationMiddleware, with
// the login and logout routes the seed leaves out.
//
// The session lives in a signed and encrypted cookie whose keys derive from
// SESSION_SECRET (at least 32 bytes). Without it a random secret is used,
// with a warning: sessions then end when the server restarts.
//
//	SESSION_SECRET=$(openssl rand -hex 32) go run ./examples/auth-session
//	curl -si -c jar -X POST -d '{"user_id": 1}' http://127.0.0.1:5000/login
//	curl -s -b jar http://127.0.0.1:5000/protected   # {"message":"Hello, user!"}
//	curl -s -b jar -c jar -X POST http://127.0.0.1:5000/logout
//	curl -si http://127.0.0.1:5000/protected         # 401 {"error":"Not authenticated"}
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/session"
)

// User is the seed's user record ({"id": user_id, "username": "user"}) as a
// nexios.User.
type User struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
}

// IsAuthenticated returns true: a loaded user is authenticated.
func (u *User) IsAuthenticated() bool { return true }

// Identity returns the user id.
func (u *User) Identity() string { return strconv.Itoa(u.ID) }

// DisplayName returns the user name.
func (u *User) DisplayName() string { return u.Username }

// Scopes returns none.
func (u *User) Scopes() []string { return nil }

// getUserByID is the seed's authenticate_func. Replace it with your
// database lookup; nil, nil means "no such user".
func getUserByID(_ context.Context, id string) (nexios.User, error) {
	n, err := strconv.Atoi(id)
	if err != nil || n <= 0 {
		return nil, nil
	}
	return &User{ID: n, Username: "user"}, nil
}

type loginRequest struct {
	UserID int `json:"user_id" validate:"required,gt=0"`
}

func newApp(secret []byte) (*nexios.App, error) {
	keys, err := session.KeysFromSecret(secret)
	if err != nil {
		return nil, err
	}
	store, err := session.NewCookieStore(session.CookieStoreConfig{Keys: []session.KeyPair{keys}})
	if err != nil {
		return nil, err
	}
	sessions, err := session.New(session.Config{Store: store})
	if err != nil {
		return nil, err
	}
	backend := &auth.SessionBackend{Key: "user_id", Load: getUserByID}
	authn, err := auth.Middleware(backend)
	if err != nil {
		return nil, err
	}

	app := nexios.New(nexios.Config{Title: "Session auth example"})
	// The session middleware comes first: authentication reads the session.
	app.Use(sessions, authn)

	// The seed answers errors as {"error": ...}; keep its shape for every
	// HTTP error (the 401 keeps its WWW-Authenticate header).
	nexios.HandleError(app, func(req *nexios.Request, res *nexios.Response, err *nexios.HTTPError) error {
		return res.Status(err.Status).JSON(map[string]string{"error": err.Detail})
	})

	// A real login checks a password first (see examples/auth-jwt); the
	// seed's session example only shows what happens after.
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		var in loginRequest
		if err := req.Bind(&in); err != nil {
			return err
		}
		u, err := getUserByID(req.Context(), strconv.Itoa(in.UserID))
		if err != nil {
			return err
		}
		if u == nil {
			return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
		}
		// Login regenerates the session id (against session fixation) and
		// stores the user id under "user_id".
		if err := backend.Login(req, u); err != nil {
			return err
		}
		return res.JSON(map[string]any{"message": "Logged in", "user_id": in.UserID})
	})

	app.Get("/protected", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"message": fmt.Sprintf("Hello, %s!", req.User().DisplayName())})
	}, auth.Required()) // anonymous requests: 401 {"error": "Not authenticated"}

	app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
		backend.Logout(req) // deletes the session and its cookie
		return res.JSON(map[string]string{"message": "Logged out"})
	})
	return app, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	logger := slog.Default()
	secret, err := auth.SecretFromEnv("SESSION_SECRET", logger)
	if err == nil {
		var app *nexios.App
		if app, err = newApp(secret); err == nil {
			err = app.Run(*addr)
		}
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
