package redis_test

import (
	"context"
	"log"
	"strconv"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/websocket"
)

// One client from REDIS_URL backs every piece of shared state; each
// instance of the app runs the same code.
func Example() {
	rc, err := redis.FromEnv() // REDIS_URL=redis://localhost:6379/0
	if err != nil {
		log.Fatal(err)
	}
	app := nexios.New(nexios.Config{})

	// Sessions: a store outage answers 503, never an anonymous request.
	app.Use(nexios.Must(session.New(session.Config{Store: redis.NewSessionStore(rc, redis.SessionConfig{})})))

	// General traffic: one quota across instances, counted locally if
	// Redis fails (at most N instances × 100 per minute meanwhile).
	limits := ratelimit.NewFallbackStore(redis.NewRateLimitStore(rc, redis.RateLimitConfig{}), ratelimit.FallbackConfig{})
	app.Use(nexios.Must(ratelimit.New(ratelimit.Config{Limit: 100, Window: time.Minute, Store: limits})))

	// JWT revocation and the login throttle fail closed (503).
	jwt, err := auth.NewJWT(auth.JWTConfig{
		Keys:        []auth.Key{auth.HS256Key([]byte("load this secret from the environment!"))},
		Revocations: redis.NewRevocationList(rc, redis.RevocationConfig{}),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = jwt
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{Store: redis.NewThrottleStore(rc, redis.ThrottleConfig{})})
	if err != nil {
		log.Fatal(err)
	}
	_ = throttle

	// WebSocket rooms span instances.
	broker, err := redis.NewBroker(context.Background(), rc, redis.BrokerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	hub := websocket.NewHub(websocket.HubConfig{Broker: broker})

	// Readiness, and shutdown in order: connections, broker, client.
	app.Get("/ready", func(req *nexios.Request, res *nexios.Response) error {
		if err := rc.Ready(req.Context()); err != nil {
			return nexios.NewHTTPError(503, "redis unavailable").Wrap(err)
		}
		return res.NoContent()
	})
	app.OnShutdown(func(ctx context.Context) error {
		_ = hub.Close(ctx)
		_ = broker.Close()
		return rc.Close()
	})
}

// A chat room whose clients resume where they left off after a
// reconnect, on any instance.
func ExampleHistory() {
	rc, err := redis.Open("redis://localhost:6379/0")
	if err != nil {
		log.Fatal(err)
	}
	broker, err := redis.NewBroker(context.Background(), rc, redis.BrokerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
	history := redis.NewHistory(rc, redis.HistoryConfig{Size: 200})
	app := nexios.New(nexios.Config{})
	// The client connects with ?offset=&epoch= of the last Publication
	// it saw (none the first time).
	websocket.Route(app, "/ws/rooms/{room}", websocket.Handler(func(ws *websocket.Conn) error {
		room := ws.Path("room")
		pos := redis.Position{Epoch: ws.Query("epoch")}
		pos.Offset, _ = strconv.ParseUint(ws.Query("offset"), 10, 64)
		// Joins, replays what the client missed, then the live messages.
		complete, err := history.Join(ws.Context(), hub, ws, room, pos)
		if err != nil {
			return err
		}
		if !complete {
			_ = ws.SendJSON(ws.Context(), map[string]string{"type": "reload"})
		}
		for msg := range ws.Messages() {
			if _, err := history.Broadcast(ws.Context(), hub, room, string(msg.Data)); err != nil {
				return err
			}
		}
		return ws.Err()
	}))
}
