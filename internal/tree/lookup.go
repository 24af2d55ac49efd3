package tree

import "math/bits"

// Params holds the values of a match's parameters, in pattern order.
type Params struct {
	Values [MaxParams]string
	N      int
	// Unclean is set by a Found lookup when the path holds an empty
	// segment before its end ("//"), or a "." or ".." segment: the caller
	// redirects to the cleaned path instead of serving it.
	Unclean bool
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
	ps.N, ps.Unclean = 0, false
	if path == "" || path[0] != '/' {
		return value, "", NotFound
	}
	mi := MethodIndex(method)
	var en *entry[V]
	var matched bool
	if !escaped {
		if e := t.static.get(path); e != nil {
			if en, ok := e.get(mi, method); ok {
				return en.value, en.pattern, Found
			}
		}
		f := finder[V]{method: method, mi: mi, ps: ps}
		en, matched = f.find(&t.root, path[1:]), f.pathMatched
	} else {
		l := lookup[V]{method: method, mi: mi, escaped: true, ps: ps}
		en, matched = l.walk(&t.root, path[1:]), l.pathMatched
	}
	if en != nil {
		return en.value, en.pattern, Found
	}
	ps.N = 0
	if matched {
		return value, "", MethodNotAllowed
	}
	return value, "", NotFound
}

// finder looks up an unescaped path for one method: the hot path. It
// matches static children by comparing the path with their keys, so it
// looks for the end of a segment only where a parameter may take it.
type finder[V any] struct {
	method      string
	mi          int
	pathMatched bool
	ps          *Params
}

// find matches the path remainder p (no leading '/') below n, most
// specific child first. Where a node offers a single way forward it loops;
// only nodes with alternatives keep a frame to backtrack to. On failure
// the parameters pushed below n are dropped.
func (f *finder[V]) find(n *node[V], p string) *entry[V] {
	saved := f.ps.N
	for {
		var sc *node[V] // the static child matching the next segment
		var rest string // what follows that segment and its '/'
		more := false   // whether a '/' follows it
		if p == "" || p[0] == '/' {
			sc = n.empty
			if p != "" {
				f.ps.Unclean = true // "//"
				rest, more = p[1:], true
			}
		} else {
			if p[0] == '.' && dotSegment(p) {
				f.ps.Unclean = true
			}
			if len(n.keys) > 0 {
				sc, rest, more = n.prefix(p)
			}
		}
		if len(n.typed) == 0 && n.catchAll == nil && (sc == nil) != (n.str == nil) {
			next := sc
			if next == nil { // the only way forward is the string parameter
				var seg string
				seg, rest, more = cutSegment(p)
				if seg == "" || f.ps.N >= MaxParams {
					f.ps.N = saved
					return nil
				}
				f.ps.Values[f.ps.N] = seg
				f.ps.N++
				next = n.str
			}
			if more {
				n, p = next, rest
				continue
			}
			if next.end != nil {
				if en := f.accept(next.end); en != nil {
					return en
				}
			}
			f.ps.N = saved
			return nil
		}
		if en := f.branch(n, sc, rest, more, p); en != nil {
			return en
		}
		f.ps.N = saved
		return nil
	}
}

// branch tries every way forward from n in priority order: the static
// child sc (followed by rest), typed parameters by rank, the string
// parameter, the catch-all.
func (f *finder[V]) branch(n, sc *node[V], rest string, more bool, p string) *entry[V] {
	if sc != nil {
		if en := f.next(sc, rest, more); en != nil {
			return en
		}
	}
	if (len(n.typed) > 0 || n.str != nil) && p != "" && p[0] != '/' {
		seg, rest, more := cutSegment(p)
		for _, c := range n.typed {
			if c.match(seg) {
				if en := f.param(c, seg, rest, more); en != nil {
					return en
				}
			}
		}
		if n.str != nil {
			if en := f.param(n.str, seg, rest, more); en != nil {
				return en
			}
		}
	}
	if n.catchAll != nil && f.ps.N < MaxParams {
		if en := f.accept(n.catchAll); en != nil {
			if !cleanRest(p) {
				f.ps.Unclean = true
			}
			f.ps.Values[f.ps.N] = p
			f.ps.N++
			return en
		}
	}
	return nil
}

func (f *finder[V]) param(c *node[V], seg, rest string, more bool) *entry[V] {
	if f.ps.N >= MaxParams {
		return nil
	}
	saved := f.ps.N
	f.ps.Values[saved] = seg
	f.ps.N++
	if en := f.next(c, rest, more); en != nil {
		return en
	}
	f.ps.N = saved
	return nil
}

