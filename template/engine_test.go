package template_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/template"
	"github.com/nexios-go/nexios/testclient"
)

// site is a small template tree: a base layout, a section layout that
// extends it, pages at both levels, partials by directory and by prefix.
func site() fstest.MapFS {
	return fstest.MapFS{
		"layouts/base.html": {Data: []byte(`<html><head><title>{{block "title" .}}Site{{end}}</title></head>` +
			`<body>{{template "partials/nav.html" .}}<main>{{block "content" .}}default content{{end}}</main>` +
			`<footer>{{block "footer" .}}(c) site{{end}}</footer></body></html>`)},
		"layouts/docs.html": {Data: []byte(`{{extends "layouts/base.html"}}` +
			`{{define "content"}}<aside>{{block "sidebar" .}}toc{{end}}</aside><article>{{block "article" .}}{{end}}</article>{{end}}`)},
		"pages/home.html": {Data: []byte("{{/* the home page */}}\n{{extends \"layouts/base.html\"}}\n" +
			`{{define "title"}}{{.title}}{{end}}` +
			`{{define "content"}}<h1>{{.content}}</h1><ul>{{range .features}}<li>{{.name | upper}}: {{.description}}</li>{{end}}</ul>{{end}}` +
			"\nignored text outside blocks\n")},
		"pages/guide.html":  {Data: []byte(`{{extends "layouts/docs.html"}}{{define "title"}}Guide{{end}}{{define "article"}}{{template "_card.html" dict "heading" "Step 1"}}{{end}}`)},
		"partials/nav.html": {Data: []byte(`<nav>{{with .user}}hi {{.}}{{else}}guest{{end}}</nav>`)},
		"_card.html":        {Data: []byte(`<div class="card">{{.heading}}</div>`)},
		"plain.txt":         {Data: []byte(`{{.}} has {{len .}} letters`)},
		"notes.md":          {Data: []byte(`not a template extension`)},
	}
}

func render(t *testing.T, e *template.Engine, name string, data any) string {
	t.Helper()
	var b bytes.Buffer
	if err := e.Render(&b, name, data); err != nil {
		t.Fatalf("Render(%q): %v", name, err)
	}
	return b.String()
}

