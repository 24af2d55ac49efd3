package tree

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// lookup is the general walk: escaped paths (segments are decoded before
// they are compared), lookups whatever the method, and collecting every
// endpoint that matches a path. Lookup of an unescaped path for one
// method, the hot path, uses finder instead; both try candidates in the
// same order and must agree (see the tests).
type lookup[V any] struct {
	method      string
	mi          int
	escaped     bool
	pathMatched bool
	anyMethod   bool // accept the first endpoint entry, whatever its method
	ps          *Params
	collect     *collector[V] // set by Allowed: visit every match
}

// walk matches the path remainder p (no leading '/') below n, most
// specific child first. Where a node offers a single way forward it loops;
// only nodes with alternatives keep a frame to backtrack to. On failure
// the parameters pushed below n are dropped.
func (l *lookup[V]) walk(n *node[V], p string) *entry[V] {
	saved := l.ps.N
	for {
		seg, rest, more := p, "", false
		if i := strings.IndexByte(p, '/'); i >= 0 {
			seg, rest, more = p[:i], p[i+1:], true
		}
		if l.escaped && strings.IndexByte(seg, '%') >= 0 {
			dec, err := url.PathUnescape(seg)
			if err != nil {
				l.ps.N = saved
				return nil
			}
			seg = dec
		}
		if (seg == "" && more) || (len(seg) <= 2 && (seg == "." || seg == "..")) {
			l.ps.Unclean = true
		}
		sc := n.exact(seg)
		if len(n.typed) == 0 && n.catchAll == nil && (sc == nil) != (n.str == nil) {
			next := sc
			if next == nil { // the only way forward is the string parameter
				if seg == "" || l.ps.N >= MaxParams {
					l.ps.N = saved
					return nil
				}
				l.ps.Values[l.ps.N] = seg
				l.ps.N++
				next = n.str
			}
			if more {
				n, p = next, rest
				continue
			}
			if en := l.end(next); en != nil {
				return en
			}
			l.ps.N = saved
			return nil
		}
		if en := l.branch(n, sc, p, seg, rest, more); en != nil {
			return en
		}
		l.ps.N = saved
		return nil
	}
}

// branch tries every way forward from n in priority order: the static
// child sc, typed parameters, the string parameter, the catch-all.
func (l *lookup[V]) branch(n, sc *node[V], p, seg, rest string, more bool) *entry[V] {
	if sc != nil {
		if en := l.next(sc, rest, more); en != nil {
			return en
		}
	}
	if seg != "" {
		for _, c := range n.typed {
			if c.match(seg) {
				if en := l.param(c, seg, rest, more); en != nil {
					return en
				}
			}
		}
		if n.str != nil {
			if en := l.param(n.str, seg, rest, more); en != nil {
				return en
			}
		}
	}
	if n.catchAll != nil {
		val := p
		if l.escaped {
			dec, err := url.PathUnescape(p)
			if err != nil {
				return nil
			}
			val = dec
		}
		if en := l.accept(n.catchAll); en != nil && l.ps.N < MaxParams {
			if !cleanRest(val) {
				l.ps.Unclean = true
			}
			l.ps.Values[l.ps.N] = val
			l.ps.N++
			return en
		}
	}
	return nil
}

func (l *lookup[V]) param(c *node[V], seg, rest string, more bool) *entry[V] {
	if l.ps.N >= MaxParams {
		return nil
	}
	saved := l.ps.N
	l.ps.Values[saved] = seg
	l.ps.N++
	if en := l.next(c, rest, more); en != nil {
		return en
	}
	l.ps.N = saved
	return nil
}

func (l *lookup[V]) next(c *node[V], rest string, more bool) *entry[V] {
	if more {
		return l.walk(c, rest)
	}
	return l.end(c)
}

func (l *lookup[V]) end(c *node[V]) *entry[V] {
	if c.end != nil {
		return l.accept(c.end)
	}
	return nil
}

