// Command auth-session is the Go port of §4 of the Nexios API examples
// ("Session Auth Example"): SessionAuthBackend(user_key="user_id",
// authenticate_func=get_user_by_id) behind AuthenticationMiddleware, with
// the login and logout routes the seed leaves out, made safe to copy
// (issue 18 §14):
//
//   - the login checks a user name and password (argon2id hashes, verified
//     through a bounded Hasher, behind a LoginThrottle that reserves each
//     attempt before the password check);
//   - every unsafe request, the login form included, is protected against
//     cross-site request forgery (middleware/csrf in token mode: a
//     cross-site form cannot log a victim's browser into the attacker's
//     account, "login CSRF");
//   - the login regenerates the session id (against session fixation) and
//     the CSRF token; the session is tied to the password hash, so changing
//     a password ends the other sessions.
//
// GET /login serves a plain HTML form; API clients fetch a CSRF token from
// GET /csrf and send it in the X-CSRFToken header. The session lives in a
// signed and encrypted cookie whose keys derive from SESSION_SECRET (at
// least 32 bytes). Without it a random secret is used, with a warning:
// sessions then end when the server restarts. Every error has the seed's
// shape, {"error": ...} (Config.RenderProblem), and /openapi.json
// documents it (openapi.Config.ErrorSchema).
//
//	SESSION_SECRET=$(openssl rand -hex 32) go run ./examples/auth-session
//	CSRF=$(curl -s -c jar http://127.0.0.1:5000/csrf | jq -r .csrf_token)
//	curl -s -b jar -c jar -H 'Content-Type: application/json' -H "X-CSRFToken: $CSRF" -d '{"username":"ada","password":"correct horse battery staple"}' http://127.0.0.1:5000/login  # {"message":"Logged in","user_id":1}
//	curl -s -b jar http://127.0.0.1:5000/protected   # {"message":"Hello, ada!"}
//	CSRF=$(curl -s -b jar -c jar http://127.0.0.1:5000/csrf | jq -r .csrf_token)
//	curl -s -b jar -c jar -X POST -H "X-CSRFToken: $CSRF" http://127.0.0.1:5000/logout  # {"message":"Logged out"}
//	curl -si -b jar http://127.0.0.1:5000/protected  # 401 {"error":"Not authenticated"}
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/csrf"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/session"
)

// User is the seed's user record ({"id": user_id, "username": ...}) as a
// nexios.User.
type User struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
	hash     string // argon2id password hash
}

// IsAuthenticated returns true: a loaded user is authenticated.
func (u *User) IsAuthenticated() bool { return true }

// Identity returns the user id.
func (u *User) Identity() string { return strconv.Itoa(u.ID) }

// DisplayName returns the user name.
func (u *User) DisplayName() string { return u.Username }

// Scopes returns none.
func (u *User) Scopes() []string { return nil }

// demoUsers stands in for a users table: argon2id hashes of "correct horse
// battery staple" (ada) and "tr0ub4dor&3-lovelace" (grace).
var demoUsers = []*User{
	{ID: 1, Username: "ada", hash: "$argon2id$v=19$m=19456,t=2,p=1$0Y/nj80B6nA5HeCWVokLiQ$e7bVbWGdsbEA8F0ZhaPQMjKbHuoQJHS2L6wnE0Nu9Cc"},
	{ID: 2, Username: "grace", hash: "$argon2id$v=19$m=19456,t=2,p=1$v6joNFwjqwGcgDEoCf2N1A$kVj6XM6j2D5eOTCAKjfKF/pd1qLEaE+8Q13LSMUoyMA"},
}

// getUserByID is the seed's authenticate_func. Replace it with your
// database lookup; nil, nil means "no such user".
func getUserByID(_ context.Context, id string) (nexios.User, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, nil
	}
	for _, u := range demoUsers {
		if u.ID == n {
			return u, nil
		}
	}
	return nil, nil
}

// getUserByName is the login's lookup.
func getUserByName(name string) *User {
	for _, u := range demoUsers {
		if u.Username == name {
			return u
		}
	}
	return nil
}

