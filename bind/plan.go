package bind

import (
	"reflect"
	"slices"
	"strings"
)

// Enum is implemented by named types with a fixed set of values, such as
// type Role string with Enum() returning "admin", "user", "guest". Bind
// rejects other values (rule "enum") and the OpenAPI schema lists them.
type Enum interface {
	Enum() []any
}

var enumType = reflect.TypeFor[Enum]()

// Field describes one top-level input field as Bind reads it: the one
// description of a struct's tags that binding, validation error locations
// and the API documentation all use. Get them with Describe.
type Field struct {
	// Name is the field's name on the wire: the parameter name of a path,
	// query, header or cookie field, the JSON name of a body field.
	Name string
	// FormName is a body field's name in a form body and in the query
	// string of a request without a body: its form tag, else Name. It is
	// "" for parameters.
	FormName string
	// In is where Bind reads the field: InPath, InQuery, InHeader,
	// InCookie, or InBody for every other field (JSON, a form, or the
	// query string of a request without a body).
	In string
	// GoPath is the field's Go path, embedded structs included
	// ("Pagination.Page").
	GoPath string
	// Index is the field's index sequence, for reflect's FieldByIndex.
	Index []int
	// Type is the field's Go type.
	Type reflect.Type
	// Tag is the field's struct tag (validate, doc, default, example, …).
	Tag reflect.StructTag
	// Default is the default tag's value, given to the field when the
	// input leaves it out; HasDefault says whether there is one.
	Default    string
	HasDefault bool
	// Enum lists the values allowed by the field's Enum type; nil when the
	// type is not an Enum.
	Enum []any
	// Rules are the field's validate rules, in order ("required",
	// "min=3", "dive", …).
	Rules []string
	// Required reports whether a request without the field fails
	// validation: a "required" rule outside dive, or, from
	// Binder.Describe, rules without omitempty that refuse the value the
	// field then has (its default, else the zero value), such as
	// validate:"email" or validate:"gte=1" without a default.
	Required bool
	// Text reports whether the field can be set from text (a parameter, a
	// form field, the query string): scalars, time values, types with
	// UnmarshalText, and slices and pointers of them.
	Text bool
}

// IsParam reports whether the field is a path, query, header or cookie
// parameter rather than part of the body.
func (f Field) IsParam() bool { return f.In != InBody }

// Describe returns the top-level fields Bind reads into a struct of type t
// (or a pointer to one), in declaration order, with the fields of
// embedded structs in place of the struct, as Bind flattens them. It
// returns nil when t is not a struct. It computes the description afresh;
// a Binder caches its own. Without a validator at hand, Required only
// reflects "required" rules; Binder.Describe also runs the other rules.
func Describe(t reflect.Type) []Field {
	if t == nil {
		return nil
	}
	if t = deref(t); t.Kind() != reflect.Struct {
		return nil
	}
	p := buildPlan(t)
	out := make([]Field, len(p.fields))
	for i, f := range p.fields {
		out[i] = f.Field
		out[i].Index = slices.Clone(f.Index)
		out[i].Rules = slices.Clone(f.Rules)
		out[i].Enum = slices.Clone(f.Enum)
	}
	return out
}

// Describe is the package's Describe with Required computed by running
// the field's rules, with b's validator, on the value an absent field
// gets (see RejectsAbsent).
func (b *Binder) Describe(t reflect.Type) []Field {
	fields := Describe(t)
	for i, f := range fields {
		if !fields[i].Required {
			fields[i].Required = b.rejectsAbsent(f.Type, f.Tag)
		}
	}
	return fields
}

// RejectsAbsent reports whether validation fails for a field of type t
// with tag when the input leaves it out: it has a "required" rule, or
// rules without omitempty that refuse its default (else its zero value).
// Rules that need the rest of the struct (cross-field rules) count as
// passing.
func (b *Binder) RejectsAbsent(t reflect.Type, tag reflect.StructTag) bool {
	v := tag.Get("validate")
	if v == "" || v == "-" {
		return false
	}
	before, _, _ := strings.Cut(","+v+",", ",dive,")
	if slices.Contains(SplitRules(strings.Trim(before, ",")), "required") {
		return true
	}
	return b.rejectsAbsent(t, tag)
}