func (l *lookup[V]) accept(e *endpoint[V]) *entry[V] {
	if l.collect != nil {
		l.collect.add(e)
		return nil
	}
	if l.anyMethod {
		return e.first()
	}
	if en, ok := e.get(l.mi, l.method); ok {
		return en
	}
	l.pathMatched = true
	return nil
}

// first returns an entry of e: the first standard method, then others,
// then AnyMethod.
func (e *endpoint[V]) first() *entry[V] {
	for _, en := range e.std {
		if en != nil {
			return en
		}
	}
	for _, m := range slices.Sorted(maps.Keys(e.other)) {
		return e.other[m]
	}
	return e.any
}

// LookupAny finds the most specific route matching path whatever its
// method, filling ps. It serves automatic OPTIONS answers, which run
// through that route's middleware.
func (t *Tree[V]) LookupAny(path string, escaped bool, ps *Params) (value V, pattern string, ok bool) {
	ps.N = 0
	if path == "" || path[0] != '/' {
		return value, "", false
	}
	l := lookup[V]{anyMethod: true, mi: -1, escaped: escaped, ps: ps}
	if en := l.walk(&t.root, path[1:]); en != nil {
		return en.value, en.pattern, true
	}
	ps.N = 0
	return value, "", false
}

// Allowed returns the methods registered for every route matching path, in
// a stable order, with HEAD implied by GET. It reports any=true when an
// AnyMethod endpoint matches. It allocates; use it on the 405/OPTIONS path.
func (t *Tree[V]) Allowed(path string, escaped bool) (methods []string, any bool) {
	var c collector[V]
	if !t.collect(path, escaped, &c) {
		return nil, false
	}
	return c.methods()
}

// AllowHeader returns the value of the Allow header for path: the methods
// of every matching route, HEAD implied by GET, OPTIONS always listed. The
// slice is shared and must not be modified. When one endpoint matches (the
// usual case) it is computed once and cached, so a 405 or a CORS preflight
// does not allocate for it.
func (t *Tree[V]) AllowHeader(path string, escaped bool) []string {
	var c collector[V]
	if !t.collect(path, escaped, &c) || c.n == 0 {
		return []string{"OPTIONS"}
	}
	if c.n == 1 {
		if v := c.first.allow.Load(); v != nil {
			return *v
		}
		methods, _ := c.methods()
		v := []string{allowValue(methods)}
		c.first.allow.Store(&v)
		return v
	}
	methods, _ := c.methods()
	return []string{allowValue(methods)}
}

func (t *Tree[V]) collect(path string, escaped bool, c *collector[V]) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	var ps Params
	l := lookup[V]{escaped: escaped, ps: &ps, mi: -1, collect: c}
	l.walk(&t.root, path[1:])
	return true
}

// collector gathers the endpoints that match a path, whatever the method.
type collector[V any] struct {
	first *endpoint[V]
	rest  []*endpoint[V]
	n     int
}

func (c *collector[V]) add(e *endpoint[V]) {
	if c.n == 0 {
		c.first = e
	} else {
		c.rest = append(c.rest, e)
	}
	c.n++
}

// methods is the union of the collected endpoints' methods.
func (c *collector[V]) methods() (methods []string, any bool) {
	var std [numStd]bool
	var other []string
	for i := range c.n {
		e := c.first
		if i > 0 {
			e = c.rest[i-1]
		}
		for j, en := range e.std {
			if en != nil {
				std[j] = true
			}
		}
		for m := range e.other {
			if !slices.Contains(other, m) {
				other = append(other, m)
			}
		}
		any = any || e.any != nil
	}
	if std[0] {
		std[1] = true // HEAD is answered by GET routes
	}
	for i, ok := range std {
		if ok {
			methods = append(methods, stdMethods[i])
		}
	}
	slices.Sort(other)
	return append(methods, other...), any
}

// allowValue joins methods for an Allow header, adding OPTIONS, which is
// always answered.
func allowValue(methods []string) string {
	if !slices.Contains(methods, "OPTIONS") {
		methods = append(methods, "OPTIONS")
	}
	return strings.Join(methods, ", ")
}
