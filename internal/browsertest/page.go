package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Browser is a headless Chromium driven over the DevTools protocol, for
// tests that need several tabs (two users of a chat) or to close one.
type Browser struct {
	t        testing.TB
	ctx      context.Context
	devtools string // http://127.0.0.1:port
}

// Page is one tab of a headless Chromium driven over the DevTools
// protocol: enough to load a page, run JavaScript in it (clicks, typing
// through the DOM) and wait for what it shows. Tests that only need the
// rendered DOM use DumpDOM.
type Page struct {
	t       testing.TB
	browser *Browser
	target  string // the tab's id, to close it
	conn    *websocket.Conn
	id      atomic.Int64
	mu      sync.Mutex
	wait    map[int64]chan cdpReply
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Start starts Chromium, with a fresh profile, in its own process group
// (its renderers go with it). It skips the test when no Chromium is
// installed (fails it under RequireEnv); Chromium is stopped when the test
// ends.
func Start(t testing.TB) *Browser {
	t.Helper()
	bin := Binary(t)
	ctx, cancel := context.WithCancel(context.Background())
	args := append(Flags(ProfileDir(t)), "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
	cmd := exec.CommandContext(ctx, bin, args...)
	ownGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	t.Cleanup(func() { killGroup(cmd); cancel(); _ = cmd.Wait() })

	// Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…".
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "DevTools listening on "); ok {
				found <- url
			}
		}
	}()
	select {
	case browserURL := <-found:
		host, _, _ := strings.Cut(strings.TrimPrefix(browserURL, "ws://"), "/")
		return &Browser{t: t, ctx: ctx, devtools: "http://" + host}
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not start its DevTools server")
		return nil
	}
}

// Open starts Chromium and returns its blank tab: a test with one page.
func Open(t testing.TB) *Page {
	t.Helper()
	b := Start(t)
	id, ws := b.firstTarget()
	return b.attach(id, ws)
}

// NewPage opens url in a new tab.
func (b *Browser) NewPage(url string) *Page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, b.devtools+"/json/new?"+neturl.QueryEscape(url), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatalf("devtools: opening a tab: %v", err)
	}
	defer resp.Body.Close()
	var target struct {
		ID string `json:"id"`
		WS string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&target); err != nil || target.WS == "" {
		b.t.Fatalf("devtools: opening a tab: %v %+v", err, target)
	}
	return b.attach(target.ID, target.WS)
}

// Close closes the tab, as a user closing it would.
func (p *Page) Close() {
	p.t.Helper()
	resp, err := http.Get(p.browser.devtools + "/json/close/" + p.target)
	if err != nil {
		p.t.Fatalf("devtools: closing a tab: %v", err)
	}
	resp.Body.Close()
}

// attach connects to the tab id's DevTools WebSocket.
func (b *Browser) attach(id, ws string) *Page {
	b.t.Helper()
	conn, _, err := websocket.Dial(b.ctx, ws, nil)
	if err != nil {
		b.t.Fatalf("devtools: %v", err)
	}
	conn.SetReadLimit(64 << 20)
	p := &Page{t: b.t, browser: b, target: id, conn: conn, wait: map[int64]chan cdpReply{}}
	go p.read(b.ctx)
	b.t.Cleanup(func() { _ = conn.CloseNow() })
	return p
}

// ProfileDir returns a fresh Chromium profile directory, removed when the
// test ends. Chromium's helper processes may still write to it after the
// browser exited, so it is not a t.TempDir (whose cleanup fails the test
// on a late write) but a directory removed with retries.
func ProfileDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nexios-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}

// firstTarget returns the id and DevTools WebSocket of the browser's
// first tab.
func (b *Browser) firstTarget() (id, ws string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(b.devtools + "/json/list")
		if err == nil {
			var targets []struct {
				ID   string `json:"id"`
				Type string `json:"type"`
				URL  string `json:"webSocketDebuggerUrl"`
			}
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
			for _, tg := range targets {
				if tg.Type == "page" && err == nil {
					return tg.ID, tg.URL
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatal("devtools: no page target")
	return "", ""
}

func (p *Page) read(ctx context.Context) {
	for {
		_, data, err := p.conn.Read(ctx)
		if err != nil {
			return
		}
		var msg struct {
			ID int64 `json:"id"`
			cdpReply
		}
		if json.Unmarshal(data, &msg) != nil || msg.ID == 0 {
			continue // an event
		}
		p.mu.Lock()
		ch := p.wait[msg.ID]
		delete(p.wait, msg.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- msg.cdpReply
		}
	}
}

// call sends a DevTools command and returns its result.
func (p *Page) call(method string, params any) (json.RawMessage, error) {
	id := p.id.Add(1)
	ch := make(chan cdpReply, 1)
	p.mu.Lock()
	p.wait[id] = ch
	p.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return nil, errors.New(r.Error.Message)
		}
		return r.Result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("devtools %s: %w", method, ctx.Err())
	}
}

// Navigate loads url and waits until the document has loaded.
func (p *Page) Navigate(url string) {
	p.t.Helper()
	if _, err := p.call("Page.navigate", map[string]any{"url": url}); err != nil {
		p.t.Fatalf("navigate %s: %v", url, err)
	}
	p.WaitFor(`document.readyState === "complete" && location.href !== "about:blank"`, 30*time.Second)
}

// Eval runs a JavaScript expression in the page (awaiting a promise) and
// decodes its value into out (may be nil).
func (p *Page) Eval(expr string, out any) error {
	res, err := p.call("Runtime.evaluate", map[string]any{
		"expression": expr, "awaitPromise": true, "returnByValue": true,
	})
	if err != nil {
		return err
	}
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("javascript: %s %s", r.Exception.Text, r.Exception.Exception.Description)
	}
	if out != nil && len(r.Result.Value) > 0 {
		return json.Unmarshal(r.Result.Value, out)
	}
	return nil
}

// Run evaluates expr and fails the test on an exception.
func (p *Page) Run(expr string) {
	p.t.Helper()
	if err := p.Eval(expr, nil); err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
}

// WaitFor polls a JavaScript condition until it is true, failing the test
// after timeout.
func (p *Page) WaitFor(cond string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		var ok bool
		if lastErr = p.Eval("!!("+cond+")", &ok); lastErr == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	var text string
	_ = p.Eval(`document.body ? document.body.innerText.slice(0, 2000) : ""`, &text)
	p.t.Fatalf("timed out waiting for %s (last error %v); the page shows:\n%s", cond, lastErr, text)
}

// String returns the value of a JavaScript expression as a string, or ""
// when it throws or the page is between two documents: for polling what a
// page shows while it loads or reloads by itself.
func (p *Page) String(expr string) string {
	var v string
	if p.Eval("(() => { try { return String("+expr+"); } catch (e) { return ''; } })()", &v) != nil {
		return ""
	}
	return v
}
