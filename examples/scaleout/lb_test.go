package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios/db/dbtest"
)

// TestLoadBalancer builds this command, starts three processes of it
// sharing Redis (then PostgreSQL) behind HAProxy with round-robin
// balancing, and checks that they behave as one app: a session made on
// one instance is valid on the others, a refresh token revoked on one is
// refused by the others at once, a limit of 100/min admits exactly 100 of
// 300 concurrent requests spread over the three, a chat message crosses
// instances, and killing an instance under load loses no session while
// its WebSocket clients reconnect to the others.
//
// It needs haproxy on the PATH (Debian: apt-get install -y haproxy;
// scripts/lb-test.sh installs it) and NEXIOS_TEST_REDIS_URL /
// NEXIOS_TEST_POSTGRES_URL; CI sets NEXIOS_TEST_REQUIRE_HAPROXY=1 so that
// a missing HAProxy fails the test instead of skipping it.
func TestLoadBalancer(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil && os.Getenv("NEXIOS_TEST_REQUIRE_HAPROXY") != "" {
		t.Fatal("haproxy is not installed and NEXIOS_TEST_REQUIRE_HAPROXY is set: apt-get install -y haproxy")
	}
	if err != nil {
		t.Skip("haproxy is not installed: apt-get install -y haproxy (or run scripts/lb-test.sh) to run the multi-process load-balancer test")
	}
	if testing.Short() {
		t.Skip("the multi-process load-balancer test does not run with -short")
	}
	redisURL, pgURL := os.Getenv("NEXIOS_TEST_REDIS_URL"), os.Getenv("NEXIOS_TEST_POSTGRES_URL")
	if redisURL == "" && pgURL == "" {
		t.Skip("NEXIOS_TEST_REDIS_URL and NEXIOS_TEST_POSTGRES_URL are unset: no shared backend to test the fleet on")
	}
	bin := buildBinary(t)
	t.Run("redis", func(t *testing.T) {
		if redisURL == "" {
			t.Skip("NEXIOS_TEST_REDIS_URL is unset")
		}
		prefix := "nexios-lbtest:" + rand.Text()[:10]
		fleetBehindHAProxy(t, bin, haproxy, []string{"BACKEND=redis", "REDIS_URL=" + redisURL, "PREFIX=" + prefix})
	})
	t.Run("postgres", func(t *testing.T) {
		if pgURL == "" {
			t.Skip("NEXIOS_TEST_POSTGRES_URL is unset")
		}
		url := dbtest.EmptyPostgres(t) // the three processes migrate it together, once
		fleetBehindHAProxy(t, bin, haproxy, []string{"BACKEND=postgres", "DATABASE_URL=" + url, "PREFIX=lbtest"})
	})
}

// lb is the fleet under test.
type lb struct {
	t      *testing.T
	front  string // http://haproxy
	procs  []*proc
	client *http.Client // one browser: a cookie jar for 127.0.0.1
}

func fleetBehindHAProxy(t *testing.T, bin, haproxy string, env []string) {
	procs := make([]*proc, 3)
	for i, name := range []string{"a", "b", "c"} {
		addr := freeAddr(t)
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), append(env, "ADDR="+addr, "INSTANCE="+name, "RATE_LIMIT=100")...)
		procs[i] = startProc(t, name, addr, cmd)
	}
	for _, p := range procs {
		waitHealthy(t, p, "http://"+p.addr+"/healthz")
	}
	front := freeAddr(t)
	hp := startHAProxy(t, haproxy, front, haproxyConfig(front, procs))
	waitHealthy(t, hp, "http://"+front+"/healthz")

	jar, _ := cookiejar.New(nil)
	f := &lb{t: t, front: "http://" + front, procs: procs,
		client: &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 300}}}
	defer f.client.CloseIdleConnections()

	f.sessions()
	f.revocation()
	f.rateLimit()
	f.chat()
	f.killUnderLoad()
}

func (f *lb) direct(i int) string { return "http://" + f.procs[i].addr }

