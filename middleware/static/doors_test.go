package static_test

import (
	"embed"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
	"github.com/nexios-go/nexios/testclient"
)

//go:embed all:testdata/doors
var doorsEmbed embed.FS

// door is one way of serving a tree: the URL prefix its files are under.
type door struct{ name, prefix string }

// doorsApp serves fsys through res.FileFS (/filefs), static middleware
// (/mw) and the static Handler (/handler); with dir set, also through
// res.FileIn (/filein) and static with Root (/root).
func doorsApp(t *testing.T, fsys fs.FS, dir string) (*nexios.App, []door) {
	t.Helper()
	// No clean-path redirect: every door sees "a//b" and "a/./b" as sent.
	app := nexios.New(nexios.Config{Logger: quietLogger(), DisableCleanPathRedirect: true})
	app.Get("/filefs/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.FileFS(fsys, req.Path("name"), nexios.FileOptions{})
	})
	app.Use(mustNew(t, static.Config{FS: fsys, Prefix: "/mw"}))
	app.MountHandler("/handler", static.Handler(static.Config{FS: fsys}))
	doors := []door{{"res.FileFS", "/filefs/"}, {"static middleware", "/mw/"}, {"static.Handler", "/handler/"}}
	if dir != "" {
		app.Get("/filein/{name:path}", func(req *nexios.Request, res *nexios.Response) error {
			return res.FileIn(dir, req.Path("name"), nexios.FileOptions{})
		})
		app.MountHandler("/root", static.Handler(static.Config{Root: dir}))
		doors = append(doors, door{"res.FileIn", "/filein/"}, door{"static Root", "/root/"})
	}
	return app, doors
}

// answer is what must be the same from every door.
type answer struct {
	status                                         int
	etag, lastModified, contentType, contentLength string
	contentRange, acceptRanges, xcto, body         string
}

func (a answer) String() string {
	return fmt.Sprintf("%d etag=%s lm=%q ct=%q cl=%s cr=%q ar=%q nosniff=%q body=%q", a.status, a.etag, a.lastModified,
		a.contentType, a.contentLength, a.contentRange, a.acceptRanges, a.xcto, a.body)
}

// answerOf reduces a response to what is compared. A multipart body's
// boundary is random: its parts are compared instead.
func answerOf(t *testing.T, r *testclient.Response) answer {
	t.Helper()
	a := answer{
		status: r.Status, etag: r.Header.Get("Etag"), lastModified: r.Header.Get("Last-Modified"),
		contentType: r.Header.Get("Content-Type"), contentLength: r.Header.Get("Content-Length"),
		contentRange: r.Header.Get("Content-Range"), acceptRanges: r.Header.Get("Accept-Ranges"),
		xcto: r.Header.Get("X-Content-Type-Options"), body: r.Text(),
	}
	if a.status >= 400 {
		// Error documents: the app's renderer and the bare Handler's may
		// differ in headers that are not about the file.
		a.xcto = ""
	}
	if mt, params, err := mime.ParseMediaType(a.contentType); err == nil && mt == "multipart/byteranges" {
		a.contentType, a.contentLength = mt, "" // the boundary and so the length vary
		var b strings.Builder
		mr := multipart.NewReader(strings.NewReader(r.Text()), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("multipart body: %v", err)
			}
			data, _ := io.ReadAll(p)
			fmt.Fprintf(&b, "[%s %s %q]", p.Header.Get("Content-Range"), p.Header.Get("Content-Type"), data)
		}
		a.body = b.String()
	}
	return a
}

