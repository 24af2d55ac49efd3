package websocket_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/websocket"
)

// The benchmarks compare this package with the same work done on raw
// github.com/coder/websocket, which it is built on:
//
//	go test -run '^$' -bench . -benchmem ./websocket/
//	go test -run '^$' -bench IdleMemory -benchtime 1x ./websocket/

// rawEcho is the echo server a coder/websocket user writes.
func rawEcho(w http.ResponseWriter, r *http.Request) {
	c, err := cws.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(websocket.DefaultReadLimit)
	for {
		typ, data, err := c.Read(r.Context())
		if err != nil {
			return
		}
		if err := c.Write(r.Context(), typ, data); err != nil {
			return
		}
	}
}

func nexiosEcho() http.Handler {
	app := nexios.New(nexios.Config{})
	websocket.Route(app, "/", websocket.Handler(func(ws *websocket.Conn) error {
		for msg := range ws.Messages() {
			if err := ws.Send(ws.Context(), msg); err != nil {
				return err
			}
		}
		return ws.Err()
	}))
	return app
}

// BenchmarkEcho measures round trips (send a message, read the echo) over
// loopback TCP, one connection per parallel goroutine.
func BenchmarkEcho(b *testing.B) {
	servers := []struct {
		name string
		h    http.Handler
	}{{"nexios", nexiosEcho()}, {"raw", http.HandlerFunc(rawEcho)}}
	for _, size := range []int{16, 1024} {
		msg := bytes.Repeat([]byte("x"), size)
		for _, s := range servers {
			b.Run(fmt.Sprintf("%s/%dB", s.name, size), func(b *testing.B) {
				srv := httptest.NewServer(s.h)
				defer srv.Close()
				url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
				b.ReportAllocs()
				b.SetBytes(int64(size))
				b.RunParallel(func(pb *testing.PB) {
					ctx := context.Background()
					c, _, err := cws.Dial(ctx, url, nil)
					if err != nil {
						b.Error(err)
						return
					}
					defer c.CloseNow()
					for pb.Next() {
						if err := c.Write(ctx, cws.MessageText, msg); err != nil {
							b.Error(err)
							return
						}
						if _, _, err := c.Read(ctx); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
			})
		}
	}
}

// sinkConn is a server-side connection whose client takes everything at
// once: broadcasts are measured without the kernel, so that 10,000
// subscribers fit in one process.
type sinkConn struct {
	closed  chan struct{}
	once    sync.Once
	onWrite func()
}

func newSinkConn(onWrite func()) *sinkConn {
	return &sinkConn{closed: make(chan struct{}), onWrite: onWrite}
}

func (c *sinkConn) Read([]byte) (int, error) { <-c.closed; return 0, io.EOF }
func (c *sinkConn) Write(p []byte) (int, error) {
	c.onWrite()
	return len(p), nil
}
func (c *sinkConn) Close() error                     { c.once.Do(func() { close(c.closed) }); return nil }
func (c *sinkConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *sinkConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1} }
func (c *sinkConn) SetDeadline(time.Time) error      { return nil }
func (c *sinkConn) SetReadDeadline(time.Time) error  { return nil }
func (c *sinkConn) SetWriteDeadline(time.Time) error { return nil }

// hijacker is a ResponseWriter that hands over a sinkConn, as net/http
// hands over a TCP connection.
type hijacker struct {
	header http.Header
	conn   net.Conn
}

func (h *hijacker) Header() http.Header         { return h.header }
func (h *hijacker) Write(p []byte) (int, error) { return len(p), nil }
func (h *hijacker) WriteHeader(int)             {}
func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return h.conn, bufio.NewReadWriter(bufio.NewReaderSize(h.conn, 4096), bufio.NewWriterSize(h.conn, 4096)), nil
}

func upgradeRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://bench/ws", nil)
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	return r
}

