// Package resource generates a REST resource in a project made by
// nexios new: the model, its migration for SQLite and PostgreSQL, typed
// handlers (list with pagination, search and sort; create; get; replace;
// patch; delete), documented for OpenAPI, and a test of all of it that
// passes as generated.
package resource

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"github.com/nexios-go/nexios/cmd/nexios/internal/gen"
	"github.com/nexios-go/nexios/cmd/nexios/internal/naming"
)

//go:embed templates
var templateFS embed.FS

// Spec is a resource to generate.
type Spec struct {
	Name   string  // singular, snake_case: "blog_post"
	Plural string  // snake_case plural: "blog_posts"
	Fields []Field // in declaration order
	// Prefix is the URL prefix the project mounts resources under
	// ("/api"), for docs and tests.
	Prefix string
}

// ErrSpec is wrapped by NewSpec's errors.
var ErrSpec = errors.New("invalid resource")

// NewSpec checks a resource name and its field arguments
// (title:string:unique …). plural overrides the guessed plural when not
// empty.
func NewSpec(name, plural string, args []string) (Spec, error) {
	if err := naming.CheckIdent("resource", name); err != nil {
		return Spec{}, fmt.Errorf("%w: %w", ErrSpec, err)
	}
	s := Spec{Name: naming.Snake(name), Prefix: "/api"}
	s.Plural = naming.Plural(s.Name)
	if plural != "" {
		if err := naming.CheckIdent("plural", plural); err != nil {
			return Spec{}, fmt.Errorf("%w: %w", ErrSpec, err)
		}
		s.Plural = naming.Snake(plural)
	}
	if s.Plural == s.Name {
		return Spec{}, fmt.Errorf("%w: %q is its own plural; name the collection with --plural", ErrSpec, name)
	}
	if len(args) == 0 {
		return Spec{}, fmt.Errorf("%w: %s has no fields: add some, such as title:string body:text", ErrSpec, name)
	}
	seen := map[string]string{}
	for _, a := range args {
		f, err := ParseField(a)
		if err != nil {
			return Spec{}, fmt.Errorf("%w: %w", ErrSpec, err)
		}
		if prev, dup := seen[f.GoName()]; dup {
			return Spec{}, fmt.Errorf("%w: fields %q and %q have the same name", ErrSpec, prev, a)
		}
		seen[f.GoName()] = a
		s.Fields = append(s.Fields, f)
	}
	return s, nil
}

// Type is the model's Go type: "BlogPost".
func (s Spec) Type() string { return naming.Pascal(s.Name) }

// TypeArg is the type argument of generic calls: "[BlogPost]".
func (s Spec) TypeArg() string { return "[" + s.Type() + "]" }

// Var is the unexported stem of the resource's helpers: "blogPost".
func (s Spec) Var() string { return naming.Camel(s.Name) }

// PluralType is the plural in Go: "BlogPosts".
func (s Spec) PluralType() string { return naming.Pascal(s.Plural) }

// Table is the table name: "blog_posts".
func (s Spec) Table() string { return s.Plural }

// Alias is the table's alias in queries: "blog_post".
func (s Spec) Alias() string { return s.Name }

// Path is the collection's path relative to the prefix: "/blog-posts".
func (s Spec) Path() string { return "/" + naming.Kebab(s.Plural) }

// Route is the collection's full path: "/api/blog-posts".
func (s Spec) Route() string { return s.Prefix + s.Path() }

// Tag is the OpenAPI tag of the routes: "blog-posts".
func (s Spec) Tag() string { return naming.Kebab(s.Plural) }

// Human is the singular in words: "blog post".
func (s Spec) Human() string { return naming.Human(s.Name) }

// HumanPlural is the plural in words: "blog posts".
func (s Spec) HumanPlural() string { return naming.Human(s.Plural) }

// NeedsTime reports whether a field is a time.Time.
func (s Spec) NeedsTime() bool {
	for _, f := range s.Fields {
		if f.Kind.Import == "time" {
			return true
		}
	}
	return false
}

func (s Spec) textFields() []Field {
	var out []Field
	for _, f := range s.Fields {
		if f.Kind.Text {
			out = append(out, f)
		}
	}
	return out
}

// Searchable reports whether the list searches: some field is text.
func (s Spec) Searchable() bool { return len(s.textFields()) > 0 }

// SearchArgs are the column arguments of Query.Search.
func (s Spec) SearchArgs() string { return quoted(s.textFields()) }

// SearchNames lists the searched fields for the docs.
func (s Spec) SearchNames() string { return names(s.textFields()) }

// SearchField is the first text field (the test searches it), or nil.
func (s Spec) SearchField() *Field { return first(s.textFields()) }

