package template

import (
	"errors"
	"fmt"
	"hash/fnv"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"

	"github.com/nexios-go/nexios"
)

// FuncMap maps names to functions (filters), as html/template.FuncMap.
type FuncMap = map[string]any

// ContextProcessor returns values added to the data of every template
// rendered for a request, such as the current user or a CSRF token.
type ContextProcessor func(req *nexios.Request) (map[string]any, error)

// Config configures an Engine.
type Config struct {
	// Dir is the directory of templates, used when FS is nil.
	Dir string
	// FS holds the templates (an embed.FS, os.DirFS…); it wins over Dir.
	FS fs.FS
	// Extensions lists the file extensions loaded as templates. Default:
	// .html, .htm, .tmpl, .gohtml, .xml, .txt.
	Extensions []string
	// Funcs are functions and filters callable by name in every template
	// ({{.Price | currency}}); they replace built-ins of the same name.
	Funcs FuncMap
	// Globals are values present in every render's data.
	Globals map[string]any
	// ContextProcessors run for every render through Render and Engine.Respond, in
	// order; their values are added to the data.
	ContextProcessors []ContextProcessor
	// Reload re-reads the templates when a file changed, was added or was
	// removed, checked at each render: for development (set it from
	// Config.Debug). Otherwise templates are parsed once, by New.
	Reload bool
	// IsPartial reports whether a template is a partial: parsed into every
	// other template's set, so any template may include it with
	// {{template "partials/nav.html" .}}. Default: files under a
	// directory named "partials" or whose name starts with "_".
	IsPartial func(name string) bool
}

// Engine renders html/template templates with layouts, partials,
// functions, globals and context processors. It is safe for concurrent
// use. Install it on an app with nexios.UseTemplates.
type Engine struct {
	cfg   Config
	fsys  fs.FS
	funcs FuncMap

	fields sync.Map // reflect.Type → []structField, for struct data

	mu      sync.RWMutex
	set     *set
	stamp   uint64
	loadErr error
}

// set is one parse of the template tree; templates are looked up by file
// name.
type set struct {
	entries map[string]*entry
}

type entry struct {
	tmpl *htmltemplate.Template
	exec string // the template to execute: the root of the layout chain
}

// ErrNotFound is wrapped by the error for an unknown template name.
var ErrNotFound = errors.New("template not found")

// New loads and parses every template, reporting the first syntax error,
// unknown layout or layout cycle with its file name and line.
func New(cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, fsys: cfg.FS}
	if e.fsys == nil {
		if cfg.Dir == "" {
			return nil, errors.New("template: Config.Dir or Config.FS is required")
		}
		e.fsys = os.DirFS(cfg.Dir)
	}
	if len(e.cfg.Extensions) == 0 {
		e.cfg.Extensions = []string{".html", ".htm", ".tmpl", ".gohtml", ".xml", ".txt"}
	}
	if e.cfg.IsPartial == nil {
		e.cfg.IsPartial = defaultIsPartial
	}
	e.funcs = builtins()
	for k, v := range cfg.Funcs {
		e.funcs[k] = v
	}
	stamp, err := e.fingerprint()
	if err != nil {
		return nil, err
	}
	s, err := e.load()
	if err != nil {
		return nil, err
	}
	e.set, e.stamp = s, stamp
	return e, nil
}

func defaultIsPartial(name string) bool {
	return strings.HasPrefix(path.Base(name), "_") ||
		strings.HasPrefix(name, "partials/") || strings.Contains(name, "/partials/")
}

// Render renders the template name with data into w, without a request
// (no context processors). The output is written as it is produced:
// render into a buffer if a failure must not leave partial output.
func (e *Engine) Render(w io.Writer, name string, data any) error {
	return e.render(nil, w, name, data)
}

func (e *Engine) render(req *nexios.Request, w io.Writer, name string, data any) error {
	s, err := e.current()
	if err != nil {
		return err
	}
	en, ok := s.entries[name]
	if !ok {
		return &Error{Name: name, Err: ErrNotFound}
	}
	dot, err := e.data(req, data)
	if err != nil {
		return &Error{Name: name, Err: err}
	}
	if err := en.tmpl.ExecuteTemplate(w, en.exec, dot); err != nil {
		return newError(name, err)
	}
	return nil
}

