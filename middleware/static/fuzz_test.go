package static_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
)

// FuzzStaticPath checks that no request path, however encoded, serves a
// byte of the secret file beside the root, through the mounted handler,
// the middleware, or the handler given a decoded path directly.
func FuzzStaticPath(f *testing.F) {
	tr := newTree(f)
	for _, target := range hostileTargets(tr) {
		f.Add(strings.TrimPrefix(target, "/static/"))
	}
	for _, seed := range []string{"hello.txt", "", "docs/", "..", "%2e%2e", "escape/", "inside", "./escape", "a/../../secret.txt"} {
		f.Add(seed)
	}
	handler := static.Handler(static.Config{Root: tr.root, Browse: true, AllowDotfiles: true})
	var servers []http.Handler
	for _, clean := range []bool{false, true} {
		mounted := nexios.New(nexios.Config{Logger: quietLogger(), DisableCleanPathRedirect: clean})
		mounted.MountHandler("/static", handler)
		app := nexios.New(nexios.Config{Logger: quietLogger(), DisableCleanPathRedirect: clean})
		app.Use(nexios.Must(static.New(static.Config{Root: tr.root, Prefix: "/static", Browse: true, AllowDotfiles: true})))
		servers = append(servers, mounted, app)
	}

	f.Fuzz(func(t *testing.T, p string) {
		// As a raw request target, parsed like a server parses one.
		raw := "GET /static/" + p + " HTTP/1.1\r\nHost: test\r\n\r\n"
		if r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw))); err == nil {
			for _, srv := range servers {
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r.Clone(t.Context()))
				assertNoSecret(t, "GET /static/"+p, w.Body.String())
			}
		}
		// As a decoded path handed straight to the handler.
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/" + p}, Header: http.Header{}}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		assertNoSecret(t, "decoded /"+p, w.Body.String())
	})
}
