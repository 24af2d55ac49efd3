package testclient_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nexios-go/nexios/testclient"
)

// sseHandler sends n server-sent events, flushing each one and pausing
// before the next. If ack is non-nil it also waits for the test to receive
// each event, which proves that the client reads incrementally. ctxDone is
// closed when the handler observes that its request context is done.
func sseHandler(n int, ack <-chan struct{}, ctxDone chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		rc := http.NewResponseController(w)
		for i := range n {
			if _, err := fmt.Fprintf(w, "data: event %d\n\n", i+1); err != nil {
				break
			}
			if err := rc.Flush(); err != nil {
				break
			}
			if ack != nil {
				select {
				case <-ack:
				case <-r.Context().Done():
				}
			}
			select {
			case <-time.After(10 * time.Millisecond):
			case <-r.Context().Done():
			}
			if r.Context().Err() != nil {
				break
			}
		}
		if ctxDone != nil {
			<-r.Context().Done()
			close(ctxDone)
		}
	}
}

// readEvent reads one "data: ..." event from br.
func readEvent(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	if _, err := br.ReadString('\n'); err != nil {
		return "", err
	}
	return line[:len(line)-1], nil
}

func TestStreamIncremental(t *testing.T) {
	t.Parallel()
	ack := make(chan struct{})
	c := testclient.New(sseHandler(3, ack, nil))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	resp, err := c.Stream(ctx, http.MethodGet, "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.ContentLength != -1 {
		t.Errorf("ContentLength = %d, want -1", resp.ContentLength)
	}
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		// The handler is blocked until we acknowledge this event, so the
		// read can only succeed if the body is delivered incrementally.
		ev, err := readEvent(br)
		if err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
		if want := fmt.Sprintf("data: event %d", i+1); ev != want {
			t.Fatalf("event %d = %q, want %q", i+1, ev, want)
		}
		ack <- struct{}{}
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after last event: %q, %v; want clean EOF", rest, err)
	}
}

// Tests below count goroutines, so they do not call t.Parallel: parallel
// tests stay paused (with a constant number of goroutines) while they run.

func TestStreamCancelMidStream(t *testing.T) {
	baseline := runtime.NumGoroutine()
	ctxDone := make(chan struct{})
	c := testclient.New(sseHandler(1000, nil, ctxDone))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	resp, err := c.Stream(ctx, http.MethodGet, "/events")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	if ev, err := readEvent(br); err != nil || ev != "data: event 1" {
		t.Fatalf("first event = %q, %v", ev, err)
	}
	cancel()
	recv(t, ctxDone, "the handler's context to be cancelled")
	if _, err := io.ReadAll(br); !errors.Is(err, context.Canceled) {
		t.Errorf("reading after cancel: err = %v, want context.Canceled", err)
	}
	resp.Body.Close()
	waitGoroutines(t, baseline)
}

func TestStreamCloseBodyEarly(t *testing.T) {
	baseline := runtime.NumGoroutine()
	ctxDone := make(chan struct{})
	c := testclient.New(sseHandler(1000, nil, ctxDone))

	resp, err := c.Stream(context.Background(), http.MethodGet, "/events")
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := readEvent(bufio.NewReader(resp.Body)); err != nil || ev != "data: event 1" {
		t.Fatalf("first event = %q, %v", ev, err)
	}
	resp.Body.Close()
	recv(t, ctxDone, "the handler's context to be cancelled")
	waitGoroutines(t, baseline)
}

func TestCancelBeforeHeaders(t *testing.T) {
	baseline := runtime.NumGoroutine()
	started := make(chan struct{})
	ctxDone := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(ctxDone)
		io.WriteString(w, "too late") // must not block
	})
	c := testclient.New(h)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	resp, err := c.Stream(ctx, http.MethodGet, "/slow")
	if !errors.Is(err, context.Canceled) {
		if resp != nil {
			resp.Body.Close()
		}
		t.Fatalf("Stream err = %v, want context.Canceled", err)
	}
	recv(t, ctxDone, "the handler's context to be cancelled")
	waitGoroutines(t, baseline)
}

func TestNoLeakAfterManyRequests(t *testing.T) {
	baseline := runtime.NumGoroutine()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("/late-panic", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "x")
		panic("boom")
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusSeeOther)
	})
	c := testclient.New(mux, testclient.WithErrorLog(quietLog))
	for range 20 {
		for _, p := range []string{"/ok", "/panic", "/late-panic", "/redirect"} {
			c.Get(p)
			c.Head(p)
		}
	}
	waitGoroutines(t, baseline)
}

// TestStreamSynctest runs a cancelled stream inside a synctest bubble, whose
// fake clock makes the handler's pauses instant, and which fails if any
// goroutine started by the request is still alive at the end.
func TestStreamSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctxDone := make(chan struct{})
		c := testclient.New(sseHandler(1000, nil, ctxDone))
		ctx, cancel := context.WithCancel(t.Context())
		resp, err := c.Stream(ctx, http.MethodGet, "/events")
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(resp.Body)
		for i := range 5 {
			if ev, err := readEvent(br); err != nil || ev != fmt.Sprintf("data: event %d", i+1) {
				t.Fatalf("event %d = %q, %v", i+1, ev, err)
			}
		}
		cancel()
		<-ctxDone
		resp.Body.Close()
		synctest.Wait()
	})
}

func TestFullDuplex(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
		rc.Flush() // as on a real server, headers leave only on a write or flush
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			fmt.Fprintf(w, "echo: %s\n", sc.Text())
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
	c := testclient.New(h)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	resp, err := c.Stream(ctx, http.MethodPost, "/chat", testclient.Reader("text/plain", pr))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	// Each reply can only arrive if the request body is streamed to the
	// handler while the response is being read.
	for _, msg := range []string{"one", "two", "three"} {
		if _, err := io.WriteString(pw, msg+"\n"); err != nil {
			t.Fatal(err)
		}
		line, err := br.ReadString('\n')
		if err != nil || line != "echo: "+msg+"\n" {
			t.Fatalf("reply to %q = %q, %v", msg, line, err)
		}
	}
	pw.Close()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after closing the request body: %q, %v", rest, err)
	}
}
