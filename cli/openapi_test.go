package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
)

type Pet struct {
	ID   int    `json:"id"`
	Name string `json:"name" validate:"required"`
}

type PetPath struct {
	ID int `path:"id"`
}

// petsApp is a small documented API; more adds a route, a change of API
// that --check must notice.
func petsApp(t *testing.T, version string, more bool) *nexios.App {
	t.Helper()
	app := nexios.New(nexios.Config{Title: "Pets", Version: version})
	nexios.Get(app, "/pets/{id:int}", func(_ *nexios.Request, in *PetPath) (*Pet, error) { return &Pet{ID: in.ID}, nil },
		nexios.Summary("Fetch a pet"))
	if more {
		nexios.Delete(app, "/pets/{id:int}", func(_ *nexios.Request, _ *PetPath) (*struct{}, error) { return nil, nil },
			nexios.Summary("Remove a pet"))
	}
	if err := openapi.Register(app, openapi.Config{}); err != nil {
		t.Fatal(err)
	}
	return app
}

func TestOpenAPIExport(t *testing.T) {
	t.Parallel()
	app := petsApp(t, "1.0.0", false)
	want, err := openapi.Build(app, openapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, app, nil, "openapi")
	if r.err != nil || r.out != string(want) {
		t.Fatalf("openapi printed another document than openapi.Build (err %v):\n%s", r.err, r.out)
	}

	wantYAML, _ := openapi.BuildYAML(app, openapi.Config{})
	if r := run(t, app, nil, "openapi", "--yaml"); r.err != nil || r.out != string(wantYAML) {
		t.Errorf("--yaml: err %v\n%s", r.err, r.out)
	}

	r = run(t, app, nil, "openapi", "--version", "3.0")
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("--version 3.0: err %v, openapi %v", err, doc["openapi"])
	}
	r = run(t, app, nil, "openapi", "--version", "3.0", "--yaml")
	if r.err != nil || !strings.Contains(r.out, "\nopenapi: 3.0.3\n") || !strings.Contains(r.out, "summary: Fetch a pet") {
		t.Errorf("--version 3.0 --yaml: err %v\n%s", r.err, r.out)
	}

	out := filepath.Join(t.TempDir(), "openapi.json")
	r = run(t, app, nil, "openapi", "--out", out)
	b, _ := os.ReadFile(out)
	if r.err != nil || string(b) != string(want) || !strings.Contains(r.errOut, "wrote "+out) {
		t.Errorf("--out: err %v, stderr %q, file matches: %v", r.err, r.errOut, string(b) == string(want))
	}
	if r := run(t, app, nil, "openapi", "--version", "2.0"); r.code != 2 {
		t.Errorf("--version 2.0: code %d", r.code)
	}
}

func TestOpenAPICheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := petsApp(t, "1.0.0", false)
	files := map[string][]string{
		"openapi.json":    {"openapi"},
		"openapi.yaml":    {"openapi", "--yaml"},
		"openapi-30.json": {"openapi", "--version", "3.0"},
		"openapi-30.yml":  {"openapi", "--version", "3.0", "--yaml"},
	}
	for name, args := range files {
		p := filepath.Join(dir, name)
		if r := run(t, old, nil, append(args, "--out", p)...); r.err != nil {
			t.Fatal(r.err)
		}
		// The same app: up to date, exit 0.
		r := run(t, petsApp(t, "1.0.0", false), nil, "openapi", "--check", p)
		if r.code != 0 || !strings.Contains(r.out, "is up to date") {
			t.Errorf("%s unchanged: code %d, out %q, err %v", name, r.code, r.out, r.err)
		}
		// A new operation and a new version: drift, exit 1, each listed.
		r = run(t, petsApp(t, "1.1.0", true), nil, "openapi", "--check", p)
		if r.code != 1 {
			t.Errorf("%s drifted: code %d, want 1", name, r.code)
		}
		for _, want := range []string{
			"differs from the app's document",
			`~ info.version: "1.0.0" -> "1.1.0"`,
			`+ paths["/pets/{id}"].delete: {`,
			"Update the file with: app openapi ",
		} {
			if !strings.Contains(r.out, want) {
				t.Errorf("%s: the summary lacks %q:\n%s", name, want, r.out)
			}
		}
		if !strings.Contains(r.out, "--out "+p) || strings.Contains(name, "yaml") && !strings.Contains(r.out, "--yaml") {
			t.Errorf("%s: the update hint does not write the same format:\n%s", name, r.out)
		}
	}
}

func TestOpenAPICheckErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	app := petsApp(t, "1.0.0", false)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"openapi", "--check", filepath.Join(dir, "missing.json")}, 1, "reading the document to check"},
		{[]string{"openapi", "--check", broken}, 1, "not a JSON document"},
		{[]string{"openapi", "--check", broken, "--out", "x.json"}, 2, "do not go together"},
	}
	for _, c := range cases {
		r := run(t, app, nil, c.args...)
		if r.code != c.code || r.err == nil || !strings.Contains(r.err.Error(), c.msg) {
			t.Errorf("%v: code %d err %v", c.args, r.code, r.err)
		}
	}
}

// An app without openapi.Register is documented with the defaults.
func TestOpenAPIWithoutRegister(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Title: "Bare"})
	app.Get("/x", ok)
	r := run(t, app, nil, "openapi")
	if r.err != nil || !strings.Contains(r.out, `"title": "Bare"`) || !strings.Contains(r.out, `"/x"`) {
		t.Errorf("err %v\n%s", r.err, r.out)
	}
}
