package static_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
	"github.com/nexios-go/nexios/testclient"
)

func mustNew(t testing.TB, cfg static.Config) nexios.Middleware {
	t.Helper()
	mw, err := static.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

func fallback(_ *nexios.Request, res *nexios.Response) error { return res.Text("fallback") }

func TestMiddlewareLevels(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	app := nexios.New(nexios.Config{Logger: quietLogger()})
	// App level: files under /assets, everything else to the routes.
	app.Use(mustNew(t, static.Config{Root: tr.root, Prefix: "/assets"}))
	app.Get("/api/ping", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("pong") })
	app.Post("/assets/upload", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("uploaded") })

	// Router level: the router's catch-all route is the fallback.
	files := nexios.NewRouter("/files")
	files.Use(mustNew(t, static.Config{Root: tr.root, Prefix: "/files"}))
	files.Get("/{rest:path}", fallback)
	app.Mount(files)

	// Route level.
	app.Get("/dl/{rest:path}", fallback, nexios.WithMiddleware(mustNew(t, static.Config{Root: tr.root, Prefix: "/dl"})))

	c := testclient.New(app, testclient.WithoutRedirects())
	tests := []struct {
		method, path string
		want         int
		body         string
	}{
		{"GET", "/assets/hello.txt", 200, helloText},
		{"HEAD", "/assets/hello.txt", 200, ""},
		{"GET", "/assets/", 200, "<h1>home</h1>\n"},
		{"GET", "/assets", 301, ""},
		{"GET", "/assetsx/hello.txt", 404, ""}, // segment boundary
		{"GET", "/assets/missing.txt", 404, ""},
		{"GET", "/assets/.env", 404, ""},
		{"GET", "/assets/escape", 404, ""},
		{"GET", "/assets/docs/", 404, ""},
		{"GET", "/api/ping", 200, "pong"},
		{"POST", "/assets/hello.txt", 405, ""},
		{"POST", "/assets/missing.txt", 404, ""},
		{"POST", "/assets/upload", 200, "uploaded"}, // a route wins over 405
		{"GET", "/files/hello.txt", 200, helloText},
		{"GET", "/files/site/", 200, "<h1>site</h1>\n"},
		{"GET", "/files/missing.txt", 200, "fallback"},
		{"GET", "/files/escape", 200, "fallback"},
		{"GET", "/dl/range.txt", 200, rangeText},
		{"GET", "/dl/nope", 200, "fallback"},
		{"GET", "/dl/.env", 200, "fallback"},
	}
	for _, tt := range tests {
		r := c.Do(tt.method, tt.path)
		if r.Status != tt.want || tt.body != "" && r.Text() != tt.body {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, r.Status, r.Text(), tt.want, tt.body)
		}
		assertNoSecret(t, tt.path, r.Text())
		if tt.want == 404 {
			// The framework's error path: a problem document.
			var p struct{ Status int }
			if r.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(r.Body, &p) != nil || p.Status != 404 {
				t.Errorf("%s %s: 404 body %q", tt.method, tt.path, r.Body)
			}
		}
		if tt.want == 405 && r.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", tt.method, tt.path, r.Header.Get("Allow"))
		}
	}
	if r := c.Get("/assets"); r.Header.Get("Location") != "./assets/" {
		t.Errorf("bare prefix redirect to %q", r.Header.Get("Location"))
	}
}

func TestMiddlewareSkipAndRootPrefix(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	app := nexios.New(nexios.Config{Logger: quietLogger()})
	app.Use(mustNew(t, static.Config{Root: tr.root, Skip: func(req *nexios.Request) bool {
		return strings.HasPrefix(req.URL().Path, "/site/")
	}}))
	app.Get("/site/", fallback)
	c := testclient.New(app)
	if r := c.Get("/hello.txt"); r.Text() != helloText {
		t.Errorf("Prefix \"/\": %d %q", r.Status, r.Text())
	}
	if r := c.Get("/"); r.Text() != "<h1>home</h1>\n" {
		t.Errorf("root index: %d %q", r.Status, r.Text())
	}
	if r := c.Get("/site/"); r.Text() != "fallback" {
		t.Errorf("Skip: %d %q", r.Status, r.Text())
	}
}

