//go:build unix

package devserver

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAddScript(t *testing.T) {
	t.Parallel()
	tag := scriptTag(7)
	for in, want := range map[string]string{
		"<html><body><p>x</p></body></html>":           "<html><body><p>x</p>" + tag + "</body></html>",
		"<HTML><BODY>x</BODY></HTML>":                  "<HTML><BODY>x" + tag + "</BODY></HTML>",
		"<p>no body element</p>":                       "<p>no body element</p>" + tag,
		"<body><code>&lt;/body&gt;</code></body>after": "<body><code>&lt;/body&gt;</code>" + tag + "</body>after",
		"": tag,
	} {
		if got := string(addScript([]byte(in), 7)); got != want {
			t.Errorf("addScript(%q) = %q, want %q", in, got, want)
		}
	}
}

// testProxy serves a proxy in front of app (nil: none) with its status.
func testProxy(t *testing.T, app http.Handler) (*status, *httptest.Server, string) {
	t.Helper()
	st := newStatus()
	p := newProxy(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 2*time.Second)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	target := ""
	if app != nil {
		a := httptest.NewServer(app)
		t.Cleanup(a.Close)
		target = strings.TrimPrefix(a.URL, "http://")
	}
	return st, srv, target
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestProxyStates(t *testing.T) {
	t.Parallel()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "" {
			t.Errorf("the app was asked for %q: the proxy must ask for uncompressed pages", r.Header.Get("Accept-Encoding"))
		}
		if r.URL.Path == "/page" {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("ETag", `"v1"`)
			io.WriteString(w, "<body>page</body>")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"body":"</body>"}`)
	})
	st, srv, target := testProxy(t, app)

	// While building, a request waits for the outcome.
	st.set(building, "", "")
	go func() {
		time.Sleep(100 * time.Millisecond)
		st.set(running, "", target)
	}()
	res, body := get(t, srv.URL+"/page")
	if res.StatusCode != 200 || body != "<body>page"+scriptTag(1)+"</body>" || res.Header.Get("ETag") != "" {
		t.Fatalf("page: %d %q etag %q", res.StatusCode, body, res.Header.Get("ETag"))
	}
	if res.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %d for %d bytes", res.ContentLength, len(body))
	}
	if _, body = get(t, srv.URL+"/data"); body != `{"body":"</body>"}` {
		t.Errorf("JSON was changed: %q", body)
	}

	st.set(failed, "./main.go:3:1: syntax error: <unexpected>", "")
	res, body = get(t, srv.URL+"/page")
	if res.StatusCode != 500 || !strings.Contains(body, "./main.go:3:1: syntax error: &lt;unexpected&gt;") || !strings.Contains(body, scriptTag(2)) {
		t.Errorf("failed build: %d %s", res.StatusCode, body)
	}

	st.set(crashed, "panic: boom", "")
	if res, body = get(t, srv.URL+"/"); res.StatusCode != 502 || !strings.Contains(body, "panic: boom") {
		t.Errorf("crashed app: %d %s", res.StatusCode, body)
	}

	// Running, but nothing listens (the app died between two checks).
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := ln.Addr().String()
	ln.Close()
	st.set(running, "", gone)
	if res, body = get(t, srv.URL+"/"); res.StatusCode != 502 || !strings.Contains(body, "did not answer") {
		t.Errorf("unreachable app: %d %s", res.StatusCode, body)
	}

	// A request never waits longer than the hold time.
	st.set(building, "", "")
	if res, _ = get(t, srv.URL+"/"); res.StatusCode != 503 {
		t.Errorf("still building after the hold time: %d", res.StatusCode)
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	st, srv, _ := testProxy(t, nil)
	st.set(running, "", "127.0.0.1:1") // generation 1

	// A page of another generation reloads at once.
	stale := openEvents(t, srv.URL+DevPath+"events?gen=0")
	select {
	case ev := <-stale:
		if ev != "reload 1" {
			t.Fatalf("stale page got %q", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stale page was not told to reload")
	}

	// A current page waits for the next change.
	current := openEvents(t, srv.URL+DevPath+"events?gen=1")
	select {
	case ev := <-current:
		t.Fatalf("a current page got %q before any change", ev)
	case <-time.After(100 * time.Millisecond):
	}
	st.reload()
	select {
	case ev := <-current:
		if ev != "reload 2" {
			t.Fatalf("got %q", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no reload after a change")
	}

	res, body := get(t, srv.URL+DevPath+"reload.js")
	if res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(body, "EventSource") {
		t.Errorf("reload.js: %s %q", res.Header.Get("Content-Type"), body)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	w := &watcher{ignore: map[string]bool{"vendor": true, "node_modules": true, "tmp": true}, live: []string{"web/templates", "web/static"}}
	for rel, want := range map[string]string{
		"main.go": "rebuild", "app/routes.go": "rebuild", "go.mod": "rebuild", "migrations/sqlite/00002_x.sql": "rebuild",
		"app/routes_test.go": "", "vendor/x/y.go": "", "node_modules/a.js": "", ".git/HEAD": "", "app/.routes.go.swp": "",
		"app/routes.go~": "", "app/#routes.go#": "", "4913": "", "demo.db": "", "demo.db-wal": "", "tmp/x.go": "",
		"_scratch/x.go": "", ".hidden/x.go": "",
		"web/templates/pages/home.html": "reload", "web/static/style.css": "reload", "web/web.go": "rebuild",
	} {
		if got := w.classify(rel); got != want {
			t.Errorf("classify(%q) = %q, want %q", rel, got, want)
		}
	}
}

// TestWatcherDebounces: a burst of writes is one change; ignored files
// make none; a directory created later is watched too.
func TestWatcherDebounces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := newWatcher(dir, nil, []string{"web/static"}, 50*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan change, 8)
	go w.run(ctx, changes)

	for i := range 5 {
		write(t, filepath.Join(dir, "main.go"), strings.Repeat("x", i))
	}
	write(t, filepath.Join(dir, "main_test.go"), "ignored")
	c := next(t, changes)
	if !c.rebuild || len(c.paths) != 1 || c.paths[0] != "main.go" {
		t.Fatalf("burst: %+v", c)
	}
	select {
	case c := <-changes:
		t.Fatalf("a second change for one burst: %+v", c)
	case <-time.After(200 * time.Millisecond):
	}

	if err := os.MkdirAll(filepath.Join(dir, "web", "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the new directories are being added
	write(t, filepath.Join(dir, "web", "static", "app.css"), "body{}")
	if c := next(t, changes); c.rebuild || !c.reload {
		t.Fatalf("a static file: %+v", c)
	}
}

func next(t *testing.T, changes <-chan change) change {
	t.Helper()
	select {
	case c := <-changes:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported")
		return change{}
	}
}
