package timeout_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/timeout"
	"github.com/nexios-go/nexios/testclient"
)

func mw(t testing.TB, cfg timeout.Config) nexios.Middleware {
	t.Helper()
	m, err := timeout.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// waitDone blocks until the request's context ends, as a cooperative
// handler (or the database call it makes) does.
func waitDone(req *nexios.Request, _ *nexios.Response) error {
	select {
	case <-req.Context().Done():
		return fmt.Errorf("query cancelled: %w", req.Context().Err())
	case <-time.After(10 * time.Second):
		return errors.New("the deadline never came")
	}
}

func problemDetail(t *testing.T, r *testclient.Response) string {
	t.Helper()
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := r.JSON(&p); err != nil || p.Status != r.Status {
		t.Fatalf("problem body %q: %v", r.Text(), err)
	}
	return p.Detail
}

// TestFiresMidHandler: the deadline interrupts a handler waiting on its
// context, at every level; the response is the 503 problem.
func TestFiresMidHandler(t *testing.T) {
	t.Parallel()
	for _, level := range []string{"app", "router", "route"} {
		t.Run(level, func(t *testing.T) {
			t.Parallel()
			m := mw(t, timeout.Config{Timeout: 30 * time.Millisecond})
			app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
			switch level {
			case "app":
				app.Use(m)
				app.Get("/r/slow", waitDone)
			case "router":
				r := nexios.NewRouter("/r")
				r.Use(m)
				r.Get("/slow", waitDone)
				app.Mount(r)
			case "route":
				app.Get("/r/slow", waitDone, nexios.WithMiddleware(m))
			}
			start := time.Now()
			r := testclient.New(app).Get("/r/slow")
			if r.Status != 503 || problemDetail(t, r) != "request timed out" {
				t.Fatalf("status %d: %s", r.Status, r.Text())
			}
			if el := time.Since(start); el < 30*time.Millisecond || el > 5*time.Second {
				t.Fatalf("took %v", el)
			}
		})
	}
}

func TestHandlerOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler nexios.HandlerFunc
		status  int
		body    string // substring
	}{
		{"in time is untouched", func(_ *nexios.Request, res *nexios.Response) error {
			return res.Status(201).Text("done")
		}, 201, "done"},
		{"in-time error is untouched", func(*nexios.Request, *nexios.Response) error {
			return nexios.NewHTTPError(409, "conflict")
		}, 409, "conflict"},
		{"returns nil after the deadline, nothing written", func(req *nexios.Request, _ *nexios.Response) error {
			<-req.Context().Done()
			return nil
		}, 503, "request timed out"},
		{"returns another error after the deadline", func(req *nexios.Request, _ *nexios.Response) error {
			<-req.Context().Done()
			return nexios.NewHTTPError(500, "db failed").Wrap(req.Context().Err())
		}, 503, "request timed out"},
		{"own sub-deadline error counts as a timeout", func(req *nexios.Request, _ *nexios.Response) error {
			ctx, cancel := context.WithTimeout(req.Context(), time.Millisecond)
			defer cancel()
			<-ctx.Done()
			return fmt.Errorf("upstream: %w", ctx.Err())
		}, 503, "request timed out"},
		{"already written keeps its response", func(req *nexios.Request, res *nexios.Response) error {
			if err := res.Text("partial"); err != nil {
				return err
			}
			<-req.Context().Done()
			return req.Context().Err()
		}, 200, "partial"},
		{"streaming keeps its response", func(req *nexios.Request, res *nexios.Response) error {
			res.Header().Set("Content-Type", "text/event-stream")
			res.WriteHeader(200)
			for i := 0; ; i++ {
				fmt.Fprintf(res, "data: %d\n\n", i)
				res.Flush()
				select {
				case <-req.Context().Done():
					return nil
				case <-time.After(5 * time.Millisecond):
				}
			}
		}, 200, "data: 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			app.Use(mw(t, timeout.Config{Timeout: 40 * time.Millisecond}))
			app.Get("/", tt.handler)
			r := testclient.New(app).Get("/")
			if r.Err != nil || r.Status != tt.status || !strings.Contains(r.Text(), tt.body) {
				t.Fatalf("got %d %q %v; want %d %q", r.Status, r.Text(), r.Err, tt.status, tt.body)
			}
			if tt.status == 200 && tt.body != "done" && !strings.Contains(logs.String(), "level=DEBUG") {
				t.Errorf("late timeout not logged at debug: %q", logs.String())
			}
			if strings.Contains(logs.String(), "level=ERROR") && tt.status < 500 {
				t.Errorf("unexpected error log: %q", logs.String())
			}
		})
	}
}

// TestDeadlineVisible: the handler sees the deadline on its context, and
// the chain outside the middleware gets the original context back.
func TestDeadlineVisible(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	var outerDeadline bool
	var outerErr error
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			err := next(req, res)
			_, outerDeadline = req.Context().Deadline()
			outerErr = req.Context().Err()
			return err
		}
	})
	app.Use(mw(t, timeout.Config{Timeout: 2 * time.Second}))
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		d, ok := req.Context().Deadline()
		if left := time.Until(d); !ok || left <= time.Second || left > 2*time.Second {
			return fmt.Errorf("deadline %v (%v)", d, ok)
		}
		if d2, ok := req.Raw().Context().Deadline(); !ok || !d2.Equal(d) {
			return errors.New("Raw() does not carry the deadline")
		}
		return res.Text("ok")
	})
	if r := testclient.New(app).Get("/"); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Text())
	}
	if outerDeadline || outerErr != nil {
		t.Fatalf("outer middleware sees deadline=%v err=%v", outerDeadline, outerErr)
	}
}