// BenchmarkBroadcast sends one 64-byte message to every subscriber and
// waits until each connection has written it. "nexios" is a Hub broadcast
// (queued, one writer goroutine per busy connection); "raw" is the loop a
// coder/websocket user writes, which blocks on each connection in turn (a
// stalled client stalls everyone); "raw-chan" is the classic hub of a
// writer goroutine per connection fed by a buffered channel, which never
// blocks either but keeps a goroutine per idle connection.
func BenchmarkBroadcast(b *testing.B) {
	msg := []byte(`{"type":"message","message":"a broadcast of sixty-four bytes"}`)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("nexios/%d", n), func(b *testing.B) {
			var written atomic.Int64
			var target atomic.Int64
			done := make(chan struct{}, 1)
			onWrite := func() {
				if written.Add(1) == target.Load() {
					done <- struct{}{}
				}
			}
			hub := websocket.NewHub(websocket.HubConfig{})
			app := nexios.New(nexios.Config{})
			joined := make(chan struct{}, n)
			websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
				if err := hub.Join(ws, "all"); err != nil {
					return err
				}
				joined <- struct{}{}
				for range ws.Messages() {
				}
				return nil
			}, websocket.Keepalive(0, 0)))
			conns := make([]*sinkConn, n)
			var wg sync.WaitGroup
			for i := range conns {
				conns[i] = newSinkConn(onWrite)
				w := &hijacker{header: http.Header{}, conn: conns[i]}
				wg.Go(func() { app.ServeHTTP(w, upgradeRequest()) })
				<-joined
			}
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				target.Store(written.Load() + int64(n))
				if err := hub.Broadcast(ctx, "all", websocket.TextMessage(string(msg))); err != nil {
					b.Fatal(err)
				}
				<-done
			}
			b.StopTimer()
			for _, c := range conns {
				c.Close()
			}
			wg.Wait()
		})
		b.Run(fmt.Sprintf("raw-chan/%d", n), func(b *testing.B) {
			var written atomic.Int64
			var target atomic.Int64
			done := make(chan struct{}, 1)
			onWrite := func() {
				if written.Add(1) == target.Load() {
					done <- struct{}{}
				}
			}
			ctx := context.Background()
			sends := make([]chan []byte, n)
			sinks := make([]*sinkConn, n)
			var wg sync.WaitGroup
			for i := range sends {
				sinks[i] = newSinkConn(onWrite)
				c, err := cws.Accept(&hijacker{header: http.Header{}, conn: sinks[i]}, upgradeRequest(), nil)
				if err != nil {
					b.Fatal(err)
				}
				sends[i] = make(chan []byte, 16)
				wg.Go(func() {
					defer c.CloseNow()
					for m := range sends[i] {
						if c.Write(ctx, cws.MessageText, m) != nil {
							return
						}
					}
				})
			}
			b.ReportAllocs()
			for b.Loop() {
				target.Store(written.Load() + int64(n))
				for _, ch := range sends {
					select {
					case ch <- msg:
					default: // a slow client misses the message
					}
				}
				<-done
			}
			b.StopTimer()
			for _, ch := range sends {
				close(ch)
			}
			wg.Wait()
		})
		b.Run(fmt.Sprintf("raw/%d", n), func(b *testing.B) {
			var written atomic.Int64
			conns := make([]*cws.Conn, n)
			sinks := make([]*sinkConn, n)
			for i := range conns {
				sinks[i] = newSinkConn(func() { written.Add(1) })
				c, err := cws.Accept(&hijacker{header: http.Header{}, conn: sinks[i]}, upgradeRequest(), nil)
				if err != nil {
					b.Fatal(err)
				}
				conns[i] = c
			}
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				for _, c := range conns {
					if err := c.Write(ctx, cws.MessageText, msg); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			for _, c := range conns {
				_ = c.CloseNow()
			}
		})
	}
}

// BenchmarkIdleMemory opens idle connections from a child process over
// loopback TCP and reports the server's memory (live heap and goroutine
// stacks, after a GC) per connection. Run it with -benchtime 1x.
func BenchmarkIdleMemory(b *testing.B) {
	const n = 2000
	var open atomic.Int64
	nexiosApp := func(withHub bool) http.Handler {
		hub := websocket.NewHub(websocket.HubConfig{})
		app := nexios.New(nexios.Config{})
		websocket.Route(app, "/", websocket.Handler(func(ws *websocket.Conn) error {
			if withHub {
				if err := hub.Join(ws, "idle"); err != nil {
					return err
				}
			}
			open.Add(1)
			defer open.Add(-1)
			for range ws.Messages() {
			}
			return ws.Err()
		}))
		return app
	}
	raw := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cws.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		open.Add(1)
		defer open.Add(-1)
		for {
			if _, _, err := c.Read(r.Context()); err != nil {
				return
			}
		}
	})
	servers := []struct {
		name string
		h    http.Handler
	}{{"nexios", nexiosApp(false)}, {"nexios+hub", nexiosApp(true)}, {"raw", raw}}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			srv := httptest.NewServer(s.h)
			defer srv.Close()
			var perConn float64
			for b.Loop() {
				before := liveMemory()
				stop := idleClients(b, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", n)
				for open.Load() != n {
					time.Sleep(10 * time.Millisecond)
				}
				perConn = float64(liveMemory()-before) / n
				stop()
				for open.Load() != 0 {
					time.Sleep(10 * time.Millisecond)
				}
			}
			b.ReportMetric(perConn, "B/conn")
			b.ReportMetric(perConn/1024, "KiB/conn")
		})
	}
}

func liveMemory() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// idleClients starts a child process (this test binary) that opens n
// connections to url and keeps them idle until stop is called.
func idleClients(b *testing.B, url string, n int) (stop func()) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientsHelper$")
	cmd.Env = append(os.Environ(), "NEXIOS_WS_IDLE_URL="+url, "NEXIOS_WS_IDLE_N="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.HasPrefix(line, "ready") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.Fatalf("idle clients: %q", line)
	}
	return func() {
		stdin.Close()
		_ = cmd.Wait()
	}
}

// TestIdleClientsHelper is the child process of BenchmarkIdleMemory; it
// does nothing in a normal test run.
func TestIdleClientsHelper(t *testing.T) {
	url := os.Getenv("NEXIOS_WS_IDLE_URL")
	if url == "" {
		t.Skip("helper process for BenchmarkIdleMemory")
	}
	n, _ := strconv.Atoi(os.Getenv("NEXIOS_WS_IDLE_N"))
	ctx := context.Background()
	conns := make([]*cws.Conn, 0, n)
	for range n {
		c, _, err := cws.Dial(ctx, url, nil)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
	for _, c := range conns {
		_ = c.CloseNow()
	}
	os.Exit(0)
}
