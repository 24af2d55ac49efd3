//go:build unix

package devserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tinyMain is the app the dev server tests build: the standard library
// only, so a build takes a fraction of a second. MESSAGE is replaced by
// each test's edit. It starts a child (sleep) to show that stopping the
// app stops its process group.
const tinyMain = `package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
)

func main() {
	child := exec.Command("sleep", "300")
	if err := child.Start(); err != nil {
		panic(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page, _ := os.ReadFile("web/templates/page.html")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>tiny</title></head><body><h1 id=\"msg\">%s</h1>%s</body></html>", "MESSAGE", page)
	})
	http.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "MESSAGE")
	})
	http.HandleFunc("/pids", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d %d %s", os.Getpid(), child.Process.Pid, os.Getenv("NEXIOS_DEV"))
	})
	panic(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
`

// tinyApp writes the tiny app into a new directory and returns it.
func tinyApp(t *testing.T, message string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module tiny\n\ngo 1.26\n")
	write(t, filepath.Join(dir, "main.go"), strings.ReplaceAll(tinyMain, "MESSAGE", message))
	write(t, filepath.Join(dir, "web", "templates", "page.html"), "<p id=\"live\">live one</p>")
	return dir
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// syncWriter collects the dev server's output for failure messages.
type syncWriter struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// dev is a running dev server of a test.
type dev struct {
	base string
	out  *syncWriter
	stop func() // stops it and waits for Run to return
}

func startDev(t *testing.T, dir string) *dev {
	t.Helper()
	out := &syncWriter{}
	srv, err := New(Config{Dir: dir, Addr: "127.0.0.1:0", Output: out, Debounce: 50 * time.Millisecond, StopTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var once sync.Once
	d := &dev{base: "http://" + srv.Addr(), out: out}
	d.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("Run did not return after its context ended\n%s", out)
			}
		})
	}
	t.Cleanup(d.stop)
	return d
}

