package tree

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil && s[0] != '-' && s[0] != '+'
}

func testLookup(name string) (Converter, bool) {
	switch name {
	case "int":
		return Converter{Match: isInt, Rank: 100}, true
	case "slug":
		return Converter{Match: func(s string) bool { return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" }, Rank: 400}, true
	}
	return Converter{}, false
}

func mustTree(t testing.TB, routes ...string) *Tree[string] {
	t.Helper()
	tr := &Tree[string]{}
	for _, r := range routes {
		method, pattern, _ := strings.Cut(r, " ")
		if method == "ANY" {
			method = AnyMethod
		}
		segs, err := Parse(pattern, testLookup)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Insert(method, pattern, segs, r); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func TestLookup(t *testing.T) {
	t.Parallel()
	tr := mustTree(t,
		"GET /",
		"GET /users",
		"GET /users/",
		"GET /users/me",
		"GET /users/{id:int}",
		"GET /users/{name}",
		"POST /users/{name}",
		"GET /users/{id:int}/posts",
		"GET /users/{name}/comments",
		"GET /files/{rest:path}",
		"GET /files/special",
		"GET /blog/{s:slug}",
		"ANY /static/{p:path}",
		"PURGE /cache",
	)
	cases := []struct {
		method, path string
		want         string
		res          Result
		params       []string
	}{
		{"GET", "/", "GET /", Found, nil},
		{"GET", "/users", "GET /users", Found, nil},
		{"GET", "/users/", "GET /users/", Found, nil},
		{"GET", "/users/me", "GET /users/me", Found, nil},
		{"GET", "/users/42", "GET /users/{id:int}", Found, []string{"42"}},
		{"GET", "/users/bob", "GET /users/{name}", Found, []string{"bob"}},
		{"POST", "/users/me", "POST /users/{name}", Found, []string{"me"}},
		{"POST", "/users/42", "POST /users/{name}", Found, []string{"42"}},
		{"GET", "/users/42/posts", "GET /users/{id:int}/posts", Found, []string{"42"}},
		{"GET", "/users/42/comments", "GET /users/{name}/comments", Found, []string{"42"}},
		{"GET", "/users/me/comments", "GET /users/{name}/comments", Found, []string{"me"}},
		{"HEAD", "/users/42", "GET /users/{id:int}", Found, []string{"42"}},
		{"GET", "/files/a/b/c.txt", "GET /files/{rest:path}", Found, []string{"a/b/c.txt"}},
		{"GET", "/files/", "GET /files/{rest:path}", Found, []string{""}},
		{"GET", "/files/special", "GET /files/special", Found, nil},
		{"GET", "/files/special/x", "GET /files/{rest:path}", Found, []string{"special/x"}},
		{"GET", "/files", "", NotFound, nil},
		{"GET", "/blog/hello-world", "GET /blog/{s:slug}", Found, []string{"hello-world"}},
		{"GET", "/blog/Hello", "", NotFound, nil},
		{"DELETE", "/static/x.css", "ANY /static/{p:path}", Found, []string{"x.css"}},
		{"PURGE", "/cache", "PURGE /cache", Found, nil},
		{"GET", "/cache", "", MethodNotAllowed, nil},
		{"DELETE", "/users/42", "", MethodNotAllowed, nil},
		{"GET", "/nope", "", NotFound, nil},
		{"GET", "/users//posts", "", NotFound, nil},
		{"GET", "", "", NotFound, nil},
		{"GET", "users", "", NotFound, nil},
	}
	for _, c := range cases {
		var ps Params
		v, _, res := tr.Lookup(c.method, c.path, false, &ps)
		if res != c.res || v != c.want {
			t.Errorf("%s %s: got %q (%d), want %q (%d)", c.method, c.path, v, res, c.want, c.res)
			continue
		}
		if got := ps.Values[:ps.N]; strings.Join(got, "|") != strings.Join(c.params, "|") {
			t.Errorf("%s %s: params %q, want %q", c.method, c.path, got, c.params)
		}
	}
}

func TestLookupEscaped(t *testing.T) {
	t.Parallel()
	tr := mustTree(t, "GET /files/{name}", "GET /café/{x}", "GET /all/{p:path}")
	cases := []struct{ path, want, param string }{
		{"/files/a%2Fb", "GET /files/{name}", "a/b"},
		{"/caf%C3%A9/a%2Fb", "GET /café/{x}", "a/b"},
		{"/all/x%2Fy/z", "GET /all/{p:path}", "x/y/z"},
		{"/files/%zz", "", ""},
	}
	for _, c := range cases {
		var ps Params
		v, _, _ := tr.Lookup("GET", c.path, true, &ps)
		if v != c.want {
			t.Errorf("%s: got %q want %q", c.path, v, c.want)
			continue
		}
		if c.want != "" && ps.Values[0] != c.param {
			t.Errorf("%s: param %q want %q", c.path, ps.Values[0], c.param)
		}
	}
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b     string
		conflict bool
	}{
		{"GET /users/{id}", "GET /users/{name}", true},
		{"GET /users/{id:int}", "GET /users/{n:int}", true},
		{"GET /users/{id:int}", "GET /users/{name}", false},
		{"GET /users/{id}", "POST /users/{name}", false},
		{"GET /a/{p:path}", "GET /a/{q:path}", true},
		{"GET /a/{p:path}", "GET /a/{q}", false},
		{"ANY /a/{p:path}", "ANY /a/{q:path}", true},
		{"PURGE /x", "PURGE /x", true},
		{"GET /x", "GET /x/", false},
	}
	for _, c := range cases {
		tr := mustTree(t, c.a)
		m, p, _ := strings.Cut(c.b, " ")
		if m == "ANY" {
			m = AnyMethod
		}
		segs, err := Parse(p, testLookup)
		if err != nil {
			t.Fatal(err)
		}
		err = tr.Insert(m, p, segs, c.b)
		var ce *ConflictError
		if got := errors.As(err, &ce); got != c.conflict {
			t.Errorf("%s vs %s: conflict=%v (%v), want %v", c.a, c.b, got, err, c.conflict)
		}
		if ce != nil && (!strings.Contains(ce.Error(), p) || !strings.Contains(ce.Error(), strings.SplitN(c.a, " ", 2)[1])) {
			t.Errorf("error %q does not name both routes", ce)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	bad := []string{"", "users", "/a/{", "/a/{}", "/a/{1x}", "/a/{x}{y}", "/a/x{y}", "/a/{x}/{x}", "/a/{x:nope}", "/a/{p:path}/b", "/a/{x:int:y}"}
	for _, p := range bad {
		if _, err := Parse(p, testLookup); !errors.Is(err, ErrPattern) {
			t.Errorf("Parse(%q) = %v, want ErrPattern", p, err)
		}
	}
	var many strings.Builder
	for i := range MaxParams + 1 {
		many.WriteString("/{p" + strconv.Itoa(i) + "}")
	}
	if _, err := Parse(many.String(), testLookup); err == nil {
		t.Error("too many params accepted")
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	tr := mustTree(t, "GET /u/{id:int}", "POST /u/{name}", "PURGE /u/{name}", "DELETE /u/me")
	got, any := tr.Allowed("/u/7", false)
	if strings.Join(got, ",") != "GET,HEAD,POST,PURGE" || any {
		t.Errorf("Allowed = %v %v", got, any)
	}
	got, _ = tr.Allowed("/u/me", false)
	if strings.Join(got, ",") != "POST,DELETE,PURGE" {
		t.Errorf("Allowed = %v", got)
	}
}

func TestLookupAllocs(t *testing.T) {
	tr := mustTree(t, "GET /users/{id:int}/posts/{post}", "GET /static/path/here")
	var ps Params
	for _, p := range []string{"/users/42/posts/hello", "/static/path/here", "/nope"} {
		n := testing.AllocsPerRun(100, func() { tr.Lookup("GET", p, false, &ps) })
		if n != 0 {
			t.Errorf("%s: %v allocs", p, n)
		}
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"/", "/users/42", "/users/%2F", "/files/a/b/../c", "//", "/users/42/posts", "/blog/a-b", "/%zz", "/files/"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	tr := mustTree(f, "GET /", "GET /users/{id:int}", "GET /users/{name}/posts", "GET /files/{p:path}", "GET /blog/{s:slug}", "GET /users/me")
	f.Fuzz(func(t *testing.T, path string, escaped bool) {
		var ps Params
		v, pattern, res := tr.Lookup("GET", path, escaped, &ps)
		if res == Found && (v == "" || pattern == "") {
			t.Fatalf("found with empty value for %q", path)
		}
		if res != Found && ps.N != 0 {
			t.Fatalf("params left behind for %q", path)
		}
		tr.Allowed(path, escaped)
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/", "/a/{b}", "/a/{b:int}/{c:path}", "/{", "/a/{b}{c}", "/x/{y:slug}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		segs, err := Parse(pattern, testLookup)
		if err != nil {
			return
		}
		tr := &Tree[string]{}
		if err := tr.Insert("GET", pattern, segs, pattern); err != nil {
			t.Fatalf("insert of parsed %q failed: %v", pattern, err)
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	tr := mustTree(b, "GET /users/{id:int}/posts/{post}", "GET /static/path/here", "GET /users/me")
	var ps Params
	b.ReportAllocs()
	for b.Loop() {
		tr.Lookup("GET", "/users/42/posts/hello", false, &ps)
	}
}

func TestLookupAny(t *testing.T) {
	t.Parallel()
	tr := mustTree(t, "POST /u/{id:int}", "PURGE /u/{name}", "GET /u/me")
	cases := []struct{ path, want string }{
		{"/u/7", "POST /u/{id:int}"},
		{"/u/bob", "PURGE /u/{name}"},
		{"/u/me", "GET /u/me"},
		{"/x", ""},
	}
	for _, c := range cases {
		var ps Params
		v, _, ok := tr.LookupAny(c.path, false, &ps)
		if v != c.want || ok != (c.want != "") {
			t.Errorf("LookupAny(%s) = %q %v, want %q", c.path, v, ok, c.want)
		}
	}
}

func TestAllowHeader(t *testing.T) {
	tr := mustTree(t, "GET /u/{id:int}", "POST /u/{name}", "DELETE /only", "PURGE /only", "OPTIONS /opt")
	cases := map[string]string{
		"/only":   "DELETE, PURGE, OPTIONS",
		"/u/me":   "POST, OPTIONS",
		"/u/7":    "GET, HEAD, POST, OPTIONS", // two routes match
		"/opt":    "OPTIONS",
		"/none":   "OPTIONS",
		"invalid": "OPTIONS",
	}
	for path, want := range cases {
		if got := tr.AllowHeader(path, false); len(got) != 1 || got[0] != want {
			t.Errorf("AllowHeader(%s) = %q, want %q", path, got, want)
		}
	}
	tr.AllowHeader("/only", false) // cached from now on
	if n := testing.AllocsPerRun(100, func() { tr.AllowHeader("/only", false) }); n != 0 {
		t.Errorf("single-endpoint Allow header: %v allocs", n)
	}
}
