package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/openapi/docsui"
	"github.com/nexios-go/nexios/websocket"
)

// server holds what the handlers use.
type server struct {
	db        *db.DB
	jobs      jobs.Enqueuer
	tokens    *auth.JWT
	passwords *auth.Passwords
	refresh   auth.RefreshCookie
	uploads   string // directory of uploaded files
	hub       *websocket.Hub
	mailFrom  string
}

// deps is what newApp wires together: built by setup from the
// configuration, or by a test.
type deps struct {
	db          *db.DB
	jobs        jobs.Enqueuer
	tokens      *auth.JWT
	hasher      *auth.Hasher
	throttle    *auth.LoginThrottle
	rateLimit   ratelimit.Store
	broker      websocket.Broker
	uploads     string
	mailFrom    string
	debug       bool
	requestRate int // requests per minute per client on /api/v1
}

// newApp builds the blog API: seed 001's routes under /api/v1, the
// OpenAPI document and docs, and the seed's error format.
func newApp(d deps) (*nexios.App, error) {
	app := nexios.New(nexios.Config{
		Title:         "Blog API",
		Version:       "1.0.0",
		Description:   "Seed 001 of Nexios, in Go: users, posts, JWT sign-in, files and chat rooms.",
		Debug:         d.debug,
		RenderProblem: renderError(d.debug),
	})
	if err := auth.RegisterPasswordRule(app, "password", auth.DefaultPasswordPolicy()); err != nil {
		return nil, err
	}
	s := &server{
		db: d.db, jobs: d.jobs, tokens: d.tokens, uploads: d.uploads, mailFrom: d.mailFrom,
		passwords: &auth.Passwords{Hasher: d.hasher, Throttle: d.throttle},
		refresh:   auth.RefreshCookie{Name: "refresh_token", Path: "/api/v1/auth", MaxAge: 7 * 24 * time.Hour},
		hub:       websocket.NewHub(websocket.HubConfig{Broker: d.broker}),
	}
	app.OnShutdown(s.hub.Close)

	authn, err := auth.Middleware(&auth.JWTBackend{JWT: d.tokens, Load: s.loadUser})
	if err != nil {
		return nil, err
	}
	limit, err := ratelimit.New(ratelimit.Config{Limit: d.requestRate, Window: time.Minute, Store: d.rateLimit})
	if err != nil {
		return nil, err
	}
	api := nexios.NewRouter("/api/v1")
	api.Use(limit, authn)
	app.Mount(api)
	s.userRoutes(api)
	s.authRoutes(api)
	s.postRoutes(api)
	s.fileRoutes(api)
	websocket.Route(api, "/ws/chat/{room_name}", websocket.Handler(s.chat, chatErrors))

	err = openapi.Register(app, openapi.Config{
		Tags: []openapi.Tag{
			{Name: "users", Description: "User operations"},
			{Name: "auth", Description: "Authentication"},
			{Name: "posts", Description: "Posts and their authors"},
			{Name: "files", Description: "File upload and download"},
		},
		Servers:         []openapi.Server{{URL: "/", Description: "This server"}},
		SecuritySchemes: map[string]openapi.SecurityScheme{"bearerAuth": openapi.BearerJWT()},
		ErrorSchema:     apiError{},
		UI:              []openapi.UI{docsui.SwaggerUI(""), docsui.ReDoc("")},
	})
	return app, err
}

// current returns the signed-in user of a route behind auth.Required.
func current(req *nexios.Request) *User { return req.User().(*User) }

// loadUser turns a verified access token into the signed-in user: seed
// 001's get_current_user, run once per request by the auth middleware.
func (s *server) loadUser(ctx context.Context, c *auth.Claims) (nexios.User, error) {
	u, err := db.Q[User](ctx, s.db).Eq("id", c.Subject).First()
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil, auth.ErrUserNotFound
	case err != nil:
		return nil, err
	case !u.IsActive:
		return nil, auth.ErrUserInactive
	}
	return u, nil
}

// forbidden is the answer to a change of someone else's data.
func forbidden(what string) error {
	return nexios.NewHTTPError(http.StatusForbidden, "only the "+what+" may do this")
}
