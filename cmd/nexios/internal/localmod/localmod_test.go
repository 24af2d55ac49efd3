package localmod

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindAndOpen(t *testing.T) {
	t.Parallel()
	dir := Find()
	if dir == "" {
		t.Fatal("Find cannot tell the checkout this test was built from")
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{Root, Root + "/db", Root + "/jobs", Root + "/mail", Root + "/cmd/nexios"} {
		if c.Modules[m] == "" {
			t.Errorf("no module %s in %v", m, c.Modules)
		}
	}
	if c.GoVersion == "" {
		t.Error("no go version")
	}
	closure, err := c.Closure([]string{Root + "/jobs"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(closure, " ") != Root+" "+Root+"/db "+Root+"/jobs "+Root+"/mail" {
		t.Errorf("closure of jobs: %v", closure)
	}
	if _, err := c.Closure([]string{Root + "/nope"}); err == nil {
		t.Error("a module the checkout lacks")
	}
	sum, err := c.GoSum([]string{Root + "/db"})
	if err != nil || !strings.Contains(string(sum), "github.com/uptrace/bun v") {
		t.Errorf("go.sum of db: %v\n%.200s", err, sum)
	}
}

func TestOpenRefusesOtherDirectories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNotCheckout) {
		t.Errorf("empty directory: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNotCheckout) {
		t.Errorf("another module: %v", err)
	}
}

func TestGoMod(t *testing.T) {
	t.Parallel()
	c := &Checkout{Dir: "/src/nexios", Modules: map[string]string{Root: "/src/nexios", Root + "/db": "/src/nexios/db"}}
	// Closure reads go.mod files: give db's.
	dir := t.TempDir()
	c.Modules[Root] = dir
	c.Modules[Root+"/db"] = filepath.Join(dir, "db")
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	for p, body := range map[string]string{
		"go.mod":    "module " + Root + "\n",
		"db/go.mod": "module " + Root + "/db\n\nrequire " + Root + " " + Pseudo + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mod, err := GoMod("example.com/app", "1.26.0", []string{Root + "/db"}, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"module example.com/app", "go 1.26.0", Root + "/db " + Pseudo, Root + " " + Pseudo + " // indirect",
		Root + " => " + dir, Root + "/db => " + filepath.Join(dir, "db"),
	} {
		if !strings.Contains(string(mod), want) {
			t.Errorf("go.mod lacks %q:\n%s", want, mod)
		}
	}
	published, err := GoMod("example.com/app", "1.26.0", []string{Root}, nil)
	if err != nil || strings.Contains(string(published), "=>") {
		t.Errorf("without a checkout: %v\n%s", err, published)
	}
}
