package websocket_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
	"github.com/nexios-go/nexios/websocket"
)

type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func TestNonUpgradeRequests(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(echoHandler))
	c := testclient.New(app)
	validKey := "dGhlIHNhbXBsZSBub25jZQ=="
	upgrade := []testclient.RequestOption{testclient.Header("Connection", "Upgrade"), testclient.Header("Upgrade", "websocket")}
	tests := []struct {
		name   string
		method string
		opts   []testclient.RequestOption
		status int
		header [2]string
	}{
		{"plain GET", http.MethodGet, nil, http.StatusUpgradeRequired, [2]string{"Upgrade", "websocket"}},
		{"upgrade to something else", http.MethodGet, []testclient.RequestOption{testclient.Header("Connection", "Upgrade"), testclient.Header("Upgrade", "h2c")}, http.StatusUpgradeRequired, [2]string{"Upgrade", "websocket"}},
		{"POST", http.MethodPost, nil, http.StatusMethodNotAllowed, [2]string{"Allow", "GET, HEAD, OPTIONS"}},
		{"wrong version", http.MethodGet, append(upgrade, testclient.Header("Sec-WebSocket-Version", "8"), testclient.Header("Sec-WebSocket-Key", validKey)), http.StatusUpgradeRequired, [2]string{"Sec-WebSocket-Version", "13"}},
		{"no key", http.MethodGet, append(upgrade, testclient.Header("Sec-WebSocket-Version", "13")), http.StatusBadRequest, [2]string{}},
		{"short key", http.MethodGet, append(upgrade, testclient.Header("Sec-WebSocket-Version", "13"), testclient.Header("Sec-WebSocket-Key", "c2hvcnQ=")), http.StatusBadRequest, [2]string{}},
		{"foreign origin", http.MethodGet, append(upgrade, testclient.Header("Sec-WebSocket-Version", "13"), testclient.Header("Sec-WebSocket-Key", validKey), testclient.Header("Origin", "https://evil.example")), http.StatusForbidden, [2]string{}},
		// A valid handshake over a transport that cannot hand over the
		// connection (the plain in-process transport) is refused cleanly.
		{"no hijack", http.MethodGet, append(upgrade, testclient.Header("Sec-WebSocket-Version", "13"), testclient.Header("Sec-WebSocket-Key", validKey)), http.StatusNotImplemented, [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := c.Do(tt.method, "/ws", tt.opts...)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if r.Status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.Status, tt.status, r.Text())
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want problem JSON", ct)
			}
			var p problem
			if err := r.JSON(&p); err != nil || p.Status != tt.status || p.Detail == "" {
				t.Errorf("body = %s (%v), want a problem document", r.Text(), err)
			}
			if tt.header[0] != "" && r.Header.Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q, want %q", tt.header[0], r.Header.Get(tt.header[0]), tt.header[1])
			}
		})
	}
}

func TestUnmatchedPathIs404(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/ws/items/{id:int}", websocket.Handler(echoHandler))
	for _, path := range []string{"/nowhere", "/ws/items/abc"} {
		_, err := testclient.New(app).WebSocket(context.Background(), path)
		var he *testclient.WSHandshakeError
		if !errors.As(err, &he) || he.Status != http.StatusNotFound {
			t.Fatalf("%s: err = %v, want a 404 handshake error", path, err)
		}
		if ct := he.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: Content-Type = %q", path, ct)
		}
	}
	// The same over a real socket.
	base := serve(t, app)
	_, resp, err := tryDial(base, "/nowhere")
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("real dial /nowhere: %v, %v; want 404", err, resp)
	}
}

func TestOriginCheck(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/same", websocket.Handler(echoHandler))
	websocket.Route(app, "/listed", websocket.Handler(echoHandler, websocket.AllowOrigins("*.example.com", "https://app.example.org")))
	websocket.Route(app, "/any", websocket.Handler(echoHandler, websocket.InsecureSkipOriginCheck()))
	base := serve(t, app)
	host := strings.TrimPrefix(base, "ws://")
	tests := []struct {
		path, origin string
		ok           bool
	}{
		{"/same", "", true}, // not a browser
		{"/same", "http://" + host, true},
		{"/same", "http://evil.example", false},
		{"/same", "null", false},
		{"/listed", "https://chat.example.com", true},
		{"/listed", "https://app.example.org", true},
		{"/listed", "http://app.example.org", false}, // the pattern pins the scheme
		{"/listed", "https://example.net", false},
		{"/any", "https://anything.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.origin, func(t *testing.T) {
			t.Parallel()
			rc, resp, err := tryDial(base, tt.path, func(o *cws.DialOptions) {
				o.HTTPHeader = http.Header{}
				if tt.origin != "" {
					o.HTTPHeader.Set("Origin", tt.origin)
				}
			})
			if tt.ok {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				_ = rc.CloseNow()
				return
			}
			if err == nil {
				_ = rc.CloseNow()
				t.Fatal("connected, want 403")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("dial: %v, want 403", err)
			}
		})
	}
}

