package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/bind"
)

// CheckBindings proves, for every documented route with an input struct
// (a typed handler's In, or nexios.Input), that what the app's document
// says about its inputs is what binding does. It reads only the document
// and binds crafted requests with the app's own validator, so it checks
// the generator against the binder rather than against itself. For each
// parameter and each body property it checks that:
//
//   - a valid value sent under the documented name and location is
//     bound (the struct changes) without an error;
//   - leaving it out is an error at that location and name exactly when
//     the document says it is required;
//   - an explicit default equals leaving it out;
//   - a value outside its enum, below its minimum, or of the wrong type
//     is an error reported at that location and name;
//
// and that every field binding reads is documented. It uses the
// configuration Register was called with (Registered), else the zero
// Config, and returns every mismatch.
func CheckBindings(app *nexios.App) error {
	if app == nil {
		return errNoApp
	}
	cfg, _ := Registered(app)
	b, err := Build(app, cfg)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	c := &checker{
		doc:    doc,
		binder: bind.New(bind.Options{DecodeJSON: app.Config().JSON.Decode, LaxJSON: app.Config().LaxJSON, Validator: app.Validator()}),
	}
	for _, rt := range app.Routes() {
		doc := rt.Doc()
		in := structType(doc.Input)
		if rt.IsMount() || doc.Exclude || in == nil {
			continue
		}
		for _, m := range rt.Methods() {
			op, ok := c.operation(m, openAPIPath(rt.Pattern()))
			if !ok {
				continue
			}
			c.where = m + " " + rt.Pattern()
			c.check(rt, m, in, op)
		}
	}
	return errors.Join(c.errs...)
}

// checker binds crafted requests and compares them with the document.
type checker struct {
	doc    map[string]any
	binder *bind.Binder
	where  string
	errs   []error
}

func (c *checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("openapi: %s: "+format, append([]any{c.where}, args...)...))
}

func (c *checker) operation(method, path string) (map[string]any, bool) {
	item, _ := c.doc["paths"].(map[string]any)[path].(map[string]any)
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return op, ok
}

// resolve follows a local $ref.
func (c *checker) resolve(s map[string]any) map[string]any {
	for range 8 {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		target, _ := c.doc["components"].(map[string]any)["schemas"].(map[string]any)[strings.TrimPrefix(ref, refPrefix)].(map[string]any)
		merged := map[string]any{}
		for k, v := range target {
			merged[k] = v
		}
		for k, v := range s { // sibling keywords (default, description) win
			if k != "$ref" {
				merged[k] = v
			}
		}
		s = merged
	}
	return s
}

// input is one documented input: a parameter, or a body property.
type input struct {
	in, name string
	schema   map[string]any
	required bool
}

func (c *checker) check(rt *nexios.Route, method string, t reflect.Type, op map[string]any) {
	var inputs []input
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm, _ := p.(map[string]any)
		s, _ := pm["schema"].(map[string]any)
		req, _ := pm["required"].(bool)
		inputs = append(inputs, input{in: pm["in"].(string), name: pm["name"].(string), schema: c.resolve(s), required: req})
	}
	media := ""
	if rb, ok := op["requestBody"].(map[string]any); ok {
		content, _ := rb["content"].(map[string]any)
		for _, m := range []string{"application/json", "application/x-www-form-urlencoded"} {
			mt, ok := content[m].(map[string]any)
			if !ok {
				continue
			}
			media = m
			body := c.resolve(mt["schema"].(map[string]any))
			required, _ := body["required"].([]any)
			props, _ := body["properties"].(map[string]any)
			for _, name := range sortedKeys(props) {
				inputs = append(inputs, input{in: bind.InBody, name: name, schema: c.resolve(props[name].(map[string]any)),
					required: slices.Contains(required, any(name))})
			}
			break
		}
	}
	base := c.request(rt, inputs, media)
	zero, zeroErrs := c.bind(t, base)
	for _, in := range inputs {
		c.checkInput(t, rt, inputs, media, in, zero, zeroErrs)
	}
	// Every field binding reads is documented.
	for _, f := range bind.Describe(t) {
		in, name := f.In, f.Name
		if in == bind.InBody && media == "application/x-www-form-urlencoded" {
			name = f.FormName
			if !f.Text {
				continue
			}
		}
		if in == bind.InBody && media == "" {
			if !bodiless(method) || !f.Text {
				continue
			}
			in, name = bind.InQuery, f.FormName
		}
		if !slices.ContainsFunc(inputs, func(i input) bool { return i.in == in && i.name == name }) {
			c.fail("%s %s is bound (field %s) but not documented", in, name, f.GoPath)
		}
	}
}

