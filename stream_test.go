package nexios_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

func TestStream(t *testing.T) {
	t.Parallel()
	step := make(chan struct{})
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/chunks", func(req *nexios.Request, res *nexios.Response) error {
		return res.Stream(func(w io.Writer) error {
			for i := range 3 {
				if _, err := fmt.Fprintf(w, "chunk%d\n", i); err != nil {
					return err
				}
				<-step // the client must have the chunk before the next is made
			}
			return nil
		})
	})
	app.Get("/ndjson", func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "application/x-ndjson")
		return res.Status(206).Stream(func(w io.Writer) error {
			_, err := io.WriteString(w, "{\"n\":1}\n")
			return err
		})
	})
	app.Get("/empty", func(req *nexios.Request, res *nexios.Response) error {
		return res.Stream(func(io.Writer) error { return nil })
	})
	app.Get("/fails-early", func(req *nexios.Request, res *nexios.Response) error {
		return res.Stream(func(io.Writer) error { return errors.New("database down") })
	})
	app.Get("/nocontent", func(req *nexios.Request, res *nexios.Response) error {
		return res.Status(204).Stream(func(io.Writer) error { return nil })
	})
	c := testclient.New(app)

	resp, err := c.Stream(t.Context(), "GET", "/chunks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.ContentLength != -1 {
		t.Errorf("stream headers %v, length %d", resp.Header, resp.ContentLength)
	}
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if err != nil || line != fmt.Sprintf("chunk%d\n", i) {
			t.Fatalf("chunk %d = %q, %v", i, line, err)
		}
		step <- struct{}{}
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("after the chunks: %q", rest)
	}

	r := c.Get("/ndjson")
	if r.Status != 206 || r.Header.Get("Content-Type") != "application/x-ndjson" || r.Text() != "{\"n\":1}\n" {
		t.Errorf("ndjson = %d %v %q", r.Status, r.Header, r.Text())
	}
	if r := c.Get("/empty"); r.Status != 200 || r.Text() != "" {
		t.Errorf("empty stream = %d %q", r.Status, r.Text())
	}
	r = c.Get("/fails-early")
	if r.Status != 500 || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("error before the first write = %d %v %q", r.Status, r.Header, r.Text())
	}
	if r := c.Get("/nocontent"); r.Status != 500 {
		t.Errorf("stream with 204 = %d, want 500", r.Status)
	}
}

func TestSSEFormat(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/events", func(req *nexios.Request, res *nexios.Response) error {
		res.Status(201) // ignored: EventSource needs 200
		sse, err := res.SSE()
		if err != nil {
			return err
		}
		steps := []func() error{
			func() error { return sse.Send(nexios.Event{ID: "1", Event: "greeting", Data: "hello"}) },
			func() error { return sse.Send(nexios.Event{Data: "line one\nline two\r\nline three\rline four"}) },
			func() error { return sse.Send(nexios.Event{Retry: 2500 * time.Millisecond}) },
			func() error { return sse.Comment("keep-alive") },
			func() error { return sse.SendData("") },
			func() error { return sse.SendJSON("user", map[string]any{"name": "Ada", "bio": "a\nb"}) },
			func() error { return sse.SendData("resumed after " + sse.LastEventID()) },
			func() error { return sse.Send(nexios.Event{Data: "trailing\n"}) },
		}
		for _, s := range steps {
			if err := s(); err != nil {
				return err
			}
		}
		for _, bad := range []nexios.Event{{ID: "a\nb"}, {ID: "a\x00"}, {Event: "x\ry"}, {Retry: -time.Second}} {
			if err := sse.Send(bad); err == nil {
				return fmt.Errorf("Send(%+v) accepted", bad)
			}
		}
		if _, err := res.SSE(); !errors.Is(err, nexios.ErrResponseCommitted) {
			return fmt.Errorf("second SSE: %v", err)
		}
		return nil
	})
	c := testclient.New(app)
	r := c.Get("/events", testclient.Header("Last-Event-ID", "41"))
	if r.Err != nil || r.Status != 200 {
		t.Fatalf("GET /events = %d %v %q", r.Status, r.Err, r.Text())
	}
	for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	want := "id: 1\nevent: greeting\ndata: hello\n\n" +
		"data: line one\ndata: line two\ndata: line three\ndata: line four\n\n" +
		"retry: 2500\n\n" +
		": keep-alive\n\n" +
		"event: user\ndata: {\"bio\":\"a\\nb\",\"name\":\"Ada\"}\n\n" +
		"data: resumed after 41\n\n" +
		"data: trailing\ndata: \n\n"
	if r.Text() != want {
		t.Errorf("stream:\n%s\nwant:\n%s", r.Text(), want)
	}
}

