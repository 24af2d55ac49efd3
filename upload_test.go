package nexios_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

// fileInfo is what the test handlers report for each uploaded file.
type fileInfo struct {
	Field, Filename, ContentType, SniffedType string
	Content                                   []byte
	Size                                      int64
}

func describeFiles(files []*nexios.UploadedFile) ([]fileInfo, error) {
	var out []fileInfo
	for _, f := range files {
		b, err := f.ReadAll()
		if err != nil {
			return nil, err
		}
		out = append(out, fileInfo{f.Field, f.Filename, f.ContentType, f.SniffedType, b, f.Size})
	}
	return out, nil
}

func uploadApp(limits nexios.UploadLimits, opts ...nexios.RouteOption) *nexios.App {
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/upload", func(req *nexios.Request, res *nexios.Response) error {
		files, err := req.Files()
		if err != nil {
			return err
		}
		infos, err := describeFiles(files)
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{"files": infos, "note": req.FormValue("note")})
	}, append(opts, nexios.WithUploadLimits(limits))...)
	return app
}

func TestUploadFiles(t *testing.T) {
	t.Parallel()
	c := testclient.New(uploadApp(nexios.UploadLimits{}))
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	r := c.Post("/upload", testclient.Multipart(map[string]string{"note": "two files"},
		testclient.File{Field: "docs", Filename: "hello.txt", ContentType: "text/plain", Content: []byte("hello")},
		testclient.File{Field: "docs", Filename: "photo.png", ContentType: "text/plain", Content: png},
		testclient.File{Field: "avatar", Filename: "empty.bin", Content: nil},
	))
	var got struct {
		Files []fileInfo
		Note  string
	}
	if err := r.JSON(&got); err != nil || r.Status != 200 {
		t.Fatalf("upload = %d %q %v", r.Status, r.Text(), err)
	}
	want := []fileInfo{
		{"docs", "hello.txt", "text/plain", "text/plain; charset=utf-8", []byte("hello"), 5},
		{"docs", "photo.png", "text/plain", "image/png", png, int64(len(png))},
		{"avatar", "empty.bin", "application/octet-stream", "text/plain; charset=utf-8", []byte{}, 0},
	}
	if got.Note != "two files" || fmt.Sprint(got.Files) != fmt.Sprint(want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestUploadFilenames(t *testing.T) {
	t.Parallel()
	c := testclient.New(uploadApp(nexios.UploadLimits{}))
	long := strings.Repeat("n", 300) + ".txt"
	cases := []struct{ sent, want string }{
		{"../../x", "x"},
		{`C:\x`, "x"},
		{`C:\Users\eve\..\..\boot.ini`, "boot.ini"},
		{"a/b", "b"},
		{"/etc/passwd", "passwd"},
		{"..", "upload"},
		{".hidden", "hidden"},
		{"résumé.pdf", "résumé.pdf"},
	}
	var files []testclient.File
	for _, tc := range cases {
		files = append(files, testclient.File{Field: "f", Filename: tc.sent, Content: []byte("x")})
	}
	files = append(files,
		testclient.File{Field: "f", Filename: "", Content: []byte("nameless")},
		testclient.File{Field: "f", Filename: long, Content: []byte("x")},
	)
	r := c.Post("/upload", testclient.Multipart(nil, files...))
	var got struct{ Files []fileInfo }
	if err := r.JSON(&got); err != nil || len(got.Files) != len(cases)+2 {
		t.Fatalf("upload = %d %q %v", r.Status, r.Text(), err)
	}
	for i, tc := range cases {
		if got.Files[i].Filename != tc.want {
			t.Errorf("filename %q → %q, want %q", tc.sent, got.Files[i].Filename, tc.want)
		}
	}
	if n := got.Files[len(cases)].Filename; n != "upload" {
		t.Errorf("empty filename → %q, want upload", n)
	}
	if n := got.Files[len(cases)+1].Filename; len(n) > 255 || !strings.HasSuffix(n, ".txt") {
		t.Errorf("300-byte filename → %q (%d bytes)", n, len(n))
	}
}

// TestUploadSkipsEmptyInput checks that the part a browser sends for a
// file input left empty (filename="" and no content) is not a file.
func TestUploadSkipsEmptyInput(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/avatar", func(req *nexios.Request, res *nexios.Response) error {
		f, err := req.File("avatar")
		if err != nil {
			return err
		}
		return res.Text(f.Filename)
	})
	r := testclient.New(app).Post("/avatar", testclient.Multipart(map[string]string{"name": "x"},
		testclient.File{Field: "avatar", Filename: ""}))
	if r.Status != 400 || !strings.Contains(r.Text(), `no file uploaded in field \"avatar\"`) {
		t.Fatalf("empty file input = %d %q", r.Status, r.Text())
	}
}

