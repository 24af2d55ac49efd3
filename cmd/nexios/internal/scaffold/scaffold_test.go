package scaffold

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/cmd/nexios/internal/gen"
	"github.com/nexios-go/nexios/cmd/nexios/internal/localmod"
	"github.com/nexios-go/nexios/cmd/nexios/internal/naming"
)

func checkoutForTest(t *testing.T) *localmod.Checkout {
	t.Helper()
	dir := localmod.Find()
	if dir == "" {
		t.Fatal("the test binary cannot tell its checkout (built with -trimpath?)")
	}
	c, err := localmod.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFiles renders every combination of options: the files are there,
// Go files are gofmt-clean (Render formats them and fails on invalid
// code), no template action is left, and the settings follow the options.
func TestFiles(t *testing.T) {
	t.Parallel()
	c := checkoutForTest(t)
	for _, db := range Databases {
		for _, kind := range Kinds {
			files, spec, err := Files(Options{Name: "my-shop", Module: "example.com/acme/shop", DB: db, Template: kind, Checkout: c})
			if err != nil {
				t.Fatalf("%s/%s: %v", db, kind, err)
			}
			byPath := map[string]string{}
			for _, f := range files {
				byPath[f.Path] = string(f.Content)
				if strings.Contains(byPath[f.Path], "[[") || strings.Contains(byPath[f.Path], "]]\n") {
					t.Errorf("%s/%s: %s holds a template action", db, kind, f.Path)
				}
			}
			want := []string{"main.go", "app/app.go", "app/settings.go", "app/routes.go", "app/jobs.go", "app/app_test.go",
				"app/helpers_test.go", "migrations/migrations.go", "migrations/00001_jobs.go", ".env.example", ".env",
				".gitignore", "README.md", "go.mod", "go.sum", "app/note.go", "app/note_test.go"}
			if kind == "web" {
				want = append(want, "web/web.go", "web/templates/layouts/base.html", "web/templates/pages/home.html", "web/static/style.css")
			}
			for _, p := range want {
				if _, ok := byPath[p]; !ok {
					t.Errorf("%s/%s: no %s", db, kind, p)
				}
			}
			if _, ok := byPath["web/web.go"]; ok && kind == "api" {
				t.Errorf("the api template has web files")
			}
			if !strings.Contains(byPath["main.go"], `"example.com/acme/shop/app"`) {
				t.Errorf("main.go does not import the module's app package")
			}
			settings := byPath["app/settings.go"]
			if db == "sqlite" && !strings.Contains(settings, `envDefault:"sqlite:my_shop.db"`) ||
				db == "postgres" && !strings.Contains(settings, `envDefault:"postgres://postgres@127.0.0.1:5432/my_shop?sslmode=disable"`) {
				t.Errorf("%s: DATABASE_URL default:\n%s", db, settings)
			}
			mod := byPath["go.mod"]
			for _, m := range []string{"", "/db", "/jobs", "/mail"} {
				if !strings.Contains(mod, "github.com/nexios-go/nexios"+m+" => "+c.Modules[localmod.Root+m]) {
					t.Errorf("go.mod has no replace for %q:\n%s", m, mod)
				}
			}
			if spec.Route() != "/api/notes" {
				t.Errorf("first resource at %s", spec.Route())
			}
		}
	}
}

func TestOptionsErrors(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{Name: ""}, {Name: "1x"}, {Name: "x", DB: "mysql"}, {Name: "x", Template: "spa"},
		{Name: "x", Module: "bad module"}, {Name: "x", Module: "/abs"},
	} {
		_, _, err := Files(o)
		if !errors.Is(err, ErrOptions) && !errors.Is(err, naming.ErrInvalidName) {
			t.Errorf("Files(%+v) = %v", o, err)
		}
	}
}

// TestNewWritesTheProject writes a project without running go: the
// layout, the first resource's migration for both dialects, its routes
// registered, and a refusal to write into a directory that has files.
func TestNewWritesTheProject(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root, err := New(context.Background(), Options{Name: "demo", Dir: dir, Template: "web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"migrations/sqlite/00002_create_notes.sql", "migrations/postgres/00002_create_notes.sql", "web/static/style.css"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Error(err)
		}
	}
	routes, _ := os.ReadFile(filepath.Join(root, "app", "routes.go"))
	if !strings.Contains(string(routes), "registerNotes(api, s.DB)\n") {
		t.Errorf("routes.go:\n%s", routes)
	}
	mod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	if strings.Contains(string(mod), "replace") {
		t.Errorf("go.mod without a checkout has replace directives:\n%s", mod)
	}
	if _, err := New(context.Background(), Options{Name: "demo", Dir: dir}); err == nil {
		t.Error("New wrote into a directory that has files")
	}
	entries, _ := os.ReadDir(filepath.Join(root, "migrations", "sqlite"))
	if names := len(entries); names != 1 {
		t.Errorf("the second New changed the project: %d migrations", names)
	}
}

func TestGenWriteRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := []gen.File{{Path: "a.txt", Content: []byte("new")}, {Path: "b/c.txt", Content: []byte("new")}}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := gen.Write(dir, files, false); !errors.Is(err, gen.ErrExists) {
		t.Fatalf("Write over a.txt: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "b", "c.txt")); err == nil {
		t.Error("a refused Write wrote some files")
	}
	if err := gen.Write(dir, files, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(got) != "new" {
		t.Errorf("forced Write: a.txt = %q", got)
	}
}

func TestDirect(t *testing.T) {
	t.Parallel()
	// The starter imports exactly these Nexios modules; a template that
	// imports another must add it to Direct, or go mod tidy fails offline.
	c := checkoutForTest(t)
	all, err := c.Closure(Direct())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Direct() {
		if !slices.Contains(all, m) {
			t.Errorf("closure %v lacks %s", all, m)
		}
	}
}

// TestMainWithAppCommands renders the main.go that appCommands selects:
// it cannot be compiled before the cli module is merged, but it must be
// valid Go (Render parses it) calling cli.Main with the app's services.
func TestMainWithAppCommands(t *testing.T) {
	t.Parallel()
	tmpl, err := gen.Templates(templateFS, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, withCLI := range []bool{true, false} {
		f, err := gen.Render(tmpl, "templates/main.go.tmpl", "main.go", project{Name: "demo", Module: "demo", Title: "Demo", Addr: "127.0.0.1:8000", CLI: withCLI})
		if err != nil {
			t.Fatal(err)
		}
		src := string(f.Content)
		if got := strings.Contains(src, "cli.Main(a, cli.Config(&s)") && strings.Contains(src, "jobscmd.Jobs(svc.Jobs)"); got != withCLI {
			t.Errorf("CLI=%v:\n%s", withCLI, src)
		}
		if got := strings.Contains(src, "a.Run(s.Addr)"); got == withCLI {
			t.Errorf("CLI=%v: app.Run:\n%s", withCLI, src)
		}
	}
}
