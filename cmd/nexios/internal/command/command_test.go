package command

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func execute(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Execute(context.Background(), args, Streams{Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"nexios new blog", "Available Commands:", "dev", "generate", "version"}},
		{[]string{"new", "--help"}, []string{"--local", "--template", "--db", "--module"}},
		{[]string{"dev", "--help"}, []string{"--addr", "--live", "--stop-timeout", "NEXIOS_DEV=1"}},
		{[]string{"generate", "resource", "--help"}, []string{"string, text, int", "unique, index, optional", "--plural"}},
		{[]string{"version"}, []string{"nexios "}},
		{[]string{"--version"}, []string{"nexios version "}},
	} {
		code, out, errOut := execute(t, tc.args...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	// Not parallel: it changes the working directory.
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"new"}, "accepts 1 arg"},
		{[]string{"new", "2bad", "--local", "off"}, "invalid name"},
		{[]string{"new", "ok", "--local", "off", "--db", "mysql"}, "--db"},
		{[]string{"new", "ok", "--local", "/nonexistent/nexios"}, "not a Nexios checkout"},
		{[]string{"generate", "resource", "post", "title"}, "not in a project made by nexios new"},
		{[]string{"generate", "resource", "post", "title:nope"}, "unknown type"},
		{[]string{"dev"}, "no go.mod"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		code, _, errOut := execute(t, tc.args...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want an error with %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(".", "ok")); err == nil {
		t.Error("a failed new left a directory behind")
	}
}

func TestGenerateInProject(t *testing.T) {
	t.Chdir(t.TempDir())
	if code, _, errOut := execute(t, "new", "demo", "--local", "off", "--no-tidy"); code != 0 {
		t.Fatal(errOut)
	}
	t.Chdir(filepath.Join("demo", "app")) // a subdirectory of the project works too
	code, out, errOut := execute(t, "generate", "resource", "person", "name", "email:email:unique")
	if code != 0 {
		t.Fatal(errOut)
	}
	for _, want := range []string{"wrote app/person.go", "wrote migrations/sqlite/00003_create_people.sql", "registered registerPeople(api, s.DB)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut = execute(t, "generate", "resource", "person", "name"); code == 0 || !strings.Contains(errOut, "--force") {
		t.Errorf("generating person twice: exit %d %s", code, errOut)
	}
}
