// Package cluster runs several instances of an app in one test process,
// each with its own HTTP server on loopback, behind an optional
// round-robin balancer: the harness for testing that instances sharing a
// store (Redis, PostgreSQL) behave as one app.
//
//	c := cluster.Start(t, 3, func(i int) http.Handler {
//		return newApp(sharedStores) // each instance its own app, broker, hub…
//	})
//	res, _ := c.Client().Post(c.URL(0)+"/login", "", nil) // on instance A
//	res, _ = c.Client().Get(c.URL(1) + "/me")              // on instance B
//	c.Kill(1)                                             // B crashes
//	res, _ = http.Get(c.Balancer() + "/me")               // the balancer routes around it
//
// An instance that is a *nexios.App (anything with Startup and Shutdown)
// is started before it serves, and shut down when it stops: register the
// closing of its broker, hub and connections with app.OnShutdown. Kill
// cuts every connection of an instance at once, WebSockets included, as
// a crash would; its shutdown hooks still run afterwards, so that the test
// process leaks nothing. Restart builds the instance again on the same
// address. Start stops every instance when the test ends; New and Close
// do the same outside a test (a TestMain, an Example).
//
// For a multi-process test behind a real load balancer, see the scale-out
// example (examples/scaleout) and docs/scaling.md.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httputil"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lifecycle is what a *nexios.App adds to an http.Handler.
type lifecycle interface {
	Startup(ctx context.Context) error
	Shutdown(ctx context.Context) error
}

// NewFunc builds instance i of the app. It is called once per start:
// again by Restart.
type NewFunc func(i int) http.Handler

// Cluster is a set of running instances. Its methods are safe for
// concurrent use, so a test may kill an instance while clients run.
type Cluster struct {
	newApp    NewFunc
	instances []*instance
	transport *http.Transport

	balOnce  sync.Once
	balancer *http.Server
	balURL   string
	next     atomic.Uint64
}

// instance is one server and the connections it accepted.
type instance struct {
	addr string

	mu    sync.Mutex
	alive bool
	srv   *http.Server
	app   http.Handler
	ln    net.Listener
	conns map[net.Conn]http.ConnState
	done  chan struct{} // closed when Serve returned
}

// Start starts n instances (each on its own loopback port) and closes
// them when the test ends; it fails the test when one does not start.
func Start(t testing.TB, n int, newApp NewFunc) *Cluster {
	t.Helper()
	c, err := New(n, newApp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("cluster: %v", err)
		}
	})
	return c
}

// New starts n instances, each on its own loopback port. Close stops
// them.
func New(n int, newApp NewFunc) (*Cluster, error) {
	if n <= 0 {
		return nil, fmt.Errorf("cluster: %d instances", n)
	}
	c := &Cluster{newApp: newApp, transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			c.instances = append(c.instances, &instance{addr: ln.Addr().String()})
			err = c.serve(i, ln)
		}
		if err != nil {
			return nil, errors.Join(err, c.Close())
		}
	}
	return c, nil
}

// Len returns the number of instances, alive or not.
func (c *Cluster) Len() int { return len(c.instances) }

// URL returns the base URL of instance i ("http://127.0.0.1:port").
func (c *Cluster) URL(i int) string { return "http://" + c.instances[i].addr }

// WebSocketURL returns the ws:// URL of path on instance i.
func (c *Cluster) WebSocketURL(i int, path string) string {
	return "ws://" + c.instances[i].addr + path
}

// Alive reports whether instance i is serving.
func (c *Cluster) Alive(i int) bool {
	in := c.instances[i]
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.alive
}

// Client returns a new HTTP client with its own cookie jar. The
// instances all listen on 127.0.0.1, so a cookie one of them sets is
// sent to every other: what a browser does behind one domain.
func (c *Cluster) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: c.transport, Timeout: 30 * time.Second}
}

// serve builds instance i and serves it on ln.
func (c *Cluster) serve(i int, ln net.Listener) error {
	in := c.instances[i]
	h := c.newApp(i)
	if lc, ok := h.(lifecycle); ok {
		if err := lc.Startup(context.Background()); err != nil {
			_ = ln.Close()
			return fmt.Errorf("cluster: instance %d: startup: %w", i, err)
		}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnState: in.track}
	in.mu.Lock()
	in.srv, in.app, in.ln, in.alive = srv, h, ln, true
	in.conns = map[net.Conn]http.ConnState{}
	in.done = make(chan struct{})
	done := in.done
	in.mu.Unlock()
	go func() {
		defer close(done)
		_ = srv.Serve(trackingListener{ln, in})
	}()
	return nil
}

// trackingListener records every connection it accepts, so that Kill
// can close them, hijacked WebSockets included (the server forgets
// those).
type trackingListener struct {
	net.Listener
	in *instance
}

func (l trackingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.in.mu.Lock()
	if !l.in.alive {
		l.in.mu.Unlock()
		_ = conn.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: conn, in: l.in}
	l.in.conns[tc] = http.StateNew
	l.in.mu.Unlock()
	return tc, nil
}

// track follows the state of each connection, for stop.
func (in *instance) track(conn net.Conn, st http.ConnState) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.conns[conn]; ok && st != http.StateClosed {
		in.conns[conn] = st
	}
}

