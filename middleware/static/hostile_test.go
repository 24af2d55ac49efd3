package static_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
)

// hostileTargets are request targets, sent as they are (no client
// normalises them), that try to reach base/secret.txt from base/root.
func hostileTargets(tr tree) []string {
	abs := filepath.ToSlash(tr.secretPath)
	return []string{
		"/static/../secret.txt",
		"/static/../../secret.txt",
		"/static/./../secret.txt",
		"/static/docs/../../secret.txt",
		"/static/..%2fsecret.txt",
		"/static/..%2Fsecret.txt",
		"/static/%2e%2e/secret.txt",
		"/static/%2e%2e%2fsecret.txt",
		"/static/%2E%2E%2Fsecret.txt",
		"/static/..%5csecret.txt",
		"/static/..%5Csecret.txt",
		`/static/..\secret.txt`,
		"/static/%2e%2e%5csecret.txt",
		"/static/docs%2f..%2f..%2fsecret.txt",
		"/static/%252e%252e%252fsecret.txt", // double encoding
		"/static/..;/secret.txt",
		"/static/../secret.txt%00.txt",
		"/static/hello.txt%00/../../secret.txt",
		"/static/" + abs,
		"/static/" + strings.TrimPrefix(abs, "/"),
		"/static//" + strings.TrimPrefix(abs, "/"),
		"/static/%2f" + strings.TrimPrefix(url.PathEscape(abs), "/"),
		"/static/escape",                   // symlink → ../secret.txt
		"/static/escapedir/secret.txt",     // symlink → ..
		"/static/escapedir/root/hello.txt", // out and back in is still out
		"/static/abs",                      // absolute symlink
		"/static/escape?download=1",
		"/static/escapedir/",
	}
}

func TestHostilePaths(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	// Control: the escaping symlinks do reach the secret outside os.Root.
	if b, err := os.ReadFile(filepath.Join(tr.root, "escape")); err != nil || string(b) != secret {
		t.Fatalf("fixture: escape symlink reads %q, %v", b, err)
	}
	handler, err := static.NewHandler(static.Config{Root: tr.root, Browse: true})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := static.New(static.Config{Root: tr.root, Prefix: "/static", Browse: true})
	if err != nil {
		t.Fatal(err)
	}
	servers := map[string]http.Handler{}
	for _, clean := range []bool{false, true} {
		name := "clean-path redirect on"
		if clean {
			name = "clean-path redirect off"
		}
		mounted := nexios.New(nexios.Config{Logger: quietLogger(), DisableCleanPathRedirect: clean})
		mounted.MountHandler("/static", handler)
		servers["mounted, "+name] = mounted
		app := nexios.New(nexios.Config{Logger: quietLogger(), DisableCleanPathRedirect: clean})
		app.Use(mw)
		servers["middleware, "+name] = app
	}
	// The bare handler sees the path unstripped: mount it with StripPrefix.
	servers["http.StripPrefix"] = http.StripPrefix("/static", handler)

	for name, srv := range servers {
		for _, target := range hostileTargets(tr) {
			w := do(srv, http.MethodGet, target)
			assertNoSecret(t, name+" "+target, w.Body.String())
			switch w.Code {
			case http.StatusNotFound, http.StatusMovedPermanently, http.StatusBadRequest:
			default:
				t.Errorf("%s %s: status %d, want 404 (or a clean-path redirect)", name, target, w.Code)
			}
			if loc := w.Header().Get("Location"); loc != "" && strings.Contains(loc, "secret") {
				// The core's clean-path redirect may point at /secret.txt,
				// which is outside the mount: follow it to be sure.
				w := do(srv, http.MethodGet, loc)
				assertNoSecret(t, name+" "+target+" → "+loc, w.Body.String())
			}
		}
	}
}

// TestDecodedHostilePaths hands the handler decoded paths directly, as a
// caller that builds requests itself might.
func TestDecodedHostilePaths(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	h := static.Handler(static.Config{Root: tr.root, Browse: true, AllowDotfiles: true})
	for _, p := range []string{
		"/../secret.txt", "../secret.txt", "/..", "/../", "/./../secret.txt",
		`/..\secret.txt`, `\..\secret.txt`, "/hello.txt\x00", "/\x00../secret.txt",
		tr.secretPath, "/" + tr.secretPath, "//" + tr.secretPath,
		"/escape", "/escapedir/secret.txt", "/abs", "/escapedir/",
		"relative.txt", "relative/../../secret.txt",
	} {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}, Header: http.Header{}}
		w := do(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { h.ServeHTTP(w, r) }), "GET", "/")
		assertNoSecret(t, p, w.Body.String())
		if w.Code == http.StatusOK {
			t.Errorf("%q: served with 200", p)
		}
	}
}
