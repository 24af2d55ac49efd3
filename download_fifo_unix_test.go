//go:build unix

package nexios_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
)

// TestFileNamedPipeThreads requests a named pipe under a download root 200
// times at once, over loopback, through File, FileIn and FileFS. Opening a
// pipe for reading waits for a writer in open(2), which holds an OS thread:
// each request must be refused (404) without opening it, quickly, and
// without the process creating a thread per request (Go aborts at 10,000).
// Not parallel: it counts the threads the process creates.
func TestFileNamedPipeThreads(t *testing.T) {
	root := t.TempDir()
	pipe := filepath.Join(root, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/file", func(req *nexios.Request, res *nexios.Response) error {
		return res.File(pipe, nexios.FileOptions{})
	})
	app.Get("/in/{name}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileIn(root, req.Path("name"), nexios.FileOptions{})
	})
	dirFS := os.DirFS(root)
	app.Get("/fs/{name}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileFS(dirFS, req.Path("name"), nexios.FileOptions{})
	})
	srv := httptest.NewServer(app)
	t.Cleanup(func() {
		// Should a request be stuck in open(2), a writer releases it so
		// the server can close.
		if w, err := os.OpenFile(pipe, os.O_RDWR, 0); err == nil {
			w.Close()
		}
		srv.Close()
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	t.Cleanup(client.CloseIdleConnections)

	const requests = 200
	threads := pprof.Lookup("threadcreate")
	before := threads.Count()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	codes := make([]int, requests)
	for i := range requests {
		wg.Go(func() {
			target := srv.URL + [...]string{"/file", "/in/pipe", "/fs/pipe"}[i%3]
			req, _ := http.NewRequestWithContext(ctx, "GET", target, nil)
			resp, err := client.Do(req)
			if err != nil {
				return // codes[i] stays 0
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	created := threads.Count() - before
	for i, code := range codes {
		if code != http.StatusNotFound {
			t.Fatalf("request %d for the pipe: status %d (0: no answer in 10 s), want 404", i, code)
		}
	}
	if created > 50 {
		t.Errorf("%d requests for a named pipe created %d OS threads", requests, created)
	}
	t.Logf("%d requests, %d threads created", requests, created)
}
