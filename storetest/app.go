package storetest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/websocket"
)

// Stores are the stores an app keeps its shared state in, all on one
// backend (one Redis, one database): what the app scenarios — Outage,
// NewApp and Instances — run on.
type Stores struct {
	Sessions    session.Store
	Revocations auth.RevocationList
	RateLimit   ratelimit.Store
	// Throttle backs the login throttle of Outage; NewApp does not use
	// it.
	Throttle auth.ThrottleStore
}

// LimitPerMinute is how many requests a minute GET /limited of NewApp
// admits per client.
const LimitPerMinute = 100

// NewApp returns instance i of the app that Instances runs: an app that
// keeps all its shared state in s (Throttle aside), so that instances
// built on stores sharing one backend behave as one app. Its routes:
//
//	POST /login?user=U    a new session (a fresh id) holding U; 204
//	GET  /me              {"user": the session's user, "instance": i}
//	POST /token           a new auth.TokenPair for "ada"
//	POST /refresh         the pair that replaces the refresh token in the
//	                      X-Refresh-Token header (rotation), or 401
//	POST /logout          revokes the refresh token in X-Refresh-Token; 204
//	GET  /limited         204 for LimitPerMinute requests a minute per
//	                      client, then 429
//	GET  /ws/chat/{room}  WebSocket: joins room on hub, sends "joined i",
//	                      then broadcasts each message it receives to the
//	                      room's other members
//
// The WebSocket route is there only when hub is not nil. The rate limit
// uses fixed keys (the client's address): give it a store of the test's
// own (a fresh database, a key prefix). NewApp closes nothing: the stores
// and the hub are the caller's, to close at shutdown — the hub first,
// then its broker:
//
//	app := storetest.NewApp(i, s, hub)
//	app.OnShutdown(func(context.Context) error { return broker.Close() })
//	app.OnShutdown(hub.Close) // runs first: hooks run last registered first
//
// A test may add routes of its own to the app before it serves.
func NewApp(i int, s Stores, hub *websocket.Hub) *nexios.App {
	jwt, err := auth.NewJWT(auth.JWTConfig{
		Keys:        []auth.Key{auth.HS256Key([]byte("a shared secret of at least thirty-two bytes"))},
		Revocations: s.Revocations,
	})
	if err != nil {
		panic(fmt.Sprintf("storetest: NewApp: %v", err)) // a constant key: cannot happen
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(session.New(session.Config{Store: s.Sessions})))
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		s := session.From(req)
		s.Regenerate()
		s.Set("user", req.Query("user"))
		return res.NoContent()
	})
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"user": session.From(req).GetString("user"), "instance": i})
	})
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
	limited.Use(nexios.Must(ratelimit.New(ratelimit.Config{Limit: LimitPerMinute, Window: time.Minute, Store: s.RateLimit})))
	limited.Get("", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
	app.Mount(limited)
	if hub != nil {
		websocket.Route(app, "/ws/chat/{room}", websocket.Handler(func(ws *websocket.Conn) error {
			room := ws.Path("room")
			if err := hub.Join(ws, room); err != nil {
				return err
			}
			if err := ws.SendText(ws.Context(), fmt.Sprint("joined ", i)); err != nil {
				return err
			}
			for msg := range ws.Messages() {
				if err := hub.Broadcast(ws.Context(), room, msg, ws); err != nil {
					return err
				}
			}
			return ws.Err()
		}))
	}
	return app
}

// Send sends a request without a body to url, with refresh (when not
// empty) in the X-Refresh-Token header, and returns the status and the
// JSON object of the response (nil when it is not one): a client of
// NewApp's routes. It fails the test when the request fails.
func Send(t testing.TB, c *http.Client, method, url, refresh string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if refresh != "" {
		req.Header.Set("X-Refresh-Token", refresh)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}
