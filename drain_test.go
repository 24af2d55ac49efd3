package nexios_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
)

// TestShutdownEndsStreams opens an SSE stream, a res.Stream and a handler
// that watches req.Context() after res.SSE, then shuts down: each ends
// cleanly (the body is complete, not cut) and Serve returns long before
// its 20s timeout.
func TestShutdownEndsStreams(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet, ShutdownTimeout: 20 * time.Second})
	ended := make(chan string, 3)
	app.Get("/sse", func(req *nexios.Request, res *nexios.Response) error {
		sse, err := res.SSE()
		if err != nil {
			return err
		}
		events := make(chan nexios.Event) // never sends: an idle stream
		err = sse.Serve(events, time.Hour)
		if errors.Is(context.Cause(sse.Context()), nexios.ErrShuttingDown) {
			ended <- "sse"
		}
		return err
	})
	app.Get("/stream", func(req *nexios.Request, res *nexios.Response) error {
		return res.Stream(func(w io.Writer) error {
			if _, err := io.WriteString(w, "first\n"); err != nil {
				return err
			}
			<-req.Context().Done()
			ended <- "stream"
			return req.Context().Err()
		})
	})
	app.Get("/manual", func(req *nexios.Request, res *nexios.Response) error {
		sse, err := res.SSE()
		if err != nil {
			return err
		}
		if err := sse.SendData("hello"); err != nil {
			return err
		}
		<-req.Context().Done() // the request's context is the stream's
		ended <- "manual"
		return nil
	})
	s := serveApp(t, app, nil)

	bodies := make(map[string]*http.Response)
	for _, path := range []string{"/sse", "/stream", "/manual"} {
		resp, err := http.Get("http://" + s.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		bodies[path] = resp
	}
	// Wait until each stream has started before shutting down.
	if line, _ := bufio.NewReader(bodies["/stream"].Body).ReadString('\n'); line != "first\n" {
		t.Fatalf("stream began with %q", line)
	}
	manual := bufio.NewReader(bodies["/manual"].Body)
	if line, _ := manual.ReadString('\n'); line != "data: hello\n" {
		t.Fatalf("manual stream began with %q", line)
	}

	start := time.Now()
	if err := s.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v: it waited for the streams", d)
	}
	for range 3 {
		select {
		case <-ended:
		default:
			t.Fatal("a stream did not see the shutdown")
		}
	}
	// Each body ends with a clean end of stream, not a cut connection.
	for path, resp := range bodies {
		if _, err := io.ReadAll(resp.Body); err != nil {
			t.Errorf("%s ended with %v, want a complete body", path, err)
		}
	}
}

func TestShutdownWaitsForTrackedConnections(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet})
	var hookRan time.Time
	app.OnShutdown(func(context.Context) error { hookRan = time.Now(); return nil })
	if err := app.Startup(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := app.Track()
	var released time.Time
	context.AfterFunc(app.Draining(), func() {
		time.Sleep(100 * time.Millisecond) // closing the connection takes a while
		released = time.Now()
		done()
	})
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hookRan.IsZero() || hookRan.Before(released) {
		t.Errorf("shutdown hooks ran at %v, before the tracked connection ended at %v", hookRan, released)
	}
	if cause := context.Cause(app.Draining()); !errors.Is(cause, nexios.ErrShuttingDown) {
		t.Errorf("draining cause %v", cause)
	}

	// A connection that never ends makes shutdown fail at its deadline.
	app2 := nexios.New(nexios.Config{Logger: quiet})
	app2.Track()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := app2.Shutdown(ctx); err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with a stuck connection: %v", err)
	}
	// Done is idempotent and a restarted app drains anew.
	done()
	if err := app.Startup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if app.Draining().Err() != nil {
		t.Error("a restarted app is still draining")
	}
}
