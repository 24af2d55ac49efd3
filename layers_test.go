package nexios_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The kernel imports no feature: features plug into it through typed
// keys, so of this module's packages it may use only bind (which has no
// feature either) and its internal packages. An arrow from the kernel to
// session, auth, websocket, a middleware… would make every app link it.
func TestKernelImportsNoFeature(t *testing.T) {
	t.Parallel()
	const module = "github.com/nexios-go/nexios/"
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			rest, ours := strings.CutPrefix(path, module)
			if !ours || rest == "bind" || strings.HasPrefix(rest, "internal/") {
				continue
			}
			t.Errorf("%s imports %s: the kernel may import only bind and internal packages", name, path)
		}
	}
}
