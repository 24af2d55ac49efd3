package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

const testToken = "test-token"

// auth is the header every upload in the tests carries.
var auth = testclient.Header("Authorization", "Bearer "+testToken)

// testApp serves dir with room to spare.
func testApp(t *testing.T, dir string) *testclient.Client {
	t.Helper()
	return testAppConfig(t, config{dir: dir, maxBytes: 1 << 30, maxFiles: 1000})
}

func testAppConfig(t *testing.T, cfg config) *testclient.Client {
	t.Helper()
	cfg.token = testToken
	app, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return openapitest.Client(t, app)
}

type uploadResponse struct {
	Uploaded []uploaded `json:"uploaded"`
}

func TestUploadAndDownload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := testApp(t, dir)

	big := bytes.Repeat([]byte("0123456789"), 300_000) // 3 MB: spills to a temporary file
	r := c.Post("/upload", auth, testclient.Multipart(nil,
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
		{"hello.txt", "text/plain", 6, ""}, // hello-<random>.txt
	}
	if len(got.Uploaded) != len(want) {
		t.Fatalf("uploaded %+v", got.Uploaded)
	}
	second := got.Uploaded[2].SavedPath
	if filepath.Dir(second) != dir || !regexp.MustCompile(`^hello-[a-z2-7]{8}\.txt$`).MatchString(filepath.Base(second)) {
		t.Errorf("second hello.txt saved as %q", second)
	}
	got.Uploaded[2].SavedPath = ""
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
	// What SaveTo leaves while it writes: a dotfile, never served.
	if err := os.WriteFile(filepath.Join(dir, ".nexios-abc.tmp"), []byte("SECRET partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := testApp(t, dir)
	for _, p := range []string{"/files/nope.txt", "/files/..%2fsecret.txt", "/files/..%5csecret.txt", "/files/link.txt", "/files/..%252fsecret.txt",
		"/files/.nexios-abc.tmp"} {
		r := c.Get(p)
		if r.Status != 404 || strings.TrimSpace(r.Text()) != `{"error":"File not found"}` {
			t.Errorf("GET %s = %d %q", p, r.Status, r.Text())
		}
	}
}

func TestUploadErrors(t *testing.T) {
	t.Parallel()
	c := testApp(t, t.TempDir())
	if r := c.Post("/upload", auth, testclient.JSON(map[string]string{"a": "b"})); r.Status != 415 {
		t.Errorf("JSON body = %d, want 415", r.Status)
	}
	if r := c.Post("/upload", auth, testclient.Body("multipart/form-data; boundary=x", []byte("--x\r\nbroken"))); r.Status != 400 {
		t.Errorf("malformed = %d, want 400", r.Status)
	}
	tooBig := testclient.File{Field: "file", Filename: "big.bin", Content: make([]byte, 51<<20)}
	if r := c.Post("/upload", auth, testclient.Multipart(nil, tooBig)); r.Status != 413 || !strings.Contains(r.Text(), "per file") {
		t.Errorf("51 MiB file = %d %q, want 413", r.Status, r.Text())
	}
	if r := c.Get("/"); r.Status != 200 || !strings.Contains(r.Text(), `Authorization: "Bearer "`) {
		t.Errorf("form page = %d", r.Status)
	}
}

// TestDefaultDir checks that the default directory is ./uploads, created
// on start. Not parallel: it changes the working directory.
func TestDefaultDir(t *testing.T) {
	t.Chdir(t.TempDir())
	c := testApp(t, defaultUploadDir)
	r := c.Post("/upload", auth, testclient.Multipart(nil, testclient.File{Field: "file", Filename: "a.txt", Content: []byte("a")}))
	var got uploadResponse
	if err := r.JSON(&got); err != nil || len(got.Uploaded) != 1 || got.Uploaded[0].SavedPath != filepath.Join("uploads", "a.txt") {
		t.Fatalf("upload = %d %q", r.Status, r.Text())
	}
	if b, err := os.ReadFile(filepath.Join("uploads", "a.txt")); err != nil || string(b) != "a" {
		t.Errorf("uploads/a.txt: %q %v", b, err)
	}
}

// TestUploadNeedsToken checks that anonymous and wrong-token uploads are
// refused before the body is read, and store nothing.
func TestUploadNeedsToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := testApp(t, dir)
	file := testclient.Multipart(nil, testclient.File{Field: "file", Filename: "a.txt", Content: []byte("a")})
	for name, opts := range map[string][]testclient.RequestOption{
		"no token":    {file},
		"wrong token": {file, testclient.Header("Authorization", "Bearer nope")},
		"not bearer":  {file, testclient.Header("Authorization", "Basic "+testToken)},
		// A JSON body would be 415 if anything read it.
		"no token, not multipart": {testclient.JSON(map[string]string{"a": "b"})},
	} {
		r := c.Post("/upload", opts...)
		if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Bearer realm="uploads"` || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %v %q", name, r.Status, r.Header, r.Text())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused uploads left %d entries", len(entries))
	}
	if _, err := newApp(config{dir: dir}); err == nil {
		t.Error("an app without a token was built")
	}
}

// TestUploadQuota checks that the directory cannot grow past its bounds,
// counting what was there before the server started.
func TestUploadQuota(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.bin"), make([]byte, 40), 0o644); err != nil {
		t.Fatal(err)
	}
	c := testAppConfig(t, config{dir: dir, maxBytes: 100, maxFiles: 3})
	upload := func(name string, size int) int {
		return c.Post("/upload", auth, testclient.Multipart(nil, testclient.File{Field: "file", Filename: name, Content: make([]byte, size)})).Status
	}
	if s := upload("a.bin", 50); s != 200 {
		t.Fatalf("first upload: %d", s)
	}
	if s := upload("b.bin", 11); s != 507 {
		t.Errorf("over the byte bound: %d, want 507", s)
	}
	if s := upload("c.bin", 0); s != 200 {
		t.Errorf("an empty file within the bounds: %d", s)
	}
	if s := upload("d.bin", 0); s != 507 {
		t.Errorf("over the file bound: %d, want 507", s)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "a.bin,c.bin,old.bin" {
		t.Errorf("directory holds %v", names)
	}
}
