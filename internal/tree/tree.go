package tree

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
)

// AnyMethod registers an endpoint that answers every method (mounted handlers).
const AnyMethod = ""

// The methods with a fixed slot in an endpoint; others go to a map.
var stdMethods = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

const numStd = len(stdMethods)

// MethodIndex returns the slot of a standard method, or -1.
func MethodIndex(m string) int {
	if len(m) == 3 && m[0] == 'G' && m[1] == 'E' && m[2] == 'T' {
		return 0 // most requests: skip the general switch
	}
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
	allow atomic.Pointer[[]string] // cached Allow header value, see AllowHeader
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

// Nodes with more static children than this keep them sorted by first
// byte and binary-search the index.
const linearScan = 8

func (n *node[V]) staticChild(key string) *node[V] {
	for _, c := range n.statics {
		if c.key == key {
			return c
		}
	}
	c := &node[V]{key: key}
	fb := firstByte(key)
	i := len(n.indices)
	for i > 0 && n.indices[i-1] > fb {
		i--
	}
	n.statics = slices.Insert(n.statics, i, c)
	n.indices = slices.Insert(n.indices, i, fb)
	return c
}

// searchIndex returns the position of the first static child whose key
// starts with b, or where it would be.
func (n *node[V]) searchIndex(b byte) int {
	lo, hi := 0, len(n.indices)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if n.indices[m] < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// cleanRest reports whether a catch-all remainder has no empty, "." or
// ".." segments (a trailing slash is fine).
func cleanRest(p string) bool {
	for len(p) > 0 {
		seg, rest, more := p, "", false
		if i := strings.IndexByte(p, '/'); i >= 0 {
			seg, rest, more = p[:i], p[i+1:], true
		}
		if (seg == "" && more) || seg == "." || seg == ".." {
			return false
		}
		p = rest
	}
	return true
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
