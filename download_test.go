package nexios_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

var discardLogger = slog.New(slog.DiscardHandler)

const rangeBody = "0123456789abcdefghij" // 20 bytes

// fileApp serves files from a jail (see newJail) in every way the response
// offers.
func fileApp(t testing.TB, j jail) *nexios.App {
	return fileAppConfig(t, j, nexios.Config{Logger: discardLogger})
}

func fileAppConfig(t testing.TB, j jail, cfg nexios.Config) *nexios.App {
	t.Helper()
	if err := os.WriteFile(filepath.Join(j.root, "range.txt"), []byte(rangeBody), 0o644); err != nil {
		t.Fatal(err)
	}
	app := nexios.New(cfg)
	app.Get("/file", func(req *nexios.Request, res *nexios.Response) error {
		return res.File(filepath.Join(j.root, "range.txt"), nexios.FileOptions{})
	})
	app.Get("/download", func(req *nexios.Request, res *nexios.Response) error {
		return res.Download(filepath.Join(j.root, "range.txt"), req.Query("as"))
	})
	app.Get("/missing", func(req *nexios.Request, res *nexios.Response) error {
		err := res.File(filepath.Join(j.root, "nope.txt"), nexios.FileOptions{})
		if errors.Is(err, fs.ErrNotExist) && !res.Committed() {
			return res.Status(404).JSON(map[string]string{"error": "File not found"})
		}
		return err
	})
	app.Get("/in/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileIn(j.root, req.Path("name"), nexios.FileOptions{Attachment: true})
	})
	app.Get("/query", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileIn(j.root, req.Query("name"), nexios.FileOptions{})
	})
	mapfs := fstest.MapFS{
		"notes/readme.md": {Data: []byte("# Readme\n")},
		"blob":            {Data: []byte("<html><body>sniffed</body></html>")},
	}
	app.Get("/fs/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileFS(mapfs, req.Path("name"), nexios.FileOptions{})
	})
	app.Get("/content", func(req *nexios.Request, res *nexios.Response) error {
		mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		return res.ServeContent("report.csv", mod, strings.NewReader("a,b\n1,2\n"), nexios.FileOptions{
			Filename: "Résumé 2024.csv", Attachment: true, CacheControl: "private, max-age=60",
		})
	})
	app.Get("/twice", func(req *nexios.Request, res *nexios.Response) error {
		if err := res.Text("first"); err != nil {
			return err
		}
		if err := res.File(filepath.Join(j.root, "range.txt"), nexios.FileOptions{}); !errors.Is(err, nexios.ErrResponseCommitted) {
			return errors.New("File after a body: want ErrResponseCommitted")
		}
		return nil
	})
	return app
}

func TestFileHeaders(t *testing.T) {
	t.Parallel()
	j := newJail(t)
	c := testclient.New(fileApp(t, j))
	r := c.Get("/file")
	if r.Status != 200 || r.Text() != rangeBody {
		t.Fatalf("GET /file = %d %q", r.Status, r.Text())
	}
	fi, err := os.Stat(filepath.Join(j.root, "range.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Content-Type":           "text/plain; charset=utf-8",
		"Content-Length":         "20",
		"Accept-Ranges":          "bytes",
		"Content-Disposition":    `inline; filename="range.txt"`,
		"Last-Modified":          fi.ModTime().UTC().Format(http.TimeFormat),
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if etag := r.Header.Get("Etag"); !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 4 {
		t.Errorf("ETag = %q, want a strong quoted tag", etag)
	}

	r = c.Get("/download", testclient.Query("as", "data.csv"))
	if got := r.Header.Get("Content-Disposition"); got != `attachment; filename="data.csv"` {
		t.Errorf("download Content-Disposition = %q", got)
	}
	r = c.Get("/download")
	if got := r.Header.Get("Content-Disposition"); got != `attachment; filename="range.txt"` {
		t.Errorf("download without a name: Content-Disposition = %q", got)
	}

	r = c.Get("/content")
	cd := r.Header.Get("Content-Disposition")
	if cd != `attachment; filename="R_sum_ 2024.csv"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.csv` {
		t.Errorf("non-ASCII Content-Disposition = %q", cd)
	}
	if _, params, err := mime.ParseMediaType(cd); err != nil || params["filename"] != "Résumé 2024.csv" {
		t.Errorf("Content-Disposition %q parses to %v (%v)", cd, params, err)
	}
	if r.Header.Get("Cache-Control") != "private, max-age=60" || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("ServeContent headers: %v", r.Header)
	}
	if r.Header.Get("Last-Modified") != "Wed, 01 May 2024 12:00:00 GMT" {
		t.Errorf("Last-Modified = %q", r.Header.Get("Last-Modified"))
	}

	if r := c.Get("/twice"); r.Status != 200 || r.Text() != "first" {
		t.Errorf("File after a body: %d %q", r.Status, r.Text())
	}
}

func TestFileMissing(t *testing.T) {
	t.Parallel()
	c := testclient.New(fileApp(t, newJail(t)))
	r := c.Get("/missing")
	if r.Status != 404 || strings.TrimSpace(r.Text()) != `{"error":"File not found"}` {
		t.Fatalf("missing file = %d %q", r.Status, r.Text())
	}
	r = c.Get("/in/nope.txt")
	if r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("missing FileIn = %d %s %q", r.Status, r.Header.Get("Content-Type"), r.Text())
	}
	r = c.Get("/in/docs")
	if r.Status != 404 {
		t.Fatalf("directory = %d, want 404", r.Status)
	}
}

