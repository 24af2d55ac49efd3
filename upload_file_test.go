package nexios_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

// uniqueName is what UniqueName makes of a taken "a.txt".
var uniqueName = regexp.MustCompile(`^a-[a-z2-7]{8}\.txt$`)

func TestUploadSaveTo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "victim.txt")
	if err := os.WriteFile(outside, []byte("untouched"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.txt")); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/save", func(req *nexios.Request, res *nexios.Response) error {
		files, err := req.Files()
		if err != nil {
			return err
		}
		var saved []string
		for _, f := range files {
			var opts []nexios.SaveOption
			switch req.Query("mode") {
			case "unique":
				opts = append(opts, nexios.UniqueName())
			case "as":
				opts = append(opts, nexios.SaveAs("../renamed.txt"), nexios.SavePerm(0o600))
			}
			p, err := f.SaveTo(dir, opts...)
			if err != nil {
				return err
			}
			saved = append(saved, filepath.Base(p))
		}
		return res.JSON(saved)
	})
	c := testclient.New(app)
	post := func(mode string, names ...string) string {
		var files []testclient.File
		for i, n := range names {
			files = append(files, testclient.File{Field: "f", Filename: n, Content: []byte(fmt.Sprint(mode, i))})
		}
		return strings.TrimSpace(c.Post("/save", testclient.Query("mode", mode), testclient.Multipart(nil, files...)).Text())
	}
	var unique []string
	if err := json.Unmarshal([]byte(post("unique", "a.txt", "a.txt", "a.txt")), &unique); err != nil || len(unique) != 3 ||
		unique[0] != "a.txt" || !uniqueName.MatchString(unique[1]) || !uniqueName.MatchString(unique[2]) || unique[1] == unique[2] {
		t.Errorf("unique names: %q %v", unique, err)
	}
	if got := post("replace", "a.txt"); got != `["a.txt"]` {
		t.Errorf("replace: %s", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "replace0" {
		t.Errorf("a.txt = %q after replacing", b)
	}
	if got := post("unique", "link.txt"); !regexp.MustCompile(`^\["link-[a-z2-7]{8}\.txt"\]$`).MatchString(got) {
		t.Errorf("unique next to a link: %s", got)
	}
	if got := post("replace", "link.txt"); got != `["link.txt"]` {
		t.Errorf("replace a link: %s", got)
	}
	if b, _ := os.ReadFile(outside); string(b) != "untouched" {
		t.Errorf("saving over a symbolic link wrote through it: %q", b)
	}
	if got := post("as", "x.bin"); got != `["renamed.txt"]` {
		t.Errorf("SaveAs: %s", got)
	}
	if fi, err := os.Stat(filepath.Join(dir, "renamed.txt")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("SavePerm: %v %v", fi, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".nexios-") {
			t.Errorf("temporary file left in the directory: %s", e.Name())
		}
	}
}

func TestMultipartReader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/stream", func(req *nexios.Request, res *nexios.Response) error {
		mr, err := req.MultipartReader(nexios.UploadLimits{MaxFileBytes: 8 << 20})
		if err != nil {
			return err
		}
		var log []string
		for {
			part, err := mr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if !part.IsFile() {
				b, err := io.ReadAll(part)
				if err != nil {
					return err
				}
				log = append(log, part.FormName+"="+string(b))
				continue
			}
			p, err := part.SaveTo(dir, nexios.UniqueName())
			if err != nil {
				return err
			}
			fi, _ := os.Stat(p)
			log = append(log, fmt.Sprintf("%s:%s:%d", part.FormName, filepath.Base(p), fi.Size()))
		}
		if _, err := req.Files(); err == nil {
			return errors.New("Files after MultipartReader succeeded")
		}
		return res.JSON(log)
	})
	c := testclient.New(app)
	ct, b := streamedUpload(5 << 20)
	defer b.Close()
	r := c.Post("/stream", testclient.Reader(ct, b))
	if strings.TrimSpace(r.Text()) != `["note=big","file:big.bin:5242880"]` {
		t.Fatalf("streamed = %d %q", r.Status, r.Text())
	}
	// Over the per-file limit while saving: 413, and no partial file.
	ct, b = streamedUpload(9 << 20)
	defer b.Close()
	r = c.Post("/stream", testclient.Reader(ct, b))
	if r.Status != 413 || !strings.Contains(r.Text(), "per file") {
		t.Fatalf("over the limit = %d %q", r.Status, r.Text())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files after a refused save: %v, want only big.bin", entries)
	}
	if r := c.Post("/stream", testclient.JSON(map[string]int{})); r.Status != 415 {
		t.Errorf("JSON body = %d, want 415", r.Status)
	}
}

