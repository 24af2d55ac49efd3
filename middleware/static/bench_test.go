package static_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
)

func benchServe(b *testing.B, app http.Handler, r *http.Request) {
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

var smallFile = []byte("body { margin: 0; padding: 0; font-family: system-ui, sans-serif }\n")

// BenchmarkBaseline answers the same bytes from a route, without files.
func BenchmarkBaseline(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.Get("/static/app.css", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("text/css; charset=utf-8", smallFile)
	})
	benchServe(b, app, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
}

func benchRoot(b *testing.B) string {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.css"), smallFile, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkSmallFile serves a small file from disk through os.Root.
func BenchmarkSmallFile(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.MountHandler("/static", static.Handler(static.Config{Root: benchRoot(b)}))
	benchServe(b, app, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
}

// BenchmarkSmallFile304 answers a conditional request for it.
func BenchmarkSmallFile304(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.MountHandler("/static", static.Handler(static.Config{Root: benchRoot(b)}))
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
	r := httptest.NewRequest(http.MethodGet, "/static/app.css", nil)
	r.Header.Set("If-None-Match", w.Header().Get("ETag"))
	benchServe(b, app, r)
}

// BenchmarkSmallFileMiddleware serves it through the middleware form.
func BenchmarkSmallFileMiddleware(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(static.New(static.Config{Root: benchRoot(b), Prefix: "/static"})))
	benchServe(b, app, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
}

// BenchmarkSmallFileFS serves it from an in-memory fs.FS (as embed.FS).
func BenchmarkSmallFileFS(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.MountHandler("/static", static.Handler(static.Config{FS: fstest.MapFS{"app.css": {Data: smallFile}}}))
	benchServe(b, app, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
}

// BenchmarkMiddlewarePassThrough measures the middleware on a request for
// a route outside its prefix.
func BenchmarkMiddlewarePassThrough(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(static.New(static.Config{Root: benchRoot(b), Prefix: "/static"})))
	app.Get("/api/ping", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("pong") })
	benchServe(b, app, httptest.NewRequest(http.MethodGet, "/api/ping", nil))
}

// BenchmarkStdlibFileServer is net/http's FileServer on the same file, for
// comparison.
func BenchmarkStdlibFileServer(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.MountHandler("/static", http.FileServer(http.Dir(benchRoot(b))))
	benchServe(b, app, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
}
