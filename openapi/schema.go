package openapi

import (
	"context"
	"fmt"
	"github.com/nexios-go/nexios"
	"path"
	"reflect"
	"regexp"
	"slices"
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

var (
	formattedType = reflect.TypeFor[Formatted]()
	problemType   = reflect.TypeFor[nexios.Problem]()
)

// problemDocs describes the members of nexios.Problem, the default error
// schema (the root package has no doc tags).
var problemDocs = map[string]string{
	"type":     "A URI reference identifying the problem type; about:blank when the status says it all.",
	"title":    "A short summary of the problem type: the status text.",
	"status":   "The HTTP status code.",
	"detail":   "An explanation of this occurrence of the problem.",
	"instance": "A URI reference identifying this occurrence.",
	"errors":   "The fields at fault; every invalid field of a 422.",
	"stack":    "The stack of a panic, in debug mode only.",
}

// reflectCtxKey carries per-reflection settings through jsonschema-go's
// context.
type reflectCtxKey struct{}

// reflectMode says what a reflection produces.
type reflectMode struct {
	// out marks a response body: a property is required when the JSON
	// encoder always writes it (no omitempty, not a pointer); in request
	// bodies it is required when validation demands it.
	out bool
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
				return g.defName(t, modeOf(rc), "")
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

// interceptProp maps the doc and validate tags of every property, and
// marks required the properties a response always has.
func (g *generator) interceptProp(p jsonschema.InterceptPropParams) error {
	if !p.Processed {
		return nil
	}
	if d, ok := p.Field.Tag.Lookup("doc"); ok && p.PropertySchema.Description == nil {
		p.PropertySchema.WithDescription(d)
	}
	if p.ParentSchema != nil && p.ParentSchema.ReflectType == problemType && p.PropertySchema.Description == nil {
		if d := problemDocs[p.Name]; d != "" {
			p.PropertySchema.WithDescription(d)
		}
	}
	out := modeOf(p.Context).out
	applyValidate(p.Field.Tag.Get("validate"), p.Field.Type, p.Name, p.PropertySchema, p.ParentSchema, !out, g.app.DescribedRule)
	required := alwaysWritten(p.Field)
	if !out {
		// Validation runs on the value an absent field gets: rules that
		// refuse it (email, gte=1 without a default, …) make it required.
		required = g.binder.RejectsAbsent(p.Field.Type, p.Field.Tag)
	}
	if required && p.ParentSchema != nil && !slices.Contains(p.ParentSchema.Required, p.Name) {
		p.ParentSchema.Required = append(p.ParentSchema.Required, p.Name)
	}
	return nil
}

// alwaysWritten reports whether encoding/json always writes a field: it
// has no omitempty or omitzero option and is not a pointer (huma's rule
// for required output fields; a nil pointer is written as null, and
// generated clients then need an optional field anyway).
func alwaysWritten(sf reflect.StructField) bool {
	_, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			return false
		}
	}
	return sf.Type.Kind() != reflect.Pointer
}

// defKey identifies a component: a type, in one direction when it is a
// struct (its required properties differ between request and response
// bodies), or a request-body variant of an input type.
type defKey struct {
	t      reflect.Type
	dir    int // 0 for non-struct types, dirIn or dirOut
	suffix string
}

const (
	dirIn = 1 + iota
	dirOut
)

// defName names the component of t: its type name ("User", "PageUser"
// for Page[User]) plus suffix, prefixed with its package when another
// type already has that name. A struct used in both request and response
// bodies is two components, the request one named with an "Input"
// suffix (merged back into one when they come out identical). Names are
// stable: they depend only on the types and the order routes were
// registered in.
func (g *generator) defName(t reflect.Type, m reflectMode, suffix string) string {
	key := defKey{t: t, suffix: suffix}
	if t.Kind() == reflect.Struct {
		key.dir = dirIn
		if m.out {
			key.dir = dirOut
		}
	}
	if n, ok := g.names[key]; ok {
		return n
	}
	base := cleanTypeName(t.Name())
	if base == "" {
		base = "Schema"
	}
	base += suffix
	if key.dir == dirIn && suffix == "" {
		if _, ok := g.names[defKey{t: t, dir: dirOut}]; ok {
			base += "Input"
		}
	}
	name := base
	if _, taken := g.taken[name]; taken {
		pkg := camel(path.Base(t.PkgPath()))
		name = pkg + base
		for i := 2; ; i++ {
			if _, taken := g.taken[name]; !taken {
				break
			}
			name = fmt.Sprintf("%s%s%d", pkg, base, i)
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
	g.reflected[name] = &s
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