func TestBadOriginPatternPanicsAtRegistration(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Handler accepted a malformed pattern")
		}
	}()
	websocket.Handler(echoHandler, websocket.AllowOrigins("[bad"))
}

// TestMiddlewareRunsOnUpgrade checks that app, router and route middleware
// all see the upgrade request (route-level middleware is ignored by
// Nexios) and may refuse it with a normal HTTP error.
func TestMiddlewareRunsOnUpgrade(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	trailKey := nexios.NewKey[string]("trail")
	mark := func(name string) nexios.Middleware {
		return func(next nexios.HandlerFunc) nexios.HandlerFunc {
			return func(req *nexios.Request, res *nexios.Response) error {
				trailKey.Set(req, trailKey.Value(req)+name+">")
				return next(req, res)
			}
		}
	}
	requireToken := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Query("token") != "secret" {
				return nexios.NewHTTPError(http.StatusUnauthorized, "token required")
			}
			return next(req, res)
		}
	}
	app.Use(mark("app"))
	api := nexios.NewRouter("/api")
	api.Use(mark("router"))
	websocket.Route(api, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		trail := trailKey.Value(ws.Request())
		return ws.SendText(ws.Context(), trail)
	}), nexios.WithMiddleware(mark("route"), requireToken))
	app.Mount(api)

	_, err := testclient.New(app).WebSocket(context.Background(), "/api/ws")
	var he *testclient.WSHandshakeError
	if !errors.As(err, &he) || he.Status != http.StatusUnauthorized {
		t.Fatalf("without token: %v, want 401", err)
	}
	ws := inProcess(t, app, "/api/ws", testclient.Query("token", "secret"))
	got, err := ws.ReceiveText()
	if err != nil || got != "app>router>route>" {
		t.Fatalf("trail = %q, %v", got, err)
	}
}

type testUser struct{ name string }

func (u testUser) IsAuthenticated() bool { return true }
func (u testUser) Identity() string      { return u.name }
func (u testUser) DisplayName() string   { return u.name }
func (u testUser) Scopes() []string      { return nil }

func TestConnAccessors(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	themeKey := nexios.NewKey[string]("theme")
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			nexios.UserKey.Set(req, testUser{name: "ada"})
			themeKey.Set(req, "dark")
			return next(req, res)
		}
	})
	seen := make(chan map[string]any, 1)
	websocket.Route(app, "/rooms/{room_id:int}/{name}", websocket.Handler(func(ws *websocket.Conn) error {
		theme := themeKey.Value(ws.Request()) // request values, while the handler runs
		ws.Set("count", 3)
		count, _ := ws.Get("count")
		seen <- map[string]any{
			"room": ws.Path("room_id"), "name": ws.Path("name"), "params": ws.PathParams(),
			"q": ws.Query("q"), "qs": ws.QueryParams()["q"], "header": ws.Header("X-Test"),
			"cookie": ws.Cookie("c"), "user": ws.User().Identity(), "theme": theme,
			"ip": ws.ClientIP(), "pattern": ws.Pattern(), "sub": ws.Subprotocol(),
			"id": ws.ID() != "", "req": ws.Request() != nil, "count": count,
			"headers": ws.Headers().Get("X-Test"),
		}
		return nil
	}, websocket.Subprotocols("v2.chat", "v1.chat")))
	ws := inProcess(t, app, "/rooms/7/lobby?q=1&q=2",
		testclient.Header("X-Test", "yes"),
		testclient.Cookie(&http.Cookie{Name: "c", Value: "cv"}),
		testclient.Header("Sec-WebSocket-Protocol", "v1.chat, v2.chat"))
	got := <-seen
	want := map[string]any{
		"room": "7", "name": "lobby", "params": map[string]string{"room_id": "7", "name": "lobby"},
		"q": "1", "qs": []string{"1", "2"}, "header": "yes", "cookie": "cv", "user": "ada",
		"theme": "dark", "ip": "192.0.2.1", "pattern": "/rooms/{room_id:int}/{name}", "sub": "v2.chat",
		"id": true, "req": true, "count": 3, "headers": "yes",
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("accessors:\n got %s\nwant %s", gotJSON, wantJSON)
	}
	if ws.Subprotocol() != "v2.chat" {
		t.Errorf("client subprotocol = %q", ws.Subprotocol())
	}
}

func TestRequestIsNilAfterHandler(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	conns := make(chan *websocket.Conn, 1)
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		conns <- ws
		return nil
	}))
	ws := inProcess(t, app, "/ws")
	if code, _, err := ws.CloseStatus(); err != nil || code != 1000 {
		t.Fatalf("close = %d, %v", code, err)
	}
	c := <-conns
	eventually(t, "Request() to become nil", func() bool { return c.Request() == nil })
	if c.Path("x") != "" || c.Header("User-Agent") == "" {
		t.Error("copied accessors stopped working after the handler returned")
	}
}

