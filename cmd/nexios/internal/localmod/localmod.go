// Package localmod points a new project at a local checkout of Nexios
// while its modules are not published: it finds the checkout, lists its
// modules, and writes the project's go.mod with a replace directive for
// each Nexios module the project needs (directly or through another
// Nexios module), and a go.sum from the checkout's own, so the project
// builds offline from the module cache.
package localmod

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// Root is the module path of the Nexios kernel; the other modules are
// below it (github.com/nexios-go/nexios/db, …).
const Root = "github.com/nexios-go/nexios"

// Pseudo is the version a replaced module is required at.
const Pseudo = "v0.0.0-00010101000000-000000000000"

// ErrNotCheckout is wrapped when a directory is not a Nexios checkout.
var ErrNotCheckout = errors.New("not a Nexios checkout (no go.mod declaring module " + Root + ")")

// Checkout is a local copy of the Nexios repository.
type Checkout struct {
	Dir       string            // absolute path of its root
	Modules   map[string]string // module path → absolute directory
	GoVersion string            // the go directive of the root go.mod
}

// Open reads the checkout at dir: its root go.mod must declare Root; the
// modules are the go.mod files below it whose path starts with Root
// (testdata, vendor and hidden directories skipped).
func Open(dir string) (*Checkout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localmod: %w", err)
	}
	root, err := readMod(filepath.Join(abs, "go.mod"))
	if err != nil || root.Module == nil || root.Module.Mod.Path != Root {
		return nil, fmt.Errorf("localmod: %s: %w", abs, ErrNotCheckout)
	}
	c := &Checkout{Dir: abs, Modules: map[string]string{}}
	if root.Go != nil {
		c.GoVersion = root.Go.Version
	}
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != abs && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		f, err := readMod(p)
		if err != nil || f.Module == nil {
			return nil // a broken go.mod elsewhere in the tree is not ours to judge
		}
		if mp := f.Module.Mod.Path; mp == Root || strings.HasPrefix(mp, Root+"/") {
			c.Modules[mp] = filepath.Dir(p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localmod: %w", err)
	}
	return c, nil
}

func readMod(path string) (*modfile.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return modfile.ParseLax(path, data, nil)
}

// BuildCheckout may be set when the tool is built, to the checkout it is
// built from, for builds whose source paths are not kept (-trimpath):
//
//	go build -trimpath -ldflags "-X github.com/nexios-go/nexios/cmd/nexios/internal/localmod.BuildCheckout=$PWD" ./cmd/nexios
//
// It is only ever assigned by the linker.
var BuildCheckout string

// Find returns the checkout the running tool was built from, or "" when
// it cannot tell: BuildCheckout when set, else the directory above this
// source file (the compiler records its absolute path unless -trimpath)
// that holds the Nexios root go.mod. A tool installed from the module
// proxy finds none, which is right: it uses the published modules.
func Find() string {
	if BuildCheckout != "" {
		if _, err := Open(BuildCheckout); err == nil {
			return BuildCheckout
		}
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if f, err := readMod(filepath.Join(dir, "go.mod")); err == nil && f.Module != nil && f.Module.Mod.Path == Root {
			return dir
		}
		if parent := filepath.Dir(dir); parent == dir {
			return ""
		}
	}
}

// Closure returns the Nexios modules of the checkout that a project
// requiring direct needs: those, and the Nexios modules they require, and
// so on, sorted. A module the checkout does not have is an error.
func (c *Checkout) Closure(direct []string) ([]string, error) {
	seen := map[string]bool{}
	var visit func(mp string) error
	visit = func(mp string) error {
		if seen[mp] {
			return nil
		}
		dir, ok := c.Modules[mp]
		if !ok {
			return fmt.Errorf("localmod: the checkout at %s has no module %s", c.Dir, mp)
		}
		seen[mp] = true
		f, err := readMod(filepath.Join(dir, "go.mod"))
		if err != nil {
			return fmt.Errorf("localmod: %w", err)
		}
		for _, r := range f.Require {
			if p := r.Mod.Path; p == Root || strings.HasPrefix(p, Root+"/") {
				if err := visit(p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, mp := range direct {
		if err := visit(mp); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(seen))
	for mp := range seen {
		out = append(out, mp)
	}
	sort.Strings(out)
	return out, nil
}

// GoMod is the go.mod of a new project: module path, go version, the
// Nexios modules it requires and, with a checkout, replace directives to
// the checkout for those and every Nexios module they need. The other
// requirements are left to go mod tidy.
func GoMod(modPath, goVersion string, direct []string, c *Checkout) ([]byte, error) {
	f := &modfile.File{Syntax: &modfile.FileSyntax{}}
	if err := f.AddModuleStmt(modPath); err != nil {
		return nil, fmt.Errorf("localmod: %w", err)
	}
	if err := f.AddGoStmt(goVersion); err != nil {
		return nil, fmt.Errorf("localmod: %w", err)
	}
	direct = slices.Sorted(slices.Values(direct))
	for _, mp := range direct {
		f.AddNewRequire(mp, Pseudo, false)
	}
	if c != nil {
		all, err := c.Closure(direct)
		if err != nil {
			return nil, err
		}
		for _, mp := range all {
			if !slices.Contains(direct, mp) {
				f.AddNewRequire(mp, Pseudo, true)
			}
			if err := f.AddReplace(mp, "", c.Modules[mp], ""); err != nil {
				return nil, fmt.Errorf("localmod: %w", err)
			}
		}
	}
	f.Cleanup()
	return modfile.Format(f.Syntax), nil
}

// GoSum is the union of the go.sum files of the checkout's modules that
// direct needs: every checksum the project can need, known without a
// network.
func (c *Checkout) GoSum(direct []string) ([]byte, error) {
	all, err := c.Closure(direct)
	if err != nil {
		return nil, err
	}
	lines := map[string]bool{}
	for _, mp := range all {
		data, err := os.ReadFile(filepath.Join(c.Modules[mp], "go.sum"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("localmod: %w", err)
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				lines[line] = true
			}
		}
	}
	out := slices.Sorted(func(yield func(string) bool) {
		for l := range lines {
			if !yield(l) {
				return
			}
		}
	})
	if len(out) == 0 {
		return nil, nil
	}
	return []byte(strings.Join(out, "\n") + "\n"), nil
}

// CheckPath reports whether p is a valid module path for go.mod.
func CheckPath(p string) error {
	if err := module.CheckImportPath(p); err != nil {
		return fmt.Errorf("localmod: %w", err)
	}
	return nil
}
