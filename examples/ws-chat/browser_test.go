package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"
)

// TestChatInChromium opens the chat page in two tabs of headless Chromium,
// joins one room from both and lets them talk through the page's own form,
// driving the tabs with the DevTools protocol.
func TestChatInChromium(t *testing.T) {
	t.Parallel()
	browser := browsertest.Start(t)
	app, hub := newApp()
	srv := httptest.NewServer(app) // 127.0.0.1:0
	defer srv.Close()

	alice := browser.NewPage(srv.URL + "/?room=lobby")
	show(t, alice, `document.body.dataset.state`, "open")
	waitFor(t, "alice in the room", func() bool { return hub.Count("lobby") == 1 })
	bob := browser.NewPage(srv.URL + "/?room=lobby")
	show(t, bob, `document.body.dataset.state`, "open")

	const messages = `[...document.querySelectorAll("#messages li")].map(li => li.className + ":" + li.textContent).join("|")`
	// Bob may or may not get Alice's announcement, depending on whether it
	// was sent before he joined; his checks leave system messages out.
	const chat = `[...document.querySelectorAll("#messages li:not(.system)")].map(li => li.className + ":" + li.textContent).join("|")`
	show(t, alice, messages, "system:New user joined the chat")

	send(t, bob, "Hello from Bob ✓")
	show(t, alice, messages, "system:New user joined the chat|message:Hello from Bob ✓")
	send(t, alice, "Hi Bob")
	show(t, bob, chat, "mine:Hello from Bob ✓|message:Hi Bob")

	// A tab in another room hears nothing of the lobby.
	carol := browser.NewPage(srv.URL + "/?room=kitchen")
	show(t, carol, `document.body.dataset.state`, "open")
	waitFor(t, "carol in the kitchen", func() bool { return hub.Count("kitchen") == 1 })
	send(t, bob, "lobby only")
	show(t, alice, messages, "system:New user joined the chat|message:Hello from Bob ✓|mine:Hi Bob|message:lobby only")
	if got := carol.String(messages); got != "" {
		t.Errorf("the kitchen received %q", got)
	}

	// Closing a tab leaves the room.
	bob.Close()
	show(t, alice, messages, "system:New user joined the chat|message:Hello from Bob ✓|mine:Hi Bob|message:lobby only|system:User left the chat")
	waitFor(t, "bob to leave", func() bool { return hub.Count("lobby") == 1 })
}

// show polls expr in the page until it equals want.
func show(t *testing.T, p *browsertest.Page, expr, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := p.String(expr)
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
func send(t *testing.T, p *browsertest.Page, text string) {
	t.Helper()
	quoted, _ := json.Marshal(text)
	p.Run(fmt.Sprintf(`document.getElementById("text").value = %s; document.getElementById("send").requestSubmit()`, quoted))
}
