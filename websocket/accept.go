package websocket

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/coder/websocket"
	"github.com/nexios-go/nexios"
)

// Handler returns a nexios handler that accepts the WebSocket connection
// and runs fn on it. Register it with Route:
//
//	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
//		for msg := range ws.Messages() {
//			if err := ws.SendText(ws.Context(), "Echo: "+msg.Text()); err != nil {
//				return err
//			}
//		}
//		return ws.Err()
//	}))
//
// A request that is not a WebSocket handshake gets 426 Upgrade Required
// with Upgrade: websocket and Connection: Upgrade (400 for a malformed
// handshake, 403 for a foreign Origin), as RFC 9457 problem details,
// before fn runs. When the server begins shutting down the connection is
// closed with 1001 (going away). When fn returns, the connection is
// closed: normally (1000) for nil, with the error's code for a *CloseError
// or *MessageError, with 1008 and the detail for a 4xx *nexios.HTTPError,
// and with 1011 for anything else, which is logged. A client that went
// away is not an error worth logging; a panic in fn is recovered, logged
// and closes the connection with 1011.
//
// fn runs inside the HTTP handler, so the *nexios.Request (ws.Request())
// stays valid until fn returns and no longer. Handler panics if the
// options are invalid (a malformed origin pattern), at registration.
func Handler(fn func(ws *Conn) error, opts ...Option) nexios.HandlerFunc {
	if fn == nil {
		panic("websocket: Handler with a nil function")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		panic(err)
	}
	return func(req *nexios.Request, res *nexios.Response) error {
		c, err := accept(req, res, cfg)
		if err != nil {
			return err
		}
		c.serve(fn)
		return nil
	}
}

// Accept upgrades the request to a WebSocket connection, for handlers that
// decide in plain HTTP first (answering with a normal error response) and
// then upgrade. The caller owns the connection and must close it before
// returning; Close waits for the connection's goroutines.
//
//	ws, err := websocket.Accept(req, res)
//	if err != nil {
//		return err // already an HTTP error (426, 400, 403)
//	}
//	defer ws.Close(websocket.CloseNormal, "")
func Accept(req *nexios.Request, res *nexios.Response, opts ...Option) (*Conn, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return accept(req, res, cfg)
}

func accept(req *nexios.Request, res *nexios.Response, cfg *config) (*Conn, error) {
	r := req.Raw()
	if err := checkHandshake(r, cfg); err != nil {
		return nil, err
	}
	if !canHijack(res) {
		return nil, nexios.NewHTTPError(http.StatusNotImplemented,
			"this connection cannot be taken over for a WebSocket: the response writer does not support Hijack")
	}
	ws, err := websocket.Accept(res, r, &websocket.AcceptOptions{
		Subprotocols: cfg.subprotocols,
		// checkHandshake checked the origin already, answering with a
		// problem document rather than the library's plain-text 403.
		InsecureSkipVerify: true,
		CompressionMode:    cfg.libraryCompression(),
	})
	if err != nil {
		// The library answered already; only hijacking can fail here.
		return nil, fmt.Errorf("websocket: accepting the connection: %w", err)
	}
	ws.SetReadLimit(cfg.readLimit)
	c := newConn(req, ws, cfg)
	// The server forgets a hijacked connection: tell the app to wait for
	// it at shutdown, and close it with 1001 (going away) when shutdown
	// begins, whether or not a hub holds it.
	app := req.App()
	c.untrack = app.Track()
	c.stopGoingAway = context.AfterFunc(app.Draining(), func() {
		_ = c.Close(CloseGoingAway, "server shutting down")
	})
	c.observeOpened()
	return c, nil
}

// checkHandshake validates the upgrade request, returning the HTTP error
// to answer with.
func checkHandshake(r *http.Request, cfg *config) *nexios.HTTPError {
	if r.ProtoMajor >= 2 {
		// HTTP/2 has no Upgrade (and the server does not offer RFC 8441's
		// extended CONNECT), so browsers open WebSockets over HTTP/1.1;
		// Upgrade and Connection are forbidden in an HTTP/2 response.
		return nexios.NewHTTPError(http.StatusUpgradeRequired,
			"WebSocket connections are opened over HTTP/1.1; this request came over "+r.Proto)
	}
	if !headerHasToken(r.Header, "Connection", "upgrade") || !headerHasToken(r.Header, "Upgrade", "websocket") {
		return upgradeRequired(nexios.NewHTTPError(http.StatusUpgradeRequired,
			"this endpoint accepts WebSocket connections only: send Connection: Upgrade and Upgrade: websocket"))
	}
	if r.Method != http.MethodGet || !r.ProtoAtLeast(1, 1) {
		return nexios.NewHTTPError(http.StatusBadRequest, "a WebSocket handshake is an HTTP/1.1 GET request")
	}
	if v := r.Header.Get("Sec-WebSocket-Version"); v != "13" {
		return upgradeRequired(nexios.NewHTTPError(http.StatusUpgradeRequired,
			fmt.Sprintf("unsupported WebSocket version %q: only 13 is supported", v)).
			WithHeader("Sec-WebSocket-Version", "13"))
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return nexios.NewHTTPError(http.StatusBadRequest, "a WebSocket handshake needs exactly one Sec-WebSocket-Key header")
	}
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(k) != 16 {
		return nexios.NewHTTPError(http.StatusBadRequest, "Sec-WebSocket-Key must be 16 bytes in base64")
	}
	if !cfg.skipOrigin && !originAllowed(r, cfg.originPatterns) {
		return nexios.NewHTTPError(http.StatusForbidden,
			fmt.Sprintf("origin %q may not open WebSocket connections to %s", r.Header.Get("Origin"), r.Host))
	}
	return nil
}

// upgradeRequired adds what a 426 must carry (RFC 9110 §15.5.22 and §7.8):
// the protocol to switch to in Upgrade, and Connection: Upgrade, since
// Upgrade is a hop-by-hop field that Connection must list.
func upgradeRequired(e *nexios.HTTPError) *nexios.HTTPError {
	return e.WithHeader("Upgrade", "websocket").WithHeader("Connection", "Upgrade")
}

// originAllowed implements the same-origin policy of a WebSocket server:
// browsers always send Origin, other clients need not; a page of the same
// host, or one matching a pattern, may connect.
func originAllowed(r *http.Request, patterns []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	host := strings.ToLower(u.Host)
	withScheme := strings.ToLower(u.Scheme) + "://" + host
	for _, p := range patterns {
		target := host
		if strings.Contains(p, "://") {
			target = withScheme
		}
		if ok, _ := path.Match(strings.ToLower(p), target); ok {
			return true
		}
	}
	return false
}

// headerHasToken reports whether a comma-separated header holds token,
// case-insensitively ("keep-alive, Upgrade" holds "upgrade").
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// canHijack follows the writer chain (Unwrap) to the server's writer and
// reports whether it can hand over the connection.
func canHijack(w http.ResponseWriter) bool {
	for range 64 { // a cycle in a broken wrapper must not hang the request
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			_, ok := w.(http.Hijacker)
			return ok
		}
		w = u.Unwrap()
	}
	return false
}