// TestFS serves an fs.FS as embed.FS behaves: no modification times, so
// the ETag is a checksum of the content.
func TestFS(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"index.html":       {Data: []byte("<p>embedded</p>")},
		"js/app.js":        {Data: []byte(appJS)},
		"js/app.js.gz":     {Data: gzipped(t, appJS)},
		"js/other.js":      {Data: []byte(strings.ToUpper(appJS))}, // same size, other content
		".secret":          {Data: []byte(secret)},
		"dated.txt":        {Data: []byte("x"), ModTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		"link-out":         {Data: []byte("../outside"), Mode: fs.ModeSymlink},
		"sub/index.html":   {Data: []byte("<p>sub</p>")},
		"sub/deep/file.md": {Data: []byte("# deep")},
	}
	for _, cfg := range []struct {
		name string
		fsys fs.FS
	}{{"MapFS", fsys}, {"no Seek", noSeekFS{fsys}}} {
		t.Run(cfg.name, func(t *testing.T) {
			t.Parallel()
			app := mountApp(t, static.Config{FS: cfg.fsys}, nexios.Config{})
			c := testclient.New(app, testclient.WithoutRedirects())
			r := c.Get("/static/js/app.js")
			tag := r.Header.Get("ETag")
			if r.Status != 200 || r.Text() != appJS || tag == "" || r.Header.Get("Last-Modified") != "" {
				t.Fatalf("app.js: %d %q ETag %q Last-Modified %q", r.Status, r.Text(), tag, r.Header.Get("Last-Modified"))
			}
			if other := c.Get("/static/js/other.js").Header.Get("ETag"); other == tag {
				t.Fatalf("same ETag %q for different content of the same size", tag)
			}
			if again := c.Get("/static/js/app.js").Header.Get("ETag"); again != tag {
				t.Fatalf("ETag changed: %q, %q", tag, again)
			}
			if r := c.Get("/static/js/app.js", testclient.Header("If-None-Match", tag)); r.Status != 304 {
				t.Fatalf("conditional: %d", r.Status)
			}
			if r := c.Get("/static/js/app.js", testclient.Header("Range", "bytes=-4")); r.Status != 206 || r.Text() != "');\n" {
				t.Fatalf("range: %d %q", r.Status, r.Text())
			}
			if r := c.Get("/static/js/app.js", testclient.Header("Accept-Encoding", "gzip")); r.Header.Get("Content-Encoding") != "gzip" || gunzip(t, r.Body) != appJS {
				t.Fatalf("precompressed: %q", r.Header.Get("Content-Encoding"))
			}
			if r := c.Get("/static/dated.txt"); r.Header.Get("Last-Modified") != "Tue, 02 Jan 2024 03:04:05 GMT" {
				t.Fatalf("Last-Modified %q", r.Header.Get("Last-Modified"))
			}
			for _, p := range []string{"/static/", "/static/sub/"} {
				if r := c.Get(p); r.Status != 200 || !strings.HasPrefix(r.Text(), "<p>") {
					t.Fatalf("%s: %d %q", p, r.Status, r.Text())
				}
			}
			for _, p := range []string{"/static/.secret", "/static/link-out", "/static/sub/deep/", "/static/../x", "/static/..%2fx"} {
				r := c.Get(p)
				assertNoSecret(t, p, r.Text())
				if r.Status != 404 && r.Status != 301 { // 301: the core's clean-path redirect
					t.Fatalf("%s: %d", p, r.Status)
				}
			}
		})
	}
}

// noSeekFS hides the Seek method of its files.
type noSeekFS struct{ fs.FS }

type noSeekFile struct{ f fs.File }

func (f noSeekFile) Stat() (fs.FileInfo, error) { return f.f.Stat() }
func (f noSeekFile) Read(p []byte) (int, error) { return f.f.Read(p) }
func (f noSeekFile) Close() error               { return f.f.Close() }

func (n noSeekFS) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return noSeekFile{f}, nil
}

var _ io.Reader = noSeekFile{}

func TestHandlerWithStdlibMux(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	mux := http.NewServeMux()
	mux.Handle("/public", http.StripPrefix("/public", static.Handler(static.Config{Root: tr.root})))
	mux.Handle("/public/", http.StripPrefix("/public", static.Handler(static.Config{Root: tr.root})))
	if w := do(mux, "GET", "/public/hello.txt"); w.Code != 200 || w.Body.String() != helloText {
		t.Fatalf("ServeMux: %d %q", w.Code, w.Body.String())
	}
	if w := do(mux, "GET", "/public"); w.Code != 200 || w.Body.String() != "<h1>home</h1>\n" {
		t.Fatalf("ServeMux, the prefix itself: %d %q", w.Code, w.Body.String())
	}
	if w := do(mux, "GET", "/public/nope"); w.Code != 404 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("ServeMux 404: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}
