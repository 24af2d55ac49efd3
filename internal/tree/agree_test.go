package tree

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// walkLookup is Lookup done by the general walk alone: no static table, no
// finder. The fast paths must agree with it.
func walkLookup[V any](t *Tree[V], method, path string, ps *Params) (V, string, Result) {
	var zero V
	ps.N, ps.Unclean = 0, false
	if path == "" || path[0] != '/' {
		return zero, "", NotFound
	}
	l := lookup[V]{method: method, mi: MethodIndex(method), ps: ps}
	if en := l.walk(&t.root, path[1:]); en != nil {
		return en.value, en.pattern, Found
	}
	ps.N = 0
	if l.pathMatched {
		return zero, "", MethodNotAllowed
	}
	return zero, "", NotFound
}

// finderLookup is Lookup without the static table.
func finderLookup[V any](t *Tree[V], method, path string, ps *Params) (V, string, Result) {
	var zero V
	ps.N, ps.Unclean = 0, false
	if path == "" || path[0] != '/' {
		return zero, "", NotFound
	}
	f := finder[V]{method: method, mi: MethodIndex(method), ps: ps}
	if en := f.find(&t.root, path[1:]); en != nil {
		return en.value, en.pattern, Found
	}
	ps.N = 0
	if f.pathMatched {
		return zero, "", MethodNotAllowed
	}
	return zero, "", NotFound
}

// agreeRoutes overlap in every way the tree knows: static, typed, string
// and catch-all segments at one position, trailing slashes, the root,
// patterns with empty and dot segments, methods outside the standard set,
// mounts (ANY), and enough static children at one node to index them.
var agreeRoutes = []string{
	"GET /", "GET /users", "GET /users/", "GET /users/me", "POST /users/me",
	"GET /users/{id:int}", "GET /users/{name}", "POST /users/{name}", "GET /users/{id:int}/posts",
	"GET /users/{name}/comments", "GET /users/{s:slug}/tags", "PURGE /users/{name}/cache",
	"GET /files/{rest:path}", "GET /files/special", "GET /files/special/",
	"ANY /static", "ANY /static/{p:path}", "GET /static/version",
	"GET /a//b", "GET /a/./c", "GET /a/../d", "GET /a/b",
	"GET /m/alpha", "GET /m/beta", "GET /m/gamma", "GET /m/delta", "GET /m/epsilon", "GET /m/zeta",
	"GET /m/eta", "GET /m/theta", "GET /m/iota", "GET /m/kappa", "GET /m/lambda", "GET /m/mu", "GET /m/al",
	"GET /m/{x:int}", "DELETE /m/alpha", "OPTIONS /m/beta",
	"GET /user", "GET /user/repos", "GET /users2",
}

// agreePaths are requests for agreeRoutes; the fuzzer starts from them.
var agreePaths = []string{
	"/", "//", "/users", "/users/", "/users/me", "/users/42", "/users/bob", "/users/42/posts", "/users/me/posts",
	"/users/42/comments", "/users/a-b/tags", "/users/A/tags", "/users/x/cache", "/files/a/b", "/files/",
	"/files/special", "/files/special/", "/files/special/x", "/files/a/../b", "/static", "/static/", "/static/version",
	"/static/version/x", "/static/a//b", "/a//b", "/a/./c", "/a/../d", "/a/b", "/a/b/", "/a/.", "/a/..", "/a/...",
	"/m/alpha", "/m/al", "/m/alp", "/m/alpha/", "/m/7", "/m/zeta", "/m/mu", "/m/m", "/m/", "/m", "/user",
	"/user/repos", "/user/repos/", "/users2", "/users22", "/user/", "/x", "", "users", "/users//me", "/./users",
	"/users/me/../me", "/m/alpha/x", "/users/me/", "/users/%2F",
}

var agreeMethods = []string{"GET", "HEAD", "POST", "DELETE", "OPTIONS", "PURGE", "PUT"}

func agreeTree(tb testing.TB) *Tree[string] {
	tb.Helper()
	return mustTree(tb, agreeRoutes...)
}

// checkAgree compares Lookup, the finder alone and the general walk.
func checkAgree(t *testing.T, tr *Tree[string], method, path string) {
	t.Helper()
	var ps1, ps2, ps3 Params
	v1, p1, r1 := tr.Lookup(method, path, false, &ps1)
	v2, p2, r2 := finderLookup(tr, method, path, &ps2)
	v3, p3, r3 := walkLookup(tr, method, path, &ps3)
	got := func(v, p string, r Result, ps *Params) string {
		return strings.Join([]string{v, p, string('0' + byte(r)), strings.Join(ps.Values[:ps.N], "|"), map[bool]string{true: "unclean"}[ps.Unclean && r == Found]}, " ")
	}
	a, b, c := got(v1, p1, r1, &ps1), got(v2, p2, r2, &ps2), got(v3, p3, r3, &ps3)
	if a != c || b != c {
		t.Fatalf("%s %q: Lookup %q, finder %q, walk %q", method, path, a, b, c)
	}
	// An unescaped path without '%' reads the same when taken as escaped.
	if !strings.Contains(path, "%") {
		var ps4 Params
		v4, p4, r4 := tr.Lookup(method, path, true, &ps4)
		if d := got(v4, p4, r4, &ps4); d != c {
			t.Fatalf("%s %q: escaped Lookup %q, walk %q", method, path, d, c)
		}
	}
}