func TestInheritance(t *testing.T) {
	t.Parallel()
	e, err := template.New(template.Config{FS: site()})
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, e, "pages/home.html", map[string]any{
		"title":   "Home",
		"content": "Welcome!",
		"features": []map[string]string{
			{"name": "Fast", "description": "Built for speed"},
			{"name": "Secure", "description": "Security first"},
		},
	})
	want := `<html><head><title>Home</title></head><body><nav>guest</nav><main><h1>Welcome!</h1>` +
		`<ul><li>FAST: Built for speed</li><li>SECURE: Security first</li></ul></main><footer>(c) site</footer></body></html>`
	if got != want {
		t.Errorf("home:\n got %s\nwant %s", got, want)
	}
	got = render(t, e, "pages/guide.html", nil)
	want = `<html><head><title>Guide</title></head><body><nav>guest</nav><main><aside>toc</aside>` +
		`<article><div class="card">Step 1</div></article></main><footer>(c) site</footer></body></html>`
	if got != want {
		t.Errorf("two-level inheritance:\n got %s\nwant %s", got, want)
	}
	// A layout renders on its own with its defaults.
	if got := render(t, e, "layouts/base.html", nil); !strings.Contains(got, "<title>Site</title>") || !strings.Contains(got, "default content") {
		t.Errorf("base alone: %s", got)
	}
	// Partials render on their own too, and other extensions are skipped.
	if got := render(t, e, "partials/nav.html", map[string]any{"user": "ada"}); got != "<nav>hi ada</nav>" {
		t.Errorf("partial alone: %s", got)
	}
	if got := render(t, e, "plain.txt", "abc"); got != "abc has 3 letters" {
		t.Errorf("plain: %s", got)
	}
	if names := fmt.Sprint(e.Names()); names != "[_card.html layouts/base.html layouts/docs.html pages/guide.html pages/home.html partials/nav.html plain.txt]" {
		t.Errorf("Names = %s", names)
	}
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	e, err := template.New(template.Config{FS: fstest.MapFS{
		"x.html": {Data: []byte(`<p title="{{.}}">{{.}}</p><a href="/s?q={{.}}">s</a><script>var v = {{.}};</script>`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, e, "x.html", `</p><script>alert("x")</script>`)
	if strings.Contains(got, "<script>alert") || !strings.Contains(got, "&lt;/p&gt;") {
		t.Errorf("not escaped: %s", got)
	}
}

func TestFuncsAndGlobals(t *testing.T) {
	t.Parallel()
	e, err := template.New(template.Config{
		FS: fstest.MapFS{
			"f.html": {Data: []byte(`{{.price | currency}} {{.site}} {{.name | default "anon"}} {{.bio | truncate 8}} ` +
				`{{join ", " .tags}} {{"  x  " | trim}} {{lower "AB"}} {{upper .site}}`)},
		},
		Funcs: template.FuncMap{
			"currency": func(v float64) string { return fmt.Sprintf("€%.2f", v) },
			"upper":    func(s string) string { return "UP(" + s + ")" }, // replaces the built-in
		},
		Globals: map[string]any{"site": "Nexios", "name": "global-name"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, e, "f.html", map[string]any{"price": 99.99, "name": "", "bio": "a long biography", "tags": []string{"go", "web"}})
	if want := "€99.99 Nexios anon a lon... go, web x ab UP(Nexios)"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// profile is template data given as a struct.
type profile struct {
	Name  string
	Email string
	inner string
}

func (p profile) Greeting() string { return "hello " + p.Name }

func TestContextProcessors(t *testing.T) {
	t.Parallel()
	e, err := template.New(template.Config{
		FS: fstest.MapFS{
			"p.html":       {Data: []byte(`{{.site}}|{{.user}}|{{.csrf_token}}|{{.path}}|{{.Name}}|{{.title}}`)},
			"methods.html": {Data: []byte(`{{.Greeting}}`)},
		},
		Globals: map[string]any{"site": "S", "user": "global"},
		ContextProcessors: []template.ContextProcessor{
			func(req *nexios.Request) (map[string]any, error) {
				if req.Query("deny") != "" {
					return nil, nexios.NewHTTPError(401, "login required")
				}
				return map[string]any{"user": "ada", "csrf_token": "tok-" + req.Header("X-Session")}, nil
			},
			func(req *nexios.Request) (map[string]any, error) {
				return map[string]any{"path": req.URL().Path, "title": "processor"}, nil
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	template.Use(app, e)
	app.Get("/map", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res, "p.html", map[string]string{"title": "from data"})
	})
	app.Get("/struct", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res, "p.html", &profile{Name: "Grace", inner: "hidden"})
	})
	app.Get("/slice", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res, "p.html", []int{1})
	})
	c := testclient.New(app)
	if got := c.Get("/map", testclient.Header("X-Session", "s1")).Text(); got != "S|ada|tok-s1|/map||from data" {
		t.Errorf("map data: %q", got)
	}
	if got := c.Get("/struct").Text(); got != "S|ada|tok-|/struct|Grace|processor" {
		t.Errorf("struct data: %q", got)
	}
	if r := c.Get("/map?deny=1"); r.Status != 401 {
		t.Errorf("a processor's 401 = %d %q", r.Status, r.Text())
	}
	if r := c.Get("/slice"); r.Status != 500 {
		t.Errorf("slice data with processors = %d", r.Status)
	}
	// Without a request (Render), processors do not run; globals do.
	if got := render(t, e, "p.html", nil); got != "S|global||||" {
		t.Errorf("without a request: %q", got)
	}

	// With neither globals nor processors the data is passed as is, so
	// methods work.
	plain, err := template.New(template.Config{FS: fstest.MapFS{"m.html": {Data: []byte(`{{.Greeting}}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, plain, "m.html", profile{Name: "Ada"}); got != "hello Ada" {
		t.Errorf("methods: %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"syntax", fstest.MapFS{"a.html": {Data: []byte("line 1\n{{if}}\n")}}, "a.html:2"},
		{"unknown layout", fstest.MapFS{"a.html": {Data: []byte(`{{extends "nope.html"}}`)}}, `extends unknown template "nope.html"`},
		{"cycle", fstest.MapFS{
			"a.html": {Data: []byte(`{{extends "b.html"}}`)},
			"b.html": {Data: []byte(`{{extends "a.html"}}`)},
		}, "layout cycle"},
		{"unknown function", fstest.MapFS{"a.html": {Data: []byte("\n\n{{nope .}}")}}, "a.html:3"},
	}
	for _, tc := range cases {
		_, err := template.New(template.Config{FS: tc.files})
		var te *template.Error
		if err == nil || !errors.As(err, &te) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a *template.Error with %q", tc.name, err, tc.want)
		}
	}
	if _, err := template.New(template.Config{}); err == nil {
		t.Error("New without Dir or FS succeeded")
	}
}

func TestExecErrors(t *testing.T) {
	t.Parallel()
	e, err := template.New(template.Config{FS: fstest.MapFS{
		"layout.html":  {Data: []byte("<main>\n{{block \"content\" .}}{{end}}</main>")},
		"page.html":    {Data: []byte("{{extends \"layout.html\"}}\n{{define \"content\"}}\n\n{{.a.b.c}}{{end}}")},
		"late.html":    {Data: []byte("text first\n{{extends \"layout.html\"}}")},
		"missing.html": {Data: []byte(`{{template "partials/nope.html"}}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, want string }{
		{"page.html", "page.html:4"},
		{"late.html", "must be the first action"},
		{"missing.html", "nope.html"},
		{"unknown.html", "template not found"},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		err := e.Render(&b, tc.name, map[string]any{"a": 1})
		var te *template.Error
		if err == nil || !errors.As(err, &te) || te.Name == "" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a located error with %q", tc.name, err, tc.want)
		}
	}
	var b bytes.Buffer
	if err := e.Render(&b, "unknown.html", nil); !errors.Is(err, template.ErrNotFound) {
		t.Errorf("unknown template: %v, want ErrNotFound", err)
	}
}

// TestReload edits, adds and breaks files on disk and checks what renders,
// with and without Reload.
func TestReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string, age time.Duration) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		// Distinct modification times even on coarse-grained file systems.
		mt := time.Now().Add(age)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	write("base.html", `[{{block "body" .}}{{end}}]`, -time.Hour)
	write("page.html", `{{extends "base.html"}}{{define "body"}}v1{{end}}`, -time.Hour)
	live, err := template.New(template.Config{Dir: dir, Reload: true})
	if err != nil {
		t.Fatal(err)
	}
	cached, err := template.New(template.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, live, "page.html", nil); got != "[v1]" {
		t.Fatalf("first render: %q", got)
	}

	write("page.html", `{{extends "base.html"}}{{define "body"}}v2{{end}}`, 0)
	if got := render(t, live, "page.html", nil); got != "[v2]" {
		t.Errorf("after an edit, Reload: %q", got)
	}
	if got := render(t, cached, "page.html", nil); got != "[v1]" {
		t.Errorf("after an edit, cached: %q", got)
	}

	write("base.html", `({{block "body" .}}{{end}})`, time.Minute)
	if got := render(t, live, "page.html", nil); got != "(v2)" {
		t.Errorf("after a layout edit: %q", got)
	}
	write("new.html", `new`, 0)
	if got := render(t, live, "new.html", nil); got != "new" {
		t.Errorf("added file: %q", got)
	}

	write("page.html", "{{extends \"base.html\"}}\n{{define \"body\"}}{{if}}{{end}}", 2*time.Minute)
	var b bytes.Buffer
	if err := live.Render(&b, "page.html", nil); err == nil || !strings.Contains(err.Error(), "page.html:2") {
		t.Errorf("broken file: %v, want its name and line", err)
	}
	if err := live.Render(&b, "new.html", nil); err == nil {
		t.Error("a broken tree must be reported for every template until fixed")
	}
	write("page.html", `{{extends "base.html"}}{{define "body"}}fixed{{end}}`, 3*time.Minute)
	if got := render(t, live, "page.html", nil); got != "(fixed)" {
		t.Errorf("after the fix: %q", got)
	}
	if err := os.Remove(filepath.Join(dir, "new.html")); err != nil {
		t.Fatal(err)
	}
	if err := live.Render(&b, "new.html", nil); !errors.Is(err, template.ErrNotFound) {
		t.Errorf("removed file: %v", err)
	}
}

// TestConcurrentRender renders from many goroutines while files change,
// for the race detector.
func TestConcurrentRender(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.html")
	if err := os.WriteFile(p, []byte("a{{.}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := template.New(template.Config{Dir: dir, Reload: true, Globals: map[string]any{"g": 1}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			for range 50 {
				var b bytes.Buffer
				if err = e.Render(&b, "a.html", map[string]any{"i": i}); err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for i := range 5 {
		mt := time.Now().Add(time.Duration(i) * time.Minute)
		_ = os.Chtimes(p, mt, mt)
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
