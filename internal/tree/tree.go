package tree

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// AnyMethod registers an endpoint that answers every method (mounted handlers).
const AnyMethod = ""

// The methods with a fixed slot in an endpoint; others go to a map.
var stdMethods = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

const numStd = len(stdMethods)

// MethodIndex returns the slot of a standard method, or -1.
func MethodIndex(m string) int {
	switch m {
	case "GET":
		return 0
	case "HEAD":
		return 1
	case "POST":
		return 2
	case "PUT":
		return 3
	case "PATCH":
		return 4
	case "DELETE":
		return 5
	case "OPTIONS":
		return 6
	case "CONNECT":
		return 7
	case "TRACE":
		return 8
	}
	return -1
}

// ConflictError reports a route that would shadow an existing one exactly.
type ConflictError struct {
	Method   string
	Pattern  string
	Existing string
}

func (e *ConflictError) Error() string {
	m := e.Method
	if m == AnyMethod {
		m = "ANY"
	}
	return fmt.Sprintf("route %s %s conflicts with %s %s: they match the same requests", m, e.Pattern, m, e.Existing)
}

// Tree maps method and path to values of type V.
type Tree[V any] struct {
	root node[V]
}

type node[V any] struct {
	key      string     // literal segment, for static children
	indices  []byte     // first byte of each static child's key (0 for "")
	statics  []*node[V] // static children
	typed    []*node[V] // typed-parameter children, in registration order
	conv     string     // converter name, for typed children
	match    func(string) bool
	str      *node[V]     // {name} child
	catchAll *endpoint[V] // {name:path} at this position
	end      *endpoint[V] // routes that end at this node
}

type entry[V any] struct {
	value   V
	pattern string
}

type endpoint[V any] struct {
	std   [numStd]*entry[V]
	other map[string]*entry[V]
	any   *entry[V]
}

// slot returns the place of a standard method or of AnyMethod.
func (e *endpoint[V]) slot(method string) **entry[V] {
	if method == AnyMethod {
		return &e.any
	}
	return &e.std[MethodIndex(method)]
}

// get finds the value for a method; HEAD falls back to GET, and any method
// falls back to an AnyMethod endpoint.
func (e *endpoint[V]) get(mi int, method string) (*entry[V], bool) {
	if mi >= 0 {
		if en := e.std[mi]; en != nil {
			return en, true
		}
		if mi == 1 { // HEAD answers with the GET route
			if en := e.std[0]; en != nil {
				return en, true
			}
		}
	} else if en, ok := e.other[method]; ok {
		return en, true
	}
	if e.any != nil {
		return e.any, true
	}
	return nil, false
}

// Insert adds value under method and the parsed pattern. It returns a
// *ConflictError when the same method is already registered for a pattern of
// identical shape.
func (t *Tree[V]) Insert(method, pattern string, segs []Segment, value V) error {
	n := &t.root
	var ep **endpoint[V]
	for i, s := range segs {
		switch s.Kind {
		case Static:
			n = n.staticChild(s.Text)
		case Typed:
			n = n.typedChild(s.Conv, s.Match)
		case Str:
			if n.str == nil {
				n.str = &node[V]{conv: "str"}
			}
			n = n.str
		case CatchAll:
			if i != len(segs)-1 {
				return fmt.Errorf("%w %q: catch-all must be last", ErrPattern, pattern)
			}
			ep = &n.catchAll
		}
	}
	if ep == nil {
		ep = &n.end
	}
	if *ep == nil {
		*ep = &endpoint[V]{}
	}
	e := *ep
	if method != AnyMethod && MethodIndex(method) < 0 {
		if old, ok := e.other[method]; ok {
			return &ConflictError{Method: method, Pattern: pattern, Existing: old.pattern}
		}
		if e.other == nil {
			e.other = make(map[string]*entry[V])
		}
		e.other[method] = &entry[V]{value: value, pattern: pattern}
		return nil
	}
	slot := e.slot(method)
	if *slot != nil {
		return &ConflictError{Method: method, Pattern: pattern, Existing: (*slot).pattern}
	}
	*slot = &entry[V]{value: value, pattern: pattern}
	return nil
}