// do sends a request and returns the status, the X-Instance header and the
// JSON body.
func (f *lb) do(method, url, refresh string) (int, string, map[string]string) {
	f.t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if refresh != "" {
		req.Header.Set("X-Refresh-Token", refresh)
	}
	res, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, res.Header.Get("X-Instance"), body
}

// A session created through one instance is valid on the others, and
// round robin spreads one client's requests over all three.
func (f *lb) sessions() {
	t := f.t
	st, on, _ := f.do("POST", f.direct(0)+"/login?user=ada", "")
	if st != 200 || on != "a" {
		t.Fatalf("login on A: %d on %q", st, on)
	}
	for i, name := range []string{"b", "c"} {
		if st, on, body := f.do("GET", f.direct(i+1)+"/me", ""); st != 200 || on != name || body["user"] != "ada" {
			t.Fatalf("the session on %s: %d on %q, %v", name, st, on, body)
		}
	}
	seen := map[string]int{}
	for range 6 {
		st, on, body := f.do("GET", f.front+"/me", "")
		if st != 200 || body["user"] != "ada" {
			t.Fatalf("the session through the balancer: %d on %q, %v", st, on, body)
		}
		seen[on]++
	}
	if len(seen) != 3 {
		t.Fatalf("six requests through the balancer reached %v, want all three instances", seen)
	}
}

// A refresh token revoked on B is refused on A and C on the very next
// request.
func (f *lb) revocation() {
	t := f.t
	_, _, pair := f.do("POST", f.direct(0)+"/token", "")
	refresh := pair["refresh_token"]
	if st, _, _ := f.do("POST", f.direct(1)+"/logout", refresh); st != 204 {
		t.Fatalf("revoke on B: %d", st)
	}
	for _, i := range []int{0, 2} {
		if st, on, _ := f.do("POST", f.direct(i)+"/refresh", refresh); st != 401 {
			t.Fatalf("the revoked refresh token on %s: %d, want 401", on, st)
		}
	}
	// A live token rotates once, through the balancer, and its reuse on
	// the next instance is refused.
	_, _, pair = f.do("POST", f.front+"/token", "")
	if st, _, _ := f.do("POST", f.front+"/refresh", pair["refresh_token"]); st != 200 {
		t.Fatalf("refresh through the balancer: %d", st)
	}
	if st, _, _ := f.do("POST", f.front+"/refresh", pair["refresh_token"]); st != 401 {
		t.Fatalf("a rotated refresh token reused on the next instance: %d, want 401", st)
	}
}