func (f *finder[V]) next(c *node[V], rest string, more bool) *entry[V] {
	if more {
		return f.find(c, rest)
	}
	if c.end != nil {
		return f.accept(c.end)
	}
	return nil
}

func (f *finder[V]) accept(e *endpoint[V]) *entry[V] {
	if en, ok := e.get(f.mi, f.method); ok {
		return en
	}
	f.pathMatched = true
	return nil
}

// prefix returns the static child whose key is the first segment of p
// (non-empty, not starting with '/'), what follows that segment's '/',
// and whether there is a '/'.
func (n *node[V]) prefix(p string) (c *node[V], rest string, more bool) {
	i, end := 0, len(n.keys)
	if n.jump != nil {
		j := n.jump[p[0]]
		if j == 0 {
			return nil, "", false
		}
		i = int(j - 1)
	}
	if len(p) < 8 {
		return n.shortPrefix(p, i)
	}
	w := load64(p)
	fb := p[0]
	for ; i < end; i++ {
		k, kw := n.keys[i], n.words[i]
		if byte(kw) != fb {
			if byte(kw) > fb {
				break // keys are sorted
			}
			continue
		}
		if len(k) <= 8 {
			if w&(^uint64(0)>>(64-8*len(k))) != kw {
				continue
			}
		} else if w != kw || len(p) < len(k) || p[8:len(k)] != k[8:] {
			continue
		}
		if len(p) == len(k) {
			return n.statics[i], "", false
		}
		if p[len(k)] == '/' {
			return n.statics[i], p[len(k)+1:], true
		}
	}
	return nil, "", false
}

// shortPrefix is prefix for a p shorter than eight bytes, from the i-th key.
func (n *node[V]) shortPrefix(p string, i int) (c *node[V], rest string, more bool) {
	fb := p[0]
	for ; i < len(n.keys) && n.firsts[i] <= fb; i++ {
		k := n.keys[i]
		if n.firsts[i] != fb || len(p) < len(k) || p[:len(k)] != k {
			continue
		}
		if len(p) == len(k) {
			return n.statics[i], "", false
		}
		if p[len(k)] == '/' {
			return n.statics[i], p[len(k)+1:], true
		}
	}
	return nil, "", false
}

// headWord returns the first eight bytes of k (all of a shorter k),
// little-endian, as prefix compares them.
func headWord(k string) uint64 {
	var w uint64
	for i := min(len(k), 8) - 1; i >= 0; i-- {
		w = w<<8 | uint64(k[i])
	}
	return w
}

// exact returns the static child whose key is seg.
func (n *node[V]) exact(seg string) *node[V] {
	if seg == "" {
		return n.empty
	}
	if len(n.keys) == 0 {
		return nil
	}
	fb := seg[0]
	i := 0
	if n.jump != nil {
		j := n.jump[fb]
		if j == 0 {
			return nil
		}
		i = int(j - 1)
	}
	for ; i < len(n.firsts) && n.firsts[i] <= fb; i++ {
		if n.keys[i] == seg {
			return n.statics[i]
		}
	}
	return nil
}

// cutSegment splits p at its first '/'.
func cutSegment(p string) (seg, rest string, more bool) {
	if i := indexSlash(p); i >= 0 {
		return p[:i], p[i+1:], true
	}
	return p, "", false
}

// indexSlash is strings.IndexByte(p, '/') for the short strings that path
// segments are: eight bytes at a time without a call. A byte is '/' when
// it is zero in x = word ^ "////////"; (x - 0x01…) &^ x & 0x80… sets the
// top bit of the first such byte (and maybe of later ones, never of
// earlier ones), so the lowest set bit gives its position.
func indexSlash(p string) int {
	const ones, highs, slashes = 0x0101010101010101, 0x8080808080808080, 0x2f2f2f2f2f2f2f2f
	i := 0
	for ; i+8 <= len(p); i += 8 {
		x := load64(p[i:]) ^ slashes
		if t := (x - ones) &^ x & highs; t != 0 {
			return i + bits.TrailingZeros64(t)>>3
		}
	}
	for ; i < len(p); i++ {
		if p[i] == '/' {
			return i
		}
	}
	return -1
}

// dotSegment reports whether p (which starts with '.') begins with a "."
// or ".." segment.
func dotSegment(p string) bool {
	if len(p) == 1 || p[1] == '/' {
		return true
	}
	return p[1] == '.' && (len(p) == 2 || p[2] == '/')
}
