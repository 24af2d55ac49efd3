package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/openapi/openapitest"
)

func TestHome(t *testing.T) {
	t.Parallel()
	r := openapitest.Client(t, newApp()).Get("/")
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %v", r.Status, r.Header)
	}
	body := r.Text()
	for _, want := range []string{
		"<title>Home</title>",
		`<h1 id="headline">Welcome!</h1>`,
		`<li id="feature-fast"><strong>Fast</strong>: Built for speed</li>`,
		`<li id="feature-secure"><strong>Secure</strong>: Security first</li>`,
		`<a href="/" aria-current="page">Home</a>`,
		`<a href="/about">About</a>`,
		"<footer>Nexios · ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q:\n%s", want, body)
		}
	}
}

func TestAbout(t *testing.T) {
	t.Parallel()
	body := openapitest.Client(t, newApp()).Get("/about").Text()
	for _, want := range []string{"<title>About</title>", `<a href="/about" aria-current="page">About</a>`, "Layouts, partials, filters, globals a..."} {
		if !strings.Contains(body, want) {
			t.Errorf("about page lacks %q:\n%s", want, body)
		}
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Fast": "fast", "Built for speed!": "built-for-speed", "  Über  Go ": "über-go", "": ""} {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDebugReload serves templates from a directory in debug mode: an edit
// shows at the next request, and a template error shows its file and line.
func TestDebugReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("templates")); err != nil {
		t.Fatal(err)
	}
	app, err := newAppWith(options{dir: dir, debug: true})
	if err != nil {
		t.Fatal(err)
	}
	c := openapitest.Client(t, app)
	if !strings.Contains(c.Get("/").Text(), "Welcome!") {
		t.Fatal("first render")
	}
	home := filepath.Join(dir, "pages", "home.html")
	edit := func(from, to string) {
		t.Helper()
		b, err := os.ReadFile(home)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(home, []byte(strings.Replace(string(b), from, to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Now().Add(time.Minute)
		if err := os.Chtimes(home, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	edit(`<h1 id="headline">`, `<h1 id="headline" class="edited">`)
	if !strings.Contains(c.Get("/").Text(), `class="edited"`) {
		t.Error("the edit did not show")
	}
	edit(`{{.content}}`, `{{.content.Missing}}`)
	r := c.Get("/")
	if r.Status != 500 || !strings.Contains(r.Text(), "pages/home.html:6") {
		t.Errorf("template error in debug mode = %d %q", r.Status, r.Text())
	}
}

// TestBrowser renders the home page in headless Chromium and checks the
// DOM the browser built, including what the page's script added.
func TestBrowser(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newApp())
	defer srv.Close()
	dom := dumpDOM(t, srv.URL+"/", 2*time.Second)
	checks := []string{
		`<title>Home</title>`,
		`<h1 id="headline">Welcome!</h1>`,
		`<li id="feature-fast"><strong>Fast</strong>: Built for speed</li>`,
		`<li id="feature-secure"><strong>Secure</strong>: Security first</li>`,
	}
	for _, want := range checks {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM lacks %q:\n%s", want, dom)
		}
	}
	if !regexp.MustCompile(`<body[^>]* data-features="2"`).MatchString(dom) {
		t.Errorf("the page script did not count 2 features:\n%s", dom)
	}
}