// SortArgs are the allowed sort fields of Query.OrderBy: the id, every
// field, and the timestamps.
func (s Spec) SortArgs() string {
	args := []string{`"id"`}
	for _, f := range s.Fields {
		args = append(args, strconv.Quote(f.Column()))
	}
	return strings.Join(append(args, `"created_at"`, `"updated_at"`), ", ")
}

// SortNames lists the sort fields for the docs.
func (s Spec) SortNames() string { return strings.ReplaceAll(s.SortArgs(), `"`, "") }

// HasUnique reports whether a field is unique (the routes can answer
// 409).
func (s Spec) HasUnique() bool { return s.UniqueField() != nil }

// UniqueNames lists the unique fields for the docs: "email or slug".
func (s Spec) UniqueNames() string {
	var out []string
	for _, f := range s.Fields {
		if f.Unique {
			out = append(out, naming.Human(f.Name))
		}
	}
	return strings.Join(out, " or ")
}

// UniqueField is the first unique field, or nil.
func (s Spec) UniqueField() *Field {
	for _, f := range s.Fields {
		if f.Unique {
			return &f
		}
	}
	return nil
}

// PatchField is the field the test patches: the first one.
func (s Spec) PatchField() *Field { return &s.Fields[0] }

// RequiredField is the first required field, or nil.
func (s Spec) RequiredField() *Field {
	for _, f := range s.Fields {
		if strings.HasPrefix(f.Rules(), "required") {
			return &f
		}
	}
	return nil
}

func first(fs []Field) *Field {
	if len(fs) == 0 {
		return nil
	}
	return &fs[0]
}

func quoted(fs []Field) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = strconv.Quote(f.Column())
	}
	return strings.Join(out, ", ")
}

func names(fs []Field) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Column()
	}
	return strings.Join(out, ", ")
}

// sample is the Go expression of the test value of field f for sample
// number n (an int variable in the generated test).
func sample(f Field) string {
	human := strconv.Quote(strings.ToUpper(naming.Human(f.Name)[:1]) + naming.Human(f.Name)[1:] + " %d")
	switch f.Kind.Name {
	case "text":
		return `fmt.Sprintf("The ` + naming.Human(f.Name) + ` of sample %d.", n)`
	case "int":
		return "n * 10"
	case "float":
		return "float64(n) + 0.5"
	case "bool":
		return "n%2 == 1"
	case "time":
		return `fmt.Sprintf("2025-01-%02dT10:00:00Z", n)`
	case "email":
		return `fmt.Sprintf("user%d@example.com", n)`
	case "url":
		return `fmt.Sprintf("https://example.com/items/%d", n)`
	case "uuid":
		return `fmt.Sprintf("00000000-0000-4000-8000-%012d", n)`
	}
	return "fmt.Sprintf(" + human + ", n)"
}

func templates() (*template.Template, error) {
	return gen.Templates(templateFS, template.FuncMap{"sample": sample})
}

// Files renders the resource's Go files: app/NAME.go and
// app/NAME_test.go.
func Files(s Spec) ([]gen.File, error) {
	t, err := templates()
	if err != nil {
		return nil, err
	}
	var files []gen.File
	for _, x := range []struct{ tmpl, path string }{
		{"templates/resource.go.tmpl", "app/" + s.Name + ".go"},
		{"templates/resource_test.go.tmpl", "app/" + s.Name + "_test.go"},
	} {
		f, err := gen.Render(t, x.tmpl, x.path, s)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Marker is the line of app/routes.go above which the generator adds
// each resource's registration.
const Marker = "// nexios:resources"

// ErrNoMarker is returned by Register when the routes file has no
// Marker line: the person adds the call by hand.
var ErrNoMarker = errors.New("no " + Marker + " line")

// RegisterCall is the statement that mounts the resource's routes.
func (s Spec) RegisterCall() string { return "register" + s.PluralType() + "(api, s.DB)" }

// Register adds the resource's registration call above the marker line
// of the routes file at path, indented like it. It does nothing when the
// call is there already.
func Register(path string, s Spec) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("resource: %w", err)
	}
	call := s.RegisterCall()
	if bytes.Contains(src, []byte(call)) {
		return nil
	}
	lines := strings.SplitAfter(string(src), "\n")
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, Marker) {
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		out := strings.Join(lines[:i], "") + indent + call + "\n" + strings.Join(lines[i:], "")
		return os.WriteFile(path, []byte(out), 0o644)
	}
	return fmt.Errorf("resource: %s: %w: add %s to the routes yourself", filepath.Base(path), ErrNoMarker, call)
}
