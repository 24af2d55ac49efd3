package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nexios-go/nexios/cmd/nexios/internal/localmod"
)

// offline is the environment of every go command the test runs: the
// module cache only (GOPROXY=off, and go.sum comes from the checkout), no
// workspace.
var offline = []string{"GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off"}

// TestEndToEnd is the path of a new user, offline against this checkout:
// nexios new demo → go test ./... passes → the server answers → nexios
// generate resource post … → go test ./... passes again → the post CRUD
// works over HTTP and is in the OpenAPI document. It builds a project
// twice and runs its tests three times (a web project's too): slow, the
// only such test.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a generated project (CI runs it without -short)")
	}
	if raceEnabled {
		// Its own code only starts processes; CI runs it again without
		// -race, where it is not built twice for nothing.
		t.Skip("runs in the test run without -race")
	}
	checkout := localmod.Find()
	if checkout == "" {
		t.Fatal("cannot tell the checkout this test was built from")
	}
	work := t.TempDir()
	tool := filepath.Join(work, "nexios")
	run(t, ".", nil, "go", "build", "-o", tool, ".")

	out := run(t, work, offline, tool, "new", "demo", "--local", checkout)
	if !strings.Contains(out, "go.mod points at the Nexios checkout "+checkout) {
		t.Errorf("nexios new said:\n%s", out)
	}
	project := filepath.Join(work, "demo")
	run(t, project, offline, "go", "test", "./...")

	srv := serve(t, project)
	srv.expect(t, "GET", "/readyz", "", 200, `"status":"pass"`)
	srv.expect(t, "POST", "/api/notes", `{"title":"First","body":"Hello"}`, 201, `"title":"First"`)
	srv.expect(t, "GET", "/api/notes?search=HELLO", "", 200, `"total":1`)
	srv.stop(t)

	out = run(t, project, offline, tool, "generate", "resource", "post", "title:string:unique", "body:text", "published:bool")
	for _, want := range []string{"app/post.go", "app/post_test.go", "migrations/sqlite/00003_create_posts.sql", "migrations/postgres/00003_create_posts.sql", "registerPosts"} {
		if !strings.Contains(out, want) {
			t.Errorf("nexios generate resource did not say %q:\n%s", want, out)
		}
	}
	// Every type and modifier, so that their generated tests run too.
	run(t, project, offline, tool, "generate", "resource", "event", "name:string:unique", "at:time", "starts:time:optional",
		"price:float", "count:int:index", "contact:email", "site:url:optional", "ref:uuid:unique", "flag:bool", "notes:text:optional")
	run(t, project, offline, "go", "test", "./...")
	run(t, project, offline, "go", "vet", "./...")

	// As nexios dev builds an app on SQLite: without PostgreSQL's
	// drivers (pgx is not even in the binary), serving everything.
	srv = serve(t, project, "-tags=nexios_sqlite") // the same database file: migration 3 is applied at start-up
	if mods := run(t, project, offline, "go", "version", "-m", filepath.Join(project, "demo-server")); strings.Contains(mods, "jackc/pgx") {
		t.Errorf("a -tags=nexios_sqlite build links pgx:\n%s", mods)
	}
	srv.expect(t, "GET", "/api/notes", "", 200, `"title":"First"`)
	created := srv.expect(t, "POST", "/api/posts", `{"title":"Hello","body":"World","published":true}`, 201, `"published":true`)
	var post struct{ ID int64 }
	if err := json.Unmarshal([]byte(created), &post); err != nil || post.ID == 0 {
		t.Fatalf("created post: %v %s", err, created)
	}
	one := fmt.Sprintf("/api/posts/%d", post.ID)
	srv.expect(t, "POST", "/api/posts", `{"title":"Hello","body":"again"}`, 409, `"field":"title"`)
	srv.expect(t, "POST", "/api/posts", `{"body":"no title"}`, 422, `"field":"title"`)
	srv.expect(t, "GET", one, "", 200, `"title":"Hello"`)
	srv.expect(t, "GET", "/api/posts?search=worl&sort=-created_at", "", 200, `"total":1`)
	srv.expect(t, "PUT", one, `{"title":"Hello again","body":"Changed","published":false}`, 200, `"body":"Changed"`)
	srv.expect(t, "PATCH", one, `{"published":true}`, 200, `"title":"Hello again"`)
	srv.expect(t, "DELETE", one, "", 204, "")
	srv.expect(t, "GET", one, "", 404, `"status":404`)
	srv.expect(t, "GET", "/openapi.json", "", 200, `"Create a post"`)
	srv.expect(t, "GET", "/docs", "", 200, "swagger")
	srv.stop(t)
	// That binary, pointed at PostgreSQL, says why it cannot.
	noPG := exec.Command(filepath.Join(project, "demo-server"))
	noPG.Dir = project
	noPG.Env = append(os.Environ(), "DATABASE_URL=postgres://127.0.0.1:1/none")
	if out, err := noPG.CombinedOutput(); err == nil || !strings.Contains(string(out), "nexios_sqlite") {
		t.Errorf("a SQLite-only build on PostgreSQL: %v\n%s", err, out)
	}

	// The web template (HTML pages, static files) with PostgreSQL as its
	// default database passes its tests too.
	run(t, work, offline, tool, "new", "site", "--template", "web", "--db", "postgres", "--module", "example.com/site", "--local", checkout)
	run(t, filepath.Join(work, "site"), offline, "go", "test", "./...")
}

// run runs a command in dir and returns its output; it fails the test
// when the command fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out.String())
	}
	return out.String()
}

// server is the generated app, built and running on a free port.
type server struct {
	base string
	cmd  *exec.Cmd
	out  *bytes.Buffer
}

// serve builds the app (with buildFlags) and starts it on SQLite.
func serve(t *testing.T, project string, buildFlags ...string) *server {
	t.Helper()
	bin := filepath.Join(project, "demo-server")
	run(t, project, offline, "go", append(append([]string{"build", "-o", bin}, buildFlags...), ".")...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{base: "http://" + addr, out: &bytes.Buffer{}}
	s.cmd = exec.Command(bin)
	s.cmd.Dir = project
	s.cmd.Env = append(os.Environ(), "ADDR="+addr, "DATABASE_URL=sqlite:"+filepath.Join(project, "demo.db"))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/livez")
		if err == nil {
			res.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app does not answer: %v\n%s", err, s.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// expect sends a request and checks the status and that the body
// contains want; it returns the body.
func (s *server) expect(t *testing.T, method, path, body string, status int, want string) string {
	t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != status || !strings.Contains(string(got), want) {
		t.Fatalf("%s %s: %d %s\nwant %d with %q", method, path, res.StatusCode, got, status, want)
	}
	return string(got)
}

// stop ends the app with SIGTERM, as a deployment does, and checks that
// it shuts down cleanly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the app exited with %v after SIGTERM\n%s", err, s.out)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the app did not stop after SIGTERM\n%s", s.out)
	}
	s.cmd = exec.Command("true") // Cleanup's Kill/Wait on a finished command are no-ops
	_ = s.cmd.Run()
}
