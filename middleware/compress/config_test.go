package compress_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
	"github.com/nexios-go/nexios/testclient"
)

func TestPanic(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	app.Use(mustNew(t, compress.Config{}))
	app.Get("/panic", func(_ *nexios.Request, _ *nexios.Response) error { panic("boom") })
	app.Get("/text", func(_ *nexios.Request, res *nexios.Response) error { return res.Text(bigText) })
	c := testclient.New(app)
	ae := testclient.Header("Accept-Encoding", "gzip")
	for range 3 {
		if r := c.Get("/panic", ae); r.Status != http.StatusInternalServerError || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("panic: %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		// The writer chain is restored and the pooled state still works.
		if r := c.Get("/text", ae); r.Header.Get("Content-Encoding") != "gzip" || decode(t, r) != bigText {
			t.Fatalf("after a panic: %q", r.Header.Get("Content-Encoding"))
		}
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	bad := []compress.Config{
		{Level: 10},
		{Level: -4},
		{ZstdLevel: 5},
		{ContentTypes: []string{"text"}},
		{ContentTypes: []string{"*/*"}},
		{ContentTypes: []string{"text/html; charset=utf-8"}},
	}
	for _, cfg := range bad {
		if _, err := compress.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted an invalid config", cfg)
		}
	}
	good := []compress.Config{{}, {Level: 9, ZstdLevel: 4}, {Level: -3}, {MinSize: -1}, {ContentTypes: []string{"Application/*+JSON", "text/*"}}}
	for _, cfg := range good {
		if _, err := compress.New(cfg); err != nil {
			t.Errorf("New(%+v): %v", cfg, err)
		}
	}
}