// streamedUpload returns a multipart body of one field and one file of size
// bytes, generated while it is read, so the client holds none of it.
// Closing the body stops the generator.
func streamedUpload(size int64) (contentType string, body io.ReadCloser) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("note", "big")
		w, err := mw.CreateFormFile("file", "big.bin")
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
		for left := size; left > 0; {
			n := min(left, int64(len(chunk)))
			if _, err := w.Write(chunk[:n]); err != nil {
				pw.CloseWithError(err)
				return
			}
			left -= n
		}
		pw.CloseWithError(mw.Close())
	}()
	return mw.FormDataContentType(), pr
}

// countingReader counts the bytes the server consumed.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestUploadLargeFileBoundedMemory uploads 50 MiB and checks that it went
// to a temporary file, that the heap grew by far less than that, and that
// the temporary file is gone after the request. Not parallel: it measures
// the heap.
func TestUploadLargeFileBoundedMemory(t *testing.T) {
	const size = 50 << 20
	tmp := t.TempDir()
	var heapGrowth uint64
	var inTemp []string
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/big", func(req *nexios.Request, res *nexios.Response) error {
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f, err := req.File("file")
		if err != nil {
			return err
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if after.HeapInuse > before.HeapInuse {
			heapGrowth = after.HeapInuse - before.HeapInuse
		}
		entries, _ := os.ReadDir(tmp)
		for _, e := range entries {
			fi, _ := e.Info()
			inTemp = append(inTemp, fmt.Sprintf("%s:%d", e.Name(), fi.Size()))
		}
		saved, err := f.SaveTo(t.TempDir())
		if err != nil {
			return err
		}
		fi, err := os.Stat(saved)
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{"size": f.Size, "saved": fi.Size(), "note": req.FormValue("note")})
	}, nexios.BodyLimit(64<<20), nexios.WithUploadLimits(nexios.UploadLimits{TempDir: tmp}))

	ct, b := streamedUpload(size)
	defer b.Close()
	r := testclient.New(app).Post("/big", testclient.Reader(ct, b))
	if r.Status != 200 || strings.TrimSpace(r.Text()) != fmt.Sprintf(`{"note":"big","saved":%d,"size":%d}`, size, size) {
		t.Fatalf("upload = %d %q", r.Status, r.Text())
	}
	if len(inTemp) != 1 || !strings.HasSuffix(inTemp[0], fmt.Sprintf(":%d", size)) {
		t.Errorf("temporary files during the request: %v, want one of %d bytes", inTemp, size)
	}
	t.Logf("heap grew by %d KiB while parsing a %d MiB upload", heapGrowth>>10, size>>20)
	if heapGrowth > 16<<20 { // observed about 5 MiB: the 1 MiB in-memory budget and buffers
		t.Errorf("heap grew by %d MiB parsing a 50 MiB upload", heapGrowth>>20)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("temporary files left after the request: %v", entries)
	}
}