func (n *node[V]) staticChild(key string) *node[V] {
	for _, c := range n.statics {
		if c.key == key {
			return c
		}
	}
	c := &node[V]{key: key}
	n.statics = append(n.statics, c)
	n.indices = append(n.indices, firstByte(key))
	return c
}

func (n *node[V]) typedChild(conv string, match func(string) bool) *node[V] {
	for _, c := range n.typed {
		if c.conv == conv {
			return c
		}
	}
	c := &node[V]{conv: conv, match: match}
	n.typed = append(n.typed, c)
	return c
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// Params holds the values of a match's parameters, in pattern order.
type Params struct {
	Values [MaxParams]string
	N      int
}

// Result tells how a lookup ended.
type Result uint8

// Lookup results.
const (
	NotFound         Result = iota // no route matches the path
	Found                          // a route matches path and method
	MethodNotAllowed               // routes match the path, none the method
)

// Lookup finds the value for method and path (which starts with '/').
// When escaped is true the path is in its percent-encoded form (a request
// whose path holds an encoded '/'): segments are decoded before they are
// compared and stored. On Found, ps holds the parameter values.
func (t *Tree[V]) Lookup(method, path string, escaped bool, ps *Params) (value V, pattern string, res Result) {
	ps.N = 0
	if path == "" || path[0] != '/' {
		return value, "", NotFound
	}
	l := lookup[V]{method: method, mi: MethodIndex(method), escaped: escaped, ps: ps}
	if en := l.walk(&t.root, path[1:]); en != nil {
		return en.value, en.pattern, Found
	}
	ps.N = 0
	if l.pathMatched {
		return value, "", MethodNotAllowed
	}
	return value, "", NotFound
}

type lookup[V any] struct {
	method      string
	mi          int
	escaped     bool
	pathMatched bool
	anyMethod   bool // accept the first endpoint entry, whatever its method
	ps          *Params
	collect     func(*endpoint[V]) // set by Allowed: visit every match
}

// walk matches the segment at the start of p (p has no leading '/')
// against n's children, most specific first, backtracking on failure.
func (l *lookup[V]) walk(n *node[V], p string) *entry[V] {
	seg, rest, more := p, "", false
	if i := strings.IndexByte(p, '/'); i >= 0 {
		seg, rest, more = p[:i], p[i+1:], true
	}
	if l.escaped && strings.IndexByte(seg, '%') >= 0 {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return nil
		}
		seg = dec
	}
	if len(n.indices) > 0 {
		fb := firstByte(seg)
		for i, c := range n.indices {
			if c == fb && n.statics[i].key == seg {
				if en := l.next(n.statics[i], rest, more); en != nil {
					return en
				}
			}
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
	l.ps.Values[l.ps.N] = seg
	l.ps.N++
	if en := l.next(c, rest, more); en != nil {
		return en
	}
	l.ps.N--
	return nil
}

func (l *lookup[V]) next(c *node[V], rest string, more bool) *entry[V] {
	if more {
		return l.walk(c, rest)
	}
	if c.end != nil {
		return l.accept(c.end)
	}
	return nil
}

func (l *lookup[V]) accept(e *endpoint[V]) *entry[V] {
	if l.collect != nil {
		l.collect(e)
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
	if path == "" || path[0] != '/' {
		return nil, false
	}
	var std [numStd]bool
	other := map[string]bool{}
	var ps Params
	l := lookup[V]{escaped: escaped, ps: &ps, mi: -1}
	l.collect = func(e *endpoint[V]) {
		for i, en := range e.std {
			if en != nil {
				std[i] = true
			}
		}
		for m := range e.other {
			other[m] = true
		}
		if e.any != nil {
			any = true
		}
	}
	l.walk(&t.root, path[1:])
	if std[0] {
		std[1] = true
	}
	for i, ok := range std {
		if ok {
			methods = append(methods, stdMethods[i])
		}
	}
	extra := make([]string, 0, len(other))
	for m := range other {
		extra = append(extra, m)
	}
	slices.Sort(extra)
	return append(methods, extra...), any
}
