package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/testclient"
)

type uploadResponse struct {
	Uploaded []uploaded `json:"uploaded"`
}

func TestUploadAndDownload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := testclient.New(newAppWithDir(dir))

	big := bytes.Repeat([]byte("0123456789"), 300_000) // 3 MB: spills to a temporary file
	r := c.Post("/upload", testclient.Multipart(nil,
		testclient.File{Field: "file", Filename: "hello.txt", ContentType: "text/plain", Content: []byte("Hello, Nexios!")},
		testclient.File{Field: "file", Filename: "../../data.bin", ContentType: "application/octet-stream", Content: big},
		testclient.File{Field: "other", Filename: "hello.txt", ContentType: "text/plain", Content: []byte("second")},
	))
	var got uploadResponse
	if err := r.JSON(&got); err != nil || r.Status != 200 {
		t.Fatalf("upload = %d %q %v", r.Status, r.Text(), err)
	}
	want := []uploaded{
		{"hello.txt", "text/plain", 14, filepath.Join(dir, "hello.txt")},
		{"data.bin", "application/octet-stream", int64(len(big)), filepath.Join(dir, "data.bin")},
		{"hello.txt", "text/plain", 6, filepath.Join(dir, "hello-1.txt")},
	}
	if len(got.Uploaded) != len(want) {
		t.Fatalf("uploaded %+v", got.Uploaded)
	}
	for i := range want {
		if got.Uploaded[i] != want[i] {
			t.Errorf("file %d = %+v, want %+v", i, got.Uploaded[i], want[i])
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "data.bin")); !bytes.Equal(b, big) {
		t.Errorf("saved data.bin differs (%d bytes)", len(b))
	}

	r = c.Get("/files/hello.txt")
	if r.Status != 200 || r.Text() != "Hello, Nexios!" ||
		r.Header.Get("Content-Disposition") != `attachment; filename="hello.txt"` ||
		r.Header.Get("Accept-Ranges") != "bytes" || r.Header.Get("Etag") == "" || r.Header.Get("Last-Modified") == "" {
		t.Errorf("download = %d %q %v", r.Status, r.Text(), r.Header)
	}
	r = c.Get("/files/hello.txt", testclient.Header("Range", "bytes=7-12"))
	if r.Status != 206 || r.Text() != "Nexios" || r.Header.Get("Content-Range") != "bytes 7-12/14" {
		t.Errorf("range = %d %q %v", r.Status, r.Text(), r.Header)
	}
	r = c.Get("/files/hello.txt", testclient.Header("Range", "bytes=-1"))
	if r.Status != 206 || r.Text() != "!" {
		t.Errorf("suffix range = %d %q", r.Status, r.Text())
	}
	etag := c.Get("/files/hello.txt").Header.Get("Etag")
	if r := c.Get("/files/hello.txt", testclient.Header("If-None-Match", etag)); r.Status != 304 {
		t.Errorf("If-None-Match = %d, want 304", r.Status)
	}
	if r := c.Head("/files/data.bin"); r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Length") != "3000000" {
		t.Errorf("HEAD = %d %v", r.Status, r.Header)
	}
}

func TestDownloadNotFound(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "uploads")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "secret.txt"), []byte("SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../secret.txt", filepath.Join(dir, "link.txt")); err != nil {
		t.Logf("no symbolic links: %v", err)
	}
	c := testclient.New(newAppWithDir(dir))
	for _, p := range []string{"/files/nope.txt", "/files/..%2fsecret.txt", "/files/..%5csecret.txt", "/files/link.txt", "/files/..%252fsecret.txt"} {
		r := c.Get(p)
		if r.Status != 404 || strings.TrimSpace(r.Text()) != `{"error":"File not found"}` {
			t.Errorf("GET %s = %d %q", p, r.Status, r.Text())
		}
	}
}

func TestUploadErrors(t *testing.T) {
	t.Parallel()
	c := testclient.New(newAppWithDir(t.TempDir()))
	if r := c.Post("/upload", testclient.JSON(map[string]string{"a": "b"})); r.Status != 415 {
		t.Errorf("JSON body = %d, want 415", r.Status)
	}
	if r := c.Post("/upload", testclient.Body("multipart/form-data; boundary=x", []byte("--x\r\nbroken"))); r.Status != 400 {
		t.Errorf("malformed = %d, want 400", r.Status)
	}
	tooBig := testclient.File{Field: "file", Filename: "big.bin", Content: make([]byte, 51<<20)}
	if r := c.Post("/upload", testclient.Multipart(nil, tooBig)); r.Status != 413 || !strings.Contains(r.Text(), "per file") {
		t.Errorf("51 MiB file = %d %q, want 413", r.Status, r.Text())
	}
	if r := c.Get("/"); r.Status != 200 || !strings.Contains(r.Text(), `enctype="multipart/form-data"`) {
		t.Errorf("form page = %d", r.Status)
	}
}

// TestDefaultDir checks that newApp saves to ./uploads, creating it. Not
// parallel: it changes the working directory.
func TestDefaultDir(t *testing.T) {
	t.Chdir(t.TempDir())
	c := testclient.New(newApp())
	r := c.Post("/upload", testclient.Multipart(nil, testclient.File{Field: "file", Filename: "a.txt", Content: []byte("a")}))
	var got uploadResponse
	if err := r.JSON(&got); err != nil || len(got.Uploaded) != 1 || got.Uploaded[0].SavedPath != filepath.Join("uploads", "a.txt") {
		t.Fatalf("upload = %d %q", r.Status, r.Text())
	}
	if b, err := os.ReadFile(filepath.Join("uploads", "a.txt")); err != nil || string(b) != "a" {
		t.Errorf("uploads/a.txt: %q %v", b, err)
	}
}
