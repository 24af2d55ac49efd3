package docsui_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/browsertest"
	"github.com/nexios-go/nexios/middleware/secure"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/openapi/docsui"
	"github.com/nexios-go/nexios/testclient"
)

type Pet struct {
	ID   int    `json:"id"`
	Name string `json:"name" validate:"required"`
}

type PetPath struct {
	ID int `path:"id"`
}

// newApp is a small API with both pages, under the secure middleware's
// strict default Content-Security-Policy when strict is set.
func newApp(t *testing.T, strict bool) *nexios.App {
	t.Helper()
	app := nexios.New(nexios.Config{Title: "Pets"})
	if strict {
		app.Use(nexios.Must(secure.New(secure.Config{})))
	}
	nexios.Get(app, "/pets/{id:int}", func(_ *nexios.Request, in *PetPath) (*Pet, error) { return &Pet{ID: in.ID}, nil },
		nexios.Summary("Fetch one pet"), nexios.Tags("pets"))
	nexios.Post(app, "/pets", func(_ *nexios.Request, in *Pet) (*Pet, error) { return in, nil },
		nexios.Summary("Adopt a pet"), nexios.Tags("pets"), nexios.Status(http.StatusCreated))
	if err := openapi.Register(app, openapi.Config{UI: []openapi.UI{docsui.SwaggerUI(""), docsui.ReDoc("")}}); err != nil {
		t.Fatal(err)
	}
	return app
}

func TestPagesServed(t *testing.T) {
	t.Parallel()
	c := testclient.New(newApp(t, true))
	r := c.Get("/docs")
	if r.Status != http.StatusOK || !strings.Contains(r.Text(), `"swaggerJsonUrl":"/openapi.json"`) || !strings.Contains(r.Text(), "/docs/swagger-ui-bundle.js") ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self' 'sha256-") {
		t.Fatalf("GET /docs = %d %s:\n%.300s", r.Status, r.Header.Get("Content-Security-Policy"), r.Text())
	}
	for _, asset := range []string{"/docs/swagger-ui-bundle.js", "/docs/swagger-ui-standalone-preset.js", "/docs/swagger-ui.css"} {
		if r := c.Get(asset); r.Status != http.StatusOK || len(r.Body) < 1000 {
			t.Errorf("GET %s = %d, %d bytes", asset, r.Status, len(r.Body))
		}
	}
	r = c.Get("/redoc")
	script := "/redoc/redoc-2.5.4.standalone.js"
	if r.Status != http.StatusOK || !strings.Contains(r.Text(), `<redoc spec-url="/openapi.json">`) || !strings.Contains(r.Text(), `<script src="`+script+`">`) ||
		!strings.Contains(r.Text(), "<title>Pets - ReDoc</title>") || strings.Contains(r.Text(), "http") ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self';") {
		t.Fatalf("GET /redoc = %d %s:\n%s", r.Status, r.Header.Get("Content-Security-Policy"), r.Text())
	}
	js := c.Get(script)
	want, err := os.ReadFile("redoc/redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(want)
	if js.Status != http.StatusOK || string(js.Body) != string(want) || !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") ||
		hex.EncodeToString(sum[:]) != "dcaf76612bc4a3fbcc923a8966dee2f6146a5f32e5ce1b6f02dd60cbbf89500b" ||
		!strings.Contains(js.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s = %d %s, %d bytes", script, js.Status, js.Header.Get("Content-Type"), len(js.Body))
	}
	if r := c.Get(script, testclient.Header("If-None-Match", js.Header.Get("ETag"))); r.Status != http.StatusNotModified || len(r.Body) != 0 {
		t.Errorf("revalidation = %d", r.Status)
	}
}

func TestPagePaths(t *testing.T) {
	t.Parallel()
	if p := docsui.SwaggerUI("/api-docs/"); p.Path() != "/api-docs" {
		t.Errorf("path %q", p.Path())
	}
	if p := docsui.ReDoc(""); p.Path() != "/redoc" {
		t.Errorf("path %q", p.Path())
	}
	app := nexios.New(nexios.Config{})
	for _, p := range []docsui.Page{docsui.SwaggerUI("/"), docsui.ReDoc("docs"), {}} {
		if err := p.Mount(app, "/openapi.json", "T"); err == nil {
			t.Errorf("%q: no error", p.Path())
		}
	}
	app = nexios.New(nexios.Config{})
	app.Get("/docs", func(*nexios.Request, *nexios.Response) error { return nil })
	if err := openapi.Register(app, openapi.Config{UI: []openapi.UI{docsui.SwaggerUI("")}}); err == nil {
		t.Error("conflicting route: no error")
	}
}

// Both pages render the API in headless Chromium, with no network (the
// machine has none but the loopback) and under the secure middleware's
// strict Content-Security-Policy: every script and style they need is
// served by the app and allowed by the page's own policy.
func TestPagesInBrowser(t *testing.T) {
	t.Parallel()
	browsertest.Binary(t) // skips without Chromium
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newApp(t, true), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	base := "http://" + ln.Addr().String()
	for _, tc := range []struct {
		page string
		want []string
	}{
		// Swagger UI renders each operation as an opblock with its
		// summary and path; none of it is in the served HTML.
		{"/docs", []string{`class="opblock-summary-description">Fetch one pet<`, `class="opblock-summary-description">Adopt a pet<`, `data-path="/pets/{id}"`}},
		// ReDoc renders the operations in its menu and its content.
		{"/redoc", []string{">Fetch one pet<", ">Adopt a pet<", "/pets/{id}"}},
	} {
		t.Run(tc.page, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			dom := browsertest.DumpDOM(t, base+tc.page, 10*time.Second)
			t.Logf("chromium took %v", time.Since(start).Round(time.Millisecond))
			for _, w := range tc.want {
				if !strings.Contains(dom, w) {
					t.Errorf("the rendered page lacks %s", w)
				}
			}
			if t.Failed() {
				t.Logf("DOM (%d bytes):\n%.3000s", len(dom), dom)
			}
		})
	}
}