// TestNested: the earliest deadline applies and its middleware answers.
func TestNested(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(mw(t, timeout.Config{Timeout: 5 * time.Second, Status: 504}))
	api := nexios.NewRouter("/api")
	api.Use(mw(t, timeout.Config{Timeout: 40 * time.Millisecond, Status: 503}))
	var left time.Duration
	api.Get("/short", func(req *nexios.Request, res *nexios.Response) error {
		d, _ := req.Context().Deadline()
		left = time.Until(d)
		return waitDone(req, res)
	})
	app.Mount(api)
	short := testclient.New(app).Get("/api/short")
	if short.Status != 503 || left > 40*time.Millisecond {
		t.Fatalf("route shorter than app: %d, deadline in %v", short.Status, left)
	}

	// A longer inner timeout does nothing: the app's answers.
	app2 := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app2.Use(mw(t, timeout.Config{Timeout: 40 * time.Millisecond, Status: 504}))
	app2.Get("/long", func(req *nexios.Request, res *nexios.Response) error {
		d, _ := req.Context().Deadline()
		left = time.Until(d)
		return waitDone(req, res)
	}, nexios.WithMiddleware(mw(t, timeout.Config{Timeout: 5 * time.Second, Status: 503})))
	long := testclient.New(app2).Get("/long")
	if long.Status != 504 || left > 40*time.Millisecond {
		t.Fatalf("route longer than app: %d, deadline in %v", long.Status, left)
	}
}

func TestErrorHandlerStatusAndSkip(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Get("/custom", waitDone, nexios.WithMiddleware(mw(t, timeout.Config{
		Timeout: 20 * time.Millisecond,
		ErrorHandler: func(_ *nexios.Request, res *nexios.Response, err error) error {
			var te *timeout.Error
			if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &te) || te.Timeout != 20*time.Millisecond {
				return fmt.Errorf("unexpected error %v", err)
			}
			return res.Status(504).JSON(map[string]string{"error": "too slow"})
		},
	})))
	app.Get("/504", waitDone, nexios.WithMiddleware(mw(t, timeout.Config{Timeout: 20 * time.Millisecond, Status: 504})))
	app.Get("/skipped", func(req *nexios.Request, res *nexios.Response) error {
		if _, ok := req.Context().Deadline(); ok {
			return errors.New("skipped request has a deadline")
		}
		return res.Text("ok")
	}, nexios.WithMiddleware(mw(t, timeout.Config{Timeout: time.Millisecond, Skip: func(*nexios.Request) bool { return true }})))
	c := testclient.New(app)
	if r := c.Get("/custom"); r.Status != 504 || r.Text() != `{"error":"too slow"}`+"\n" {
		t.Errorf("custom: %d %q", r.Status, r.Text())
	}
	if r := c.Get("/504"); r.Status != 504 || problemDetail(t, r) != "request timed out" {
		t.Errorf("504: %d %q", r.Status, r.Text())
	}
	if r := c.Get("/skipped"); r.Status != 200 {
		t.Errorf("skipped: %d %q", r.Status, r.Text())
	}
}

// TestClientGone: a cancelled request is not reported as a timeout.
func TestClientGone(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(mw(t, timeout.Config{Timeout: 5 * time.Second}))
	app.Get("/", waitDone)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	if w.Code != 499 {
		t.Fatalf("status %d, want 499: %s", w.Code, w.Body)
	}
}

// TestPanic: a panicking handler still cancels its timer and renders 500.
func TestPanic(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(mw(t, timeout.Config{Timeout: time.Second}))
	app.Get("/", func(*nexios.Request, *nexios.Response) error { panic("boom") })
	if r := testclient.New(app).Get("/"); r.Status != 500 {
		t.Fatalf("status %d", r.Status)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []timeout.Config{
		{},
		{Timeout: -time.Second},
		{Timeout: time.Second, Status: 200},
		{Timeout: time.Second, Status: 600},
	} {
		if _, err := timeout.New(cfg); err == nil {
			t.Errorf("New(%+v): no error", cfg)
		}
	}
}

// TestNoDataRace hammers the middleware with requests that time out while
// the handler is writing; run with -race.
func TestNoDataRace(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(mw(t, timeout.Config{Timeout: 2 * time.Millisecond}))
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		for i := range 50 {
			select {
			case <-req.Context().Done():
				if i%2 == 0 {
					return req.Context().Err()
				}
				return nil
			default:
			}
			time.Sleep(100 * time.Microsecond)
			if i == 25 {
				res.Header().Set("X-Half", "1")
			}
		}
		return res.Text("finished")
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 20 {
				resp, err := http.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 && resp.StatusCode != 503 {
					t.Errorf("status %d", resp.StatusCode)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// TestMultipartTempFilesRemoved: a multipart form parsed on the request
// copy that carries the deadline still has its temporary files removed
// by net/http at the end of the request.
func TestMultipartTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir) // where uploads spill large files
	app := nexios.New(nexios.Config{MaxBodyBytes: -1})
	app.Use(mw(t, timeout.Config{Timeout: time.Minute}))
	app.Post("/", func(req *nexios.Request, res *nexios.Response) error {
		if _, err := req.Form(); err != nil {
			return err
		}
		files, _ := filepath.Glob(filepath.Join(dir, "nexios-upload-*"))
		return res.Text(strconv.Itoa(len(files)))
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", "big.bin")
	fw.Write(make([]byte, 9<<20)) // over the 8 MiB kept in memory
	w.Close()
	resp, err := http.Post(srv.URL, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	during, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	srv.Close() // waits for the request to finish
	files, _ := filepath.Glob(filepath.Join(dir, "nexios-upload-*"))
	if string(during) != "1" || len(files) != 0 {
		t.Fatalf("temporary files: %s during the request, %d left after", during, len(files))
	}
}