type loginRequest struct {
	Username string `json:"username" validate:"required,max=256"`
	Password string `json:"password" validate:"required,max=4096"`
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<title>Sign in</title>
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{{.}}">
<label>User name <input name="username" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button>Sign in</button>
</form>
`))

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
	// TokenMode: every unsafe request needs the token, and the browser's
	// Sec-Fetch-Site / Origin must not say cross-site.
	csrfMW, err := csrf.New(csrf.Config{Mode: csrf.TokenMode})
	if err != nil {
		return nil, err
	}
	backend := &auth.SessionBackend{
		Key:  "user_id",
		Load: getUserByID,
		// A session ends when the password it was opened with changes.
		Fingerprint: func(u nexios.User) string { return auth.PasswordFingerprint(u.(*User).hash) },
	}
	authn, err := auth.Middleware(backend)
	if err != nil {
		return nil, err
	}
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{})
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewHasher(auth.HasherConfig{})
	if err != nil {
		return nil, err
	}

	// The seed answers errors as {"error": ...}: RenderProblem makes every
	// error the app sends (401, 403, 429, malformed JSON, a 422's fields,
	// a panic's 500) take that shape, and the OpenAPI document says so.
	app := nexios.New(nexios.Config{Title: "Session auth example", RenderProblem: renderError})
	// The session middleware comes first: CSRF and authentication read it.
	app.Use(sessions, csrfMW, authn)

	app.Get("/login", func(req *nexios.Request, res *nexios.Response) error {
		var page strings.Builder
		if err := loginPage.Execute(&page, csrf.Token(req)); err != nil {
			return err
		}
		return res.HTML(page.String())
	})
	app.Get("/csrf", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"csrf_token": csrf.Token(req)})
	})

	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		var in loginRequest
		if err := req.Bind(&in); err != nil {
			return err
		}
		ctx := req.Context()
		att, err := throttle.Reserve(ctx, in.Username, req.ClientIP())
		if err != nil {
			return err // 429 with Retry-After, or 503
		}
		u := getUserByName(in.Username)
		hash := hasher.DummyHash() // an unknown name costs the same time
		if u != nil {
			hash = u.hash
		}
		ok, err := hasher.Verify(ctx, in.Password, hash)
		if err != nil {
			_ = att.Cancel(ctx) // busy hasher (503): not the client's guess
			return err
		}
		if !ok || u == nil {
			_ = att.Failed(ctx)
			return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
		}
		if err := att.Succeeded(ctx); err != nil {
			return err
		}
		// Login regenerates the session id (against session fixation) and
		// stores the user id under "user_id"; the CSRF token changes too,
		// so a token seen before the login is useless after it.
		if err := backend.Login(req, u); err != nil {
			return err
		}
		if err := csrf.Rotate(req, res); err != nil {
			return err
		}
		if req.ContentType() != "application/json" {
			return res.Redirect("/protected", http.StatusSeeOther) // the HTML form
		}
		return res.JSON(map[string]any{"message": "Logged in", "user_id": u.ID})
	}, nexios.Input[loginRequest](), nexios.Returns[struct{}](http.StatusSeeOther, "The HTML form's login: on to /protected."))

	app.Get("/protected", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"message": fmt.Sprintf("Hello, %s!", req.User().DisplayName())})
	}, auth.Required()) // anonymous requests: 401 {"error": "Not authenticated"}

	app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
		backend.Logout(req) // deletes the session and its cookie
		if err := csrf.Rotate(req, res); err != nil {
			return err
		}
		return res.JSON(map[string]string{"message": "Logged out"})
	})
	err = openapi.Register(app, openapi.Config{
		ErrorSchema:     apiError{},
		SecuritySchemes: map[string]openapi.SecurityScheme{"sessionCookie": openapi.APIKeyCookie("session_id")},
	})
	return app, err
}

// apiError is every error response: the seed's {"error": ...}, with the
// fields at fault when a request is invalid (422).
type apiError struct {
	Error  string              `json:"error"`
	Errors []nexios.FieldError `json:"errors,omitempty"`
}

// renderError renders every error response as an apiError; the 401 keeps
// its WWW-Authenticate header, which the app sets before rendering.
func renderError(_ *nexios.Request, res *nexios.Response, p *nexios.Problem) error {
	msg := p.Detail
	if msg == "" {
		msg = p.Title // a server error shows no detail outside debug mode
	}
	return res.JSON(apiError{Error: msg, Errors: p.Errors})
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