func TestFileRanges(t *testing.T) {
	t.Parallel()
	j := newJail(t)
	c := testclient.New(fileApp(t, j))
	etag := c.Get("/file").Header.Get("Etag")
	lastMod := c.Get("/file").Header.Get("Last-Modified")
	cases := []struct {
		name         string
		headers      []string
		status       int
		body         string
		contentRange string
	}{
		{"single", []string{"Range", "bytes=2-5"}, 206, "2345", "bytes 2-5/20"},
		{"open ended", []string{"Range", "bytes=15-"}, 206, "fghij", "bytes 15-19/20"},
		{"suffix", []string{"Range", "bytes=-5"}, 206, "fghij", "bytes 15-19/20"},
		{"suffix longer than the file", []string{"Range", "bytes=-500"}, 206, rangeBody, "bytes 0-19/20"},
		{"end past the size", []string{"Range", "bytes=18-100"}, 206, "ij", "bytes 18-19/20"},
		{"unsatisfiable", []string{"Range", "bytes=20-30"}, 416, "", "bytes */20"},
		{"malformed range", []string{"Range", "bytes=x-y"}, 416, "", "bytes */20"},
		{"backwards range", []string{"Range", "bytes=5-2"}, 416, "", "bytes */20"},
		{"empty range set", []string{"Range", "bytes=,"}, 416, "", "bytes */20"},
		{"no unit", []string{"Range", "0-5"}, 200, rangeBody, ""},
		{"overlapping ranges merge", []string{"Range", "bytes=0-3,2-5"}, 206, "012345", "bytes 0-5/20"},
		{"adjacent ranges merge", []string{"Range", "bytes=6-7,0-5"}, 206, "01234567", "bytes 0-7/20"},
		{"huge positions clamp", []string{"Range", "bytes=18-99999999999999999999999"}, 206, "ij", "bytes 18-19/20"},
		{"zero suffix is unsatisfiable", []string{"Range", "bytes=-0"}, 416, "", "bytes */20"},
		{"unsatisfiable among satisfiable", []string{"Range", "bytes=50-60,1-1"}, 206, "1", "bytes 1-1/20"},
		{"other unit ignored", []string{"Range", "items=1-2"}, 200, rangeBody, ""},
		{"unit is case-insensitive", []string{"Range", "Bytes=2-3"}, 206, "23", "bytes 2-3/20"},
		{"if-range etag matches", []string{"Range", "bytes=0-1", "If-Range", etag}, 206, "01", "bytes 0-1/20"},
		{"if-range etag stale", []string{"Range", "bytes=0-1", "If-Range", `"stale"`}, 200, rangeBody, ""},
		{"if-range date matches", []string{"Range", "bytes=0-1", "If-Range", lastMod}, 206, "01", "bytes 0-1/20"},
		{"if-range date stale", []string{"Range", "bytes=0-1", "If-Range", "Mon, 01 Jan 2001 00:00:00 GMT"}, 200, rangeBody, ""},
		{"if-none-match", []string{"If-None-Match", etag}, 304, "", ""},
		{"if-none-match list", []string{"If-None-Match", `"a", ` + etag}, 304, "", ""},
		{"if-none-match star", []string{"If-None-Match", "*"}, 304, "", ""},
		{"if-none-match other", []string{"If-None-Match", `"other"`}, 200, rangeBody, ""},
		{"if-none-match weak form", []string{"If-None-Match", "W/" + etag}, 304, "", ""},
		{"if-none-match beats if-modified-since", []string{"If-None-Match", `"other"`, "If-Modified-Since", lastMod}, 200, rangeBody, ""},
		{"if-range weak etag never matches", []string{"Range", "bytes=0-1", "If-Range", "W/" + etag}, 200, rangeBody, ""},
		{"if-modified-since", []string{"If-Modified-Since", lastMod}, 304, "", ""},
		{"if-modified-since old", []string{"If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}, 200, rangeBody, ""},
		{"if-match fails", []string{"If-Match", `"other"`}, 412, "", ""},
		{"if-match passes", []string{"If-Match", etag, "Range", "bytes=0-0"}, 206, "0", "bytes 0-0/20"},
		{"if-match star", []string{"If-Match", "*"}, 200, rangeBody, ""},
		{"if-match weak fails", []string{"If-Match", "W/" + etag}, 412, "", ""},
		{"if-unmodified-since passes", []string{"If-Unmodified-Since", lastMod}, 200, rangeBody, ""},
		{"if-unmodified-since fails", []string{"If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}, 412, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []testclient.RequestOption
			for i := 0; i < len(tc.headers); i += 2 {
				opts = append(opts, testclient.Header(tc.headers[i], tc.headers[i+1]))
			}
			r := c.Get("/file", opts...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d (%q)", r.Status, tc.status, r.Text())
			}
			if tc.status >= 400 {
				// Errors travel through the app's error flow.
				if r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(r.Text(), fmt.Sprintf(`"status":%d`, tc.status)) ||
					r.Header.Get("Etag") != "" || r.Header.Get("Content-Disposition") != "" {
					t.Errorf("error answer: %v %q", r.Header, r.Text())
				}
			} else if r.Text() != tc.body {
				t.Errorf("body %q, want %q", r.Text(), tc.body)
			}
			if got := r.Header.Get("Content-Range"); got != tc.contentRange {
				t.Errorf("Content-Range %q, want %q", got, tc.contentRange)
			}
			if tc.status == 304 && (r.Header.Get("Etag") != etag || len(r.Body) != 0) {
				t.Errorf("304 must repeat the ETag and carry no body: %v %q", r.Header, r.Body)
			}
		})
	}
}

func TestFileMultiRange(t *testing.T) {
	t.Parallel()
	c := testclient.New(fileApp(t, newJail(t)))
	r := c.Get("/file", testclient.Header("Range", "bytes=0-1,4-5,-2"))
	if r.Status != 206 {
		t.Fatalf("status %d", r.Status)
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	want := []struct{ body, cr string }{{"01", "bytes 0-1/20"}, {"45", "bytes 4-5/20"}, {"ij", "bytes 18-19/20"}}
	for i, w := range want {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		b, _ := io.ReadAll(p)
		if string(b) != w.body || p.Header.Get("Content-Range") != w.cr || p.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("part %d = %q %v, want %q %q", i, b, p.Header, w.body, w.cr)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after the parts: %v, want EOF", err)
	}
}

func TestFileHead(t *testing.T) {
	t.Parallel()
	c := testclient.New(fileApp(t, newJail(t)))
	r := c.Head("/file")
	if r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Length") != "20" || r.Header.Get("Etag") == "" {
		t.Fatalf("HEAD = %d %q %v", r.Status, r.Body, r.Header)
	}
	r = c.Head("/file", testclient.Header("Range", "bytes=-5"))
	if r.Status != 206 || len(r.Body) != 0 || r.Header.Get("Content-Length") != "5" {
		t.Fatalf("HEAD with a range = %d %q %v", r.Status, r.Body, r.Header)
	}
}

func TestFileFS(t *testing.T) {
	t.Parallel()
	c := testclient.New(fileApp(t, newJail(t)))
	r := c.Get("/fs/notes/readme.md")
	if r.Status != 200 || r.Text() != "# Readme\n" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/markdown") {
		t.Fatalf("FileFS = %d %q %v", r.Status, r.Text(), r.Header)
	}
	etag := r.Header.Get("Etag")
	if etag == "" || r.Header.Get("Last-Modified") != "" {
		t.Errorf("an fs without modification times: ETag %q (want a checksum tag), Last-Modified %q (want none)", etag, r.Header.Get("Last-Modified"))
	}
	if r := c.Get("/fs/notes/readme.md", testclient.Header("If-None-Match", etag)); r.Status != 304 {
		t.Errorf("If-None-Match with the checksum tag = %d, want 304", r.Status)
	}
	r = c.Get("/fs/blob")
	if r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("sniffed type = %q", r.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/fs/..%2fsecret", "/fs/%2e%2e/x", "/fs/notes%5creadme.md", "/fs/nope"} {
		if r := c.Get(p); r.Status != 404 {
			t.Errorf("GET %s = %d, want 404", p, r.Status)
		}
	}
}

// TestFileInTraversal sends every trick for leaving the root; none may
// return the secret beside it.
func TestFileInTraversal(t *testing.T) {
	t.Parallel()
	j := newJail(t)
	// The router redirects paths holding dot segments to their clean form;
	// with that off, FileIn itself must refuse them.
	apps := []*nexios.App{fileApp(t, j), fileAppConfig(t, j, nexios.Config{Logger: discardLogger, DisableCleanPathRedirect: true})}
	abs := filepath.ToSlash(filepath.Join(j.base, "secret.txt"))
	targets := []string{
		"/in/../secret.txt", "/in/..%2fsecret.txt", "/in/..%2Fsecret.txt", "/in/%2e%2e%2fsecret.txt",
		"/in/%2e%2e/secret.txt", "/in/..%5csecret.txt", "/in/..%5Csecret.txt", `/in/..\secret.txt`,
		"/in/..%252fsecret.txt", "/in/docs/..%2f..%2fsecret.txt", "/in//" + abs, "/in/" + url0(abs),
		"/in/escape", "/in/escapedir/secret.txt", "/in/abs", "/in/dangling", "/in/a%00b",
		"/query?name=../secret.txt", "/query?name=" + abs, "/query?name=C:%5Csecret.txt",
		"/query?name=..%252fsecret.txt", "/query?name=escape", "/query?name=",
	}
	for i, app := range apps {
		for _, target := range targets {
			// Sent as is: no client normalises these targets.
			req := httptest.NewRequest("GET", target, nil)
			w := httptest.NewRecorder()
			app.ServeHTTP(w, req)
			if strings.Contains(w.Body.String(), "SECRET") {
				t.Errorf("app %d: GET %s leaked the secret", i, target)
			}
			if w.Code == 200 || i == 1 && w.Code != 404 {
				t.Errorf("app %d: GET %s = %d %q", i, target, w.Code, w.Body.String())
			}
		}
	}
	// Links that stay inside the root are followed.
	c := testclient.New(apps[1])
	for _, p := range []string{"/in/inside", "/in/insidedir/a.txt", "/in/hello.txt"} {
		if r := c.Get(p); r.Status != 200 {
			t.Errorf("GET %s = %d, want 200", p, r.Status)
		}
	}
}

// url0 percent-encodes the slashes of p, as an attacker hiding an absolute
// path in one segment would.
func url0(p string) string { return strings.ReplaceAll(p, "/", "%2f") }

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	cases := []struct{ kind, name, want string }{
		{"inline", "a.txt", `inline; filename="a.txt"`},
		{"attachment", "", "attachment"},
		{"attachment", "../../etc/passwd", `attachment; filename="passwd"`},
		{"attachment", `say "hi".txt`, `attachment; filename="say _hi_.txt"`},
		{"attachment", "100%.txt", `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`},
		{"attachment", "日本.txt", `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`},
		{"attachment", "a\r\nSet-Cookie: x=y", `attachment; filename="a__Set-Cookie_ x=y"`},
	}
	for _, tc := range cases {
		got := nexios.ContentDisposition(tc.kind, tc.name)
		if got != tc.want {
			t.Errorf("ContentDisposition(%q, %q) = %q, want %q", tc.kind, tc.name, got, tc.want)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("header injection: %q", got)
		}
	}
}

