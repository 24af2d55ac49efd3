package openapi

import (
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/bind"
	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go/openapi31"
)

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// inputField is a top-level field of an input struct, as bind sees it.
type inputField struct {
	sf   reflect.StructField
	loc  string // "path", "query", "header", "cookie"; "" for body fields
	name string // parameter or wire name
	form string // name in a form body or the query string
}

// inputFields lists the fields bind reads from t: parameters and body
// fields, embedded structs flattened (the same walk as bind's plan).
func inputFields(t reflect.Type) []inputField {
	var out []inputField
	var walk func(t reflect.Type, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.Anonymous && deref(sf.Type).Kind() == reflect.Struct && !hasNameTag(sf) {
				if sf.Type.Kind() == reflect.Struct {
					walk(sf.Type, seen)
				}
				continue
			}
			if !sf.IsExported() {
				continue
			}
			f := inputField{sf: sf}
			for _, tag := range sourceTags {
				if v, ok := sf.Tag.Lookup(tag); ok {
					f.loc, f.name = tag, strings.Split(v, ",")[0]
					if f.name == "" {
						f.name = sf.Name
					}
					break
				}
			}
			if f.loc == "" {
				if f.name = bind.WireName(sf); f.name == "" {
					continue // json:"-"
				}
				f.form = f.name
				if v := strings.Split(sf.Tag.Get("form"), ",")[0]; v != "" {
					f.form = v
				}
			}
			out = append(out, f)
		}
	}
	walk(t, map[reflect.Type]bool{})
	return out
}

func hasNameTag(sf reflect.StructField) bool {
	for _, tag := range append(sourceTags[:], "json", "form") {
		if _, ok := sf.Tag.Lookup(tag); ok {
			return true
		}
	}
	return false
}