func TestUploadLimits(t *testing.T) {
	t.Parallel()
	small := []byte(strings.Repeat("x", 100))
	cases := []struct {
		name   string
		limits nexios.UploadLimits
		body   int64 // the route's body limit, 0 for the app's
		files  int
		fields int
		size   int
		status int
		detail string
	}{
		{"total", nexios.UploadLimits{}, 1000, 1, 0, 5000, 413, "exceeds the limit of 1000 bytes"},
		{"per file", nexios.UploadLimits{MaxFileBytes: 1000}, 0, 1, 0, 5000, 413, `file \"f0.bin\" exceeds the limit of 1000 bytes per file`},
		{"file count", nexios.UploadLimits{MaxFiles: 2}, 0, 3, 0, 10, 413, "too many files in the multipart body: the limit is 2"},
		{"part count", nexios.UploadLimits{MaxParts: 3}, 0, 2, 2, 10, 413, "too many parts in the multipart body: the limit is 3"},
		{"fields", nexios.UploadLimits{MaxFieldBytes: 150}, 0, 0, 2, 0, 413, "form fields exceed the limit of 150 bytes"},
		{"within", nexios.UploadLimits{MaxFiles: 2, MaxParts: 4, MaxFileBytes: 10}, 0, 2, 2, 10, 200, ""},
		{"negative is no limit", nexios.UploadLimits{MaxFiles: -1, MaxParts: -1, MaxFieldBytes: -1, MaxFileBytes: -1}, 0, 150, 20, 10, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fields := map[string]string{}
			for i := range tc.fields {
				fields[fmt.Sprint("k", i)] = string(small)
			}
			var files []testclient.File
			for i := range tc.files {
				files = append(files, testclient.File{Field: "f", Filename: fmt.Sprintf("f%d.bin", i), Content: bytes.Repeat([]byte("y"), tc.size)})
			}
			var opts []nexios.RouteOption
			if tc.body != 0 {
				opts = append(opts, nexios.BodyLimit(tc.body))
			}
			r := testclient.New(uploadApp(tc.limits, opts...)).Post("/upload", testclient.Multipart(fields, files...))
			if r.Status != tc.status || !strings.Contains(r.Text(), tc.detail) {
				t.Fatalf("status %d %q, want %d with %q", r.Status, r.Text(), tc.status, tc.detail)
			}
			if tc.status == 413 && r.Header.Get("Connection") != "close" {
				t.Errorf("413 without Connection: close")
			}
		})
	}
}

// TestUploadRejectedEarly checks that oversized uploads are refused
// without reading the whole body: at once when Content-Length says so,
// and soon after the limit when the length is unknown.
func TestUploadRejectedEarly(t *testing.T) {
	t.Parallel()
	const size = 32 << 20
	cases := []struct {
		name    string
		limits  nexios.UploadLimits
		body    int64
		chunked bool
		maxRead int64
		detail  string
	}{
		{"content-length over the total", nexios.UploadLimits{}, 1 << 20, false, 0, "request body of"},
		{"chunked over the total", nexios.UploadLimits{}, 1 << 20, true, 2 << 20, "request body exceeds the limit of 1048576 bytes"},
		{"chunked over the per-file limit", nexios.UploadLimits{MaxFileBytes: 1 << 20}, 64 << 20, true, 2 << 20, "per file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ct, b := streamedUpload(size)
			defer b.Close()
			cr := &countingReader{r: b}
			req := httptest.NewRequest("POST", "/upload", cr)
			req.Header.Set("Content-Type", ct)
			req.ContentLength = size + 1000 // about right; only its size matters
			if tc.chunked {
				req.ContentLength = -1
			}
			w := httptest.NewRecorder()
			uploadApp(tc.limits, nexios.BodyLimit(tc.body)).ServeHTTP(w, req)
			if w.Code != 413 || !strings.Contains(w.Body.String(), tc.detail) {
				t.Fatalf("status %d %q, want 413 with %q", w.Code, w.Body, tc.detail)
			}
			if n := cr.n.Load(); n > tc.maxRead {
				t.Errorf("the server read %d bytes of %d before refusing, want at most %d", n, size, tc.maxRead)
			}
		})
	}
}

