package bind

import (
	"reflect"
	"strings"
)

// Enum is implemented by named types with a fixed set of values, such as
// type Role string with Enum() returning "admin", "user", "guest". Bind
// rejects other values (rule "enum") and the OpenAPI schema lists them.
type Enum interface {
	Enum() []any
}

var enumType = reflect.TypeFor[Enum]()

// field is one bindable struct field.
type field struct {
	index  []int
	name   string // wire name
	form   string // name in a form body: the form tag, else the wire name
	loc    string // InPath, InQuery, InHeader, InCookie; "" for body fields
	def    string
	hasDef bool
}

// plan is how one struct type binds; computed once per type.
type plan struct {
	params   []field           // fields read from path, query, header or cookie
	body     []field           // top-level body fields, for form and query decoding
	defaults []field           // body fields, at any depth through structs, with a default
	enums    []field           // fields, at any depth through structs, of an Enum type
	locs     map[string]string // top-level wire name → location of parameters
}

// sourceTags are the tags that take a field out of the body, in the order
// they are looked up.
var sourceTags = [...]string{InPath, InQuery, InHeader, InCookie}

func buildPlan(t reflect.Type) *plan {
	p := &plan{locs: map[string]string{}}
	p.walk(t, nil, true, map[reflect.Type]bool{})
	return p
}

// walk collects the fields of struct type t. top is false inside nested
// body structs, where only defaults and enums matter.
func (p *plan) walk(t reflect.Type, index []int, top bool, seen map[reflect.Type]bool) {
	if seen[t] {
		return // recursive type: stop
	}
	seen[t] = true
	defer delete(seen, t)
	for i := range t.NumField() {
		sf := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous && deref(sf.Type).Kind() == reflect.Struct && !hasNameTag(sf) {
			if sf.Type.Kind() == reflect.Struct {
				p.walk(sf.Type, idx, top, seen)
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := field{index: idx}
		f.def, f.hasDef = sf.Tag.Lookup("default")
		if top {
			for _, tag := range sourceTags {
				if name, ok := sf.Tag.Lookup(tag); ok {
					f.loc, f.name = tag, strings.Split(name, ",")[0]
					if f.name == "" {
						f.name = sf.Name
					}
					break
				}
			}
		}
		if f.loc != "" {
			p.params = append(p.params, f)
			p.locs[f.name] = f.loc
			if implementsEnum(sf.Type) {
				p.enums = append(p.enums, f)
			}
			continue
		}
		f.name = WireName(sf)
		if f.name == "" {
			continue // json:"-"
		}
		f.form = f.name
		if v, ok := sf.Tag.Lookup("form"); ok && strings.Split(v, ",")[0] != "" {
			f.form = strings.Split(v, ",")[0]
		}
		if top {
			p.body = append(p.body, f)
		}
		if f.hasDef {
			p.defaults = append(p.defaults, f)
		}
		if implementsEnum(sf.Type) {
			p.enums = append(p.enums, f)
		}
		if ft := sf.Type; ft.Kind() == reflect.Struct && ft != timeType {
			p.walk(ft, idx, false, seen)
		}
	}
}

// hasBody reports whether any field comes from the body.
func (p *plan) hasBody() bool { return len(p.body) > 0 }

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func hasNameTag(sf reflect.StructField) bool {
	for _, tag := range append(sourceTags[:], "json", "form") {
		if _, ok := sf.Tag.Lookup(tag); ok {
			return true
		}
	}
	return false
}

func implementsEnum(t reflect.Type) bool {
	t = deref(t)
	return t.Implements(enumType) || reflect.PointerTo(t).Implements(enumType)
}

// WireName is a field's name on the wire: its path, query, header or
// cookie tag, then its json tag, then its form tag, then the Go name; ""
// for json:"-".
func WireName(sf reflect.StructField) string {
	for _, tag := range append(sourceTags[:], "json", "form") {
		if v, ok := sf.Tag.Lookup(tag); ok {
			name := strings.Split(v, ",")[0]
			if name == "-" {
				return ""
			}
			if name != "" {
				return name
			}
		}
	}
	return sf.Name
}