// structType returns t's struct type, or nil when t is not a struct.
func structType(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	if t = deref(t); t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// bodiless reports whether bind reads body fields from the query string
// for this method: requests without a body.
func bodiless(method string) bool {
	return method == "GET" || method == "HEAD" || method == "TRACE"
}

// parameters builds the operation's parameters: the route's path
// parameters (typed by their converters, or by the input's path fields),
// then the input's query, header and cookie fields. For GET and HEAD the
// input's body fields are query parameters, as bind reads them.
func (g *generator) parameters(rt *nexios.Route, method string, input reflect.Type) ([]openapi31.ParameterOrReference, error) {
	var fields []inputField
	if input != nil {
		fields = inputFields(input)
	}
	var out []openapi31.ParameterOrReference
	declared := map[string]bool{}
	for _, p := range rt.Params() {
		declared[p.Name] = true
		conv := g.converterSchema(p.Converter)
		param := &openapi31.Parameter{Name: p.Name, In: openapi31.ParameterInPath, Required: ptr(true), Schema: conv}
		if p.Converter == "path" {
			param.WithDescription("The rest of the path: may contain slashes.")
		}
		if i := slices.IndexFunc(fields, func(f inputField) bool { return f.loc == "path" && f.name == p.Name }); i >= 0 {
			fp, err := g.parameter(fields[i], "path", fields[i].name)
			if err != nil {
				return nil, err
			}
			mergeConverter(fp.Schema, conv)
			if fp.Description == nil {
				fp.Description = param.Description
			}
			param = fp
		}
		out = append(out, openapi31.ParameterOrReference{Parameter: param})
	}
	for _, f := range fields {
		loc, name := f.loc, f.name
		switch {
		case loc == "path":
			if !declared[name] {
				return nil, fmt.Errorf("input %s: field %s has path:%q, but the pattern %s has no {%s}", input, f.sf.Name, name, rt.Pattern(), name)
			}
			continue
		case loc == "" && (!bodiless(method) || !formScalar(f.sf.Type)):
			continue // a body field
		case loc == "":
			loc, name = "query", f.form
		}
		p, err := g.parameter(f, loc, name)
		if err != nil {
			return nil, err
		}
		out = append(out, openapi31.ParameterOrReference{Parameter: p})
	}
	return out, nil
}

// parameter reflects one field into a parameter. The field is reflected
// inside a one-field struct so that its tags (validate, doc, default,
// enum, …) shape the schema exactly as they do for a body property.
func (g *generator) parameter(f inputField, loc, name string) (*openapi31.Parameter, error) {
	sf := f.sf
	wrapper := reflect.StructOf([]reflect.StructField{{Name: sf.Name, Type: sf.Type, Tag: sf.Tag}})
	_, s, err := g.reflectSchema(reflect.New(wrapper).Elem().Interface(),
		jsonschema.PropertyNameMapping(map[string]string{sf.Name: "p"}))
	if err != nil {
		return nil, fmt.Errorf("parameter %s: %w", name, err)
	}
	prop, ok := s.Properties["p"]
	if !ok || prop.TypeObject == nil {
		return nil, fmt.Errorf("parameter %s: type %s has no schema", name, sf.Type)
	}
	ps := *prop.TypeObject
	p := &openapi31.Parameter{Name: name, In: openapi31.ParameterIn(loc)}
	if ps.Description != nil {
		p.Description = ps.Description
		ps.Description = nil
	}
	if loc == "path" || slices.Contains(s.Required, "p") {
		p.Required = ptr(true)
	}
	if ps.HasType(jsonschema.Null) && ps.Type.SliceOfSimpleTypeValues != nil {
		ps.RemoveType(jsonschema.Null) // a parameter is absent, never null
	}
	if ps.HasType(jsonschema.Object) {
		p.WithStyle(openapi31.ParameterStyleDeepObject).WithExplode(true)
	}
	if p.Schema, err = ps.ToSchemaOrBool().ToSimpleMap(); err != nil {
		return nil, err
	}
	return p, nil
}

// converterSchema is the schema of a path parameter from its converter.
func (g *generator) converterSchema(name string) map[string]any {
	switch name {
	case "int":
		return map[string]any{"type": "integer", "format": "int64", "minimum": 0}
	case "float":
		return map[string]any{"type": "number", "format": "double", "minimum": 0}
	case "uuid":
		return map[string]any{"type": "string", "format": "uuid"}
	case "slug":
		return map[string]any{"type": "string", "pattern": `^[a-z0-9]+(?:-[a-z0-9]+)*$`}
	case "str", "path", "":
		return map[string]any{"type": "string"}
	}
	// Custom converters: App.Converter exposes their Type and Format when
	// the core provides it; otherwise they are documented as strings.
	if a, ok := any(g.app).(interface {
		Converter(string) (nexios.Converter, bool)
	}); ok {
		if c, ok := a.Converter(name); ok && c.Type != "" {
			s := map[string]any{"type": c.Type}
			if c.Format != "" {
				s["format"] = c.Format
			}
			return s
		}
	}
	return map[string]any{"type": "string"}
}

// mergeConverter adds what the converter knows (format, pattern,
// minimum) to a path parameter's schema from the input struct, when the
// types agree.
func mergeConverter(s, conv map[string]any) {
	if s["type"] != conv["type"] {
		return
	}
	for k, v := range conv {
		if _, ok := s[k]; !ok {
			s[k] = v
		}
	}
}

// requestBody builds the request body: doc.Body when set (then the body
// is required), else the body fields of the input struct (JSON, or a form
// when the struct uses form tags; required when a field is). It returns
// nil when there is no body.
func (g *generator) requestBody(method string, input, body reflect.Type) (*openapi31.RequestBodyOrReference, error) {
	var schema map[string]any
	var s *jsonschema.Schema
	var err error
	media := []string{"application/json"}
	switch {
	case body != nil:
		schema, s, err = g.reflectSchema(reflect.Zero(body).Interface())
	case input != nil && !bodiless(method):
		fields := inputFields(input)
		hasBody, hasParams, form := false, false, false
		for _, f := range fields {
			hasBody = hasBody || f.loc == ""
			hasParams = hasParams || f.loc != ""
			_, tagged := f.sf.Tag.Lookup("form")
			form = form || (tagged && f.loc == "")
		}
		if !hasBody {
			return nil, nil
		}
		mode := reflectMode{input: input}
		if hasParams {
			mode.suffix = "Body"
		}
		opts := []func(*jsonschema.ReflectContext){}
		if form {
			mode.form = true
			if hasParams {
				mode.suffix = "Form"
			}
			media = []string{"application/x-www-form-urlencoded", "multipart/form-data"}
			opts = append(opts, jsonschema.PropertyNameTag("form", "json"))
		}
		schema, s, err = g.reflectSchema(reflect.Zero(input).Interface(), append(opts, withMode(mode))...)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	rb := &openapi31.RequestBody{Content: map[string]openapi31.MediaType{}}
	for _, m := range media {
		rb.Content[m] = openapi31.MediaType{Schema: schema}
	}
	if body != nil || required(s, g) {
		rb.WithRequired(true)
	}
	return &openapi31.RequestBodyOrReference{RequestBody: rb}, nil
}

// required reports whether a body schema has required properties: then
// the body itself is required.
func required(s *jsonschema.Schema, g *generator) bool {
	if s == nil {
		return false
	}
	if len(s.Required) > 0 {
		return true
	}
	if s.Ref != nil {
		if def, ok := g.r.SpecEns().ComponentsEns().Schemas[strings.TrimPrefix(*s.Ref, "#/components/schemas/")]; ok {
			req, _ := def["required"].([]any)
			return len(req) > 0
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
