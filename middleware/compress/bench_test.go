package compress_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
)

// body4K is a 4 KiB JSON document.
var body4K = func() []byte {
	s := `{"items":[` + strings.Repeat(`{"id":12345,"name":"widget","price":9.99},`, 95) + `{}],"pad":"`
	return []byte(s + strings.Repeat("x", 4096-len(s)-2) + `"}`)
}()

func benchApp(b *testing.B, mw nexios.Middleware) *nexios.App {
	app := nexios.New(nexios.Config{})
	if mw != nil {
		app.Use(mw)
	}
	app.Get("/json", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("application/json", body4K)
	})
	return app
}

func benchServe(b *testing.B, app http.Handler, acceptEncoding string) {
	r := httptest.NewRequest(http.MethodGet, "/json", nil)
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := benchtest.NewWriter()
	b.SetBytes(int64(len(body4K)))
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

// BenchmarkBaseline4KJSON is the same app without the middleware.
func BenchmarkBaseline4KJSON(b *testing.B) { benchServe(b, benchApp(b, nil), "gzip, zstd") }

// BenchmarkNone4KJSON: the middleware installed, the client accepts no
// compression.
func BenchmarkNone4KJSON(b *testing.B) {
	benchServe(b, benchApp(b, mustNew(b, compress.Config{})), "")
}

func BenchmarkGzip4KJSON(b *testing.B) {
	benchServe(b, benchApp(b, mustNew(b, compress.Config{})), "gzip")
}

func BenchmarkGzipFastest4KJSON(b *testing.B) {
	benchServe(b, benchApp(b, mustNew(b, compress.Config{Level: 1})), "gzip")
}

func BenchmarkZstd4KJSON(b *testing.B) {
	benchServe(b, benchApp(b, mustNew(b, compress.Config{})), "gzip, zstd")
}

func TestBody4K(t *testing.T) {
	if len(body4K) != 4096 || !json.Valid(body4K) {
		t.Fatalf("body4K: %d bytes, valid JSON %v", len(body4K), json.Valid(body4K))
	}
}