// get fetches path through the dev server.
func (d *dev) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := http.Get(d.base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// waitFor polls path until ok accepts the answer, for up to a minute (a
// build on a loaded machine is slow; the test is not about speed).
func (d *dev) waitFor(t *testing.T, what, path string, ok func(status int, body string) bool) (int, string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		status, body := d.get(t, path)
		if ok(status, body) {
			return status, body
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: last answer %d %q\ndev server output:\n%s", what, status, body, d.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid is a live process (not gone, not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

func pids(t *testing.T, body string) (app, child int, devEnv string) {
	t.Helper()
	f := strings.Fields(body)
	if len(f) != 3 {
		t.Fatalf("/pids: %q", body)
	}
	app, _ = strconv.Atoi(f[0])
	child, _ = strconv.Atoi(f[1])
	return app, child, f[2]
}

// TestDevRebuildsAndRecovers: an edited handler serves its new answer; a
// syntax error shows the compiler's output instead, and the fix brings
// the app back; stopping the dev server stops the app and its child.
func TestDevRebuildsAndRecovers(t *testing.T) {
	t.Parallel()
	dir := tinyApp(t, "version one")
	d := startDev(t, dir)
	d.waitFor(t, "the first build", "/text", func(s int, b string) bool { return s == 200 && b == "version one" })
	_, body := d.get(t, "/pids")
	firstApp, firstChild, devEnv := pids(t, body)
	if devEnv != "1" {
		t.Errorf("NEXIOS_DEV=%q in the app, want 1", devEnv)
	}

	// HTML pages get the reload script; other answers are untouched.
	_, page := d.get(t, "/")
	if !strings.Contains(page, `<script src="/_nexios/dev/reload.js" data-gen="1"></script></body>`) {
		t.Errorf("the page has no reload script before </body>: %s", page)
	}

	write(t, filepath.Join(dir, "main.go"), strings.ReplaceAll(tinyMain, "MESSAGE", "version two"))
	d.waitFor(t, "the edit", "/text", func(s int, b string) bool { return s == 200 && b == "version two" })
	if alive(firstApp) || alive(firstChild) {
		t.Errorf("the first app (%d) or its child (%d) still runs after the restart", firstApp, firstChild)
	}

	broken := strings.Replace(strings.ReplaceAll(tinyMain, "MESSAGE", "version three"), "func main() {", "func main() {\n\tx := ", 1)
	write(t, filepath.Join(dir, "main.go"), broken)
	status, body := d.waitFor(t, "the error page", "/", func(s int, b string) bool { return s == http.StatusInternalServerError })
	for _, want := range []string{"Build failed", "main.go:", "syntax error", `src="/_nexios/dev/reload.js"`} {
		if !strings.Contains(body, want) {
			t.Errorf("error page (%d) lacks %q:\n%s", status, want, body)
		}
	}

	write(t, filepath.Join(dir, "main.go"), strings.ReplaceAll(tinyMain, "MESSAGE", "version four"))
	d.waitFor(t, "the recovery", "/text", func(s int, b string) bool { return s == 200 && b == "version four" })
	_, body = d.get(t, "/pids")
	lastApp, lastChild, _ := pids(t, body)

	d.stop()
	if alive(lastApp) || alive(lastChild) {
		t.Errorf("after the dev server stopped, the app (%d) or its child (%d) still runs", lastApp, lastChild)
	}
}

// TestDevLiveFilesReloadWithoutRebuild: a change in a live directory
// tells open pages to reload, and the app keeps running (no rebuild).
func TestDevLiveFilesReloadWithoutRebuild(t *testing.T) {
	t.Parallel()
	dir := tinyApp(t, "live")
	d := startDev(t, dir)
	d.waitFor(t, "the first build", "/text", func(s int, b string) bool { return s == 200 })
	_, body := d.get(t, "/pids")
	before, _, _ := pids(t, body)

	events := openEvents(t, d.base+DevPath+"events")
	write(t, filepath.Join(dir, "web", "templates", "page.html"), "<p id=\"live\">live two</p>")
	select {
	case ev := <-events:
		if !strings.HasPrefix(ev, "reload") {
			t.Fatalf("event %q, want reload", ev)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no reload event after a template changed\n%s", d.out)
	}
	_, page := d.get(t, "/")
	if !strings.Contains(page, "live two") {
		t.Errorf("the page does not show the edited template: %s", page)
	}
	_, body = d.get(t, "/pids")
	if after, _, _ := pids(t, body); after != before {
		t.Errorf("the app was restarted (pid %d → %d) for a template change", before, after)
	}
}

// openEvents reads the event stream at url and sends each event's name
// and data.
func openEvents(t *testing.T, url string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: Content-Type %q", ct)
	}
	out := make(chan string, 4)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		name := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok && name != "" {
				out <- name + " " + v
				name = ""
			}
		}
	}()
	return out
}

// TestDevShowsACrash: an app that dies at start-up shows its output in
// the page (502), and the next change brings it back.
func TestDevShowsACrash(t *testing.T) {
	t.Parallel()
	dir := tinyApp(t, "x")
	crashing := strings.Replace(tinyMain, "func main() {", "func main() {\n\tpanic(\"boom at start-up\")", 1)
	write(t, filepath.Join(dir, "main.go"), crashing)
	d := startDev(t, dir)
	_, body := d.waitFor(t, "the crash page", "/", func(s int, b string) bool { return s == http.StatusBadGateway })
	for _, want := range []string{"The app is not running", "panic: boom at start-up", "exit status 2"} {
		if !strings.Contains(body, want) {
			t.Errorf("crash page lacks %q:\n%s", want, body)
		}
	}
	write(t, filepath.Join(dir, "main.go"), strings.ReplaceAll(tinyMain, "MESSAGE", "fixed"))
	d.waitFor(t, "the recovery", "/text", func(s int, b string) bool { return s == 200 && b == "fixed" })
}
