package compress_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
	"github.com/nexios-go/nexios/middleware/etag"
	"github.com/nexios-go/nexios/middleware/static"
	"github.com/nexios-go/nexios/testclient"
)

// TestWithETagAndStatic stacks the middleware the documented way:
// compress outside etag, and the static handler's own validators and
// precompressed files.
func TestWithETagAndStatic(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(mustNew(t, compress.Config{}), nexios.Must(etag.New(etag.Config{Strong: true})))
	registerFixtures(app)
	files := fstest.MapFS{
		"big.txt":    {Data: []byte(bigText)},
		"big.txt.gz": {Data: []byte("pretend gzip bytes")},
		"bin.txt":    {Data: []byte(bigText)},
	}
	app.MountHandler("/files", static.Handler(static.Config{FS: files}))
	c := testclient.New(app)
	ae := testclient.Header("Accept-Encoding", "gzip")

	// etag hashes the identity body; compress weakens the strong tag it
	// sends with the gzip body.
	r := c.Get("/text", ae)
	tag := r.Header.Get("ETag")
	if r.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(tag, `W/"`) || decode(t, r) != bigText {
		t.Fatalf("GET: Content-Encoding %q, ETag %q", r.Header.Get("Content-Encoding"), tag)
	}
	r = c.Get("/text", ae, testclient.Header("If-None-Match", tag))
	if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("Content-Encoding") != "" {
		t.Fatalf("conditional GET: %d, %d bytes, Content-Encoding %q", r.Status, len(r.Body), r.Header.Get("Content-Encoding"))
	}
	if !containsVary(r.Header) {
		t.Errorf("304 lost Vary: %v", r.Header)
	}

	// A precompressed file is sent as it is, not compressed twice.
	r = c.Get("/files/big.txt", ae)
	if r.Header.Get("Content-Encoding") != "gzip" || r.Text() != "pretend gzip bytes" {
		t.Fatalf("precompressed: %q %q", r.Header.Get("Content-Encoding"), r.Text())
	}
	// A file without a variant is compressed by the middleware, and a
	// range of it is not.
	r = c.Get("/files/bin.txt", ae)
	if r.Header.Get("Content-Encoding") != "gzip" || decode(t, r) != bigText || r.Header.Get("Accept-Ranges") != "" {
		t.Fatalf("static + compress: %q, Accept-Ranges %q", r.Header.Get("Content-Encoding"), r.Header.Get("Accept-Ranges"))
	}
	r = c.Get("/files/bin.txt", ae, testclient.Header("Range", "bytes=0-4"))
	if r.Status != http.StatusPartialContent || r.Header.Get("Content-Encoding") != "" || r.Text() != bigText[:5] {
		t.Fatalf("range: %d %q %q", r.Status, r.Header.Get("Content-Encoding"), r.Text())
	}
}
