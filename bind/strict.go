package bind

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The JSON check. encoding/json keeps the last of two equal keys and
// matches names case-insensitively ("NAME" fills the field name). Behind
// a proxy or a WAF that reads the first key, or only the exact name, the
// two disagree about what a request says: a parser differential. It also
// leaves a field that cannot be null as it was when the body says null, so
// a null would pass for a zero value the API documentation forbids.
//
// After a body decoded (or failed to decode a value), one pass over its
// bytes, typed by the destination, reports all three: a key that appears
// twice in an object (or two keys that fill one field) and a key that
// names a field's json tag only when case is ignored (unless lax), and a
// null sent for a value that cannot be null. A field without a json tag
// has no wire name of its own: any case fills it, as clients send
// "message" for Message.
// The pass allocates nothing for a body without errors and objects of up
// to 16 keys; larger objects use a set, so that the cost stays linear.

// jsonCheck is what the check knows of a struct: its JSON names, exact
// and folded as encoding/json folds them.
type jsonCheck struct {
	exact map[string]jsonField
	fold  map[string]jsonField // folded name → the field
}

var jsonChecks sync.Map // reflect.Type → *jsonCheck

func jsonCheckOf(t reflect.Type) *jsonCheck {
	if v, ok := jsonChecks.Load(t); ok {
		return v.(*jsonCheck)
	}
	c := &jsonCheck{exact: map[string]jsonField{}, fold: map[string]jsonField{}}
	for _, f := range jsonFields(t, map[reflect.Type]bool{}) {
		c.exact[f.name] = f
		if k := string(foldName(nil, []byte(f.name))); c.fold[k].name == "" {
			c.fold[k] = f // the first field of a folded name is the one encoding/json fills
		}
	}
	v, _ := jsonChecks.LoadOrStore(t, c)
	return v.(*jsonCheck)
}

// foldName appends the case-folded form of name to dst: each letter
// upper-cased after being lower-cased, the fold encoding/json matches
// names with (so "ſ" matches "s", and "K", the Kelvin sign, "k").
func foldName(dst, name []byte) []byte {
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(name[i:])
		dst = utf8.AppendRune(dst, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return dst
}

// jsonScanner walks a JSON document once. Paths are spelt out only when
// an error is reported. Scanners are pooled for their path stacks.
type jsonScanner struct {
	data       []byte
	i          int
	strict     bool // report duplicate keys and names in the wrong case
	types      bool // report values of the wrong JSON type
	mismatches int  // how many of those
	unsure     bool // the body has values whose type errors the scan cannot judge
	path       []pathSeg
	errs       []FieldError
}

// pathSeg is one step of the path to a value: a field (name, or raw as
// sent when it is not one of the struct's), an array index, or a map key.
type pathSeg struct {
	kind  byte // 'f' field, 'i' index, 'k' map key
	name  string
	raw   []byte
	index int
}

var scanners = sync.Pool{New: func() any { return &jsonScanner{path: make([]pathSeg, 0, 16)} }}

// checkJSON returns the errors of body, a JSON document decoded into a
// value of type t (nil: unknown), that the decoder let through. strict
// adds duplicate keys and case-insensitive names.
func checkJSON(body []byte, t reflect.Type, strict bool) []FieldError {
	if !strict && !containsNull(body) {
		return nil
	}
	errs, _, _ := scanJSON(body, t, strict, false)
	return errs
}

// scanJSON runs the check; with types, values of the wrong JSON type are
// errors too, and mismatches counts them.
func scanJSON(body []byte, t reflect.Type, strict, types bool) (errs []FieldError, mismatches int, sure bool) {
	s := scanners.Get().(*jsonScanner)
	s.data, s.i, s.strict, s.types = body, 0, strict, types
	s.value(t)
	errs, mismatches, sure = s.errs, s.mismatches, !s.unsure
	clear(s.path[:cap(s.path)]) // no reference to the body stays in the pool
	*s = jsonScanner{path: s.path[:0]}
	scanners.Put(s)
	return errs, mismatches, sure
}

func containsNull(b []byte) bool { return strings.Contains(string(b), "null") }

// maxReported bounds the errors of one body.
const maxReported = 100

// report adds an error at the current path, followed by last if it is
// not nil (a key reported before its value is entered).
func (s *jsonScanner) report(last *pathSeg, msg, rule string) {
	if len(s.errs) >= maxReported {
		return
	}
	var b strings.Builder
	for i := range s.path {
		writeSeg(&b, &s.path[i])
	}
	if last != nil {
		writeSeg(&b, last)
	}
	s.errs = append(s.errs, FieldError{Location: InBody, Field: b.String(), Message: msg, Rule: rule})
}

func writeSeg(b *strings.Builder, seg *pathSeg) {
	switch seg.kind {
	case 'f':
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		if seg.name != "" {
			b.WriteString(seg.name)
		} else {
			b.WriteString(unquoteKey(seg.raw))
		}
	case 'i':
		b.WriteString("[" + strconv.Itoa(seg.index) + "]")
	case 'k':
		b.WriteString("[" + unquoteKey(seg.raw) + "]")
	}
}

func (s *jsonScanner) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans the value at s.i, of type t (nil when unknown: anything).
func (s *jsonScanner) value(t reflect.Type) {
	s.ws()
	if s.i >= len(s.data) {
		return
	}
	switch c := s.data[s.i]; c {
	case '{', '[':
		t = s.expect(t, c, nil)
		if c == '{' {
			s.object(t)
		} else {
			s.array(t)
		}
	case '"':
		raw := s.str()
		if s.types {
			s.expect(t, c, raw)
		}
	default: // a number, true, false or null
		start := s.i
		s.i++ // at least one byte, whatever the input
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				goto done
			}
			s.i++
		}
	done:
		lit := s.data[start:s.i]
		if string(lit) != "null" {
			if s.types {
				s.expect(t, c, lit)
			}
		} else if t != nil && !nullable(t) {
			s.report(nil, "must be "+kindName(t)+", not null", "type")
		}
	}
}