// BenchmarkFile measures serving files through res.File in process.
func BenchmarkFile(b *testing.B) {
	dir := b.TempDir()
	for _, size := range []int{4 << 10, 1 << 20} {
		name := filepath.Join(dir, strconv.Itoa(size)+".bin")
		if err := os.WriteFile(name, bytes.Repeat([]byte("x"), size), 0o644); err != nil {
			b.Fatal(err)
		}
		app := nexios.New(nexios.Config{Logger: discardLogger})
		app.Get("/f", func(req *nexios.Request, res *nexios.Response) error {
			return res.File(name, nexios.FileOptions{})
		})
		for _, rng := range []string{"", "bytes=100-1099"} {
			label := strconv.Itoa(size>>10) + "KiB"
			if rng != "" {
				label += "/range"
			}
			b.Run(label, func(b *testing.B) {
				req := httptest.NewRequest("GET", "/f", nil)
				if rng != "" {
					req.Header.Set("Range", rng)
				}
				w := &discardWriter{h: http.Header{}}
				b.ReportAllocs()
				if rng == "" {
					b.SetBytes(int64(size))
				} else {
					b.SetBytes(1000)
				}
				for b.Loop() {
					clear(w.h)
					app.ServeHTTP(w, req)
				}
			})
		}
	}
}

