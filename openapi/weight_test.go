package openapi_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// An app that serves its document without pages does not link the
// pages' assets, and the kernel's users do not inherit the test-only
// validators through its go.mod (issue 17, item 15).
func TestWeight(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, heavy := range []string{"github.com/swaggest/swgui", "github.com/nexios-go/nexios/openapi/docsui", "github.com/getkin/kin-openapi"} {
		if strings.Contains(string(out), heavy) {
			t.Errorf("package openapi depends on %s", heavy)
		}
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, testOnly := range []string{"github.com/getkin/kin-openapi", "github.com/pb33f/libopenapi"} {
		if strings.Contains(string(mod), testOnly) {
			t.Errorf("the kernel's go.mod requires %s", testOnly)
		}
	}
}