func TestUploadMalformed(t *testing.T) {
	t.Parallel()
	c := testclient.New(uploadApp(nexios.UploadLimits{}))
	cases := []struct {
		name, ct, body string
		status         int
	}{
		{"no boundary", "multipart/form-data", "--x\r\n", 400},
		{"truncated", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue", 400},
		{"bad disposition", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--x--\r\n", 400},
		{"json", "application/json", "{}", 415},
		{"urlencoded has no files", "application/x-www-form-urlencoded", "note=hi", 200},
		{"not form-data parts are skipped", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: attachment; filename=\"a\"\r\n\r\nv\r\n--x--\r\n", 200},
	}
	for _, tc := range cases {
		r := c.Post("/upload", testclient.Body(tc.ct, []byte(tc.body)))
		if r.Status != tc.status {
			t.Errorf("%s: status %d %q, want %d", tc.name, r.Status, r.Text(), tc.status)
		}
	}
}

// TestUploadFormFirst checks that Files works after Form parsed the body
// with net/http, and Form after Files.
func TestUploadFormFirst(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/form-first", func(req *nexios.Request, res *nexios.Response) error {
		form, err := req.Form()
		if err != nil {
			return err
		}
		files, err := req.Files()
		if err != nil {
			return err
		}
		infos, err := describeFiles(files)
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{"note": form.Get("note"), "files": infos})
	})
	app.Post("/files-first", func(req *nexios.Request, res *nexios.Response) error {
		files, err := req.Files()
		if err != nil {
			return err
		}
		form, err := req.Form()
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{"note": form.Get("note"), "raw": req.Raw().FormValue("note"), "n": len(files)})
	})
	c := testclient.New(app)
	opt := testclient.Multipart(map[string]string{"note": "hi"}, testclient.File{Field: "f", Filename: "../a.txt", Content: []byte("A")})
	r := c.Post("/form-first", opt)
	if !strings.Contains(r.Text(), `"Filename":"a.txt"`) || !strings.Contains(r.Text(), `"note":"hi"`) || !strings.Contains(r.Text(), `"Content":"QQ=="`) {
		t.Errorf("form first = %d %q", r.Status, r.Text())
	}
	r = c.Post("/files-first", opt)
	if strings.TrimSpace(r.Text()) != `{"n":1,"note":"hi","raw":"hi"}` {
		t.Errorf("files first = %d %q", r.Status, r.Text())
	}
}

// TestUploadTempFilesRemoved checks that temporary files go away however
// the handler ends: normally, with an error, or with a panic.
func TestUploadTempFilesRemoved(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	limits := nexios.UploadLimits{MaxMemoryBytes: -1, TempDir: tmp}
	app := nexios.New(nexios.Config{Logger: discardLogger})
	seen := make(chan int, 3)
	handler := func(end string) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if _, err := req.Files(); err != nil {
				return err
			}
			entries, _ := os.ReadDir(tmp)
			seen <- len(entries)
			switch end {
			case "error":
				return errors.New("boom")
			case "panic":
				panic("boom")
			}
			return res.NoContent()
		}
	}
	for _, end := range []string{"ok", "error", "panic"} {
		app.Post("/"+end, handler(end), nexios.WithUploadLimits(limits))
	}
	c := testclient.New(app, testclient.WithErrorLog(nil))
	for _, end := range []string{"ok", "error", "panic"} {
		c.Post("/"+end, testclient.Multipart(nil, testclient.File{Field: "f", Filename: "a", Content: []byte("tiny")}))
		if n := <-seen; n != 1 {
			t.Errorf("%s: %d temporary files during the request, want 1 (MaxMemoryBytes < 0)", end, n)
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Errorf("%s: temporary files left: %v", end, entries)
		}
	}
}