// BenchmarkFileServer measures throughput over a real loopback connection,
// where net/http can use sendfile.
func BenchmarkFileServer(b *testing.B) {
	const size = 1 << 20
	name := filepath.Join(b.TempDir(), "big.bin")
	if err := os.WriteFile(name, bytes.Repeat([]byte("x"), size), 0o644); err != nil {
		b.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Get("/f", func(req *nexios.Request, res *nexios.Response) error {
		return res.File(name, nexios.FileOptions{})
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	client := srv.Client()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/f")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if n != size {
			b.Fatalf("read %d bytes", n)
		}
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

func ExampleContentDisposition() {
	fmt.Println(nexios.ContentDisposition("inline", "report.pdf"))
	fmt.Println(nexios.ContentDisposition("attachment", "résumé.pdf"))
	// Output:
	// inline; filename="report.pdf"
	// attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
}

func ExampleResponse_FileIn() {
	dir, _ := os.MkdirTemp("", "files")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)

	app := nexios.New(nexios.Config{})
	app.Get("/files/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileIn(dir, req.Path("name"), nexios.FileOptions{Attachment: true})
	})
	c := testclient.New(app)
	r := c.Get("/files/notes.txt", testclient.Header("Range", "bytes=1-3"))
	fmt.Println(r.Status, r.Header.Get("Content-Disposition"), r.Text())
	fmt.Println(c.Get("/files/..%2fsecret").Status)
	// Output:
	// 206 attachment; filename="notes.txt" ell
	// 404
}

func ExampleResponse_FileFS() {
	// An embed.FS in a real program; fstest.MapFS here.
	site := fstest.MapFS{
		"app.css":                  {Data: []byte("body{margin:0}")},
		".env":                     {Data: []byte("SECRET=1")},
		".well-known/security.txt": {Data: []byte("Contact: mailto:security@example.com")},
	}
	app := nexios.New(nexios.Config{})
	app.Get("/assets/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileFS(site, req.Path("name"), nexios.FileOptions{MaxRanges: 10})
	})
	app.Get("/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		// Only .well-known/ is public among the dotfiles.
		return res.FileFS(site, req.Path("name"), nexios.FileOptions{AllowDotfiles: strings.HasPrefix(req.Path("name"), ".well-known/")})
	})
	c := testclient.New(app)
	r := c.Get("/assets/app.css")
	fmt.Println(r.Status, r.Header.Get("Content-Type"), r.Header.Get("Etag") != "")
	etag := r.Header.Get("Etag")
	fmt.Println(c.Get("/assets/app.css", testclient.Header("If-None-Match", etag)).Status)
	r = c.Get("/assets/app.css", testclient.Header("Range", "bytes=0-3"))
	fmt.Println(r.Status, r.Header.Get("Content-Range"), r.Text())
	r = c.Get("/assets/app.css", testclient.Header("Range", "bytes=99-"))
	fmt.Println(r.Status, r.Header.Get("Content-Type"))
	fmt.Println(c.Get("/assets/.env").Status, c.Get("/.well-known/security.txt").Status)
	// Output:
	// 200 text/css; charset=utf-8 true
	// 304
	// 206 bytes 0-3/14 body
	// 416 application/problem+json
	// 404 200
}