type trackedConn struct {
	net.Conn
	in   *instance
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.in.mu.Lock()
		delete(c.in.conns, c)
		c.in.mu.Unlock()
	})
	return c.Conn.Close()
}

// Kill stops instance i as a crash would: its listener and every
// connection close at once (clients see resets, WebSockets drop), then
// its shutdown hooks run so that the test process leaks nothing; their
// error is returned. Killing a dead instance does nothing.
func (c *Cluster) Kill(i int) error {
	return c.stop(i, false)
}

// Stop shuts instance i down gracefully: it stops accepting, lets the
// requests in flight finish (up to 10 seconds), then runs its shutdown
// hooks and returns their error.
func (c *Cluster) Stop(i int) error {
	return c.stop(i, true)
}

func (c *Cluster) stop(i int, graceful bool) error {
	in := c.instances[i]
	in.mu.Lock()
	if !in.alive {
		in.mu.Unlock()
		return nil
	}
	in.alive = false
	srv, app, done := in.srv, in.app, in.done
	var conns, unused []net.Conn
	for conn, st := range in.conns {
		conns = append(conns, conn)
		if st == http.StateNew {
			unused = append(unused, conn)
		}
	}
	if !graceful {
		_ = in.ln.Close()
	}
	in.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if graceful {
		// Shutdown waits five seconds for connections that never sent a
		// request (a client dials spares); they have nothing in flight.
		for _, conn := range unused {
			_ = conn.Close()
		}
		_ = srv.Shutdown(ctx)
	} else {
		for _, conn := range conns {
			_ = conn.Close()
		}
		_ = srv.Close()
	}
	<-done
	var err error
	if lc, ok := app.(lifecycle); ok {
		if serr := lc.Shutdown(ctx); serr != nil {
			err = fmt.Errorf("cluster: instance %d: shutdown: %w", i, serr)
		}
	}
	// Whatever outlived the shutdown (a WebSocket its app did not
	// close) goes now.
	in.mu.Lock()
	for conn := range in.conns {
		_ = conn.Close()
	}
	in.mu.Unlock()
	return err
}

// Restart builds instance i again (NewFunc is called) and serves it on
// its address; a live instance is stopped gracefully first.
func (c *Cluster) Restart(i int) error {
	if err := c.Stop(i); err != nil {
		return err
	}
	var ln net.Listener
	var err error
	for range 50 { // the port was just released
		if ln, err = net.Listen("tcp", c.instances[i].addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("cluster: restart %d: %w", i, err)
	}
	return c.serve(i, ln)
}

// Close stops every instance gracefully, then the balancer, and returns
// the instances' shutdown errors.
func (c *Cluster) Close() error {
	errs := make([]error, len(c.instances))
	var wg sync.WaitGroup
	for i := range c.instances {
		wg.Go(func() { errs[i] = c.Stop(i) })
	}
	wg.Wait()
	c.balOnce.Do(func() {}) // no balancer starts from now on
	if c.balancer != nil {
		_ = c.balancer.Close()
	}
	c.transport.CloseIdleConnections()
	return errors.Join(errs...)
}

// Balancer returns the base URL of a round-robin reverse proxy over the
// live instances, started on first use ("" when it could not listen, or
// after Close): each request goes to the next
// live instance; a request that could not reach its instance (killed
// meanwhile) is retried on the next when nothing of it was sent, or when
// it is a GET or HEAD without a body, as nginx and HAProxy do.
// WebSocket upgrades pass through. It adds X-Forwarded-For.
func (c *Cluster) Balancer() string {
	c.balOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return
		}
		rp := &httputil.ReverseProxy{
			Rewrite:   func(r *httputil.ProxyRequest) { r.SetXForwarded() },
			Transport: roundRobin{c},
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				http.Error(w, "cluster balancer: "+err.Error(), http.StatusBadGateway)
			},
		}
		c.balancer = &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}
		c.balURL = "http://" + ln.Addr().String()
		go func() { _ = c.balancer.Serve(ln) }()
	})
	return c.balURL
}

// BalancerWebSocketURL returns the ws:// URL of path through the
// balancer.
func (c *Cluster) BalancerWebSocketURL(path string) string {
	return "ws://" + strings.TrimPrefix(c.Balancer(), "http://") + path
}

// roundRobin sends each request to the next live instance.
type roundRobin struct{ c *Cluster }

// ErrNoInstance is the balancer's error when no instance answered.
var ErrNoInstance = errors.New("cluster: no live instance answered")

func (rr roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	c := rr.c
	n := len(c.instances)
	var last error = ErrNoInstance
	for range n {
		i := int(c.next.Add(1)-1) % n
		if !c.Alive(i) {
			continue
		}
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = "http", c.instances[i].addr
		res, err := c.transport.RoundTrip(out)
		if err == nil {
			return res, nil
		}
		last = fmt.Errorf("instance %d: %w", i, err)
		if !retryable(req, err) {
			return nil, last
		}
	}
	return nil, last
}

// retryable reports whether req may go to another instance after err:
// when it never reached this one, or when repeating it is harmless.
func retryable(req *http.Request, err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	bodyless := req.Body == nil || req.Body == http.NoBody || req.ContentLength == 0
	return bodyless && (req.Method == http.MethodGet || req.Method == http.MethodHead)
}
