package secure_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/secure"
)

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]secure.Config{
		"frame allow-from":        {FrameOptions: "ALLOW-FROM https://a.example"},
		"CRLF in CSP":             {ContentSecurityPolicy: "default-src 'self'\r\nSet-Cookie: a=b"},
		"LF in extra value":       {ExtraHeaders: map[string]string{"X-A": "a\nb"}},
		"bad extra name":          {ExtraHeaders: map[string]string{"X A": "a"}},
		"bad remove name":         {RemoveHeaders: []string{"Server:"}},
		"preload short max-age":   {HSTSPreload: true, HSTSMaxAge: time.Hour},
		"preload without subdom":  {HSTSPreload: true, HSTSExcludeSubdomains: true},
		"redirect host with path": {HTTPSRedirect: true, HTTPSRedirectHost: "example.com/evil"},
	} {
		if mw, err := secure.New(cfg); err == nil || mw != nil {
			t.Errorf("%s: New accepted the config", name)
		}
	}
}

// TestPooledWriterIsolation runs many concurrent requests through the
// pooled header stripper (meaningful under -race).
func TestPooledWriterIsolation(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Use(nexios.Must(secure.New(secure.Config{})))
	app.Get("/x/{mode}", handler)
	srv := httptest.NewServer(app)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			modes := []string{"ok", "error", "panic", "stream", "nethttp"}
			for j := range 40 {
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/x/"+modes[(i+j)%len(modes)], nil)
				resp, err := srv.Client().Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.Header.Get("Server") != "" || resp.Header.Get("X-Frame-Options") != "DENY" {
					errs <- io.ErrUnexpectedEOF
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