// A limit of 100/min across the three admits exactly 100 of 300
// concurrent requests.
func (f *lb) rateLimit() {
	t := f.t
	var ok, limited, other atomic.Int32
	var mu sync.Mutex
	served := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 300 {
		wg.Go(func() {
			<-start
			res, err := f.client.Get(f.front + "/limited")
			if err != nil {
				other.Add(1)
				return
			}
			res.Body.Close()
			mu.Lock()
			served[res.Header.Get("X-Instance")]++
			mu.Unlock()
			switch res.StatusCode {
			case 204:
				ok.Add(1)
			case 429:
				limited.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok.Load() != 100 || limited.Load() != 200 || other.Load() != 0 {
		t.Fatalf("300 concurrent requests through the balancer: %d admitted, %d limited, %d other; want exactly 100 and 200",
			ok.Load(), limited.Load(), other.Load())
	}
	if len(served) != 3 {
		t.Fatalf("the 300 requests were served by %v, want all three instances", served)
	}
	t.Logf("300 requests served by %v", served)
}

// dial opens a chat WebSocket and returns it with the instance that
// answered ("joined a").
func (f *lb) dial(ctx context.Context, base, room string) (*cws.Conn, string) {
	f.t.Helper()
	conn, _, err := cws.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/chat/"+room, nil)
	if err != nil {
		f.t.Fatalf("dial %s: %v", base, err)
	}
	f.t.Cleanup(func() { _ = conn.CloseNow() })
	_, msg, err := conn.Read(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return conn, strings.TrimPrefix(string(msg), "joined ")
}

func (f *lb) expect(ctx context.Context, conn *cws.Conn, want, who string) {
	f.t.Helper()
	if _, msg, err := conn.Read(ctx); err != nil || string(msg) != want {
		f.t.Fatalf("%s: %q %v, want %q", who, msg, err, want)
	}
}

// A chat message sent by a client on A reaches clients on B and C, also
// when they all came through the balancer.
func (f *lb) chat() {
	t := f.t
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	onA, _ := f.dial(ctx, f.direct(0), "lobby")
	onB, _ := f.dial(ctx, f.direct(1), "lobby")
	onC, _ := f.dial(ctx, f.direct(2), "lobby")
	if err := onA.Write(ctx, cws.MessageText, []byte("hello from A")); err != nil {
		t.Fatal(err)
	}
	f.expect(ctx, onB, "hello from A", "the client on B")
	f.expect(ctx, onC, "hello from A", "the client on C")

	conns := map[string]*cws.Conn{}
	for range 3 {
		conn, on := f.dial(ctx, f.front, "hall")
		conns[on] = conn
	}
	if len(conns) != 3 {
		t.Fatalf("three WebSockets through the balancer landed on %d instances, want 3", len(conns))
	}
	if err := conns["a"].Write(ctx, cws.MessageText, []byte("hi hall")); err != nil {
		t.Fatal(err)
	}
	f.expect(ctx, conns["b"], "hi hall", "a balanced client on B")
	f.expect(ctx, conns["c"], "hi hall", "a balanced client on C")
}

// Killing B under load loses no session (every request of the load and
// after keeps its user), and B's WebSocket clients reconnect through the
// balancer to A or C, where the room still works.
func (f *lb) killUnderLoad() {
	t := f.t
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	onA, _ := f.dial(ctx, f.direct(0), "after")
	var onB *cws.Conn
	for range 6 { // round robin: within three dials one lands on B
		conn, on := f.dial(ctx, f.front, "after")
		if on == "b" {
			onB = conn
			break
		}
	}
	if onB == nil {
		t.Fatal("no WebSocket through the balancer landed on B")
	}

	var ok, lost, failed atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 40 {
				res, err := f.client.Get(f.front + "/me")
				if err != nil {
					failed.Add(1)
					continue
				}
				var body map[string]string
				_ = json.NewDecoder(res.Body).Decode(&body)
				res.Body.Close()
				switch {
				case res.StatusCode == 200 && body["user"] == "ada":
					ok.Add(1)
				case res.StatusCode == 200:
					lost.Add(1)
				default:
					failed.Add(1)
				}
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	f.procs[1].kill()
	killed := time.Now()
	wg.Wait()
	if ok.Load() != 320 {
		t.Fatalf("320 requests while B was killed: %d kept the session, %d lost it, %d failed", ok.Load(), lost.Load(), failed.Load())
	}

	// B's WebSocket drops; its client reconnects through the balancer.
	if _, _, err := onB.Read(ctx); err == nil {
		t.Fatal("the WebSocket of the killed instance stayed open")
	}
	var again *cws.Conn
	var on string
	for again == nil {
		conn, _, err := cws.Dial(ctx, "ws"+strings.TrimPrefix(f.front, "http")+"/ws/chat/after", nil)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("no reconnection through the balancer: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		t.Cleanup(func() { _ = conn.CloseNow() })
		_, msg, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		again, on = conn, strings.TrimPrefix(string(msg), "joined ")
	}
	if on == "b" {
		t.Fatal("reconnected to the killed instance")
	}
	t.Logf("B's WebSocket client reconnected to %s, %v after the kill", on, time.Since(killed).Round(time.Millisecond))
	if err := onA.Write(ctx, cws.MessageText, []byte("still one app")); err != nil {
		t.Fatal(err)
	}
	f.expect(ctx, again, "still one app", "the reconnected client")
	for range 4 {
		if st, inst, body := f.do("GET", f.front+"/me", ""); st != 200 || body["user"] != "ada" || inst == "b" {
			t.Fatalf("after the kill: %d on %q, %v", st, inst, body)
		}
	}
}
