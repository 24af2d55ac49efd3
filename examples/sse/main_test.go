package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

func TestEvents(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())
	r := c.Get("/events?count=3&interval=0")
	want := "retry: 100\n\n" +
		"id: 1\nevent: tick\ndata: tick 1\ndata: of 3\n\n" +
		"id: 2\nevent: tick\ndata: tick 2\ndata: of 3\n\n" +
		"id: 3\nevent: tick\ndata: tick 3\ndata: of 3\n\n" +
		"event: done\ndata: bye\n\n"
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/event-stream" || r.Text() != want {
		t.Errorf("events = %d %v\n%s", r.Status, r.Header, r.Text())
	}

	// A reconnecting client resumes after its last event.
	r = c.Get("/events?count=3&interval=0", testclient.Header("Last-Event-ID", "2"))
	if !strings.HasPrefix(r.Text(), "retry: 100\n\nid: 3\n") || strings.Contains(r.Text(), "id: 2\n") {
		t.Errorf("resumed stream:\n%s", r.Text())
	}
	// drop ends the first connection early.
	r = c.Get("/events?count=3&interval=0&drop=1")
	if strings.Contains(r.Text(), "id: 2\n") || strings.Contains(r.Text(), "done") {
		t.Errorf("dropped stream:\n%s", r.Text())
	}
	if r := c.Get("/events?count=-1"); r.Status != 422 || !strings.Contains(r.Text(), `"field":"count"`) {
		t.Errorf("bad count = %d", r.Status)
	}
	if r := c.Get("/events?count=x"); r.Status != 422 {
		t.Errorf("malformed count = %d", r.Status)
	}
	if r := c.Get("/"); r.Status != 200 || !strings.Contains(r.Text(), "new EventSource") {
		t.Errorf("page = %d", r.Status)
	}
}

// TestDisconnect opens a slow stream over a real connection, reads one
// event, hangs up, and checks that no goroutine is left. Not parallel: it
// counts goroutines.
func TestDisconnect(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := httptest.NewServer(newApp())
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events?count=1000&interval=20", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "id: 1\n" {
			break
		}
	}
	cancel()
	resp.Body.Close()
	srv.Close() // waits for the handler to return
	client.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, had %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestBrowser opens the page in headless Chromium. The first connection
// drops after tick 2; the browser reconnects with Last-Event-ID and gets
// ticks 3 to 5 and "done". The page writes each event into the DOM.
func TestBrowser(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newApp())
	defer srv.Close()
	dom := dumpDOM(t, srv.URL+"/?count=5&interval=20&drop=2", 3*time.Second)
	items := regexp.MustCompile(`<li data-id="(\d+)">([^<]*)</li>`).FindAllStringSubmatch(dom, -1)
	var got []string
	for _, m := range items {
		got = append(got, m[1]+"="+m[2])
	}
	want := "1=tick 1 | of 5,2=tick 2 | of 5,3=tick 3 | of 5,4=tick 4 | of 5,5=tick 5 | of 5"
	if strings.Join(got, ",") != want {
		t.Errorf("events in the DOM: %v, want %s\n%s", got, want, dom)
	}
	if !strings.Contains(dom, `<p id="status">done after 2 connection(s)</p>`) || !strings.Contains(dom, `data-state="done"`) {
		t.Errorf("status:\n%s", dom)
	}
}
