package gen

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRender(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"ok.go.tmpl":   {Data: []byte("package [[.]]\nfunc   f( ) {}\n")},
		"bad.go.tmpl":  {Data: []byte("package [[.]]\nfunc {\n")},
		"page.tmpl":    {Data: []byte("<h1>{{.title}}</h1> [[.]]\n")},
		"missing.tmpl": {Data: []byte("[[.Nope]]")},
		"README.md":    {Data: []byte("not a template")},
	}
	tmpl, err := Templates(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Render(tmpl, "ok.go.tmpl", "x.go", "app")
	if err != nil || string(f.Content) != "package app\n\nfunc f() {}\n" {
		t.Errorf("Go is gofmt-ed: %v %q", err, f.Content)
	}
	if _, err := Render(tmpl, "bad.go.tmpl", "bad.go", "app"); err == nil || !strings.Contains(err.Error(), "bad.go is not valid Go") || !strings.Contains(err.Error(), "   2  func {") {
		t.Errorf("invalid Go: %v", err)
	}
	if f, err := Render(tmpl, "page.tmpl", "page.html", "x"); err != nil || string(f.Content) != "<h1>{{.title}}</h1> x\n" {
		t.Errorf("{{ }} must pass through: %v %q", err, f.Content)
	}
	if _, err := Render(tmpl, "missing.tmpl", "m", map[string]string{}); err == nil {
		t.Error("a missing key must fail the rendering")
	}
	if tmpl.Lookup("README.md") != nil {
		t.Error("a file without .tmpl was parsed")
	}
}