// Names lists the templates that can be rendered, sorted.
func (e *Engine) Names() []string {
	s, err := e.current()
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(s.entries))
	for n := range s.entries {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// current returns the parsed set, reloading it first in Reload mode when
// the files changed. A failed reload is reported until the files change
// again, and the previous set is not used: a developer sees the error.
func (e *Engine) current() (*set, error) {
	if !e.cfg.Reload {
		return e.set, nil
	}
	stamp, err := e.fingerprint()
	if err != nil {
		return nil, err
	}
	e.mu.RLock()
	s, old, loadErr := e.set, e.stamp, e.loadErr
	e.mu.RUnlock()
	if stamp == old {
		return s, loadErr
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if stamp == e.stamp { // another request reloaded meanwhile
		return e.set, e.loadErr
	}
	ns, err := e.load()
	e.stamp, e.loadErr = stamp, err
	if err == nil {
		e.set = ns
	}
	return e.set, err
}

// fingerprint hashes the names, sizes and modification times of the
// template files, so that any edit, addition or removal changes it.
func (e *Engine) fingerprint() (uint64, error) {
	h := fnv.New64a()
	err := fs.WalkDir(e.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !e.isTemplate(p) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", p, fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("template: scanning templates: %w", err)
	}
	return h.Sum64(), nil
}

func (e *Engine) isTemplate(name string) bool {
	return slices.Contains(e.cfg.Extensions, path.Ext(name))
}

// source is one template file.
type source struct {
	name    string
	text    string
	extends string
}

// load reads and parses every template. Partials are parsed once into a
// base set; each other template gets a clone of it with its layout chain
// parsed in order, the outermost layout first, so that the blocks a child
// defines replace the parent's defaults.
func (e *Engine) load() (*set, error) {
	srcs := map[string]*source{}
	err := fs.WalkDir(e.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !e.isTemplate(p) {
			return nil
		}
		b, err := fs.ReadFile(e.fsys, p)
		if err != nil {
			return err
		}
		src := &source{name: p, text: string(b)}
		if src.extends, err = e.extendsOf(src); err != nil {
			return err
		}
		srcs[p] = src
		return nil
	})
	if err != nil {
		var te *Error
		if errors.As(err, &te) {
			return nil, te
		}
		return nil, fmt.Errorf("template: loading: %w", err)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range srcs {
			if !yield(n) {
				return
			}
		}
	})
	base := htmltemplate.New("").Funcs(e.funcs)
	for _, n := range names {
		if e.cfg.IsPartial(n) {
			if _, err := base.New(n).Parse(srcs[n].text); err != nil {
				return nil, newError(n, err)
			}
		}
	}
	s := &set{entries: make(map[string]*entry, len(names))}
	for _, n := range names {
		chain, err := layoutChain(srcs, n)
		if err != nil {
			return nil, err
		}
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		for _, c := range chain {
			if e.cfg.IsPartial(c) {
				continue // already in the base set
			}
			if _, err := t.New(c).Parse(srcs[c].text); err != nil {
				return nil, newError(c, err)
			}
		}
		s.entries[n] = &entry{tmpl: t, exec: chain[0]}
	}
	return s, nil
}

// layoutChain returns the templates name extends, outermost first, ending
// with name.
func layoutChain(srcs map[string]*source, name string) ([]string, error) {
	chain := []string{name}
	for cur := srcs[name]; cur.extends != ""; {
		parent, ok := srcs[cur.extends]
		if !ok {
			return nil, &Error{Name: cur.name, Err: fmt.Errorf("extends unknown template %q", cur.extends)}
		}
		if slices.Contains(chain, parent.name) {
			return nil, &Error{Name: name, Err: fmt.Errorf("layout cycle: %s", strings.Join(append(chain, parent.name), " extends "))}
		}
		chain = append(chain, parent.name)
		cur = parent
	}
	slices.Reverse(chain)
	return chain, nil
}

// extendsOf finds a leading {{extends "layout"}} action. It parses the
// file on its own, which also reports syntax errors with the file's name.
func (e *Engine) extendsOf(src *source) (string, error) {
	t, err := texttemplate.New(src.name).Funcs(texttemplate.FuncMap(e.funcs)).Parse(src.text)
	if err != nil {
		return "", newError(src.name, err)
	}
	if t.Tree == nil || t.Tree.Root == nil {
		return "", nil
	}
	for _, n := range t.Tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(strings.TrimSpace(string(n.Text))) == 0 {
				continue
			}
		case *parse.CommentNode:
			continue
		case *parse.ActionNode:
			if parent, ok := extendsAction(n); ok {
				return parent, nil
			}
		}
		return "", nil // the first real node is not extends
	}
	return "", nil
}

func extendsAction(n *parse.ActionNode) (string, bool) {
	if n.Pipe == nil || len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 {
		return "", false
	}
	args := n.Pipe.Cmds[0].Args
	if len(args) != 2 {
		return "", false
	}
	id, ok := args[0].(*parse.IdentifierNode)
	if !ok || id.Ident != "extends" {
		return "", false
	}
	s, ok := args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return s.Text, true
}

// Error is a template error: a syntax error, an execution error, an
// unknown template or layout. Name and Line locate it when known; with
// nexios Config.Debug the 500 response shows them, otherwise it is a plain
// 500.
type Error struct {
	// Name is the template file the error is in.
	Name string
	// Line is the 1-based line, or 0 when unknown.
	Line int
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Err.Error()
	if e.Line > 0 && strings.Contains(msg, e.Name+":"+strconv.Itoa(e.Line)) {
		return msg // text/template's own message already locates it
	}
	if e.Line > 0 {
		return "template: " + e.Name + ":" + strconv.Itoa(e.Line) + ": " + msg
	}
	return "template: " + e.Name + ": " + msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// newError locates err, whose text from text/template or html/template
// reads "template: NAME:LINE:..." or "html/template:NAME:LINE:...", in its
// file; name is the file being rendered or parsed, used when the message
// names none.
func newError(name string, err error) *Error {
	msg := err.Error()
	te := &Error{Name: name, Err: err}
	for _, prefix := range []string{"template: ", "html/template:"} {
		i := strings.Index(msg, prefix)
		if i < 0 {
			continue
		}
		rest := msg[i+len(prefix):]
		file, rest, ok := strings.Cut(rest, ":")
		if !ok {
			break
		}
		lineText, _, _ := strings.Cut(rest, ":")
		if line, err := strconv.Atoi(lineText); err == nil && file != "" {
			te.Name, te.Line = file, line
		}
		break
	}
	return te
}
