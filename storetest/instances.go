package storetest

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios/testclient/cluster"
)

// Instances runs the scale-out scenario on c: at least three running
// instances of NewApp (each with a hub) whose stores and brokers share
// one backend, as the processes of one deployment would. They must
// behave as one app:
//
//   - a session created on A is valid on A, B and C;
//   - a refresh token revoked on B is refused on A and C; another one
//     rotates once, on any instance, and is refused when reused on
//     another;
//   - of 300 concurrent requests spread over the three, exactly
//     LimitPerMinute (100) are admitted and the others refused with 429;
//   - a chat message sent on A reaches the room's members on B, C and A;
//   - killing B (c.Kill(1)) while 180 session requests go through the
//     balancer loses none of them, B's WebSocket clients are
//     disconnected, and one reconnecting through the balancer lands on a
//     live instance where the room still works.
//
// The last scenario leaves instance 1 dead: run checks of your own on
// the cluster before Instances. The stores must be fresh or keyed for
// the test alone (see NewApp).
func Instances(t *testing.T, c *cluster.Cluster) {
	t.Helper()
	if c.Len() < 3 {
		t.Fatalf("storetest.Instances: %d instances, want at least 3", c.Len())
	}
	a, b, cc := c.URL(0), c.URL(1), c.URL(2)
	client := c.Client()

	t.Run("a session created on A is valid on B and C", func(t *testing.T) {
		if st, _ := Send(t, client, "POST", a+"/login?user=ada", ""); st != 204 {
			t.Fatalf("login on A: %d", st)
		}
		for _, in := range []struct{ name, url string }{{"A", a}, {"B", b}, {"C", cc}} {
			if st, body := Send(t, client, "GET", in.url+"/me", ""); st != 200 || body["user"] != "ada" {
				t.Fatalf("/me on %s: %d %v", in.name, st, body)
			}
		}
	})

	t.Run("a refresh token revoked on B is refused on A and C", func(t *testing.T) {
		_, pair := Send(t, client, "POST", a+"/token", "")
		revoked, _ := pair["refresh_token"].(string)
		_, pair = Send(t, client, "POST", cc+"/token", "")
		kept, _ := pair["refresh_token"].(string)
		if st, _ := Send(t, client, "POST", b+"/logout", revoked); st != 204 {
			t.Fatalf("revoke on B: %d", st)
		}
		for _, in := range []struct{ name, url string }{{"A", a}, {"C", cc}} {
			if st, _ := Send(t, client, "POST", in.url+"/refresh", revoked); st != 401 {
				t.Fatalf("the revoked refresh token on %s: %d, want 401", in.name, st)
			}
		}
		// Another sign-in's token still works, once, on any instance.
		if st, _ := Send(t, client, "POST", a+"/refresh", kept); st != 200 {
			t.Fatalf("an unrevoked refresh token: %d", st)
		}
		if st, _ := Send(t, client, "POST", b+"/refresh", kept); st != 401 {
			t.Fatalf("a rotated refresh token reused on another instance: %d, want 401", st)
		}
	})

	t.Run("100 of 300 concurrent requests across the three", func(t *testing.T) {
		var ok, limited, other atomic.Int32
		together(3*LimitPerMinute, func(i int) {
			res, err := client.Get(c.URL(i%3) + "/limited")
			if err != nil {
				other.Add(1)
				return
			}
			res.Body.Close()
			switch res.StatusCode {
			case 204:
				ok.Add(1)
			case 429:
				limited.Add(1)
			default:
				other.Add(1)
			}
		})
		if ok.Load() != LimitPerMinute || limited.Load() != 2*LimitPerMinute || other.Load() != 0 {
			t.Fatalf("%d admitted, %d limited, %d other; want exactly %d and %d",
				ok.Load(), limited.Load(), other.Load(), LimitPerMinute, 2*LimitPerMinute)
		}
	})

	t.Run("a chat message from A reaches B and C", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sender, _ := chat(t, ctx, c.WebSocketURL(0, "/ws/chat/lobby"))
		onB, _ := chat(t, ctx, c.WebSocketURL(1, "/ws/chat/lobby"))
		onC, _ := chat(t, ctx, c.WebSocketURL(2, "/ws/chat/lobby"))
		alsoOnA, _ := chat(t, ctx, c.WebSocketURL(0, "/ws/chat/lobby"))
		if err := sender.Write(ctx, cws.MessageText, []byte("hello from A")); err != nil {
			t.Fatal(err)
		}
		for name, conn := range map[string]*cws.Conn{"B": onB, "C": onC, "A (another client)": alsoOnA} {
			if _, msg, err := conn.Read(ctx); err != nil || string(msg) != "hello from A" {
				t.Fatalf("client on %s: %q %v", name, msg, err)
			}
		}
	})

	t.Run("killing B under load loses no session; its WebSocket clients reconnect elsewhere", func(t *testing.T) {
		instancesKill(t, c, client)
	})
}

// instancesKill kills instance 1 while clients of the session made by
// Instances' first scenario go through the balancer.
func instancesKill(t *testing.T, c *cluster.Cluster, client *http.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	sender, _ := chat(t, ctx, c.WebSocketURL(0, "/ws/chat/kill"))
	onB, _ := chat(t, ctx, c.WebSocketURL(1, "/ws/chat/kill"))
	var ok, failed atomic.Int32
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for range 30 {
				res, err := client.Get(c.Balancer() + "/me")
				if err != nil {
					failed.Add(1)
					continue
				}
				var m map[string]any
				_ = json.NewDecoder(res.Body).Decode(&m)
				res.Body.Close()
				if res.StatusCode == 200 && m["user"] == "ada" {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	if err := c.Kill(1); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if ok.Load() != 180 || failed.Load() != 0 {
		t.Fatalf("180 session requests while B died: %d kept the session, %d failed", ok.Load(), failed.Load())
	}
	if _, _, err := onB.Read(ctx); err == nil {
		t.Fatal("a WebSocket of the killed instance stayed open")
	}
	again, hello := chat(t, ctx, c.BalancerWebSocketURL("/ws/chat/kill"))
	if hello == "joined 1" {
		t.Fatalf("reconnected to the killed instance")
	}
	if err := sender.Write(ctx, cws.MessageText, []byte("still here")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := again.Read(ctx); err != nil || string(msg) != "still here" {
		t.Fatalf("the reconnected client: %q %v", msg, err)
	}
}

// chat opens a WebSocket to NewApp's chat route at url and returns it
// with its greeting ("joined i"). It is closed when the test ends.
func chat(t *testing.T, ctx context.Context, url string) (*cws.Conn, string) {
	t.Helper()
	conn, _, err := cws.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	_, msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return conn, string(msg)
}