// waitGoroutines waits until at most n goroutines run, and fails after a
// while. Tests that use it are not parallel, so nothing else starts any.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStreamsEndOnDisconnect runs an endless SSE stream and an endless
// Stream behind a real server, disconnects the client, and checks that the
// handlers return and no goroutine is left. Not parallel: it counts
// goroutines.
func TestStreamsEndOnDisconnect(t *testing.T) {
	returned := make(chan string, 2)
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/sse", func(req *nexios.Request, res *nexios.Response) error {
		sse, err := res.SSE()
		if err != nil {
			return err
		}
		never := make(chan nexios.Event)
		err = sse.Serve(never, 5*time.Millisecond)
		returned <- fmt.Sprintf("sse: %v", err)
		return err
	})
	app.Get("/stream", func(req *nexios.Request, res *nexios.Response) error {
		err := res.Stream(func(w io.Writer) error {
			for {
				if _, err := io.WriteString(w, "tick\n"); err != nil {
					return err
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
		returned <- fmt.Sprintf("stream: %v", errors.Is(err, context.Canceled))
		return err
	})

	before := runtime.NumGoroutine()
	srv := httptest.NewServer(app)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, p := range []struct{ path, first, want string }{
		{"/sse", ": keep-alive\n", "sse: <nil>"},
		{"/stream", "tick\n", "stream: true"},
	} {
		ctx, cancel := context.WithCancel(t.Context())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+p.path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil || !strings.HasPrefix(p.first, line) {
			t.Fatalf("%s: first line %q, %v", p.path, line, err)
		}
		cancel()
		resp.Body.Close()
		select {
		case got := <-returned:
			if got != p.want {
				t.Errorf("%s returned %q, want %q", p.path, got, p.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the handler did not return after the client left", p.path)
		}
	}
	srv.Close()
	client.CloseIdleConnections()
	waitGoroutines(t, before)
}

// TestSSEServeChannel checks that Serve sends channel events in order and
// returns when the channel closes.
func TestSSEServeChannel(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/feed", func(req *nexios.Request, res *nexios.Response) error {
		sse, err := res.SSE()
		if err != nil {
			return err
		}
		events := make(chan nexios.Event, 3)
		for i := range 3 {
			events <- nexios.Event{ID: fmt.Sprint(i), Data: fmt.Sprint("n", i)}
		}
		close(events)
		return sse.Serve(events, 0)
	})
	r := testclient.New(app).Get("/feed")
	want := "id: 0\ndata: n0\n\nid: 1\ndata: n1\n\nid: 2\ndata: n2\n\n"
	if r.Text() != want {
		t.Errorf("feed = %q, want %q", r.Text(), want)
	}
}

func BenchmarkSSESend(b *testing.B) {
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/e", func(req *nexios.Request, res *nexios.Response) error {
		sse, err := res.SSE()
		if err != nil {
			return err
		}
		ev := nexios.Event{ID: "42", Event: "tick", Data: "line one\nline two"}
		b.ReportAllocs()
		for b.Loop() {
			if err := sse.Send(ev); err != nil {
				return err
			}
		}
		return nil
	})
	app.ServeHTTP(&discardWriter{h: http.Header{}}, httptest.NewRequest("GET", "/e", nil))
}

func ExampleResponse_SSE() {
	app := nexios.New(nexios.Config{})
	app.Get("/events", func(req *nexios.Request, res *nexios.Response) error {
		sse, err := res.SSE()
		if err != nil {
			return err
		}
		events := make(chan nexios.Event, 2)
		events <- nexios.Event{ID: "1", Event: "greeting", Data: "hello\nworld"}
		events <- nexios.Event{ID: "2", Data: "resuming after " + sse.LastEventID()}
		close(events)
		return sse.Serve(events, 15*time.Second)
	})
	r := testclient.New(app).Get("/events", testclient.Header("Last-Event-ID", "0"))
	fmt.Print(r.Text())
	// Output:
	// id: 1
	// event: greeting
	// data: hello
	// data: world
	//
	// id: 2
	// data: resuming after 0
}

func ExampleResponse_Stream() {
	app := nexios.New(nexios.Config{})
	app.Get("/count", func(req *nexios.Request, res *nexios.Response) error {
		return res.Stream(func(w io.Writer) error {
			for i := 1; i <= 5; i++ {
				if _, err := fmt.Fprintf(w, "%d, ", i); err != nil {
					return err // the client went away
				}
			}
			return nil
		})
	})
	fmt.Println(testclient.New(app).Get("/count").Text())
	// Output: 1, 2, 3, 4, 5,
}
