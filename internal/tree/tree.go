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

// AmbiguousError reports a route whose typed parameter shares a position
// with another route's typed parameter of a different converter but the
// same rank: neither is more specific, so which one a segment both accept
// would match is undefined. Give one of the converters another rank.
type AmbiguousError struct {
	Pattern      string // the route being inserted
	Existing     string // a registered route through the other parameter
	Conv         string
	ExistingConv string
	Rank         int
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("route %s is ambiguous with %s: converters %q and %q have the same rank (%d) at the same position",
		e.Pattern, e.Existing, e.Conv, e.ExistingConv, e.Rank)
}

// Tree maps method and path to values of type V. Build it with Insert,
// then look paths up from any number of goroutines; Insert must not run
// concurrently with anything else.
type Tree[V any] struct {
	root   node[V]
	static staticTable[V] // full path of every clean all-static route → its endpoint
}

type node[V any] struct {
	// Static children, sorted by key. Each edge holds its key's first
	// eight bytes as a word, so that matching a segment mostly compares
	// words and touches no child until one matches; a node with many
	// children also indexes its edges by first byte.
	edges []edge[V]
	jump  *[256]uint16 // 1 + index of the first edge whose key starts with each byte, 0 if none
	empty *node[V]     // the child for an empty segment (the end of "/a/")

	multi    bool         // has typed or catch-all children: more than one way forward
	typed    []*node[V]   // typed-parameter children, by increasing rank
	str      *node[V]     // {name} child
	catchAll *endpoint[V] // {name:path} at this position
	end      *endpoint[V] // routes that end at this node

	conv    string // converter name, for typed children
	rank    int
	match   func(string) bool
	pattern string // the first pattern inserted through this node, for errors
}

// edge is a static child and its key.
type edge[V any] struct {
	word uint64 // the key's first eight bytes (all of a shorter key), little-endian
	mask uint64 // the bytes of word the key covers
	key  string
	node *node[V]
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
// identical shape, and an *AmbiguousError when a typed segment has the rank
// of a different converter already at that position. A failed Insert leaves
// the tree unchanged.
func (t *Tree[V]) Insert(method, pattern string, segs []Segment, value V) error {
	if err := t.check(pattern, segs); err != nil {
		return err
	}
	n := &t.root
	var ep **endpoint[V]
	static := true
	for _, s := range segs {
		switch s.Kind {
		case Static:
			n = n.staticChild(s.Text, pattern)
		case Typed:
			n = n.typedChild(s, pattern)
		case Str:
			if n.str == nil {
				n.str = &node[V]{conv: "str", pattern: pattern}
			}
			n = n.str
		case CatchAll:
			ep = &n.catchAll
			n.multi = true
		}
		static = static && s.Kind == Static
	}
	if ep == nil {
		ep = &n.end
	}
	if *ep == nil {
		*ep = &endpoint[V]{}
		if static && cleanPattern(pattern) {
			t.static.add(pattern, *ep)
		}
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

// check finds what would make inserting segs fail before anything changes:
// a misplaced catch-all, or a typed segment whose rank another converter
// already holds at the same position.
func (t *Tree[V]) check(pattern string, segs []Segment) error {
	n := &t.root
	for i, s := range segs {
		if s.Kind == CatchAll && i != len(segs)-1 {
			return fmt.Errorf("%w %q: catch-all must be last", ErrPattern, pattern)
		}
		if n == nil {
			continue // below here every node is new
		}
		switch s.Kind {
		case Static:
			n = n.findStatic(s.Text)
		case Typed:
			var next *node[V]
			for _, c := range n.typed {
				if c.conv == s.Conv {
					next = c
					break
				}
				if c.rank == s.Rank {
					return &AmbiguousError{Pattern: pattern, Existing: c.pattern, Conv: s.Conv, ExistingConv: c.conv, Rank: s.Rank}
				}
			}
			n = next
		case Str:
			n = n.str
		}
	}
	return nil
}

// cleanPattern reports whether an all-static pattern is a path that
// requests reach as is: no empty segment before the last and no "." or
// ".." segment (those requests are redirected to the cleaned path).
func cleanPattern(p string) bool {
	return cleanRest(p[1:])
}

// Nodes with more static children than this index them by first byte.
const linearScan = 8

// findStatic returns the static child whose key is key, or nil.
func (n *node[V]) findStatic(key string) *node[V] {
	if key == "" {
		return n.empty
	}
	i, ok := n.search(key)
	if !ok {
		return nil
	}
	return n.edges[i].node
}

func (n *node[V]) search(key string) (int, bool) {
	return slices.BinarySearchFunc(n.edges, key, func(e edge[V], k string) int { return strings.Compare(e.key, k) })
}

func (n *node[V]) staticChild(key, pattern string) *node[V] {
	if c := n.findStatic(key); c != nil {
		return c
	}
	c := &node[V]{pattern: pattern}
	if key == "" {
		n.empty = c
		return c
	}
	i, _ := n.search(key)
	w := headWord(key)
	mask := ^uint64(0)
	if len(key) < 8 {
		mask = 1<<(8*len(key)) - 1
	}
	n.edges = slices.Insert(n.edges, i, edge[V]{word: w, mask: mask, key: key, node: c})
	n.jump = nil
	if len(n.edges) > linearScan && len(n.edges) < 1<<16-1 {
		n.jump = new([256]uint16)
		for j := len(n.edges) - 1; j >= 0; j-- {
			n.jump[n.edges[j].key[0]] = uint16(j + 1)
		}
	}
	return c
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

// typedChild returns the child for a typed segment, creating it in rank
// order. check has ruled out a different converter of the same rank.
func (n *node[V]) typedChild(s Segment, pattern string) *node[V] {
	for _, c := range n.typed {
		if c.conv == s.Conv {
			return c
		}
	}
	c := &node[V]{conv: s.Conv, rank: s.Rank, match: s.Match, pattern: pattern}
	i := len(n.typed)
	for i > 0 && n.typed[i-1].rank > s.Rank {
		i--
	}
	n.typed = slices.Insert(n.typed, i, c)
	n.multi = true
	return c
}
