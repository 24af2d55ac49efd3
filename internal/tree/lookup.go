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
		if t.static.mayHold(path) {
			if e := t.static.get(path); e != nil {
				if en, ok := e.get(mi, method); ok {
					return en.value, en.pattern, Found
				}
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
	ps := f.ps
	saved := ps.N
	for {
		var sc *node[V] // the static child matching the next segment
		k := 0          // the length of that segment
		if p == "" || p[0] == '/' {
			sc = n.empty
			if p != "" {
				ps.Unclean = true // "//"
			}
		} else {
			if p[0] == '.' && dotSegment(p) {
				ps.Unclean = true
			}
			if len(n.edges) > 0 {
				sc, k = n.prefix(p)
			}
		}
		if !n.multi && (sc == nil) != (n.str == nil) {
			if sc == nil { // the only way forward is the string parameter
				k = len(p)
				if t := uint64(0); len(p) >= 8 { // segEnd by hand: it is too big to inline
					if t = slashes(load64(p)); t != 0 {
						k = bits.TrailingZeros64(t) >> 3
					}
				}
				if k == len(p) {
					k = segEndRest(p)
				}
				i := ps.N
				if k == 0 || i >= MaxParams {
					ps.N = saved
					return nil
				}
				ps.Values[i] = p[:k]
				ps.N = i + 1
				sc = n.str
			}
			if k < len(p) {
				n, p = sc, p[k+1:]
				continue
			}
			if sc.end != nil {
				if en := f.accept(sc.end); en != nil {
					return en
				}
			}
			ps.N = saved
			return nil
		}
		if en := f.branch(n, sc, k, p); en != nil {
			return en
		}
		ps.N = saved
		return nil
	}
}

// branch tries every way forward from n in priority order: the static
// child sc (which took the first k bytes of p), typed parameters by rank,
// the string parameter, the catch-all.
func (f *finder[V]) branch(n, sc *node[V], k int, p string) *entry[V] {
	if sc != nil {
		if en := f.next(sc, p, k); en != nil {
			return en
		}
	}
	if (len(n.typed) > 0 || n.str != nil) && p != "" && p[0] != '/' {
		k := segEnd(p)
		seg := p[:k]
		for _, c := range n.typed {
			if c.match(seg) {
				if en := f.param(c, p, k); en != nil {
					return en
				}
			}
		}
		if n.str != nil {
			if en := f.param(n.str, p, k); en != nil {
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

// param tries child c with the first k bytes of p as its value.
func (f *finder[V]) param(c *node[V], p string, k int) *entry[V] {
	saved := f.ps.N
	if saved >= MaxParams {
		return nil
	}
	f.ps.Values[saved] = p[:k]
	f.ps.N = saved + 1
	if en := f.next(c, p, k); en != nil {
		return en
	}
	f.ps.N = saved
	return nil
}

// next continues below c, which took the first k bytes of p.
func (f *finder[V]) next(c *node[V], p string, k int) *entry[V] {
	if k < len(p) {
		return f.find(c, p[k+1:])
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
// (non-empty, not starting with '/'), and the key's length.
func (n *node[V]) prefix(p string) (*node[V], int) {
	edges := n.edges
	fb := p[0]
	i := 0
	if n.jump != nil {
		j := n.jump[fb]
		if j == 0 {
			return nil, 0
		}
		i = int(j - 1)
	}
	var w uint64 // p's first eight bytes, as the edges hold their keys'
	if len(p) >= 8 {
		w = load64(p)
	} else {
		w = headWord(p)
	}
	for ; i < len(edges); i++ {
		e := &edges[i]
		if byte(e.word) != fb {
			if byte(e.word) > fb {
				break // keys are sorted
			}
			continue
		}
		kl := len(e.key)
		if kl > len(p) || w&e.mask != e.word || kl > 8 && p[8:kl] != e.key[8:] {
			continue
		}
		if kl == len(p) || p[kl] == '/' {
			return e.node, kl
		}
	}
	return nil, 0
}

// headWord returns the first eight bytes of k (all of a shorter k),
// little-endian, as prefix compares them.
func headWord(k string) uint64 {
	if len(k) >= 8 {
		return load64(k)
	}
	var w uint64
	for i := len(k) - 1; i >= 0; i-- {
		w = w<<8 | uint64(k[i])
	}
	return w
}

// exact returns the static child whose key is seg.
func (n *node[V]) exact(seg string) *node[V] {
	if seg == "" {
		return n.empty
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
	for ; i < len(n.edges) && n.edges[i].key[0] <= fb; i++ {
		if n.edges[i].key == seg {
			return n.edges[i].node
		}
	}
	return nil
}

// segEnd returns the index of the first '/' in p, or len(p). A byte is
// '/' when it is zero in x = word ^ "////////"; (x - 0x01…) &^ x & 0x80…
// sets the top bit of the first such byte (and maybe of later ones, never
// of earlier ones), so the lowest set bit gives its position. Path
// segments are short: most end within the first word, without a call.
func segEnd(p string) int {
	if len(p) >= 8 {
		if t := slashes(load64(p)); t != 0 {
			return bits.TrailingZeros64(t) >> 3
		}
	}
	return segEndRest(p)
}

// segEndRest is segEnd past a first word without '/'.
func segEndRest(p string) int {
	i := 0
	if len(p) >= 8 {
		for i = 8; i+8 <= len(p); i += 8 {
			if t := slashes(load64(p[i:])); t != 0 {
				return i + bits.TrailingZeros64(t)>>3
			}
		}
	}
	for ; i < len(p); i++ {
		if p[i] == '/' {
			return i
		}
	}
	return len(p)
}

// slashes marks the first '/' byte of w (see segEnd).
func slashes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := w ^ 0x2f2f2f2f2f2f2f2f
	return (x - ones) &^ x & highs
}

// dotSegment reports whether p (which starts with '.') begins with a "."
// or ".." segment.
func dotSegment(p string) bool {
	if len(p) == 1 || p[1] == '/' {
		return true
	}
	return p[1] == '.' && (len(p) == 2 || p[2] == '/')
}
