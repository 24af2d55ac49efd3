package recover_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/recover"
)

func benchApp(mws ...nexios.Middleware) *nexios.App {
	app := nexios.New(nexios.Config{})
	app.Use(mws...)
	app.Get("/plaintext", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("Hello, World!")
	})
	return app
}

func benchServe(b *testing.B, app http.Handler) {
	r := httptest.NewRequest("GET", "/plaintext", nil)
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

func BenchmarkBaseline(b *testing.B) { benchServe(b, benchApp()) }

func BenchmarkRecover(b *testing.B) {
	benchServe(b, benchApp(nexios.Must(recover.New(recover.Config{}))))
}
