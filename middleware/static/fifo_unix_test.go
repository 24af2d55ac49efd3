//go:build unix

package static_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
)

// TestSpecialFiles checks that a named pipe is not served: opening one
// would block the request until a writer appears.
func TestSpecialFiles(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	if err := syscall.Mkfifo(filepath.Join(tr.root, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	h := static.Handler(static.Config{Root: tr.root})
	done := make(chan int, 1)
	go func() { done <- do(h, "GET", "/pipe").Code }()
	select {
	case code := <-done:
		if code != 404 {
			t.Fatalf("named pipe: %d, want 404", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request for a named pipe blocked")
	}
}

// TestUnreadable checks that a file the server may not read is 403.
func TestUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	tr := newTree(t)
	p := filepath.Join(tr.root, "locked.txt")
	if err := os.WriteFile(p, []byte("locked"), 0o000); err != nil {
		t.Fatal(err)
	}
	if w := do(static.Handler(static.Config{Root: tr.root}), "GET", "/locked.txt"); w.Code != 403 || strings.Contains(w.Body.String(), "locked") {
		t.Fatalf("unreadable file: %d %q", w.Code, w.Body.String())
	}
}

// TestNamedPipeThreads requests a named pipe 200 times at once over
// loopback, from a Root and from an os.DirFS: each is refused (404)
// without opening the pipe, and the process does not create a thread per
// request. Not parallel: it counts the threads the process creates.
func TestNamedPipeThreads(t *testing.T) {
	tr := newTree(t)
	pipe := filepath.Join(tr.root, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	app := nexios.New(nexios.Config{Logger: quietLogger()})
	app.MountHandler("/root", static.Handler(static.Config{Root: tr.root}))
	app.MountHandler("/dirfs", static.Handler(static.Config{FS: os.DirFS(tr.root)}))
	app.Use(mustNew(t, static.Config{FS: os.DirFS(tr.root), Prefix: "/mw"}))
	srv := httptest.NewServer(app)
	t.Cleanup(func() {
		if w, err := os.OpenFile(pipe, os.O_RDWR, 0); err == nil {
			w.Close() // releases a request stuck in open(2), should there be one
		}
		srv.Close()
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	t.Cleanup(client.CloseIdleConnections)
	threads := pprof.Lookup("threadcreate")
	before := threads.Count()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const requests = 200
	codes := make([]int, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+[...]string{"/root/pipe", "/dirfs/pipe", "/mw/pipe"}[i%3], nil)
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
				codes[i] = resp.StatusCode
			}
		})
	}
	wg.Wait()
	created := threads.Count() - before
	for i, code := range codes {
		if code != http.StatusNotFound {
			t.Fatalf("request %d for the pipe: %d (0: no answer in 10 s), want 404", i, code)
		}
	}
	if created > 50 {
		t.Errorf("%d requests for a named pipe created %d OS threads", requests, created)
	}
}
