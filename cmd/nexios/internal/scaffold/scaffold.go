// Package scaffold writes a new project (nexios new): an app that builds,
// passes its own tests and serves with no external service — a SQLite
// file, jobs on River in that file, mail kept for the development inbox —
// with settings, a health route, OpenAPI with its docs page, a first
// resource and its migration, tests, .env.example and a README.
package scaffold

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/nexios-go/nexios/cmd/nexios/internal/gen"
	"github.com/nexios-go/nexios/cmd/nexios/internal/localmod"
	"github.com/nexios-go/nexios/cmd/nexios/internal/naming"
	"github.com/nexios-go/nexios/cmd/nexios/internal/resource"
)

//go:embed templates
var templateFS embed.FS

// Databases and Templates are the values of --db and --template.
var (
	Databases = []string{"sqlite", "postgres"}
	Kinds     = []string{"api", "web"}
)

// FirstResource is the resource every new project starts with.
var FirstResource = []string{"note", "title:string", "body:text"}

// Options describe the project to write.
type Options struct {
	// Name is the project's name: its directory and, by default, its
	// module path.
	Name string
	// Dir is where the project's directory is created (default ".").
	Dir string
	// Module is the module path (default Name).
	Module string
	// DB is "sqlite" (default) or "postgres": the default DATABASE_URL.
	DB string
	// Template is "api" (default) or "web" (adds HTML templates and
	// static files).
	Template string
	// Checkout is a local Nexios checkout to point the project's go.mod
	// at (replace directives), or nil for the published modules.
	Checkout *localmod.Checkout
	// GoVersion is the go directive (default the checkout's, else 1.26.0).
	GoVersion string
	// Tidy runs go mod tidy in the new project, with Env added to the
	// environment (GOFLAGS=-mod=mod GOPROXY=off to stay offline).
	Tidy bool
	Env  []string
	// Out receives progress lines (default io.Discard).
	Out io.Writer
}

// appCommands selects the main.go that hands the app to cli.Main (the
// app-embedded commands: serve, migrate, routes, check, jobs, …) instead
// of serving it with app.Run. It waits for the cli module to be merged;
// turning it on is the whole switch (main.go's template has both forms,
// and Direct then includes the cli module).
const appCommands = true

// project is the data of the templates.
type project struct {
	Name, Module, Title, DB, DatabaseURL, Addr, Local, Kinds, ResourceRoute string
	Web, CLI                                                                bool
}

// file maps a template to its path in the project; web files only exist
// in the web template.
type file struct {
	tmpl, path string
	web        bool
}

var files = []file{
	{"main.go.tmpl", "main.go", false},
	{"app/app.go.tmpl", "app/app.go", false},
	{"app/settings.go.tmpl", "app/settings.go", false},
	{"app/routes.go.tmpl", "app/routes.go", false},
	{"app/jobs.go.tmpl", "app/jobs.go", false},
	{"app/helpers_test.go.tmpl", "app/helpers_test.go", false},
	{"app/app_test.go.tmpl", "app/app_test.go", false},
	{"migrations/migrations.go.tmpl", "migrations/migrations.go", false},
	{"migrations/00001_jobs.go.tmpl", "migrations/00001_jobs.go", false},
	{"migrations/README.md.tmpl", "migrations/README.md", false},
	{"web/web.go.tmpl", "web/web.go", true},
	{"web/templates/layouts/base.html.tmpl", "web/templates/layouts/base.html", true},
	{"web/templates/pages/home.html.tmpl", "web/templates/pages/home.html", true},
	{"web/static/style.css.tmpl", "web/static/style.css", true},
	{"env.example.tmpl", ".env.example", false},
	{"env.tmpl", ".env", false},
	{"gitignore.tmpl", ".gitignore", false},
	{"README.md.tmpl", "README.md", false},
}

// Direct returns the Nexios modules a new project imports.
func Direct() []string {
	mods := []string{localmod.Root, localmod.Root + "/db", localmod.Root + "/jobs", localmod.Root + "/mail"}
	if appCommands {
		mods = append(mods, localmod.Root+"/cli")
	}
	return mods
}

// ErrOptions is wrapped by the errors of invalid Options.
var ErrOptions = errors.New("invalid options")