func TestFastPathsAgree(t *testing.T) {
	t.Parallel()
	tr := agreeTree(t)
	for _, m := range agreeMethods {
		for _, p := range agreePaths {
			checkAgree(t, tr, m, p)
		}
		for _, r := range agreeRoutes {
			_, p, _ := strings.Cut(r, " ")
			checkAgree(t, tr, m, p)
		}
	}
}

// TestStaticTable checks the static table against a map on many paths,
// enough to grow it several times and to make its probes collide.
func TestStaticTable(t *testing.T) {
	t.Parallel()
	var st staticTable[string]
	want := map[string]*endpoint[string]{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteByte('/')
			for range rng.IntN(12) {
				b.WriteByte("abcxyz-_0"[rng.IntN(9)])
			}
		}
		p := b.String()
		if _, ok := want[p]; ok {
			continue
		}
		ep := &endpoint[string]{}
		want[p] = ep
		st.add(p, ep)
		if i%500 == 0 {
			for q, e := range want {
				if !st.mayHold(q) || st.get(q) != e {
					t.Fatalf("get(%q) lost after %d adds", q, st.n)
				}
			}
		}
	}
	for q, e := range want {
		if !st.mayHold(q) || st.get(q) != e {
			t.Fatalf("get(%q) = wrong endpoint", q)
		}
		if st.get(q+"x") != want[q+"x"] || q != "/" && st.get(q[:len(q)-1]) != want[q[:len(q)-1]] {
			t.Fatalf("near miss of %q answered wrongly", q)
		}
	}
	if st.n != len(want) || 2*st.n > len(st.slots) {
		t.Errorf("%d entries in %d slots", st.n, len(st.slots))
	}
}

// FuzzFastPathsAgree checks that the static table and the finder give what
// the general walk gives, for any path and method.
func FuzzFastPathsAgree(f *testing.F) {
	for i, p := range agreePaths {
		f.Add(p, uint8(i))
	}
	tr := agreeTree(f)
	f.Fuzz(func(t *testing.T, path string, m uint8) {
		checkAgree(t, tr, agreeMethods[int(m)%len(agreeMethods)], path)
	})
}

func TestAmbiguous(t *testing.T) {
	t.Parallel()
	lookup := func(name string) (Converter, bool) {
		switch name {
		case "hex", "oct":
			return Converter{Match: isInt, Rank: 7}, true
		}
		return testLookup(name)
	}
	for _, order := range [][2]string{{"/a/{x:hex}", "/a/{y:oct}/b"}, {"/a/{y:oct}/b", "/a/{x:hex}"}} {
		tr := &Tree[string]{}
		segs, _ := Parse(order[0], lookup)
		if err := tr.Insert("GET", order[0], segs, order[0]); err != nil {
			t.Fatal(err)
		}
		segs, _ = Parse(order[1], lookup)
		err := tr.Insert("POST", order[1], segs, order[1])
		var ae *AmbiguousError
		if !errors.As(err, &ae) || ae.Pattern != order[1] || ae.Existing != order[0] || ae.Rank != 7 {
			t.Fatalf("%q after %q: %v, want *AmbiguousError naming both", order[1], order[0], err)
		}
		if len(tr.root.edges[0].node.typed) != 1 {
			t.Errorf("a refused insert changed the tree")
		}
	}
	// The same converter twice is no ambiguity, and ranks order the
	// children whatever the insertion order.
	tr := mustTree(t, "GET /a/{s:slug}", "GET /a/{i:int}/x", "GET /a/{j:int}")
	if got := []string{tr.root.edges[0].node.typed[0].conv, tr.root.edges[0].node.typed[1].conv}; !slices.Equal(got, []string{"int", "slug"}) {
		t.Errorf("typed children %v, want int before slug", got)
	}
}

func FuzzSegEnd(f *testing.F) {
	for _, s := range []string{"", "/", "abc", "abcdefgh/", "abcdefg/", "abcdefghijklmnop/q", "abcdefghijklmnopq", "\xaf\x2f", "\x2e\x30\x2f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.IndexByte(s, '/')
		if want < 0 {
			want = len(s)
		}
		if got := segEnd(s); got != want {
			t.Fatalf("segEnd(%q) = %d, want %d", s, got, want)
		}
	})
}

// TestConcurrentLookups looks paths up from several goroutines at once
// (Allow headers are cached on first use) and checks every answer against
// one computed beforehand; run it with -race.
func TestConcurrentLookups(t *testing.T) {
	t.Parallel()
	tr := agreeTree(t)
	type answer struct {
		v     string
		res   Result
		allow string
	}
	want := map[string]answer{}
	key := func(m, p string) string { return m + " " + p }
	for _, m := range agreeMethods {
		for _, p := range agreePaths {
			var ps Params
			v, _, res := walkLookup(tr, m, p, &ps)
			want[key(m, p)] = answer{v, res, strings.Join(tr.AllowHeader(p, false), ",")}
		}
	}
	tr = agreeTree(t) // a fresh tree, so that the goroutines race to fill the Allow caches
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 * len(agreePaths) {
				m, p := agreeMethods[(i+g)%len(agreeMethods)], agreePaths[i%len(agreePaths)]
				var ps Params
				v, _, res := tr.Lookup(m, p, false, &ps)
				got := answer{v, res, strings.Join(tr.AllowHeader(p, false), ",")}
				if w := want[key(m, p)]; got != w {
					t.Errorf("%s %s: %+v, want %+v", m, p, got, w)
					return
				}
			}
		})
	}
	wg.Wait()
}
