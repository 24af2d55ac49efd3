package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/config"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

const apiKey = "test-key-0123456789abcdef"

// command builds the app on the test's SQLite file, in production mode
// (no migration at start-up), and runs one command line.
func command(t *testing.T, dbFile string, args ...string) (string, int) {
	t.Helper()
	env := []string{"DATABASE_URL=sqlite:" + dbFile, "API_KEY=" + apiKey, "NEXIOS_ENV=production"}
	lo := []config.Option{config.Environ(env), config.Dir(t.TempDir())}
	var cfg Config
	if err := config.Load(&cfg, lo...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	app, opts, err := build(ctx, &cfg, lo...)
	if err != nil {
		t.Fatal(err)
	}
	cmd := cli.Command(app, append(opts, cli.Name("notes"))...)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(ctx)
	if err != nil {
		out.WriteString("error: " + err.Error() + "\n")
	}
	return out.String(), cli.ExitCode(err)
}

// flat collapses runs of white space, so table columns do not matter.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestOperationsLifecycle(t *testing.T) {
	t.Parallel()
	dbFile := filepath.Join(t.TempDir(), "notes.db")
	steps := []struct {
		args []string
		code int
		want []string
	}{
		// A fresh database: check fails naming the pending migrations,
		// and the app refuses to start in production.
		{[]string{"check"}, 1, []string{"ok config", "ok secrets", "ok database", "FAIL migrations db: 2 migration(s) pending: 00001_notes.sql, 2"}},
		{[]string{"ping", "/healthz"}, 1, []string{"migration(s) pending"}},
		{[]string{"migrate", "up"}, 0, []string{"applied 00001_notes.sql", "applied Go migration 2"}},
		{[]string{"check"}, 0, []string{"All 4 checks passed."}},
		{[]string{"ping", "-X", "POST", "-H", "X-API-Key: " + apiKey, "-H", "Content-Type: application/json", "-d", `{"text":"buy milk"}`, "/notes"}, 0, []string{"HTTP/1.1 201 Created", `"text":"buy milk"`}},
		{[]string{"ping", "-X", "POST", "-H", "Content-Type: application/json", "-d", `{"text":"no key"}`, "/notes"}, 1, []string{"HTTP/1.1 401 Unauthorized"}},
		{[]string{"jobs", "list", "--kind", "index_note"}, 0, []string{"1 index_note default"}},
		{[]string{"routes"}, 0, []string{"Every route: auth.Middleware", "POST /notes create_note Write a note auth.Require auth:notes:write", "GET /notes list_notes List the notes - -"}},
		{[]string{"config"}, 0, []string{"API_KEY=******", "NEXIOS_ENV=production"}},
		// The committed document matches the code: CI runs this.
		{[]string{"openapi", "--check", "openapi.json"}, 0, []string{"openapi.json is up to date."}},
	}
	for _, s := range steps {
		out, code := command(t, dbFile, s.args...)
		if code != s.code {
			t.Errorf("%v: exit %d, want %d\n%s", s.args, code, s.code, out)
		}
		for _, w := range s.want {
			if !strings.Contains(flat(out), flat(w)) {
				t.Errorf("%v: output lacks %q:\n%s", s.args, w, out)
			}
		}
		if strings.Contains(out, apiKey) {
			t.Errorf("%v shows the API key:\n%s", s.args, out)
		}
	}
}

// serve builds the app in development mode (it migrates its database at
// start-up) on a fresh SQLite file, starts it and stops it at the end.
func serve(t *testing.T) *nexios.App {
	t.Helper()
	cfg := Config{Env: "development", DatabaseURL: "sqlite:" + filepath.Join(t.TempDir(), "notes.db"), APIKey: apiKey}
	app, _, err := build(t.Context(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Startup(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return app
}

// TestOpenAPI checks the document the app serves with an independent
// validator, and that it documents every route's input as binding reads
// it.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	openapitest.Check(t, serve(t))
}

// The notes API over HTTP, every exchange checked against the document.
func TestNotesAPI(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, serve(t))
	key := testclient.Header("X-API-Key", apiKey)
	var list noteList
	if r := c.Get("/notes"); r.Status != 200 || r.JSON(&list) != nil || list.Notes == nil || len(list.Notes) != 0 {
		t.Fatalf("empty list: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/notes", testclient.JSON(map[string]string{"text": "no key"})); r.Status != 401 {
		t.Errorf("without a key: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/notes", key, testclient.JSON(map[string]string{"text": ""})); r.Status != 422 || !strings.Contains(r.Text(), `"text"`) {
		t.Errorf("empty text: %d %s", r.Status, r.Text())
	}
	r := c.Post("/notes", key, testclient.JSON(map[string]string{"text": "buy milk"}))
	var n Note
	if r.Status != 201 || r.JSON(&n) != nil || n.ID == 0 || n.Text != "buy milk" {
		t.Fatalf("create: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/notes"); r.JSON(&list) != nil || len(list.Notes) != 1 || list.Notes[0].ID != n.ID {
		t.Errorf("list: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/openapi.json"); r.Status != 200 || !strings.Contains(r.Text(), `"apiKey"`) {
		t.Errorf("document: %d", r.Status)
	}
}
