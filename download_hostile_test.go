package nexios_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

// TestFileDotfiles checks that FileIn and FileFS refuse names with a dot
// segment (.env beside public files) unless the handler opts in.
func TestFileDotfiles(t *testing.T) {
	t.Parallel()
	j := newJail(t)
	for name, data := range map[string]string{".env": "DB_PASSWORD=hunter2", ".well-known/security.txt": "Contact: x", "docs/.hidden": "h"} {
		p := filepath.Join(j.root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app := nexios.New(nexios.Config{Logger: discardLogger})
	dirFS := os.DirFS(j.root)
	var refusals []error
	app.Get("/{door}/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		opts := nexios.FileOptions{AllowDotfiles: req.Query("dot") == "1"}
		var err error
		switch req.Path("door") {
		case "in":
			err = res.FileIn(j.root, req.Path("name"), opts)
		case "fs":
			err = res.FileFS(dirFS, req.Path("name"), opts)
		}
		if err != nil && !errors.Is(err, nexios.ErrUnsafePath) {
			refusals = append(refusals, err) // read after the requests, sequentially
		}
		return err
	})
	c := testclient.New(app)
	for _, door := range []string{"in", "fs"} {
		for _, name := range []string{".env", ".well-known/security.txt", "docs/.hidden"} {
			r := c.Get("/" + door + "/" + name)
			if r.Status != 404 || strings.Contains(r.Text(), "hunter2") || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %s by default = %d %q", door, name, r.Status, r.Text())
			}
			if r := c.Get("/"+door+"/"+name, testclient.Query("dot", "1")); r.Status != 200 {
				t.Errorf("%s %s with AllowDotfiles = %d", door, name, r.Status)
			}
		}
	}
	if len(refusals) != 0 {
		t.Errorf("dotfile refusals that do not match ErrUnsafePath: %v", refusals)
	}
}

// TestFileFSSymlinks checks that FileFS over os.DirFS, which follows
// links wherever they point, refuses links out of the directory unless
// the handler opts in.
func TestFileFSSymlinks(t *testing.T) {
	t.Parallel()
	j := newJail(t)
	dir, err := os.OpenRoot(j.root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	app := nexios.New(nexios.Config{Logger: discardLogger})
	dirFS, rootFS := os.DirFS(j.root), dir.FS()
	app.Get("/dirfs/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileFS(dirFS, req.Path("name"), nexios.FileOptions{FollowSymlinks: req.Query("follow") == "1"})
	})
	app.Get("/rootfs/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileFS(rootFS, req.Path("name"), nexios.FileOptions{})
	})
	c := testclient.New(app)
	for _, door := range []string{"/dirfs/", "/rootfs/"} {
		for _, name := range []string{"escape", "escapedir/secret.txt", "abs", "dangling"} {
			r := c.Get(door + name)
			if r.Status != 404 || strings.Contains(r.Text(), "SECRET") {
				t.Errorf("GET %s%s = %d %q", door, name, r.Status, r.Text())
			}
		}
		for _, name := range []string{"inside", "insidedir/a.txt", "hello.txt"} {
			if r := c.Get(door + name); r.Status != 200 {
				t.Errorf("GET %s%s (inside) = %d", door, name, r.Status)
			}
		}
	}
	if r := c.Get("/dirfs/escape", testclient.Query("follow", "1")); r.Status != 200 || r.Text() != "SECRET" {
		t.Errorf("FollowSymlinks: %d %q", r.Status, r.Text())
	}
}

// manyRanges returns a Range header of n one-byte ranges, every other byte.
func manyRanges(n, size int) string {
	var b strings.Builder
	b.WriteString("bytes=")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		p := strconv.Itoa(2 * i % size)
		b.WriteString(p + "-" + p)
	}
	return b.String()
}

// TestFileManyRanges sends 50,000 one-byte ranges over loopback: net/http's
// ServeContent answered with a 50,000-part multipart body several times
// the file's size. Past the cap of 200 ranges the whole file is sent
// instead, with heap use that does not grow with the header.
func TestFileManyRanges(t *testing.T) {
	const size = 128 << 10
	name := filepath.Join(t.TempDir(), "data.bin")
	if err := os.WriteFile(name, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/f", func(req *nexios.Request, res *nexios.Response) error {
		return res.File(name, nexios.FileOptions{})
	})
	srv := httptest.NewUnstartedServer(app)
	srv.Config.MaxHeaderBytes = 2 << 20 // room for the hostile header, whatever the default
	srv.Start()
	t.Cleanup(srv.Close)
	get := func(rng string) (*http.Response, int64) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/f", nil)
		req.Header.Set("Range", rng)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		return resp, n
	}
	huge := manyRanges(50_000, size)
	get("bytes=0-0") // warm the connection
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, n := get(huge)
	runtime.ReadMemStats(&after)
	if resp.StatusCode != 200 || n != size {
		t.Fatalf("50,000 ranges: %d, %d bytes, want 200 with the %d-byte file", resp.StatusCode, n, size)
	}
	// Sending the 600 KB header and parsing it on the server cost a few
	// copies of it; 50,000 parts cost tens of megabytes.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("50,000 ranges: %d bytes allocated", alloc)
	}
	resp, n = get(manyRanges(200, size))
	if resp.StatusCode != 206 || n > 200*200 {
		t.Errorf("200 ranges: %d, %d bytes", resp.StatusCode, n)
	}
	resp, n = get("bytes=0-99,50-149,100-199")
	if resp.StatusCode != 206 || n != 200 || resp.Header.Get("Content-Range") != "bytes 0-199/131072" {
		t.Errorf("overlapping ranges: %d, %d bytes, %v", resp.StatusCode, n, resp.Header)
	}
}
