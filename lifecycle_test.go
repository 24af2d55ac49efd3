package nexios_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
)

func TestLifecycleOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []string
	rec := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	hook := func(s string) nexios.Hook {
		return func(context.Context) error { rec(s); return nil }
	}
	dbKey := nexios.NewKey[string]("db")
	app := nexios.New(nexios.Config{Logger: quiet, Lifespan: func(_ context.Context, app *nexios.App) (func(context.Context) error, error) {
		rec("lifespan-start")
		dbKey.SetApp(app, "connected")
		return func(context.Context) error { rec("lifespan-stop"); return nil }, nil
	}})
	app.OnStartup(hook("start1"))
	app.OnStartup(hook("start2"))
	app.OnShutdown(hook("stop1"))
	app.OnShutdown(hook("stop2"))
	app.Get("/db", func(req *nexios.Request, res *nexios.Response) error {
		db, _ := dbKey.App(req.App())
		return res.Text(db)
	})

	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	body := get(t, "http://"+ln.Addr().String()+"/db")
	if body != "connected" {
		t.Errorf("state: %q", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ","); got != "start1,start2,lifespan-start,lifespan-stop,stop2,stop1" {
		t.Errorf("order %s", got)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet, ShutdownTimeout: 5 * time.Second})
	started := make(chan struct{})
	release := make(chan struct{})
	app.Get("/slow", func(req *nexios.Request, res *nexios.Response) error {
		close(started)
		<-release
		return res.Text("finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	got := make(chan string, 1)
	go func() { got <- get(t, "http://"+ln.Addr().String()+"/slow") }()
	<-started
	cancel() // shutdown begins while the request is in flight
	// New connections are refused once shutdown began.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepting after shutdown")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if body := <-got; body != "finished" {
		t.Errorf("in-flight request got %q", body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestStartupFailure(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet})
	boom := errors.New("no database")
	app.OnStartup(func(context.Context) error { return boom })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Serve(context.Background(), ln); !errors.Is(err, boom) {
		t.Fatalf("Serve = %v", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("listener left open after a failed start")
	}
}

func TestServerDefaults(t *testing.T) {
	t.Parallel()
	srv := nexios.New(nexios.Config{}).Server()
	if srv.ReadHeaderTimeout != 10*time.Second || srv.ReadTimeout != 60*time.Second || srv.WriteTimeout != 0 ||
		srv.IdleTimeout != 120*time.Second || srv.MaxHeaderBytes != 64<<10 || srv.Protocols != nil {
		t.Errorf("defaults %+v", srv)
	}
	srv = nexios.New(nexios.Config{ReadTimeout: time.Second, MaxHeaderBytes: 4096}).Server()
	if srv.ReadTimeout != time.Second || srv.MaxHeaderBytes != 4096 {
		t.Error("overrides ignored")
	}
}
