package template_test

import (
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/nexios-go/nexios/template"
)

// A page extends a layout and fills its blocks; a custom filter formats
// prices.
func Example() {
	files := fstest.MapFS{
		"layouts/base.html": {Data: []byte(`<title>{{block "title" .}}Shop{{end}}</title>{{block "content" .}}{{end}}`)},
		"pages/item.html": {Data: []byte(`{{extends "layouts/base.html"}}` +
			`{{define "title"}}{{.name}}{{end}}` +
			`{{define "content"}}<p>{{.name | upper}}: {{.price | currency}}</p>{{end}}`)},
	}
	engine, err := template.New(template.Config{
		FS:    files,
		Funcs: template.FuncMap{"currency": func(v float64) string { return fmt.Sprintf("€%.2f", v) }},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var out strings.Builder
	if err := engine.Render(&out, "pages/item.html", map[string]any{"name": "Lamp", "price": 99.9}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.String())
	// Output: <title>Lamp</title><p>LAMP: €99.90</p>
}

// Errors name the template and line.
func ExampleError() {
	_, err := template.New(template.Config{FS: fstest.MapFS{
		"pages/broken.html": {Data: []byte("<p>\n{{if .x}}")},
	}})
	fmt.Println(err)
	// Output: template: pages/broken.html:2: unexpected EOF
}
