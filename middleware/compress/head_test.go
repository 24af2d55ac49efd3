package compress_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
	"github.com/nexios-go/nexios/middleware/static"
)

// headApp is newApp plus a static file, a handler that knows HEAD (it sets
// the length and writes nothing, like http.ServeContent), and a small
// compressed body whose length net/http computes.
func headApp(t *testing.T, cfg compress.Config) *nexios.App {
	t.Helper()
	app := newApp(t, cfg)
	app.Get("/head-aware", func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "text/plain; charset=utf-8")
		res.Header().Set("Content-Length", itoa(len(bigText)))
		if req.Method() == http.MethodHead {
			res.WriteHeader(http.StatusOK)
			return nil
		}
		_, err := io.WriteString(res, bigText)
		return err
	})
	app.Get("/streamed", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "text/plain")
		for range 4 {
			if _, err := io.WriteString(res, bigText[:600]); err != nil {
				return err
			}
			res.Flush()
		}
		return nil
	})
	app.MountHandler("/files", static.Handler(static.Config{FS: fstest.MapFS{"big.txt": {Data: []byte(bigText)}}}))
	return app
}

// TestHEADDescribesGET sends GET and HEAD for the same resources to a real
// server (net/http computes lengths there) and compares what HEAD
// announces with what GET sends.
func TestHEADDescribesGET(t *testing.T) {
	t.Parallel()
	paths := []string{"/json", "/text", "/small", "/png", "/unknown-type", "/encoded", "/no-transform",
		"/etag", "/vary", "/nocontent", "/sse", "/head-aware", "/streamed", "/files/big.txt"}
	aes := []string{"gzip", "zstd", "gzip, zstd", "gzip;q=0", "zstd;q=0.1, gzip;q=0.8", "GZIP", "identity", "*", ""}
	for _, cfg := range []compress.Config{{}, {PreferGzip: true}, {DisableZstd: true}} {
		srv := httptest.NewServer(headApp(t, cfg))
		t.Cleanup(srv.Close)
		for _, path := range paths {
			for _, ae := range aes {
				get := fetch(t, http.MethodGet, srv.URL+path, ae)
				head := fetch(t, http.MethodHead, srv.URL+path, ae)
				where := path + " (Accept-Encoding " + ae + ")"
				if get.StatusCode != head.StatusCode {
					t.Errorf("%s: GET %d, HEAD %d", where, get.StatusCode, head.StatusCode)
				}
				for _, name := range []string{"Content-Encoding", "Content-Type", "Vary", "Etag", "Accept-Ranges"} {
					if g, h := get.Header.Values(name), head.Header.Values(name); !equal(g, h) {
						t.Errorf("%s: %s: GET %q, HEAD %q", where, name, g, h)
					}
				}
				// HEAD may omit the length; it may not announce one GET
				// does not send.
				if h := head.Header.Get("Content-Length"); h != "" && h != get.Header.Get("Content-Length") {
					t.Errorf("%s: HEAD Content-Length %s, GET %q", where, h, get.Header.Get("Content-Length"))
				}
			}
		}
	}
}

func fetch(t *testing.T, method, url, ae string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ae != "" {
		req.Header.Set("Accept-Encoding", ae)
	}
	// A transport of its own, so that Go does not add or decode gzip.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
