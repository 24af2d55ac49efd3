package testclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// DefaultWSTimeout bounds each send and receive of a [WSConn] unless
// [WSConn.SetTimeout] changes it.
const DefaultWSTimeout = 10 * time.Second

// WSHandshakeError is returned by [Client.WebSocket] when the app answers
// the handshake with a plain HTTP response (404, 426, 401, 403, ...)
// instead of switching protocols.
type WSHandshakeError struct {
	Status int
	Header http.Header
	// Body holds the first KiB of the response body.
	Body []byte
}

// Error implements error.
func (e *WSHandshakeError) Error() string {
	return fmt.Sprintf("testclient: WebSocket handshake answered with %d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
}

// WSConn is the client end of a WebSocket connection to the app, opened
// with [Client.WebSocket]. Its methods may be called from several
// goroutines. Incoming messages are read continuously into an unbounded
// buffer, as a browser does, so the app's writes never wait for the test.
type WSConn struct {
	conn    *websocket.Conn
	resp    *http.Response
	srv     *pipeServer
	ctx     context.Context
	cancel  context.CancelFunc
	timeout atomic.Int64 // time.Duration

	mu      sync.Mutex
	inbox   []wsMessage
	readErr error
	notify  chan struct{} // signalled when inbox or readErr changes
	pumped  chan struct{} // closed when the read goroutine ends

	closeOnce sync.Once
	closeErr  error
}

type wsMessage struct {
	typ  websocket.MessageType
	data []byte
}

// WebSocket opens a WebSocket connection to path, in process: the app is
// served over an in-memory listener (no socket, no network) by an
// http.Server started for this connection. Request options add headers,
// query parameters and cookies to the handshake; cookies from the jar are
// sent and Set-Cookie headers of the handshake stored. A
// Sec-WebSocket-Protocol header offers subprotocols.
//
// ctx bounds the whole connection: when it is done the connection is
// dropped and the server stopped. Pass t.Context() to have everything
// closed when the test ends, or call [WSConn.Close], which also waits for
// the app's handler to return, so that no goroutine is left behind.
//
// An HTTP answer instead of an upgrade is returned as a *[WSHandshakeError].
func (c *Client) WebSocket(ctx context.Context, path string, opts ...RequestOption) (*WSConn, error) {
	req, err := c.newRequest(ctx, http.MethodGet, path, opts)
	if err != nil {
		return nil, err
	}
	var srv *pipeServer
	var tr *http.Transport
	if c.remote {
		tr = c.hc.Transport.(*http.Transport).Clone()
	} else {
		t, ok := c.hc.Transport.(*transport)
		if !ok {
			return nil, errors.New("testclient: WebSocket needs the client's own transport")
		}
		https := req.URL.Scheme == "https"
		var err error
		if srv, err = startPipeServer(t.handler, c.remoteAddr, c.errorLog, https, req.URL.Hostname()); err != nil {
			return nil, err
		}
		tr = &http.Transport{DialContext: srv.ln.DialContext, TLSClientConfig: srv.clientTLS}
	}
	dialOpts := &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: tr, Jar: c.jar},
		HTTPHeader: req.Header,
		Host:       req.Host,
	}
	if p := req.Header.Values("Sec-WebSocket-Protocol"); len(p) > 0 {
		for _, v := range p {
			for name := range strings.SplitSeq(v, ",") {
				dialOpts.Subprotocols = append(dialOpts.Subprotocols, strings.TrimSpace(name))
			}
		}
		req.Header.Del("Sec-WebSocket-Protocol")
	}
	conn, resp, err := websocket.Dial(ctx, req.URL.String(), dialOpts)
	if err != nil {
		tr.CloseIdleConnections()
		if srv != nil {
			srv.stop(DefaultWSTimeout)
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			herr := &WSHandshakeError{Status: resp.StatusCode, Header: resp.Header}
			if resp.Body != nil {
				herr.Body, _ = io.ReadAll(io.LimitReader(resp.Body, 1024))
			}
			return nil, herr
		}
		return nil, fmt.Errorf("testclient: WebSocket dial %s: %w", path, err)
	}
	conn.SetReadLimit(-1) // the test decides what is too big, not the client
	lifeCtx, cancel := context.WithCancel(ctx)
	ws := &WSConn{
		conn:   conn,
		resp:   resp,
		srv:    srv,
		ctx:    lifeCtx,
		cancel: cancel,
		notify: make(chan struct{}, 1),
		pumped: make(chan struct{}),
	}
	ws.timeout.Store(int64(DefaultWSTimeout))
	if srv != nil {
		srv.transport = tr
	}
	context.AfterFunc(lifeCtx, func() { _ = conn.CloseNow() })
	go ws.pump()
	return ws, nil
}

