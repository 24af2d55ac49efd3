// Package gen renders the generators' templates into files: Go sources
// are gofmt-ed (a template that renders invalid Go is an error naming the
// file, never a broken file on disk), and existing files are not
// overwritten unless asked.
package gen

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// Delims are the template delimiters: generated files are Go and
// html/template sources full of {{ }}, so the generators' own actions
// are written [[ ]].
const (
	LeftDelim  = "[["
	RightDelim = "]]"
)

// File is one generated file: its path relative to the project root and
// its content.
type File struct {
	Path    string
	Content []byte
}

// Templates parses every *.tmpl file of fsys (the generator's embedded
// templates), named by their path, with funcs.
func Templates(fsys fs.FS, funcs template.FuncMap) (*template.Template, error) {
	root := template.New("").Delims(LeftDelim, RightDelim).Funcs(funcs).Option("missingkey=error")
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if _, err := root.New(p).Parse(string(body)); err != nil {
			return fmt.Errorf("gen: template %s: %w", p, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return root, nil
}

// Render executes the template name with data into the file at path; a
// .go file is gofmt-ed.
func Render(t *template.Template, name, path string, data any) (File, error) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return File{}, fmt.Errorf("gen: rendering %s: %w", path, err)
	}
	out := buf.Bytes()
	if strings.HasSuffix(path, ".go") {
		formatted, err := format.Source(out)
		if err != nil {
			return File{}, fmt.Errorf("gen: %s is not valid Go: %w\n%s", path, err, numbered(out))
		}
		out = formatted
	}
	return File{Path: path, Content: out}, nil
}

// numbered prefixes each line with its number, for error messages about
// generated code.
func numbered(src []byte) string {
	var b strings.Builder
	for i, line := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}

// ErrExists is wrapped by Write's error when a file exists and overwrite
// is false.
var ErrExists = errors.New("file exists")

// Write writes files under root. Unless overwrite is set it first checks
// that none of them exists, so a refused generation leaves nothing
// half-written.
func Write(root string, files []File, overwrite bool) error {
	if !overwrite {
		var taken []string
		for _, f := range files {
			if _, err := os.Lstat(filepath.Join(root, f.Path)); err == nil {
				taken = append(taken, f.Path)
			}
		}
		if len(taken) > 0 {
			return fmt.Errorf("gen: %w: %s (use --force to overwrite)", ErrExists, strings.Join(taken, ", "))
		}
	}
	for _, f := range files {
		p := filepath.Join(root, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	return nil
}
