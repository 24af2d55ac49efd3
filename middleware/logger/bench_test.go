package logger_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/logger"
	rec "github.com/nexios-go/nexios/middleware/recover"
	"github.com/nexios-go/nexios/middleware/requestid"
)

func benchApp(mws ...nexios.Middleware) *nexios.App {
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
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

func BenchmarkLogger(b *testing.B) {
	discard := slog.New(slog.DiscardHandler)
	for _, bc := range []struct {
		name string
		cfg  logger.Config
	}{
		{"Discard", logger.Config{Logger: discard}},
		{"DiscardCustomLevel", logger.Config{Logger: discard, Level: logger.DefaultLevel}},
		{"JSON", logger.Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}},
	} {
		b.Run(bc.name, func(b *testing.B) { benchServe(b, benchApp(nexios.Must(logger.New(bc.cfg)))) })
	}
}

// BenchmarkStack measures requestid + logger (discarding) + recover, the
// part of the performance budget these packages own.
func BenchmarkStack(b *testing.B) {
	for _, bc := range []struct {
		name string
		rid  requestid.Config
	}{
		{"Random", requestid.Config{}},
		{"Sequential", requestid.Config{Sequential: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			benchServe(b, benchApp(
				nexios.Must(requestid.New(bc.rid)),
				nexios.Must(logger.New(logger.Config{Logger: slog.New(slog.DiscardHandler)})),
				nexios.Must(rec.New(rec.Config{})),
			))
		})
	}
}