func (o *Options) defaults() error {
	if err := naming.CheckProject(o.Name); err != nil {
		return err
	}
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.Module == "" {
		o.Module = o.Name
	}
	if err := localmod.CheckPath(o.Module); err != nil {
		return fmt.Errorf("%w: module path: %w", ErrOptions, err)
	}
	if o.DB == "" {
		o.DB = "sqlite"
	}
	if o.Template == "" {
		o.Template = "api"
	}
	if !contains(Databases, o.DB) {
		return fmt.Errorf("%w: --db %q: want one of %s", ErrOptions, o.DB, strings.Join(Databases, ", "))
	}
	if !contains(Kinds, o.Template) {
		return fmt.Errorf("%w: --template %q: want one of %s", ErrOptions, o.Template, strings.Join(Kinds, ", "))
	}
	if o.GoVersion == "" {
		o.GoVersion = "1.26.0"
		if o.Checkout != nil && o.Checkout.GoVersion != "" {
			o.GoVersion = o.Checkout.GoVersion
		}
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Files renders the project's files (go.mod and go.sum included, the
// first resource's migration not: it is written by New).
func Files(o Options) ([]gen.File, resource.Spec, error) {
	if err := o.defaults(); err != nil {
		return nil, resource.Spec{}, err
	}
	spec, err := resource.NewSpec(FirstResource[0], "", FirstResource[1:])
	if err != nil {
		return nil, spec, err
	}
	p := project{
		Name: o.Name, Module: o.Module, Title: naming.Title(o.Name), DB: o.DB, Addr: "127.0.0.1:8000",
		Web: o.Template == "web", CLI: appCommands, Kinds: strings.Join(resource.KindNames(), ", "), ResourceRoute: spec.Route(),
	}
	p.DatabaseURL = "sqlite:" + naming.Snake(o.Name) + ".db"
	if o.DB == "postgres" {
		p.DatabaseURL = "postgres://postgres@127.0.0.1:5432/" + naming.Snake(o.Name) + "?sslmode=disable"
	}
	if o.Checkout != nil {
		p.Local = o.Checkout.Dir
	}
	t, err := gen.Templates(templateFS, template.FuncMap{})
	if err != nil {
		return nil, spec, err
	}
	var out []gen.File
	for _, f := range files {
		if f.web && !p.Web {
			continue
		}
		g, err := gen.Render(t, "templates/"+f.tmpl, f.path, p)
		if err != nil {
			return nil, spec, err
		}
		out = append(out, g)
	}
	mod, err := localmod.GoMod(o.Module, o.GoVersion, Direct(), o.Checkout)
	if err != nil {
		return nil, spec, err
	}
	out = append(out, gen.File{Path: "go.mod", Content: mod})
	if o.Checkout != nil {
		sum, err := o.Checkout.GoSum(Direct())
		if err != nil {
			return nil, spec, err
		}
		if sum != nil {
			out = append(out, gen.File{Path: "go.sum", Content: sum})
		}
	}
	res, err := resource.Files(spec)
	if err != nil {
		return nil, spec, err
	}
	return append(out, res...), spec, nil
}

// New writes the project into Dir/Name, which must not exist or be
// empty, and returns its path.
func New(ctx context.Context, o Options) (string, error) {
	if err := o.defaults(); err != nil {
		return "", err
	}
	files, spec, err := Files(o)
	if err != nil {
		return "", err
	}
	root := filepath.Join(o.Dir, o.Name)
	if entries, err := os.ReadDir(root); err == nil && len(entries) > 0 {
		return "", fmt.Errorf("scaffold: %s exists and is not empty", root)
	}
	if err := gen.Write(root, files, false); err != nil {
		return "", err
	}
	if _, err := resource.WriteMigration(filepath.Join(root, "migrations"), spec); err != nil {
		return "", err
	}
	if err := resource.Register(filepath.Join(root, "app", "routes.go"), spec); err != nil {
		return "", err
	}
	fmt.Fprintf(o.Out, "created %s (module %s, %s, %s)\n", root, o.Module, o.DB, o.Template)
	if o.Checkout != nil {
		fmt.Fprintf(o.Out, "go.mod points at the Nexios checkout %s (replace directives)\n", o.Checkout.Dir)
	}
	if o.Tidy {
		fmt.Fprintln(o.Out, "running go mod tidy")
		if err := GoCommand(ctx, root, o.Env, "mod", "tidy"); err != nil {
			return root, err
		}
	}
	return root, nil
}

// GoCommand runs the go command in dir with env added to the
// environment; its output is in the error when it fails.
func GoCommand(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s in %s: %w\n%s", strings.Join(args, " "), dir, err, out.String())
	}
	return nil
}
