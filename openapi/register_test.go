package openapi_test

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/secure"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/testclient"
)

func TestRegisterServes(t *testing.T) {
	app, cfg := newTestApp()
	if err := openapi.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	c := testclient.New(app)

	r := c.Get("/openapi.json")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json = %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	doc := checkDocument(t, r.Body)
	for _, p := range []string{"/openapi.json", "/docs", "/docs/{file}", "/redoc"} {
		if _, ok := doc["paths"].(map[string]any)[p]; ok {
			t.Errorf("%s is documented", p)
		}
	}
	want, _ := openapi.Build(app, cfg)
	if again := c.Get("/openapi.json"); !bytes.Equal(again.Body, r.Body) || !bytes.Equal(want, r.Body) {
		t.Error("served document differs between requests or from Build")
	}

	r = c.Get("/docs")
	if r.Status != http.StatusOK || !strings.Contains(r.Text(), `"swaggerJsonUrl":"/openapi.json"`) || !strings.Contains(r.Text(), "/docs/swagger-ui-bundle.js") {
		t.Fatalf("GET /docs = %d:\n%.500s", r.Status, r.Text())
	}
	for _, asset := range []string{"/docs/swagger-ui-bundle.js", "/docs/swagger-ui-standalone-preset.js", "/docs/swagger-ui.css"} {
		if r := c.Get(asset); r.Status != http.StatusOK || len(r.Body) < 1000 {
			t.Errorf("GET %s = %d, %d bytes", asset, r.Status, len(r.Body))
		}
	}
	r = c.Get("/redoc")
	if r.Status != http.StatusOK || !strings.Contains(r.Text(), `<redoc spec-url="/openapi.json">`) || !strings.Contains(r.Text(), "<title>Test API - ReDoc</title>") {
		t.Fatalf("GET /redoc = %d:\n%s", r.Status, r.Text())
	}
}

func TestRegisterOptions(t *testing.T) {
	app := nexios.New(nexios.Config{Title: "T"})
	app.Get("/x", plain)
	if err := openapi.Register(app, openapi.Config{Path: "/spec.json", Title: "Other"}); err != nil {
		t.Fatal(err)
	}
	c := testclient.New(app)
	if r := c.Get("/spec.json"); r.Status != http.StatusOK || !strings.Contains(r.Text(), `"title": "Other"`) {
		t.Errorf("GET /spec.json = %d %.200s", r.Status, r.Text())
	}
	if r := c.Get("/api-docs"); r.Status != http.StatusOK || !strings.Contains(r.Text(), `"swaggerJsonUrl":"/spec.json"`) {
		t.Errorf("GET /api-docs = %d", r.Status)
	}
	if r := c.Get("/api-docs/swagger-ui.css"); r.Status != http.StatusOK {
		t.Errorf("GET /api-docs/swagger-ui.css = %d", r.Status)
	}
	for _, p := range []string{"/redoc", "/openapi.json", "/docs"} {
		if r := c.Get(p); r.Status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, r.Status)
		}
	}

	off := nexios.New(nexios.Config{})
	if err := openapi.Register(off, openapi.Config{Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if len(off.Routes()) != 0 {
		t.Errorf("Disabled registered %d routes", len(off.Routes()))
	}

	taken := nexios.New(nexios.Config{})
	taken.Get("/docs", plain)
	if err := openapi.Register(taken, openapi.Config{}); err == nil || !strings.Contains(err.Error(), "openapi:") {
		t.Errorf("conflicting route: err = %v", err)
	}
	if err := openapi.Register(nexios.New(nexios.Config{}), openapi.Config{DefaultSecurity: []map[string][]string{{"x": {}}}}); err == nil {
		t.Error("bad config: no error")
	}
}

// Concurrent first requests share one generation.
func TestRegisterConcurrentFirstRequests(t *testing.T) {
	app, cfg := newTestApp()
	if err := openapi.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	c := testclient.New(app)
	bodies := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() { bodies[i] = c.Get("/openapi.json").Body })
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		if len(b) == 0 || !bytes.Equal(b, bodies[0]) {
			t.Fatal("concurrent requests got different documents")
		}
	}
}

// A document that cannot be generated answers 500 problem+json, with the
// cause in the detail only in debug mode.
func TestRegisterGenerationError(t *testing.T) {
	for _, debug := range []bool{false, true} {
		app := nexios.New(nexios.Config{Debug: debug, Logger: discardLogger()})
		app.Get("/a", plain, nexios.OperationID("x"))
		app.Get("/b", plain, nexios.OperationID("x"))
		if err := openapi.Register(app, openapi.Config{}); err != nil {
			t.Fatal(err)
		}
		r := testclient.New(app).Get("/openapi.json")
		if r.Status != http.StatusInternalServerError || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("status %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		if got := strings.Contains(r.Text(), `operationId \"x\"`); got != debug {
			t.Errorf("debug=%v: detail shows the cause: %v: %s", debug, got, r.Text())
		}
	}
}

// TestSwaggerUIInBrowser renders /docs in headless Chromium and checks
// that the operations are shown.
func TestSwaggerUIInBrowser(t *testing.T) {
	browsertest.Binary(t) // skips without Chromium
	for _, strict := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "secure-headers"}[strict], func(t *testing.T) {
			app, cfg := newTestApp()
			if strict {
				// The secure middleware's strict default CSP must not break
				// the page: it allows its own inline scripts by hash.
				app.Use(nexios.Must(secure.New(secure.Config{})))
			}
			if err := openapi.Register(app, cfg); err != nil {
				t.Fatal(err)
			}
			swaggerUIInBrowser(t, app)
		})
	}
}

func swaggerUIInBrowser(t *testing.T, app http.Handler) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	start := time.Now()
	dom := browsertest.DumpDOM(t, "http://"+ln.Addr().String()+"/docs", 10*time.Second)
	t.Logf("chromium took %v", time.Since(start).Round(time.Millisecond))
	// Swagger UI renders each operation as an opblock with its summary
	// and path: none of it is in the served HTML, so finding it proves
	// the page loaded its scripts and the document.
	for _, summary := range []string{"List users", "Create user", "Get user", "Update user", "Delete user", "Log in", "Get item", "Health"} {
		if !strings.Contains(dom, `class="opblock-summary-description">`+summary+"<") {
			t.Errorf("the rendered page lacks the operation %q", summary)
		}
	}
	for _, want := range []string{`data-path="/api/v1/users/{id}"`, `User accounts`, `opblock-deprecated`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM (%d bytes):\n%.3000s", len(dom), dom)
	}
}