// FuzzMultipart feeds arbitrary bodies to Files: the answer must be 200,
// 400, 413 or 415, never a panic or a 500, and no temporary file may
// survive the request.
func FuzzMultipart(f *testing.F) {
	seed := func(parts ...string) string {
		return "--B\r\n" + strings.Join(parts, "\r\n--B\r\n") + "\r\n--B--\r\n"
	}
	f.Add("B", seed("Content-Disposition: form-data; name=\"a\"\r\n\r\nvalue"))
	f.Add("B", seed("Content-Disposition: form-data; name=\"f\"; filename=\"../x.txt\"\r\nContent-Type: text/plain\r\n\r\nhello"))
	f.Add("B", seed("Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%C3%A9.txt\r\n\r\n"+strings.Repeat("z", 3000)))
	f.Add("B", seed("Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n"))
	f.Add("B", seed("Content-Type: text/plain\r\n\r\nno disposition"))
	f.Add("B", "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated")
	f.Add("", "")
	f.Add("B", seed("Content-Disposition: form-data; name=\"f\"; filename=\"a\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=41=4"))
	tmp := f.TempDir()
	app := nexios.New(nexios.Config{Logger: discardLogger, MaxBodyBytes: 64 << 10})
	app.Post("/", func(req *nexios.Request, res *nexios.Response) error {
		files, err := req.Files()
		if err != nil {
			return err
		}
		for _, fl := range files {
			if strings.ContainsAny(fl.Filename, `/\`) || fl.Filename == "" {
				return fmt.Errorf("unsafe filename %q", fl.Filename)
			}
			b, err := fl.ReadAll()
			if err != nil || int64(len(b)) != fl.Size {
				return fmt.Errorf("file %q: %d bytes for size %d (%v)", fl.Filename, len(b), fl.Size, err)
			}
		}
		return res.NoContent()
	}, nexios.WithUploadLimits(nexios.UploadLimits{MaxFiles: 4, MaxParts: 8, MaxFieldBytes: 1024, MaxMemoryBytes: 1024, TempDir: tmp}))
	f.Fuzz(func(t *testing.T, boundary, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=\""+strings.ReplaceAll(boundary, `"`, "")+"\"")
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		switch w.Code {
		case 204, 400, 413, 415:
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Fatalf("temporary files left: %v", entries)
		}
	})
}

// BenchmarkUpload measures parsing a multipart body of one field and one
// 64 KiB file.
func BenchmarkUpload(b *testing.B) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("note", "hello")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="a.bin"`)
	h.Set("Content-Type", "application/octet-stream")
	w, _ := mw.CreatePart(h)
	_, _ = w.Write(bytes.Repeat([]byte("x"), 64<<10))
	_ = mw.Close()
	data, ct := buf.Bytes(), mw.FormDataContentType()
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/u", func(req *nexios.Request, res *nexios.Response) error {
		f, err := req.File("file")
		if err != nil {
			return err
		}
		return res.Text(f.Filename)
	})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/u", bytes.NewReader(data))
		req.Header.Set("Content-Type", ct)
		w := &discardWriter{h: http.Header{}}
		app.ServeHTTP(w, req)
		if w.status != 0 && w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

func ExampleRequest_Files() {
	dir, _ := os.MkdirTemp("", "uploads")
	defer os.RemoveAll(dir)

	app := nexios.New(nexios.Config{})
	app.Post("/upload", func(req *nexios.Request, res *nexios.Response) error {
		files, err := req.Files()
		if err != nil {
			return err // 400, 413 or 415 with a clear message
		}
		var saved []string
		for _, f := range files {
			p, err := f.SaveTo(dir, nexios.UniqueName())
			if err != nil {
				return err
			}
			// The second "passwd" gets a random suffix: passwd-k7f3q2xw.
			base := filepath.Base(p)
			if base != f.Filename {
				base = base[:len(f.Filename)+1] + "…"
			}
			saved = append(saved, fmt.Sprintf("%s (%s, %d bytes) as %s", f.Filename, f.SniffedType, f.Size, base))
		}
		return res.JSON(map[string]any{"note": req.FormValue("note"), "saved": saved})
	})
	r := testclient.New(app).Post("/upload", testclient.Multipart(map[string]string{"note": "hi"},
		testclient.File{Field: "file", Filename: "../../etc/passwd", Content: []byte("root:x:0:0")},
		testclient.File{Field: "file", Filename: "passwd", Content: []byte("second")},
	))
	fmt.Print(r.Text())
	// Output:
	// {"note":"hi","saved":["passwd (text/plain; charset=utf-8, 10 bytes) as passwd","passwd (text/plain; charset=utf-8, 6 bytes) as passwd-…"]}
}

// TestPartReadAfterLimit reads on after a part hit its limit: the same 413
// comes back, without a panic.
func TestPartReadAfterLimit(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/", func(req *nexios.Request, res *nexios.Response) error {
		mr, err := req.MultipartReader(nexios.UploadLimits{MaxFileBytes: 10})
		if err != nil {
			return err
		}
		part, err := mr.Next()
		if err != nil {
			return err
		}
		_, first := io.ReadAll(part)
		buf := make([]byte, 64)
		_, again := part.Read(buf)
		if first == nil || again == nil || first.Error() != again.Error() {
			return fmt.Errorf("first %v, again %v", first, again)
		}
		return again
	})
	r := testclient.New(app).Post("/", testclient.Multipart(nil, testclient.File{Field: "f", Filename: "a", Content: make([]byte, 100)}))
	if r.Status != 413 {
		t.Fatalf("status %d %q", r.Status, r.Text())
	}
}

// TestUniqueNameManySameName saves the same name many times. With names
// numbered "-1", "-2", … each save probed every earlier one and the
// 10,001st failed; with a random suffix a save takes a bounded number of
// steps whatever is in the directory.
func TestUniqueNameManySameName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// What the numbering scheme would have filled: a.txt, a-1.txt …
	// a-10000.txt; hard links, because creating 10,000 files is slow on
	// some file systems and a link is one system call.
	first := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(first, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10_000; i++ {
		if err := os.Link(first, filepath.Join(dir, fmt.Sprintf("a-%d.txt", i))); err != nil {
			t.Skipf("hard links unavailable: %v", err)
		}
	}
	app := nexios.New(nexios.Config{Logger: discardLogger})
	app.Post("/save", func(req *nexios.Request, res *nexios.Response) error {
		f, err := req.File("f")
		if err != nil {
			return err
		}
		p, err := f.SaveTo(dir, nexios.UniqueName())
		if err != nil {
			return err
		}
		return res.Text(filepath.Base(p))
	})
	c := testclient.New(app)
	const saves, workers = 64, 4
	var (
		mu    sync.Mutex
		names = map[string]bool{}
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for range workers {
		wg.Go(func() {
			for i := range next {
				content := []byte(fmt.Sprint("upload ", i))
				r := c.Post("/save", testclient.Multipart(nil, testclient.File{Field: "f", Filename: "a.txt", Content: content}))
				name := r.Text()
				if r.Status != 200 || !uniqueName.MatchString(name) {
					t.Errorf("save %d = %d %q", i, r.Status, name)
					continue
				}
				if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(b, content) {
					t.Errorf("save %d: %s holds %q, %v", i, name, b, err)
				}
				mu.Lock()
				if names[name] {
					t.Errorf("save %d reused %s", i, name)
				}
				names[name] = true
				mu.Unlock()
			}
		})
	}
	for i := range saves {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(names) != saves {
		t.Fatalf("%d distinct names for %d saves", len(names), saves)
	}
}
