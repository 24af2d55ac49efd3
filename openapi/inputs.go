package openapi

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/bind"
	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go/openapi31"
)

// Inputs are documented from bind.Describe, the description binding
// itself uses: the same fields, names, locations, defaults and rules, so
// a struct cannot bind one way and be documented another.

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

// bodiless reports whether the documentation reads body fields from the
// query string for this method, as bind does for requests without a body.
func bodiless(method string) bool {
	return method == "GET" || method == "HEAD" || method == "TRACE"
}

// parameters builds the operation's parameters: the route's path
// parameters (typed by their converters, or by the input's path fields),
// then the input's query, header and cookie fields. For GET and HEAD the
// input's body fields that can be read from text are query parameters,
// as bind reads them.
func (g *generator) parameters(rt *nexios.Route, method string, input reflect.Type, fields []bind.Field) ([]openapi31.ParameterOrReference, error) {
	var out []openapi31.ParameterOrReference
	declared := map[string]bool{}
	for _, p := range rt.Params() {
		declared[p.Name] = true
		conv := g.converterSchema(p.Converter)
		param := &openapi31.Parameter{Name: p.Name, In: openapi31.ParameterInPath, Required: ptr(true), Schema: conv}
		if p.Converter == "path" {
			param.WithDescription("The rest of the path: may contain slashes.")
		}
		if i := slices.IndexFunc(fields, func(f bind.Field) bool { return f.In == bind.InPath && f.Name == p.Name }); i >= 0 {
			fp, err := g.parameter(fields[i], bind.InPath, fields[i].Name)
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
		loc, name := f.In, f.Name
		switch {
		case loc == bind.InPath:
			if !declared[name] {
				return nil, fmt.Errorf("input %s: field %s has path:%q, but the pattern %s has no {%s}", input, f.GoPath, name, rt.Pattern(), name)
			}
			continue
		case loc == bind.InBody && (!bodiless(method) || !f.Text):
			continue // a body field
		case loc == bind.InBody:
			loc, name = bind.InQuery, f.FormName
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
// example, …) shape the schema exactly as they do for a body property.
func (g *generator) parameter(f bind.Field, loc, name string) (*openapi31.Parameter, error) {
	wrapper := reflect.StructOf([]reflect.StructField{{Name: "P", Type: f.Type, Tag: `json:"p" ` + f.Tag}})
	_, s, err := g.reflectSchema(reflect.New(wrapper).Elem().Interface(), withMode(reflectMode{}))
	if err != nil {
		return nil, fmt.Errorf("parameter %s: %w", name, err)
	}
	prop, ok := s.Properties["p"]
	if !ok || prop.TypeObject == nil {
		return nil, fmt.Errorf("parameter %s: type %s has no schema", name, f.Type)
	}
	ps := *prop.TypeObject
	p := &openapi31.Parameter{Name: name, In: openapi31.ParameterIn(loc)}
	if ps.Description != nil {
		p.Description = ps.Description
		ps.Description = nil
	}
	if loc == bind.InPath || f.Required {
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

// component returns the schema a local reference names, as reflected.
func (g *generator) component(ref string) *jsonschema.Schema {
	name := strings.TrimPrefix(ref, "#/components/schemas/")
	if s, ok := g.reflected[name]; ok {
		return s
	}
	return &jsonschema.Schema{}
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
	if c, ok := g.app.Converter(name); ok && c.Type != "" {
		s := map[string]any{"type": c.Type}
		if c.Format != "" {
			s["format"] = c.Format
		}
		return s
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
// when a body field has a form tag; required when a field is). It returns
// nil when there is no body.
func (g *generator) requestBody(method string, input, body reflect.Type, fields []bind.Field) (*openapi31.RequestBodyOrReference, error) {
	var schema map[string]any
	var s *jsonschema.Schema
	var err error
	media := []string{"application/json"}
	required := body != nil
	switch {
	case body != nil:
		schema, s, err = g.reflectSchema(reflect.Zero(body).Interface(), withMode(reflectMode{}))
	case input != nil && !bodiless(method):
		var bodyFields []bind.Field
		hasParams, form := false, false
		for _, f := range fields {
			if f.IsParam() {
				hasParams = true
				continue
			}
			bodyFields = append(bodyFields, f)
			_, tagged := f.Tag.Lookup("form")
			form = form || tagged
			required = required || f.Required
		}
		if len(bodyFields) == 0 {
			return nil, nil
		}
		suffix := ""
		if hasParams {
			suffix = "Body"
		}
		if form {
			media = []string{"application/x-www-form-urlencoded", "multipart/form-data"}
			if hasParams {
				suffix = "Form"
			}
		}
		schema, s, err = g.bodySchema(input, suffix, bodyFields, form)
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
	if required || (s != nil && body == nil && len(g.resolve(s).Required) > 0) {
		rb.WithRequired(true)
	}
	return &openapi31.RequestBodyOrReference{RequestBody: rb}, nil
}

// bodySchema is the body of an input struct as bind reads it: its body
// fields only, under their JSON names (form names for a form body, which
// carries only the fields text can set), with their tags. It is the
// component named after the input type, with suffix when the input also
// has parameters.
func (g *generator) bodySchema(input reflect.Type, suffix string, fields []bind.Field, form bool) (map[string]any, *jsonschema.Schema, error) {
	var sfs []reflect.StructField
	for i, f := range fields {
		name := f.Name
		if form {
			if !f.Text {
				continue // bind cannot set objects from a form
			}
			name = f.FormName
		}
		opts := ""
		if tag, ok := f.Tag.Lookup("json"); ok {
			if _, o, found := strings.Cut(tag, ","); found {
				opts = "," + o
			}
		}
		sfs = append(sfs, reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: f.Type,
			Tag:  reflect.StructTag(`json:"`+name+opts+`" `) + f.Tag,
		})
	}
	_, s, err := g.reflectSchema(reflect.New(reflect.StructOf(sfs)).Elem().Interface(), withMode(reflectMode{}))
	if err != nil {
		return nil, nil, err
	}
	name := g.defName(input, reflectMode{}, suffix)
	g.collect(name, *s)
	ref := "#/components/schemas/" + name
	return map[string]any{"$ref": ref}, &jsonschema.Schema{Ref: &ref}, nil
}

// resolve follows a schema's reference to its component.
func (g *generator) resolve(s *jsonschema.Schema) *jsonschema.Schema {
	if s.Ref != nil {
		return g.component(*s.Ref)
	}
	return s
}

func ptr[T any](v T) *T { return &v }
