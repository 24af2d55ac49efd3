package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"

	cws "github.com/coder/websocket"
)

// TestChatInChromium opens the chat page in two tabs of headless Chromium,
// joins one room from both and lets them talk through the page's own form,
// driving the tabs with the DevTools protocol.
func TestChatInChromium(t *testing.T) {
	t.Parallel()
	bin := browsertest.Binary(t)
	app, hub := newApp()
	srv := httptest.NewServer(app) // 127.0.0.1:0
	defer srv.Close()
	browser := startChromium(t, bin)

	alice := browser.open(t, srv.URL+"/?room=lobby")
	alice.waitFor(t, `document.body.dataset.state`, "open")
	waitFor(t, "alice in the room", func() bool { return hub.Count("lobby") == 1 })
	bob := browser.open(t, srv.URL+"/?room=lobby")
	bob.waitFor(t, `document.body.dataset.state`, "open")

	const messages = `[...document.querySelectorAll("#messages li")].map(li => li.className + ":" + li.textContent).join("|")`
	// Bob may or may not get Alice's announcement, depending on whether it
	// was sent before he joined; his checks leave system messages out.
	const chat = `[...document.querySelectorAll("#messages li:not(.system)")].map(li => li.className + ":" + li.textContent).join("|")`
	alice.waitFor(t, messages, "system:New user joined the chat")

	bob.send(t, "Hello from Bob ✓")
	alice.waitFor(t, messages, "system:New user joined the chat|message:Hello from Bob ✓")
	alice.send(t, "Hi Bob")
	bob.waitFor(t, chat, "mine:Hello from Bob ✓|message:Hi Bob")

	// A tab in another room hears nothing of the lobby.
	carol := browser.open(t, srv.URL+"/?room=kitchen")
	carol.waitFor(t, `document.body.dataset.state`, "open")
	waitFor(t, "carol in the kitchen", func() bool { return hub.Count("kitchen") == 1 })
	bob.send(t, "lobby only")
	alice.waitFor(t, messages, "system:New user joined the chat|message:Hello from Bob ✓|mine:Hi Bob|message:lobby only")
	if got := carol.eval(t, messages); got != "" {
		t.Errorf("the kitchen received %q", got)
	}

	// Closing a tab leaves the room.
	browser.close(t, bob)
	alice.waitFor(t, messages, "system:New user joined the chat|message:Hello from Bob ✓|mine:Hi Bob|message:lobby only|system:User left the chat")
	waitFor(t, "bob to leave", func() bool { return hub.Count("lobby") == 1 })
}

// browser is a headless Chromium with its DevTools HTTP endpoint.
type browser struct {
	devtools string // http://127.0.0.1:port
}

func startChromium(t *testing.T, bin string) *browser {
	t.Helper()
	args := append(browsertest.Flags(browsertest.ProfileDir(t)), "--remote-debugging-address=127.0.0.1",
		"--remote-debugging-port=0", "about:blank")
	cmd := exec.Command(bin, args...)
	// Its own process group, so that the renderers go with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "DevTools listening on "); ok {
				found <- rest
			}
		}
	}()
	select {
	case ws := <-found:
		u, err := url.Parse(ws)
		if err != nil {
			t.Fatal(err)
		}
		return &browser{devtools: "http://" + u.Host}
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not start its DevTools endpoint")
		return nil
	}
}

// tab is one page, driven over its DevTools WebSocket.
type tab struct {
	id   string
	conn *cws.Conn
	next atomic.Int64
}

func (b *browser) open(t *testing.T, pageURL string) *tab {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, b.devtools+"/json/new?"+url.QueryEscape(pageURL), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var target struct {
		ID  string `json:"id"`
		WS  string `json:"webSocketDebuggerUrl"`
		Err string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&target); err != nil || target.WS == "" {
		t.Fatalf("opening a tab: %v %+v", err, target)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := cws.Dial(ctx, target.WS, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(16 << 20)
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &tab{id: target.ID, conn: conn}
}

func (b *browser) close(t *testing.T, tb *tab) {
	t.Helper()
	resp, err := http.Get(b.devtools + "/json/close/" + tb.id)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// eval evaluates a JavaScript expression in the page and returns its value
// as a string, or "exception: ..." when it throws (the page may not be
// loaded yet).
func (tb *tab) eval(t *testing.T, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := tb.next.Add(1)
	call, _ := json.Marshal(map[string]any{
		"id": id, "method": "Runtime.evaluate",
		"params": map[string]any{
			"expression":    "(() => { try { return String(" + expr + "); } catch (e) { return 'exception: ' + e; } })()",
			"returnByValue": true,
		},
	})
	if err := tb.conn.Write(ctx, cws.MessageText, call); err != nil {
		t.Fatal(err)
	}
	for {
		_, data, err := tb.conn.Read(ctx)
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		var reply struct {
			ID     int64 `json:"id"`
			Result struct {
				Result struct {
					Value string `json:"value"`
				} `json:"result"`
				Exception *struct {
					Text string `json:"text"`
				} `json:"exceptionDetails"`
			} `json:"result"`
			Error *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &reply) != nil || reply.ID != id {
			continue // an event
		}
		if reply.Error != nil || reply.Result.Exception != nil {
			t.Fatalf("evaluating %s: %s", expr, data)
		}
		return reply.Result.Result.Value
	}
}

// waitFor polls expr until it equals want.
func (tb *tab) waitFor(t *testing.T, expr, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := tb.eval(t, expr)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %q, want %q", expr, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send types text into the page's message box and submits the form.
func (tb *tab) send(t *testing.T, text string) {
	t.Helper()
	quoted, _ := json.Marshal(text)
	got := tb.eval(t, fmt.Sprintf(`(() => {
		document.getElementById("text").value = %s;
		document.getElementById("send").requestSubmit();
		return "sent";
	})()`, quoted))
	if got != "sent" {
		t.Fatalf("sending: %q", got)
	}
}
