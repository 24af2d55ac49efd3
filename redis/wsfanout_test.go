package redis_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/testclient/cluster"
	"github.com/nexios-go/nexios/websocket"
)

// BenchmarkWebSocketFanOut broadcasts one message to 10,000 WebSocket
// clients of one room, connected to 1 or 3 instances (each its own app,
// hub, broker and Redis client), and measures from the broadcast until
// every client has read it: the hub's fan-out through per-connection
// queues and real sockets, not only the broker's (BenchmarkBrokerFanOut).
// The clients run in a child process (this test binary, as
// TestFanOutSwarm), so that each side of 10,000 connections stays within
// one process's descriptor limit.
func BenchmarkWebSocketFanOut(b *testing.B) {
	const clients = 10_000
	for _, instances := range []int{1, 3} {
		b.Run(fmt.Sprintf("10k-clients-%d-instances", instances), func(b *testing.B) {
			room, p := "fanout", prefix(b) // one deployment: one prefix
			var hubs []*websocket.Hub
			var mu sync.Mutex
			c := cluster.Start(b, instances, func(i int) http.Handler {
				broker, err := redis.NewBroker(context.Background(), testClient(b), redis.BrokerConfig{Prefix: p})
				if err != nil {
					b.Fatal(err)
				}
				hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
				mu.Lock()
				hubs = append(hubs, hub)
				mu.Unlock()
				app := nexios.New(nexios.Config{})
				websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
					if err := hub.Join(ws, room); err != nil {
						return err
					}
					if err := ws.SendText(ws.Context(), "joined"); err != nil {
						return err
					}
					for range ws.Messages() {
					}
					return ws.Err()
				}))
				app.OnShutdown(func(context.Context) error { return broker.Close() })
				app.OnShutdown(hub.Close)
				return app
			})
			urls := make([]string, instances)
			for i := range urls {
				urls[i] = c.WebSocketURL(i, "/ws")
			}
			swarm := startSwarm(b, clients, urls)
			i := 0
			for b.Loop() {
				i++
				msg := strconv.Itoa(i)
				if err := hubs[0].BroadcastText(context.Background(), room, msg); err != nil {
					b.Fatal(err)
				}
				swarm.wait(b, msg)
			}
			b.ReportMetric(float64(clients)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// swarm is the child process holding the clients; it writes a line when
// all of them are connected ("ready") and one per message all of them
// have read (the message).
type swarm struct{ lines *bufio.Scanner }

func startSwarm(b *testing.B, clients int, urls []string) *swarm {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFanOutSwarm$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NEXIOS_FANOUT_SWARM="+strings.Join(urls, " "), "NEXIOS_FANOUT_CLIENTS="+strconv.Itoa(clients))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = in.Close() // the swarm hangs up and exits
		if err := cmd.Wait(); err != nil {
			b.Errorf("the client swarm: %v", err)
		}
	})
	s := &swarm{lines: bufio.NewScanner(out)}
	s.wait(b, "ready")
	return s
}

func (s *swarm) wait(b *testing.B, want string) {
	for s.lines.Scan() {
		if s.lines.Text() == want {
			return
		}
	}
	b.Fatalf("the client swarm ended before %q: %v", want, s.lines.Err())
}

// TestFanOutSwarm is the client side of BenchmarkWebSocketFanOut, run in
// a child process; it is skipped otherwise.
func TestFanOutSwarm(t *testing.T) {
	urls := strings.Fields(os.Getenv("NEXIOS_FANOUT_SWARM"))
	if len(urls) == 0 {
		t.Skip("the client side of BenchmarkWebSocketFanOut")
	}
	clients, err := strconv.Atoi(os.Getenv("NEXIOS_FANOUT_CLIENTS"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout sync.Mutex
	say := func(line string) {
		stdout.Lock()
		defer stdout.Unlock()
		fmt.Println(line)
	}
	// counts[k] is how many clients have read message k.
	var counts sync.Map
	conns := make([]*cws.Conn, clients)
	var wg sync.WaitGroup
	var joined atomic.Int64
	sem := make(chan struct{}, 64) // dials in flight
	for i := range conns {
		sem <- struct{}{}
		dialCtx, stop := context.WithTimeout(ctx, 30*time.Second)
		conn, _, err := cws.Dial(dialCtx, urls[i%len(urls)], nil)
		stop()
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		conns[i] = conn
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.CloseNow()
			first := true
			for {
				_, data, err := conn.Read(ctx)
				if err != nil {
					return
				}
				if first {
					first = false
					<-sem
					if joined.Add(1) == int64(clients) {
						say("ready")
					}
					continue
				}
				v, _ := counts.LoadOrStore(string(data), new(atomic.Int64))
				if v.(*atomic.Int64).Add(1) == int64(clients) {
					counts.Delete(string(data))
					say(string(data))
				}
			}
		}()
	}
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the benchmark hangs up
	cancel()
	for _, c := range conns {
		_ = c.CloseNow()
	}
	wg.Wait()
}