// pump reads every incoming message into the inbox until the connection
// ends.
func (w *WSConn) pump() {
	defer close(w.pumped)
	for {
		typ, data, err := w.conn.Read(w.ctx)
		w.mu.Lock()
		if err != nil {
			w.readErr = err
		} else {
			w.inbox = append(w.inbox, wsMessage{typ: typ, data: data})
		}
		w.mu.Unlock()
		select {
		case w.notify <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// Response returns the handshake response (status 101 and its headers).
func (w *WSConn) Response() *http.Response { return w.resp }

// Subprotocol returns the subprotocol the app selected, or "".
func (w *WSConn) Subprotocol() string { return w.conn.Subprotocol() }

// SetTimeout sets how long each send and receive may take.
func (w *WSConn) SetTimeout(d time.Duration) { w.timeout.Store(int64(d)) }

func (w *WSConn) opTimeout() time.Duration { return time.Duration(w.timeout.Load()) }

// SendText sends a text message.
func (w *WSConn) SendText(s string) error { return w.send(websocket.MessageText, []byte(s)) }

// SendBytes sends a binary message.
func (w *WSConn) SendBytes(b []byte) error { return w.send(websocket.MessageBinary, b) }

// SendJSON sends v encoded as JSON in a text message.
func (w *WSConn) SendJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("testclient: encoding JSON: %w", err)
	}
	return w.send(websocket.MessageText, b)
}

func (w *WSConn) send(typ websocket.MessageType, b []byte) error {
	ctx, cancel := context.WithTimeout(w.ctx, w.opTimeout())
	defer cancel()
	if err := w.conn.Write(ctx, typ, b); err != nil {
		return fmt.Errorf("testclient: WebSocket send: %w", err)
	}
	return nil
}

// Receive returns the next message's type (1 text, 2 binary) and data. It
// waits up to the timeout; a timeout leaves the connection open. After the
// connection closed, it returns the close error: websocket.CloseStatus of
// github.com/coder/websocket gives the app's close code.
func (w *WSConn) Receive() (websocket.MessageType, []byte, error) {
	return w.ReceiveWithin(w.opTimeout())
}

// ReceiveWithin is Receive with its own timeout, to check that nothing
// arrives: it returns context.DeadlineExceeded when d passes.
func (w *WSConn) ReceiveWithin(d time.Duration) (websocket.MessageType, []byte, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		w.mu.Lock()
		if len(w.inbox) > 0 {
			m := w.inbox[0]
			w.inbox[0] = wsMessage{}
			w.inbox = w.inbox[1:]
			w.mu.Unlock()
			return m.typ, m.data, nil
		}
		err := w.readErr
		w.mu.Unlock()
		if err != nil {
			return 0, nil, fmt.Errorf("testclient: WebSocket receive: %w", err)
		}
		select {
		case <-w.notify:
		case <-timer.C:
			return 0, nil, fmt.Errorf("testclient: WebSocket receive: %w", context.DeadlineExceeded)
		}
	}
}

// ReceiveText returns the next message as a string.
func (w *WSConn) ReceiveText() (string, error) {
	_, data, err := w.Receive()
	return string(data), err
}

// ReceiveBytes returns the next message's data.
func (w *WSConn) ReceiveBytes() ([]byte, error) {
	_, data, err := w.Receive()
	return data, err
}

// ReceiveJSON decodes the next message as JSON into v.
func (w *WSConn) ReceiveJSON(v any) error {
	_, data, err := w.Receive()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("testclient: WebSocket message %q is not JSON: %w", data, err)
	}
	return nil
}

// CloseStatus waits for the app to close the connection and returns its
// close code and reason, or -1 when it dropped without a close frame.
// Messages still buffered are discarded.
func (w *WSConn) CloseStatus() (int, string, error) {
	for {
		_, _, err := w.Receive()
		if err == nil {
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) {
			select {
			case <-w.pumped: // closed, by a deadline of the connection's context
			default:
				return 0, "", err // still open: the app did not close it in time
			}
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return int(ce.Code), ce.Reason, nil
		}
		return -1, "", nil
	}
}

// Close closes the connection normally (1000) and stops the in-process
// server, waiting for the app's handler to return. It returns an error if
// the handler is still running after the timeout.
func (w *WSConn) Close() error { return w.CloseWith(int(websocket.StatusNormalClosure), "") }

// CloseWith closes the connection with a close code and reason; see Close.
func (w *WSConn) CloseWith(code int, reason string) error {
	w.closeOnce.Do(func() {
		_ = w.conn.Close(websocket.StatusCode(code), reason)
		w.closeErr = w.shutdown()
	})
	return w.closeErr
}

// CloseNow drops the connection without a close frame, as a crashed
// client or a lost network would, then stops the server like Close.
func (w *WSConn) CloseNow() error {
	w.closeOnce.Do(func() {
		_ = w.conn.CloseNow()
		w.closeErr = w.shutdown()
	})
	return w.closeErr
}

func (w *WSConn) shutdown() error {
	w.cancel()
	<-w.pumped
	if w.srv == nil {
		return nil // a remote server is not ours to stop
	}
	return w.srv.stop(w.opTimeout())
}
