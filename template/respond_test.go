package template_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/template"
	"github.com/nexios-go/nexios/testclient"
)

func renderApp(t *testing.T, debug bool) *nexios.App {
	t.Helper()
	engine, err := template.New(template.Config{FS: fstest.MapFS{
		"layouts/base.html": {Data: []byte("<title>{{block \"title\" .}}Site{{end}}</title>\n<main>{{block \"content\" .}}{{end}}</main>\n")},
		"pages/home.html":   {Data: []byte("{{extends \"layouts/base.html\"}}\n{{define \"title\"}}{{.title}}{{end}}\n{{define \"content\"}}<p>{{.content}}</p>{{end}}\n")},
		"pages/broken.html": {Data: []byte("{{extends \"layouts/base.html\"}}\n{{define \"content\"}}\n<p>{{.user.Name.First}}</p>{{end}}\n")},
		"feed.xml":          {Data: []byte("<feed>{{.}}</feed>")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler), Debug: debug})
	template.Use(app, engine)
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res.Status(201), "pages/home.html", map[string]any{"title": "Home", "content": "<Welcome!>"})
	})
	app.Get("/broken", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res, "pages/broken.html", map[string]any{"user": map[string]any{"Name": 42}})
	})
	app.Get("/missing", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res, "pages/nope.html", nil)
	})
	app.Get("/feed", func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "application/atom+xml")
		return template.Render(res, "feed.xml", "x")
	})
	app.Get("/twice", func(req *nexios.Request, res *nexios.Response) error {
		if err := res.Text("first"); err != nil {
			return err
		}
		if err := template.Render(res, "pages/home.html", nil); !errors.Is(err, nexios.ErrResponseCommitted) {
			return errors.New("Render after a body: want ErrResponseCommitted")
		}
		return nil
	})
	return app
}

func TestRender(t *testing.T) {
	t.Parallel()
	c := testclient.New(renderApp(t, false))
	r := c.Get("/")
	want := "<title>Home</title>\n<main><p>&lt;Welcome!&gt;</p></main>\n"
	if r.Status != 201 || r.Text() != want || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("render = %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Text())
	}
	if r := c.Get("/feed"); r.Text() != "<feed>x</feed>" || r.Header.Get("Content-Type") != "application/atom+xml" {
		t.Errorf("feed = %q %q", r.Header.Get("Content-Type"), r.Text())
	}
	if r := c.Get("/twice"); r.Status != 200 || r.Text() != "first" {
		t.Errorf("twice = %d %q", r.Status, r.Text())
	}
}

// TestRenderErrors checks that a template error is a 500 that names the
// template and line in debug mode only, and never sends partial output.
func TestRenderErrors(t *testing.T) {
	t.Parallel()
	for _, debug := range []bool{true, false} {
		c := testclient.New(renderApp(t, debug))
		for _, p := range []string{"/broken", "/missing"} {
			r := c.Get(p)
			if r.Status != 500 || r.Header.Get("Content-Type") != "application/problem+json" || strings.Contains(r.Text(), "<main>") {
				t.Errorf("debug=%v %s = %d %q", debug, p, r.Status, r.Text())
			}
			located := strings.Contains(r.Text(), "pages/broken.html:3") || strings.Contains(r.Text(), "pages/nope.html")
			if located != debug {
				t.Errorf("debug=%v %s: template location shown = %v: %s", debug, p, located, r.Text())
			}
		}
	}

	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error { return template.Render(res, "x.html", nil) })
	if r := testclient.New(app).Get("/"); r.Status != 500 {
		t.Errorf("render without an engine = %d", r.Status)
	}
	if template.From(app) != nil {
		t.Error("From on an app without an engine is not nil")
	}
}
