// Package template renders html/template templates for Nexios apps, with
// the features of Nexios' Jinja2 integration: layouts and inheritance,
// partials, filters, globals, context processors and reload in
// development.
//
// Templates are files in a directory or an fs.FS (embed.FS for a
// self-contained binary), named by their slash-separated path:
// "pages/home.html". Contextual auto-escaping is html/template's.
//
// # Inheritance
//
// A template extends a layout by starting with {{extends "layout"}}; the
// layout marks replaceable parts with {{block "name" .}}default{{end}} and
// the child fills them with {{define "name"}}...{{end}}. Layouts may
// extend other layouts. Content of a child outside its defines is ignored,
// as in Jinja.
//
//	{{/* layouts/base.html */}}
//	<title>{{block "title" .}}Site{{end}}</title>
//	<main>{{block "content" .}}{{end}}</main>
//
//	{{/* pages/home.html */}}
//	{{extends "layouts/base.html"}}
//	{{define "title"}}{{.title}}{{end}}
//	{{define "content"}}<p>{{.content}}</p>{{end}}
//
// # Partials
//
// Files under a "partials" directory, or whose name starts with "_", are
// parsed into every template, so any template includes one with
// {{template "partials/nav.html" .}}. The dict function passes several
// values: {{template "partials/card.html" dict "title" .Title}}.
//
// # Functions, globals and context processors
//
// Config.Funcs registers functions by name; used in a pipeline they act as
// filters: {{.Price | currency}}. Built-ins: upper, lower, trim, truncate,
// default, join and dict. Config.Globals are values in every render and
// Config.ContextProcessors compute values from the request (the current
// user, a CSRF token) for every render through Render.
//
// # Use with nexios
//
//	engine, err := template.New(template.Config{Dir: "templates", Reload: debug})
//	if err != nil {
//		log.Fatal(err)
//	}
//	template.Use(app, engine)
//	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
//		return template.Render(res, "pages/home.html", map[string]any{"title": "Home"})
//	})
//
// Templates are parsed once by New; with Config.Reload (development) they
// are re-read when a file changes. A template error is a 500 that shows the
// template name and line when the app's Config.Debug is set, and a plain
// 500 otherwise.
package template