// request is the request every probe starts from: the path parameters
// the route needs (the router always provides them) and an empty body.
func (c *checker) request(rt *nexios.Route, inputs []input, media string) *probe {
	p := &probe{path: map[string]string{}, query: url.Values{}, header: http.Header{}, cookies: map[string]string{}, ct: media}
	for _, in := range inputs {
		if in.in == bind.InPath {
			if v, ok := sample(in.schema); ok {
				p.path[in.name] = text(v)
			}
		}
	}
	if media == "application/json" {
		p.body = map[string]any{}
	} else if media != "" {
		p.form = url.Values{}
	}
	return p
}

func (c *checker) checkInput(t reflect.Type, rt *nexios.Route, inputs []input, media string, in input, zero reflect.Value, zeroErrs []bind.FieldError) {
	what := in.in + " " + in.name
	if in.in != bind.InPath {
		missing := hasError(zeroErrs, in.in, in.name, "")
		switch {
		case in.required && !missing:
			c.fail("%s is documented as required, but binding accepts a request without it", what)
		case !in.required && missing:
			c.fail("%s is documented as optional, but binding rejects a request without it", what)
		}
	}
	v, ok := sample(in.schema)
	if !ok {
		return
	}
	if def, has := in.schema["default"]; has {
		got, _ := c.bind(t, c.request(rt, inputs, media).with(in, def))
		if !reflect.DeepEqual(got.Interface(), zero.Interface()) {
			c.fail("%s: the documented default %v is not what binding gives a request without it", what, def)
		}
		if reflect.DeepEqual(v, def) {
			v, ok = other(in.schema, def)
		}
	}
	if ok {
		got, errs := c.bind(t, c.request(rt, inputs, media).with(in, v))
		if hasError(errs, in.in, in.name, "") {
			c.fail("%s: the valid value %v is rejected: %v", what, v, errs)
		} else if in.in != bind.InPath && reflect.DeepEqual(got.Interface(), zero.Interface()) {
			c.fail("%s: sending %v does not bind any field", what, v)
		}
	}
	if in.in == bind.InPath {
		return // the router refuses what the converter does not match
	}
	bads := invalid(in.schema)
	if in.in == bind.InBody && media == "application/json" {
		if !nullable(in.schema) {
			bads = append(bads, nil)
		}
		if n, _ := number(in.schema, "minLength"); n > 0 {
			bads = append(bads, "")
		}
		if n, _ := number(in.schema, "minItems"); n > 0 {
			bads = append(bads, []any{})
		}
	}
	for _, bad := range bads {
		_, errs := c.bind(t, c.request(rt, inputs, media).with(in, bad))
		if !hasError(errs, in.in, in.name, "") {
			c.fail("%s: %v breaks the documented schema, but binding reports no error at %s %s (errors: %v)", what, bad, in.in, in.name, errs)
		}
	}
}

// bind binds a probe into a new value of t.
func (c *checker) bind(t reflect.Type, p *probe) (reflect.Value, []bind.FieldError) {
	v := reflect.New(t)
	err := c.binder.Bind(p, v.Interface())
	var ve *bind.ValidationError
	if errors.As(err, &ve) {
		return v.Elem(), ve.Errors
	}
	if err != nil {
		return v.Elem(), []bind.FieldError{{Location: "request", Message: err.Error()}}
	}
	return v.Elem(), nil
}

// hasError reports whether errs holds an error about the input at loc
// (body fields are reported at body, form or query) named name, or inside
// it.
func hasError(errs []bind.FieldError, loc, name, rule string) bool {
	for _, e := range errs {
		sameLoc := e.Location == loc || (loc == bind.InBody && (e.Location == bind.InForm || e.Location == bind.InQuery))
		inside := e.Field == name || strings.HasPrefix(e.Field, name+".") || strings.HasPrefix(e.Field, name+"[")
		if sameLoc && inside && (rule == "" || e.Rule == rule) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
