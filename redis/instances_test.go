package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/testclient/cluster"
	"github.com/nexios-go/nexios/websocket"
)

// fleet starts n instances of one app on one Redis, each with its own
// client, stores, broker and hub, all keys under one prefix (as n
// processes of one deployment would be configured): storetest's app, and
// a room whose history a client recovers from on reconnecting.
func fleet(t *testing.T, n int) *cluster.Cluster {
	t.Helper()
	p := prefix(t)
	return cluster.Start(t, n, func(i int) http.Handler {
		rdb := testClient(t)
		broker, err := redis.NewBroker(context.Background(), rdb, redis.BrokerConfig{Prefix: p + "ws:"})
		if err != nil {
			t.Fatal(err)
		}
		hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
		app := storetest.NewApp(i, storetest.Stores{
			Sessions:    redis.NewSessionStore(rdb, redis.SessionConfig{Prefix: p + "session:"}),
			Revocations: redis.NewRevocationList(rdb, redis.RevocationConfig{Prefix: p + "revoked:"}),
			RateLimit:   redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: p + "rl:"}),
		}, hub)
		history := redis.NewHistory(rdb, redis.HistoryConfig{Prefix: p + "history:", Size: 50})
		websocket.Route(app, "/ws/room/{room}", websocket.Handler(func(ws *websocket.Conn) error {
			room := ws.Path("room")
			pos := redis.Position{Epoch: ws.Query("epoch")}
			pos.Offset, _ = strconv.ParseUint(ws.Query("offset"), 10, 64)
			complete, err := history.Join(ws.Context(), hub, ws, room, pos)
			if err != nil {
				return err
			}
			if !complete {
				return ws.SendText(ws.Context(), "reload")
			}
			for msg := range ws.Messages() {
				if _, err := history.Broadcast(ws.Context(), hub, room, string(msg.Data)); err != nil {
					return err
				}
			}
			return ws.Err()
		}))
		app.OnShutdown(func(context.Context) error { return broker.Close() })
		app.OnShutdown(hub.Close) // runs first: hooks run last registered first
		return app
	})
}

// Three instances sharing Redis behave as one app.
func TestThreeInstances(t *testing.T) {
	t.Parallel()
	c := fleet(t, 3)

	t.Run("a client that reconnects to another instance recovers what it missed", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		dial := func(i int, query string) *cws.Conn {
			conn, _, err := cws.Dial(ctx, c.WebSocketURL(i, "/ws/room/news"+query), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.CloseNow() })
			return conn
		}
		read := func(conn *cws.Conn) redis.Publication {
			t.Helper()
			_, data, err := conn.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var p redis.Publication
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatalf("%q: %v", data, err)
			}
			return p
		}
		sender, reader := dial(0, ""), dial(1, "")
		time.Sleep(50 * time.Millisecond) // both joined
		_ = sender.Write(ctx, cws.MessageText, []byte("one"))
		last := read(reader)
		if string(last.Data) != `"one"` {
			t.Fatalf("live publication %+v", last)
		}
		read(sender) // its own "one"
		_ = reader.Close(cws.StatusNormalClosure, "")
		for _, m := range []string{"two", "three", "four"} {
			_ = sender.Write(ctx, cws.MessageText, []byte(m))
			read(sender) // its own broadcast: the hub has committed it
		}
		back := dial(2, fmt.Sprintf("?offset=%d&epoch=%s", last.Offset, last.Epoch))
		for i, want := range []string{`"two"`, `"three"`, `"four"`} {
			p := read(back)
			if string(p.Data) != want || p.Offset != last.Offset+uint64(i)+1 || p.Epoch != last.Epoch {
				t.Fatalf("recovered %d: %+v, want %s at offset %d", i, p, want, last.Offset+uint64(i)+1)
			}
		}
		stale := dial(2, "?offset=3&epoch=another-epoch")
		if _, data, err := stale.Read(ctx); err != nil || string(data) != "reload" {
			t.Fatalf("a position from another epoch: %q %v, want reload", data, err)
		}
	})

	// Sessions, revocations, the rate limit and the chat across the
	// three, then the death of one (last: it leaves instance 1 dead).
	storetest.Instances(t, c)
}
