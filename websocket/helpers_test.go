package websocket_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/leaktest"
	"github.com/nexios-go/nexios/testclient"
	"github.com/nexios-go/nexios/websocket"
)

func TestMain(m *testing.M) {
	leaktest.VerifyTestMain(m)
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newApp returns an app whose logs go to the returned buffer.
func newApp() (*nexios.App, *logBuffer) {
	logs := &logBuffer{}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	return app, logs
}

// echoHandler answers each text message with "Echo: <message>" and each
// binary message with the same bytes.
func echoHandler(ws *websocket.Conn) error {
	for msg := range ws.Messages() {
		var err error
		if msg.Type == websocket.MessageText {
			err = ws.SendText(ws.Context(), "Echo: "+msg.Text())
		} else {
			err = ws.SendBytes(ws.Context(), msg.Data)
		}
		if err != nil {
			return err
		}
	}
	return ws.Err()
}

// serve starts app on a loopback socket and returns its ws:// base URL.
func serve(t testing.TB, app http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// realConn is a client over a real TCP connection, whose socket the test
// can drop without a close frame.
type realConn struct {
	*cws.Conn
	raw net.Conn
}

// dial opens a WebSocket over TCP. The connection is dropped at the end of
// the test if still open.
func dial(t testing.TB, base, path string, opts ...func(*cws.DialOptions)) *realConn {
	t.Helper()
	rc, resp, err := tryDial(base, path, opts...)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	t.Cleanup(func() { _ = rc.CloseNow() })
	return rc
}

func tryDial(base, path string, opts ...func(*cws.DialOptions)) (*realConn, *http.Response, error) {
	rc := &realConn{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		rc.raw = c
		return c, err
	}}
	o := &cws.DialOptions{HTTPClient: &http.Client{Transport: tr}}
	for _, f := range opts {
		f(o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := cws.Dial(ctx, base+path, o)
	if err != nil {
		return nil, resp, err
	}
	c.SetReadLimit(-1)
	rc.Conn = c
	return rc, resp, nil
}

// read reads one message with a timeout.
func (c *realConn) read(t testing.TB) (cws.MessageType, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return typ, data
}

func (c *realConn) readText(t testing.TB) string {
	t.Helper()
	_, data := c.read(t)
	return string(data)
}

func (c *realConn) write(t testing.TB, typ cws.MessageType, data []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, typ, data); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// closeStatus reads until the server closes the connection and returns
// its close code (-1 when it dropped without a close frame).
func (c *realConn) closeStatus(t testing.TB) cws.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatal("the server did not close the connection")
			}
			return cws.CloseStatus(err)
		}
	}
}

// inProcess opens a test-client WebSocket that is closed with the test.
func inProcess(t testing.TB, app http.Handler, path string, opts ...testclient.RequestOption) *testclient.WSConn {
	t.Helper()
	ws, err := testclient.New(app).WebSocket(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("WebSocket %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := ws.Close(); err != nil {
			t.Error(err)
		}
	})
	return ws
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ended records when a handler function returns, and its error.
type ended struct {
	ch  chan struct{}
	err error
}

func newEnded() *ended { return &ended{ch: make(chan struct{})} }

// wrap runs fn and records its end.
func (e *ended) wrap(fn func(*websocket.Conn) error) func(*websocket.Conn) error {
	return func(ws *websocket.Conn) error {
		err := fn(ws)
		e.err = err
		close(e.ch)
		return err
	}
}

func (e *ended) wait(t testing.TB) error {
	t.Helper()
	select {
	case <-e.ch:
		return e.err
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not return")
		return errors.New("unreachable")
	}
}

// smallBuffers makes kernel socket buffers small, so that a client that
// does not read blocks the server's writes quickly.
const smallBuffers = 8 << 10

// serveSmallBuffers is serve with small send buffers on the server's
// sockets.
func serveSmallBuffers(t testing.TB, app http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(app)
	srv.Listener = smallBufferListener{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(smallBuffers)
	}
	return c, err
}

// dialSmallBuffer dials with a small receive buffer: the client of a test
// that never reads.
func dialSmallBuffer(t testing.TB, base, path string) *realConn {
	t.Helper()
	rc := &realConn{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(smallBuffers)
		}
		rc.raw = c
		return c, err
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := cws.Dial(ctx, base+path, &cws.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	rc.Conn = c
	t.Cleanup(func() { _ = c.CloseNow() })
	return rc
}
