package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/proxy"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/websocket"
)

// build returns the app of one instance, its shared state opened.
func build(ctx context.Context, cfg Config, log *slog.Logger) (*nexios.App, error) {
	sh, err := sharedState(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	jwt, err := auth.NewJWT(auth.JWTConfig{
		Keys:        []auth.Key{auth.HS256Key([]byte(cfg.JWTSecret.Reveal()))},
		Revocations: sh.revocations, // always fails closed: 503 while the store is down
	})
	if err != nil {
		return nil, err
	}
	hub := websocket.NewHub(websocket.HubConfig{Broker: sh.broker})

	app := nexios.New(nexios.Config{Logger: log})
	app.OnShutdown(func(context.Context) error { return sh.close() })
	app.OnShutdown(hub.Close) // hooks run last registered first: the hub closes before its broker
	if sh.sweeper != nil {
		sh.sweeper.Attach(app)
	}
	// The balancer is the client as far as TCP goes: believe its
	// X-Forwarded-For, so that limits count real clients.
	app.Use(nexios.Must(proxy.New(proxy.Config{TrustedProxies: []string{"loopback"}})))
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			res.Header().Set("X-Instance", cfg.Instance)
			return next(req, res)
		}
	})

	// The balancer's health check: 200 while the shared state answers.
	app.Get("/healthz", func(req *nexios.Request, res *nexios.Response) error {
		if err := sh.ready(req.Context()); err != nil {
			return nexios.NewHTTPError(503, "backend unavailable")
		}
		return res.Text("ok")
	})

	web := nexios.NewRouter("")
	web.Use(nexios.Must(session.New(session.Config{Store: sh.sessions}))) // a store outage is a 503
	web.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		s := session.From(req)
		s.Regenerate() // a new id on login: the old one is dead on every instance
		s.Set("user", req.Query("user"))
		return res.JSON(map[string]string{"instance": cfg.Instance})
	})
	web.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"user": session.From(req).GetString("user"), "instance": cfg.Instance})
	})
	app.Mount(web)

	app.Post("/token", func(_ *nexios.Request, res *nexios.Response) error {
		pair, err := jwt.CreateTokenPair("ada", nil)
		if err != nil {
			return err
		}
		return res.JSON(pair)
	})
	app.Post("/refresh", func(req *nexios.Request, res *nexios.Response) error {
		pair, err := jwt.Refresh(req.Context(), req.Header("X-Refresh-Token"))
		if err != nil {
			return err
		}
		return res.JSON(pair)
	})
	app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
		if err := jwt.Revoke(req.Context(), req.Header("X-Refresh-Token")); err != nil {
			return err
		}
		return res.NoContent()
	})

	limited := nexios.NewRouter("/limited")
	limited.Use(nexios.Must(ratelimit.New(ratelimit.Config{
		Limit: cfg.RateLimit, Window: time.Minute, Store: sh.limits, // fails open by default
	})))
	limited.Get("", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
	app.Mount(limited)

	websocket.Route(app, "/ws/chat/{room}", websocket.Handler(func(ws *websocket.Conn) error {
		room := ws.Path("room")
		if err := hub.Join(ws, room); err != nil {
			return err
		}
		if err := ws.SendText(ws.Context(), "joined "+cfg.Instance); err != nil {
			return err
		}
		for msg := range ws.Messages() {
			if err := hub.Broadcast(ws.Context(), room, msg, ws); err != nil {
				return err
			}
		}
		return ws.Err()
	}))
	return app, nil
}
