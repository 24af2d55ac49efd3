package openapi

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strings"
	"unicode"

	"github.com/swaggest/jsonschema-go"
)

// Formatted is implemented by types that travel as strings in a known
// format, such as a date type with MarshalJSON writing "2006-01-02":
//
//	func (Date) JSONSchemaFormat() string { return "date" }
//
// Their schema is {"type": "string", "format": …}, inlined where used.
// The method keeps domain types free of any dependency on this package.
type Formatted interface {
	JSONSchemaFormat() string
}

var formattedType = reflect.TypeFor[Formatted]()

// sourceTags are the tags that make a field a parameter, in bind's order.
var sourceTags = [...]string{"path", "query", "header", "cookie"}

// reflectCtxKey carries per-reflection settings through jsonschema-go's
// context.
type reflectCtxKey struct{}

// reflectMode says what a reflection produces.
type reflectMode struct {
	// input is the struct whose top-level parameter fields are left out
	// of a request body; nil outside request bodies.
	input reflect.Type
	// suffix is added to the component name of input ("Body", "Form").
	suffix string
	// form marks a form body: nested objects cannot be sent that way.
	form bool
}

func withMode(m reflectMode) func(*jsonschema.ReflectContext) {
	return func(rc *jsonschema.ReflectContext) {
		rc.Context = context.WithValue(rc.Context, reflectCtxKey{}, m)
	}
}

func modeOf(rc *jsonschema.ReflectContext) reflectMode {
	m, _ := rc.Value(reflectCtxKey{}).(reflectMode)
	return m
}

// setupReflector installs the options every reflection uses: fields
// without a json tag keep their Go name (as encoding/json does),
// component names are plain type names, and the interceptors that read
// the validate, doc and default tags.
func (g *generator) setupReflector() {
	r := &g.r.Reflector
	r.DefaultOptions = append(r.DefaultOptions,
		jsonschema.ProcessWithoutTags,
		func(rc *jsonschema.ReflectContext) {
			jsonschema.InterceptDefName(func(t reflect.Type, _ string) string {
				return g.defName(t, modeOf(rc))
			})(rc)
		},
		jsonschema.InterceptSchema(g.interceptSchema),
		jsonschema.InterceptProp(g.interceptProp),
	)
}

// interceptSchema turns Formatted types into inline formatted strings.
func (g *generator) interceptSchema(p jsonschema.InterceptSchemaParams) (bool, error) {
	if p.Processed || !p.Value.IsValid() {
		return false, nil
	}
	t := p.Value.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface {
		return false, nil
	}
	var f Formatted
	switch {
	case t.Implements(formattedType):
		f, _ = reflect.Zero(t).Interface().(Formatted)
	case reflect.PointerTo(t).Implements(formattedType):
		f, _ = reflect.New(t).Interface().(Formatted)
	default:
		return false, nil
	}
	g.r.InlineDefinition(reflect.Zero(t).Interface())
	p.Schema.AddType(jsonschema.String)
	if format := f.JSONSchemaFormat(); format != "" {
		p.Schema.WithFormat(format)
	}
	return true, nil
}

// interceptProp leaves parameter fields out of request bodies and maps
// the doc and validate tags of every property.
func (g *generator) interceptProp(p jsonschema.InterceptPropParams) error {
	top := len(p.Path) == 2 // "#" and the property: embedded fields count as top level
	if !p.Processed {
		m := modeOf(p.Context)
		if m.input != nil && top {
			if hasSourceTag(p.Field) {
				return jsonschema.ErrSkipProperty
			}
			if m.form && !formScalar(p.Field.Type) {
				return jsonschema.ErrSkipProperty // bind cannot set objects from a form
			}
		}
		return nil
	}
	if d, ok := p.Field.Tag.Lookup("doc"); ok && p.PropertySchema.Description == nil {
		p.PropertySchema.WithDescription(d)
	}
	applyValidate(p.Field.Tag.Get("validate"), p.Field.Type, p.Name, p.PropertySchema, p.ParentSchema)
	return nil
}

func hasSourceTag(sf reflect.StructField) bool {
	for _, tag := range sourceTags {
		if _, ok := sf.Tag.Lookup(tag); ok {
			return true
		}
	}
	return false
}

// formScalar reports whether a field can come from a form or the query
// string: scalars, text types and slices of them.
func formScalar(t reflect.Type) bool {
	t = deref(t)
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		t = deref(t.Elem())
	}
	if t == timeType || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array, reflect.Interface,
		reflect.Func, reflect.Chan, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return false
	}
	return true
}

// defKey identifies a component: a type, or a request-body variant of an
// input type that also holds parameters.
type defKey struct {
	t      reflect.Type
	suffix string
}

// defName names the component of t: its type name ("User", "PageUser"
// for Page[User]), prefixed with its package when another type already
// has that name. Names are stable: they depend only on the types and the
// order routes were registered in.
func (g *generator) defName(t reflect.Type, m reflectMode) string {
	key := defKey{t: t}
	if m.input != nil && t == m.input {
		key.suffix = m.suffix
	}
	if n, ok := g.names[key]; ok {
		return n
	}
	base := cleanTypeName(t.Name())
	if base == "" {
		base = "Schema"
	}
	name := base + key.suffix
	if _, taken := g.taken[name]; taken {
		name = camel(path.Base(t.PkgPath())) + base + key.suffix
		for i := 2; ; i++ {
			if _, taken := g.taken[name]; !taken {
				break
			}
			name = fmt.Sprintf("%s%s%d%s", camel(path.Base(t.PkgPath())), base, i, key.suffix)
		}
	}
	g.names[key] = name
	g.taken[name] = key
	return name
}

var qualified = regexp.MustCompile(`[^\[\],*\s]+`)

// cleanTypeName turns a Go type name, generic ones included, into an
// identifier: "Page[github.com/x/models.User]" → "PageUser".
func cleanTypeName(n string) string {
	n = qualified.ReplaceAllStringFunc(n, func(s string) string {
		if i := strings.LastIndexByte(s, '.'); i >= 0 {
			s = s[i+1:]
		}
		if i := strings.IndexRune(s, '·'); i >= 0 {
			s = s[:i]
		}
		return s
	})
	return camel(n)
}

// camel joins the alphanumeric runs of s, each capitalised.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// collect stores a named schema as a component, once.
func (g *generator) collect(name string, s jsonschema.Schema) {
	c := g.r.SpecEns().ComponentsEns()
	if _, ok := c.Schemas[name]; ok {
		return
	}
	m, err := s.ToSchemaOrBool().ToSimpleMap()
	if err != nil {
		g.fail(fmt.Errorf("openapi: schema %s: %w", name, err))
		return
	}
	c.WithSchemasItem(name, m)
}

// reflectSchema reflects v into a schema that refers to components for
// named types (the root too, when it has a name).
func (g *generator) reflectSchema(v any, opts ...func(*jsonschema.ReflectContext)) (map[string]any, *jsonschema.Schema, error) {
	opts = append([]func(*jsonschema.ReflectContext){
		jsonschema.DefinitionsPrefix("#/components/schemas/"),
		jsonschema.CollectDefinitions(g.collect),
		jsonschema.RootRef,
	}, opts...)
	s, err := g.r.Reflect(v, opts...)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.ToSchemaOrBool().ToSimpleMap()
	return m, &s, err
}