func TestRouteIsMarked(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	ws := websocket.Route(app, "/ws", websocket.Handler(echoHandler), nexios.Name("chat"))
	plain := app.Get("/plain", func(*nexios.Request, *nexios.Response) error { return nil })
	if !websocket.IsRoute(ws) || websocket.IsRoute(plain) {
		t.Error("IsWebSocket does not tell the routes apart")
	}
	if !ws.Doc().Exclude {
		t.Error("a WebSocket route is documented as an HTTP operation")
	}
	if u, err := app.URLFor("chat", nil); err != nil || u != "/ws" {
		t.Errorf("URLFor = %q, %v", u, err)
	}
}

func TestHTTPSBaseURL(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		return ws.SendText(ws.Context(), ws.Request().Scheme())
	}))
	c := testclient.New(app, testclient.WithBaseURL("https://example.test"))
	ws, err := c.WebSocket(context.Background(), "/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if got, err := ws.ReceiveText(); err != nil || got != "https" {
		t.Fatalf("scheme = %q, %v", got, err)
	}
}

func TestCompression(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/plain", websocket.Handler(echoHandler))
	websocket.Route(app, "/deflate", websocket.Handler(echoHandler, websocket.Compression(websocket.CompressionContextTakeover)))
	websocket.Route(app, "/deflate-light", websocket.Handler(echoHandler, websocket.Compression(websocket.CompressionNoContextTakeover)))
	base := serve(t, app)
	msg := strings.Repeat("compress me please ", 1000)
	for _, tt := range []struct {
		path      string
		extension bool
	}{{"/plain", false}, {"/deflate", true}, {"/deflate-light", true}} {
		rc, resp, err := tryDial(base, tt.path, func(o *cws.DialOptions) { o.CompressionMode = cws.CompressionContextTakeover })
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Sec-WebSocket-Extensions") != ""; got != tt.extension {
			t.Errorf("%s: negotiated compression = %v, want %v", tt.path, got, tt.extension)
		}
		rc.write(t, cws.MessageText, []byte(msg))
		if got := rc.readText(t); got != "Echo: "+msg {
			t.Errorf("%s: echo of %d bytes came back as %d", tt.path, len(msg), len(got))
		}
		_ = rc.Close(cws.StatusNormalClosure, "")
	}
}

// TestAccept decides in plain HTTP (a normal error response) before
// upgrading by hand.
func TestAccept(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/ws", func(req *nexios.Request, res *nexios.Response) error {
		if req.Query("token") != "ok" {
			return nexios.NewHTTPError(http.StatusUnauthorized, "bad token")
		}
		ws, err := websocket.Accept(req, res, websocket.ReadLimit(64))
		if err != nil {
			return err
		}
		defer ws.Close(websocket.CloseNormal, "bye")
		return ws.SendText(ws.Context(), "welcome")
	})
	c := testclient.New(app)
	_, err := c.WebSocket(context.Background(), "/ws")
	var he *testclient.WSHandshakeError
	if !errors.As(err, &he) || he.Status != http.StatusUnauthorized {
		t.Fatalf("without token: %v", err)
	}
	ws := inProcess(t, app, "/ws?token=ok")
	if got, err := ws.ReceiveText(); err != nil || got != "welcome" {
		t.Fatalf("got %q, %v", got, err)
	}
	if code, reason, _ := ws.CloseStatus(); code != 1000 || reason != "bye" {
		t.Errorf("close = %d %q", code, reason)
	}
	if r := c.Get("/ws?token=ok"); r.Status != http.StatusUpgradeRequired {
		t.Errorf("plain GET = %d", r.Status)
	}
	if _, err := websocket.Accept(nil, nil, websocket.AllowOrigins("[")); err == nil {
		t.Error("Accept took a malformed origin pattern")
	}
}

// TestUpgradeRequiredOnTheWire checks the 426 as a client receives it from
// a real server: Upgrade with Connection: Upgrade over HTTP/1.1 (RFC 9110
// §7.8, §15.5.22), and neither over HTTP/2, where both are forbidden.
func TestUpgradeRequiredOnTheWire(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(echoHandler))
	srv := httptest.NewUnstartedServer(app)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name    string
		headers string
	}{
		{"plain GET", ""},
		{"wrong version", "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\n%s\r\n", tc.headers)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUpgradeRequired || resp.Header.Get("Upgrade") != "websocket" ||
				!strings.EqualFold(resp.Header.Get("Connection"), "upgrade") {
				t.Errorf("got %d, Upgrade %q, Connection %q", resp.StatusCode, resp.Header.Get("Upgrade"), resp.Header.Get("Connection"))
			}
		})
	}
	t.Run("HTTP/2", func(t *testing.T) {
		resp, err := srv.Client().Get(srv.URL + "/ws")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("served over %s", resp.Proto)
		}
		if resp.StatusCode != http.StatusUpgradeRequired || resp.Header.Get("Upgrade") != "" {
			t.Errorf("got %d with Upgrade %q", resp.StatusCode, resp.Header.Get("Upgrade"))
		}
	})
}
