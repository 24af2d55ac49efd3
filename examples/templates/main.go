// Command templates is the Go port of §10 of the Nexios API examples
// ("Advanced Templating"): a page that extends a base layout, context
// values, a partial and a custom filter, rendered with html/template.
//
//	go run ./examples/templates
//	go run ./examples/templates -dir examples/templates/templates -debug   # edit and reload
//	curl -s http://127.0.0.1:5000/
package main

import (
	"embed"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/template"
)

// The templates are embedded so the binary runs from anywhere; -dir loads
// them from disk instead, which with -debug reloads them on every change.
//
//go:embed templates
var embedded embed.FS

// options choose where templates come from and whether the app is in debug
// mode.
type options struct {
	dir   string
	debug bool
}

// newApp returns the app with the embedded templates.
func newApp() *nexios.App {
	app, err := newAppWith(options{})
	if err != nil {
		panic(err) // the embedded templates are tested; this cannot happen
	}
	return app
}

func newAppWith(o options) (*nexios.App, error) {
	app := nexios.New(nexios.Config{Title: "Templates example", Debug: o.debug})

	var fsys fs.FS
	if o.dir != "" {
		fsys = os.DirFS(o.dir)
	} else {
		sub, err := fs.Sub(embedded, "templates")
		if err != nil {
			return nil, err
		}
		fsys = sub
	}
	// The seed's TemplateConfig(template_dir, trim_blocks, lstrip_blocks):
	// Go templates trim whitespace per action with {{- and -}} instead.
	engine, err := template.New(template.Config{
		FS:     fsys,
		Reload: o.debug,
		Funcs:  template.FuncMap{"slugify": slugify},
		Globals: map[string]any{
			"site_name": "Nexios",
			"nav": []map[string]string{
				{"href": "/", "label": "Home"},
				{"href": "/about", "label": "About"},
			},
		},
		ContextProcessors: []template.ContextProcessor{
			func(req *nexios.Request) (map[string]any, error) {
				return map[string]any{"current_path": req.URL().Path, "year": time.Now().Year()}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	template.Use(app, engine)

	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res, "pages/home.html", map[string]any{
			"title":   "Home",
			"content": "Welcome!",
			"features": []map[string]string{
				{"name": "Fast", "description": "Built for speed"},
				{"name": "Secure", "description": "Security first"},
			},
		})
	})
	app.Get("/about", func(req *nexios.Request, res *nexios.Response) error {
		return template.Render(res, "pages/about.html", map[string]any{
			"blurb": "Layouts, partials, filters, globals and context processors, like Jinja2 in Nexios.",
		})
	})
	return app, nil
}

// slugify is the custom filter: "Built for speed" → "built-for-speed".
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	dir := flag.String("dir", "", "load templates from this directory instead of the embedded copy")
	debug := flag.Bool("debug", false, "debug mode: reload templates on change, show template errors")
	flag.Parse()
	app, err := newAppWith(options{dir: *dir, debug: *debug})
	if err != nil {
		slog.Error("loading templates", "error", err)
		os.Exit(1)
	}
	if err := app.Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
