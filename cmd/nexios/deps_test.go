package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/cmd/nexios/internal/localmod"
)

// TestKernelHasNoToolDependencies: the kernel module neither requires nor
// imports the tool's libraries (cobra, fsnotify): an app that uses Nexios
// does not build them.
func TestKernelHasNoToolDependencies(t *testing.T) {
	t.Parallel()
	checkout := localmod.Find()
	if checkout == "" {
		t.Fatal("cannot tell the checkout this test was built from")
	}
	cmd := exec.Command("go", "list", "-deps", "-test", "./...")
	cmd.Dir = checkout
	cmd.Env = append(cmd.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly -buildvcs=false")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	mod, err := exec.Command("go", "mod", "edit", "-json", filepath.Join(checkout, "go.mod")).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"github.com/spf13/cobra", "github.com/spf13/pflag", "github.com/fsnotify/fsnotify"} {
		if strings.Contains(string(out), banned) {
			t.Errorf("the kernel module's packages import %s", banned)
		}
		if strings.Contains(string(mod), banned) {
			t.Errorf("the kernel's go.mod requires %s", banned)
		}
	}
	if !strings.Contains(string(out), "github.com/nexios-go/nexios/testclient") {
		t.Fatalf("go list did not list the kernel's packages:\n%.500s", out)
	}
}
