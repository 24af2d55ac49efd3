package openapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/testclient"
)

func TestRegisterServes(t *testing.T) {
	t.Parallel()
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
	for _, p := range []string{"/openapi.json", "/openapi.yaml", "/openapi-3.0.json"} {
		if _, ok := doc["paths"].(map[string]any)[p]; ok {
			t.Errorf("%s is documented", p)
		}
	}
	want, _ := openapi.Build(app, cfg)
	if again := c.Get("/openapi.json"); !bytes.Equal(again.Body, r.Body) || !bytes.Equal(want, r.Body) {
		t.Error("served document differs between requests or from Build")
	}
	if got, ok := openapi.Registered(app); !ok || got.Servers[0].URL != "https://api.example.com" {
		t.Errorf("Registered = %+v, %v", got, ok)
	}

	y := c.Get("/openapi.yaml")
	wantY, _ := openapi.BuildYAML(app, cfg)
	if y.Status != http.StatusOK || y.Header.Get("Content-Type") != "application/yaml" || !bytes.Equal(y.Body, wantY) ||
		!strings.HasPrefix(y.Text(), "openapi: 3.1.0") {
		t.Errorf("GET /openapi.yaml = %d %s\n%.100s", y.Status, y.Header.Get("Content-Type"), y.Text())
	}
	v30 := c.Get("/openapi-3.0.json")
	want30, _ := openapi.Build30(app, cfg)
	if v30.Status != http.StatusOK || !bytes.Equal(v30.Body, want30) || !strings.Contains(v30.Text(), `"openapi": "3.0.3"`) {
		t.Errorf("GET /openapi-3.0.json = %d\n%.100s", v30.Status, v30.Text())
	}

	// Every document has its own ETag, revalidated with If-None-Match.
	tags := map[string]bool{}
	for _, p := range []string{"/openapi.json", "/openapi.yaml", "/openapi-3.0.json"} {
		r := c.Get(p)
		etag := r.Header.Get("ETag")
		if len(etag) < 10 || !strings.HasPrefix(etag, `"`) || r.Header.Get("Cache-Control") != "no-cache" || tags[etag] {
			t.Errorf("GET %s: ETag %q, Cache-Control %q", p, etag, r.Header.Get("Cache-Control"))
		}
		tags[etag] = true
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			if r := c.Get(p, testclient.Header("If-None-Match", inm)); r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != etag {
				t.Errorf("GET %s If-None-Match %s = %d, %d bytes", p, inm, r.Status, len(r.Body))
			}
		}
		if r := c.Get(p, testclient.Header("If-None-Match", `"stale"`)); r.Status != http.StatusOK {
			t.Errorf("GET %s with a stale ETag = %d", p, r.Status)
		}
	}
	for _, p := range []string{"/docs", "/redoc"} {
		if r := c.Get(p); r.Status != http.StatusNotFound {
			t.Errorf("GET %s = %d without UI pages", p, r.Status)
		}
	}
}

func TestRegisterOptions(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Title: "T"})
	app.Get("/x", plain)
	ui := &fakeUI{}
	if err := openapi.Register(app, openapi.Config{Path: "/spec.json", YAMLPath: "/spec.yaml", OpenAPI30Path: "-", Title: "Other", UI: []openapi.UI{ui}}); err != nil {
		t.Fatal(err)
	}
	c := testclient.New(app)
	if r := c.Get("/spec.json"); r.Status != http.StatusOK || !strings.Contains(r.Text(), `"title": "Other"`) {
		t.Errorf("GET /spec.json = %d %.200s", r.Status, r.Text())
	}
	if r := c.Get("/spec.yaml"); r.Status != http.StatusOK {
		t.Errorf("GET /spec.yaml = %d", r.Status)
	}
	if ui.spec != "/spec.json" || ui.title != "Other" {
		t.Errorf("UI mounted with %q %q", ui.spec, ui.title)
	}
	for _, p := range []string{"/openapi.json", "/openapi.yaml", "/openapi-3.0.json"} {
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
	taken.Get("/openapi.yaml", plain)
	if err := openapi.Register(taken, openapi.Config{}); err == nil || !strings.Contains(err.Error(), "openapi:") {
		t.Errorf("conflicting route: err = %v", err)
	}
	if err := openapi.Register(nexios.New(nexios.Config{}), openapi.Config{DefaultSecurity: []map[string][]string{{"x": {}}}}); err == nil {
		t.Error("bad config: no error")
	}
	if err := openapi.Register(nexios.New(nexios.Config{}), openapi.Config{UI: []openapi.UI{&fakeUI{err: errString("no")}}}); err == nil {
		t.Error("failing UI: no error")
	}
}

// fakeUI records how Register mounts a page.
type fakeUI struct {
	spec, title string
	err         error
}

func (u *fakeUI) Mount(app *nexios.App, spec, title string) error {
	u.spec, u.title = spec, title
	return u.err
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