// TestDoorsAgree serves the same embed.FS and os.DirFS files through
// res.FileFS, res.FileIn and both forms of static, and requires the same
// answer from each: ETag, Last-Modified, 200/206/304/412/416, Range
// handling, refusals and bodies.
func TestDoorsAgree(t *testing.T) {
	t.Parallel()
	embedded, err := fs.Sub(doorsEmbed, "testdata/doors")
	if err != nil {
		t.Fatal(err)
	}
	// The same files on disk, with a link out of the directory beside them.
	base := t.TempDir()
	dir := filepath.Join(base, "doors")
	if err := os.CopyFS(dir, embedded); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "secret.txt"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../secret.txt", filepath.Join(dir, "escape")); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
	systems := []struct {
		name string
		fsys fs.FS
		dir  string
	}{
		{"embed.FS", embedded, ""},
		{"os.DirFS", os.DirFS(dir), dir},
	}
	for _, sys := range systems {
		t.Run(sys.name, func(t *testing.T) {
			t.Parallel()
			app, doors := doorsApp(t, sys.fsys, sys.dir)
			c := testclient.New(app)
			for _, file := range []string{"hello.txt", "data.bin", "docs/page.html", "noext"} {
				// The validators, learnt from the first door, drive the
				// conditional requests sent to every door.
				first := c.Get(doors[0].prefix + file)
				etag, lastMod := first.Header.Get("Etag"), first.Header.Get("Last-Modified")
				if first.Status != 200 || etag == "" || (sys.dir != "") != (lastMod != "") {
					t.Fatalf("%s: %d, ETag %q, Last-Modified %q", file, first.Status, etag, lastMod)
				}
				requests := []struct {
					name   string
					method string
					hdr    []string
					status int
				}{
					{"plain", "GET", nil, 200},
					{"HEAD", "HEAD", nil, 200},
					{"if-none-match", "GET", []string{"If-None-Match", etag}, 304},
					{"if-none-match other", "GET", []string{"If-None-Match", `"nope"`}, 200},
					{"if-match other", "GET", []string{"If-Match", `"nope"`}, 412},
					{"if-match", "GET", []string{"If-Match", etag}, 200},
					{"if-unmodified-since old", "GET", []string{"If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}, 0},
					{"if-modified-since", "GET", []string{"If-Modified-Since", lastMod}, 0},
					{"range", "GET", []string{"Range", "bytes=2-6"}, 206},
					{"suffix range", "GET", []string{"Range", "bytes=-4"}, 206},
					{"multipart range", "GET", []string{"Range", "bytes=0-1,5-6,-2"}, 206},
					{"overlapping ranges", "GET", []string{"Range", "bytes=0-3,2-5"}, 206},
					{"range HEAD", "HEAD", []string{"Range", "bytes=2-6"}, 206},
					{"unsatisfiable", "GET", []string{"Range", "bytes=99999-"}, 416},
					{"malformed range", "GET", []string{"Range", "bytes=5-2"}, 416},
					{"if-range stale", "GET", []string{"Range", "bytes=2-6", "If-Range", `"stale"`}, 200},
					{"if-range current", "GET", []string{"Range", "bytes=2-6", "If-Range", etag}, 206},
					{"too many ranges", "GET", []string{"Range", manyRanges(201)}, 200},
				}
				for _, rq := range requests {
					var opts []testclient.RequestOption
					for i := 0; i < len(rq.hdr); i += 2 {
						if rq.hdr[i+1] != "" {
							opts = append(opts, testclient.Header(rq.hdr[i], rq.hdr[i+1]))
						}
					}
					var want answer
					for i, d := range doors {
						got := answerOf(t, c.Do(rq.method, d.prefix+file, opts...))
						if i == 0 {
							want = got
							if rq.status != 0 && got.status != rq.status {
								t.Errorf("%s %s via %s: %s, want status %d", rq.name, file, d.name, got, rq.status)
							}
							continue
						}
						if got != want {
							t.Errorf("%s %s:\n  %s: %s\n  %s: %s", rq.name, file, doors[0].name, want, d.name, got)
						}
					}
				}
			}
			// Refused from every door, and the same way: not found. (An
			// encoded slash inside a segment, "docs%2fpage.html", is refused
			// by static, which sees the URL; res.File* see a name the router
			// already decoded, a plain "docs/page.html". The test client
			// removes "./" segments itself, as RFC 3986 says.)
			for _, name := range []string{".env", "..%2fsecret.txt", "%2e%2e/secret.txt", "..%252fsecret.txt", "docs//page.html",
				"escape", "missing.txt", "docs"} {
				for _, d := range doors {
					r := c.Get(d.prefix + name)
					if r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" ||
						strings.Contains(r.Text(), secret) || strings.Contains(r.Text(), "SECRET_KEY") {
						t.Errorf("%s via %s: %d %q", name, d.name, r.Status, r.Text())
					}
				}
			}
		})
	}
}

// manyRanges is a Range header of n one-byte ranges, every other byte.
func manyRanges(n int) string {
	specs := make([]string, n)
	for i := range specs {
		specs[i] = fmt.Sprintf("%d-%d", i%6*2, i%6*2)
	}
	return "bytes=" + strings.Join(specs, ",")
}