func (b *Binder) rejectsAbsent(t reflect.Type, tag reflect.StructTag) (rejected bool) {
	tv := tag.Get("validate")
	if tv == "" || tv == "-" {
		return false
	}
	var kept []string
	for i, r := range SplitRules(tv) {
		if r == "omitempty" || r == "omitnil" || r == "omitzero" {
			return false
		}
		if r == "dive" || r == "keys" {
			kept = append(kept, SplitRules(tv)[i:]...)
			break
		}
		if crossField(r) {
			continue // needs the rest of the struct: not decidable alone
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 || kept[0] == "dive" || kept[0] == "keys" {
		return false
	}
	for i, r := range kept {
		kept[i] = strings.ReplaceAll(r, ",", "0x2C") // SplitRules restored them
	}
	rules := strings.Join(kept, ",")
	val := reflect.New(t).Elem()
	if def, ok := tag.Lookup("default"); ok {
		if setValues(val, []string{def}) != nil {
			return true // a default that does not parse fails binding
		}
	}
	defer func() {
		if recover() != nil {
			rejected = false // a cross-field rule: not decidable alone
		}
	}()
	return b.Validator().Var(val.Interface(), rules) != nil
}

// crossField reports whether a validate rule compares the field with
// others (eqfield, required_with, …).
func crossField(rule string) bool {
	name, _, _ := strings.Cut(rule, "=")
	return strings.Contains(name, "field") || strings.HasPrefix(name, "required_") ||
		strings.HasPrefix(name, "excluded_") || strings.HasPrefix(name, "skip_")
}

// field is one bound struct field: its description and how Bind reaches
// it.
type field struct {
	Field
	loc  string // In for parameters, "" for body fields
	name string // Name
	form string // FormName
	path string // wire path from the root, for nested fields
	def  string
	// hasDef mirrors HasDefault.
	hasDef bool
	index  []int
}

// plan is how one struct type binds; computed once per type.
type plan struct {
	t        reflect.Type      // the struct type
	fields   []field           // every top-level field, in order
	params   []field           // fields read from path, query, header or cookie
	body     []field           // top-level body fields, for form and query decoding
	defaults []field           // body fields, at any depth through structs, with a default
	enums    []field           // fields, at any depth through structs, of an Enum type
	goPaths  map[string]*field // top-level Go path → field, for validator errors
	embedded map[string]bool   // Go paths of flattened embedded structs
}

// sourceTags are the tags that take a field out of the body, in the order
// they are looked up.
var sourceTags = [...]string{InPath, InQuery, InHeader, InCookie}

func buildPlan(t reflect.Type) *plan {
	p := &plan{t: t, goPaths: map[string]*field{}, embedded: map[string]bool{}}
	p.walk(t, nil, "", "", true, map[reflect.Type]bool{})
	for i := range p.fields {
		f := &p.fields[i]
		p.goPaths[f.GoPath] = f
		if f.loc != "" {
			p.params = append(p.params, *f)
		} else {
			p.body = append(p.body, *f)
		}
	}
	return p
}

// walk collects the fields of struct type t. top is false inside nested
// body structs, where only defaults and enums matter. Embedded structs
// without a name tag are flattened, through pointers too, as
// encoding/json does.
func (p *plan) walk(t reflect.Type, index []int, goPath, wirePath string, top bool, seen map[reflect.Type]bool) {
	if seen[t] {
		return // recursive type: stop
	}
	seen[t] = true
	defer delete(seen, t)
	for i := range t.NumField() {
		sf := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		gp := sf.Name
		if goPath != "" {
			gp = goPath + "." + sf.Name
		}
		if sf.Anonymous && deref(sf.Type).Kind() == reflect.Struct && !hasNameTag(sf) {
			if top {
				p.embedded[gp] = true
			}
			p.walk(deref(sf.Type), idx, gp, wirePath, top, seen)
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
		isEnum := implementsEnum(sf.Type)
		if f.loc == "" {
			if f.name = WireName(sf); f.name == "" {
				continue // json:"-"
			}
			f.form = f.name
			if v, ok := sf.Tag.Lookup("form"); ok && strings.Split(v, ",")[0] != "" {
				f.form = strings.Split(v, ",")[0]
			}
		}
		f.path = join(wirePath, f.name)
		if isEnum {
			p.enums = append(p.enums, f)
		}
		if f.loc == "" && f.hasDef {
			p.defaults = append(p.defaults, f)
		}
		if top {
			f.Field = describe(sf, f, gp, isEnum)
			p.fields = append(p.fields, f)
		}
		if ft := sf.Type; f.loc == "" && ft.Kind() == reflect.Struct && ft != timeType {
			p.walk(ft, idx, gp, f.path, false, seen)
		}
	}
}

// describe fills the exported description of a top-level field.
func describe(sf reflect.StructField, f field, goPath string, isEnum bool) Field {
	d := Field{
		Name: f.name, FormName: f.form, In: f.loc, GoPath: goPath, Index: f.index,
		Type: sf.Type, Tag: sf.Tag, Default: f.def, HasDefault: f.hasDef, Text: textSettable(sf.Type),
	}
	if d.In == "" {
		d.In = InBody
	}
	if isEnum {
		d.Enum = enumValues(sf.Type)
	}
	if tag := sf.Tag.Get("validate"); tag != "" && tag != "-" {
		d.Rules = SplitRules(tag)
		before, _, _ := strings.Cut(","+tag+",", ",dive,")
		d.Required = slices.Contains(SplitRules(strings.Trim(before, ",")), "required")
	}
	return d
}

// SplitRules splits a validate tag into its rules, on the commas that
// separate them ("0x2C" is the validator's escaped comma inside a
// parameter, restored here).
func SplitRules(tag string) []string {
	parts := strings.Split(tag, ",")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.TrimSpace(p), "0x2C", ",")
	}
	return parts
}

// enumValues returns the values of an Enum type.
func enumValues(t reflect.Type) []any {
	t = deref(t)
	if e, ok := reflect.Zero(t).Interface().(Enum); ok {
		return e.Enum()
	}
	if e, ok := reflect.New(t).Interface().(Enum); ok {
		return e.Enum()
	}
	return nil
}

// textSettable reports whether setValues can set a value of type t.
func textSettable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer && t != timeType {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 && !reflect.PointerTo(t).Implements(textUnmarshalerType) {
		t = t.Elem()
	}
	if t == timeType || t == durationType || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
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
