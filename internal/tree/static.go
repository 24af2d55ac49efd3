package tree

// staticTable maps the full path of every all-static, clean route pattern
// to its endpoint, so that a request for such a path is answered without
// walking the tree. It is an open-addressing hash table behind a 256-bit
// filter keyed by the path's length and last byte, which turns most misses
// (requests for parameterised routes) away before anything is hashed.
//
// A hit gives the same answer the tree would: a static segment is always
// tried first, so the walk of an all-static path reaches this endpoint
// before any other; only when the endpoint has no entry for the method
// does the walk backtrack to parameters, and Lookup then falls back to it.
type staticTable[V any] struct {
	filter [4]uint64       // bit filterBit(path) is set for every path in the table
	slots  []staticSlot[V] // power-of-two length, at most half full
	shift  uint            // 64 - log2(len(slots))
	n      int
}

type staticSlot[V any] struct {
	path string
	ep   *endpoint[V]
}

// mayHold reports whether path (not empty) may be in the table; false
// for most paths that are not.
func (t *staticTable[V]) mayHold(path string) bool {
	b := filterBit(path)
	return t.filter[b>>6]&(1<<(b&63)) != 0
}

// filterBit hashes the length and the last byte of p (not empty) to 0-255.
func filterBit(p string) uint64 {
	return (uint64(len(p))<<8 | uint64(p[len(p)-1])) * 0x9e3779b97f4a7c15 >> 56
}

// get returns the endpoint registered for path, or nil.
func (t *staticTable[V]) get(path string) *endpoint[V] {
	mask := uint64(len(t.slots) - 1)
	for i := hashPath(path) >> t.shift; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.ep == nil {
			return nil
		}
		if s.path == path {
			return s.ep
		}
	}
}

// add registers ep under path, which must not be in the table yet.
func (t *staticTable[V]) add(path string, ep *endpoint[V]) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		size := 8
		for size < 4*(t.n+1) {
			size *= 2
		}
		t.slots = make([]staticSlot[V], size)
		t.shift = 64
		for s := size; s > 1; s >>= 1 {
			t.shift--
		}
		t.n = 0
		for _, s := range old {
			if s.ep != nil {
				t.put(s.path, s.ep)
			}
		}
	}
	t.put(path, ep)
	b := filterBit(path)
	t.filter[b>>6] |= 1 << (b & 63)
}

func (t *staticTable[V]) put(path string, ep *endpoint[V]) {
	mask := uint64(len(t.slots) - 1)
	i := hashPath(path) >> t.shift
	for t.slots[i].ep != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = staticSlot[V]{path: path, ep: ep}
	t.n++
}

// hashPath mixes the length and the last eight bytes of p (the whole of a
// shorter p). Route paths that agree on both are rare and only cost a
// probe; the table compares whole paths.
func hashPath(p string) uint64 {
	if len(p) < 8 {
		return hashShort(p)
	}
	return (load64(p[len(p)-8:]) ^ uint64(len(p))) * 0x9e3779b97f4a7c15 // the table indexes by the top bits
}

func hashShort(p string) uint64 {
	var w uint64
	for i := 0; i < len(p); i++ {
		w = w<<8 | uint64(p[i])
	}
	return (w ^ uint64(len(p))<<56) * 0x9e3779b97f4a7c15
}

// load64 reads the first eight bytes of s, little-endian (one load once
// compiled).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