// str skips a string and returns its raw content (between the quotes).
func (s *jsonScanner) str() []byte {
	s.i++ // the opening quote
	start := s.i
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			raw := s.data[start:s.i]
			s.i++
			return raw
		}
		s.i++
	}
	return s.data[start:]
}

// unquoteKey decodes a raw key. Only keys with escapes allocate.
func unquoteKey(raw []byte) string {
	if !hasEscape(raw) {
		return string(raw)
	}
	k, err := strconv.Unquote(`"` + string(raw) + `"`)
	if err != nil {
		return string(raw)
	}
	return k
}

func hasEscape(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// objKey is a key of an object as the check compares it: the field it
// fills (a struct's field), or the key as sent.
type objKey struct {
	name   string
	raw    []byte
	byName bool
}

func (k objKey) same(o objKey) bool {
	switch {
	case k.byName && o.byName:
		return k.name == o.name
	case k.byName:
		return k.name == string(o.raw)
	case o.byName:
		return string(k.raw) == o.name
	}
	return string(k.raw) == string(o.raw)
}

func (k objKey) String() string {
	if k.byName {
		return k.name
	}
	return string(k.raw)
}

// keySet detects a repeated key: a scan of the keys seen for small
// objects, a map beyond.
type keySet struct {
	small [16]objKey
	n     int
	big   map[string]struct{}
}

// add records k and reports whether it was already there.
func (ks *keySet) add(k objKey) bool {
	if ks.big != nil {
		if _, ok := ks.big[k.String()]; ok {
			return true
		}
		ks.big[k.String()] = struct{}{}
		return false
	}
	for _, seen := range ks.small[:ks.n] {
		if seen.same(k) {
			return true
		}
	}
	if ks.n < len(ks.small) {
		ks.small[ks.n] = k
		ks.n++
		return false
	}
	ks.big = make(map[string]struct{}, 2*len(ks.small))
	for _, seen := range ks.small {
		ks.big[seen.String()] = struct{}{}
	}
	ks.big[k.String()] = struct{}{}
	return false
}

func (s *jsonScanner) object(t reflect.Type) {
	s.i++ // {
	var fields *jsonCheck
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = jsonCheckOf(t)
		case reflect.Map:
			elem = t.Elem()
			if t.Key().Kind() != reflect.String {
				s.unsure = true // keys that must parse, left to the decoder
			}
		}
	}
	var seen keySet
	var folded [64]byte
	for {
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] == '}' {
			s.i++
			return
		}
		if s.data[s.i] == ',' {
			s.i++
			continue
		}
		if s.data[s.i] != '"' { // not JSON: nothing more to learn
			s.i = len(s.data)
			return
		}
		raw := s.str()
		node := pathSeg{kind: 'k', raw: raw}
		key := objKey{raw: raw}
		if hasEscape(raw) {
			key = objKey{name: unquoteKey(raw), byName: true}
		}
		child := elem
		if fields != nil {
			node.kind = 'f'
			name := raw
			if key.byName {
				name = []byte(key.name)
			}
			if f, ok := fields.exact[string(name)]; ok {
				child, node.name = f.typ, f.name
				key = objKey{name: f.name, byName: true}
				if f.quoted {
					child, s.unsure = nil, true // json:",string": a string holding the value
				}
			} else if f, ok := fields.fold[string(foldName(folded[:0], name))]; ok {
				if s.strict && f.tagged {
					s.report(&node, "is not a field: names are case-sensitive; send "+strconv.Quote(f.name), "case")
				}
				child, node.name = f.typ, f.name // what it fills, for errors inside it
				key = objKey{name: f.name, byName: true}
				if f.quoted {
					child, s.unsure = nil, true
				}
			} else {
				child = nil
			}
		}
		// Keys that fill the same field ("message" and "Message" for an
		// untagged field) are one key twice.
		if s.strict && seen.add(key) {
			s.report(&node, "appears twice in the object: send each key once", "duplicate")
		}
		s.ws()
		if s.i < len(s.data) && s.data[s.i] == ':' {
			s.i++
		}
		s.path = append(s.path, node)
		s.value(child)
		s.path = s.path[:len(s.path)-1]
	}
}

func (s *jsonScanner) array(t reflect.Type) {
	s.i++ // [
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	for n := 0; ; n++ {
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] == ']' {
			s.i++
			return
		}
		if s.data[s.i] == ',' {
			s.i++
			n--
			continue
		}
		s.path = append(s.path, pathSeg{kind: 'i', index: n})
		if t != nil && t.Kind() == reflect.Array && n >= t.Len() {
			s.value(nil) // encoding/json drops what does not fit
		} else {
			s.value(elem)
		}
		s.path = s.path[:len(s.path)-1]
	}
}
