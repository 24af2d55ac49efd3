// Package bind decodes an HTTP request into a struct and validates it.
//
// Fields tagged path, query, header or cookie are read from those parts of
// the request; every other exported field is part of the body, decoded from
// JSON or from a form by its json (or form) name. A default tag gives a
// value for an absent input; validate tags are checked with
// go-playground/validator. Malformed input is a 422 field error (a body
// that is not JSON at all is 400), so a handler only ever sees valid data.
//
//	type ListUsers struct {
//		Page  int    `query:"page" default:"1" validate:"gte=1"`
//		Limit int    `query:"limit" default:"10" validate:"gte=1,lte=100"`
//		Token string `header:"X-Token"`
//	}
//
// The plan for each struct type is computed once and cached.
package bind

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// Source is the request a Binder reads. The framework's Request provides
// one; tests can provide their own.
type Source interface {
	// PathValue returns a path parameter.
	PathValue(name string) (string, bool)
	// QueryValues returns the parsed query string.
	QueryValues() url.Values
	// HeaderValues returns the request headers.
	HeaderValues() http.Header
	// CookieValue returns a cookie's value.
	CookieValue(name string) (string, bool)
	// ContentType returns the body's media type, lower case, without
	// parameters ("application/json"), or "".
	ContentType() string
	// Body returns the whole body (empty when there is none).
	Body() ([]byte, error)
	// FormValues returns the values of an urlencoded or multipart body.
	FormValues() (url.Values, error)
}

// Binder binds and validates requests. It is safe for concurrent use; the
// zero value is not usable, call New.
type Binder struct {
	plans     sync.Map // reflect.Type → *plan
	decode    func([]byte, any) error
	strict    bool // !Options.LaxJSON
	stdDecode bool // decode is encoding/json's: its errors are understood
	validate  *validator.Validate
	mu        sync.RWMutex
	messages  map[string]func(validator.FieldError) string
	validOnce sync.Once
}

// Options configure a Binder.
type Options struct {
	// DecodeJSON decodes JSON bodies. Default: encoding/json.Unmarshal.
	DecodeJSON func(data []byte, v any) error
	// LaxJSON accepts, as encoding/json does, an object that repeats a
	// key (the last one wins) and a key that names a field only when
	// case is ignored ("NAME" for name). By default both are 422 field
	// errors (rules "duplicate" and "case"): a proxy or a firewall that
	// reads the first key, or only the exact name, would otherwise see
	// another request than the handler does.
	LaxJSON bool
	// Validator is the go-playground validator to use, such as another
	// Binder's (its custom rules included); its tag names must be wire
	// names (RegisterTagNameFunc(WireName)). Default: a new one.
	Validator *validator.Validate
}

// New returns a Binder.
func New(opts Options) *Binder {
	b := &Binder{decode: opts.DecodeJSON, strict: !opts.LaxJSON, stdDecode: opts.DecodeJSON == nil, validate: opts.Validator, messages: map[string]func(validator.FieldError) string{}}
	if b.decode == nil {
		b.decode = json.Unmarshal
	}
	return b
}

func (b *Binder) plan(t reflect.Type) *plan {
	if p, ok := b.plans.Load(t); ok {
		return p.(*plan)
	}
	p, _ := b.plans.LoadOrStore(t, buildPlan(t))
	return p.(*plan)
}

// Bind decodes src into v, a pointer to a struct, and validates it. It
// returns a *ValidationError (422) listing every invalid field, a
// *RequestError for unreadable input, or nil.
func (b *Binder) Bind(src Source, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("bind: need a non-nil pointer to a struct, got %T", v)
	}
	rv = rv.Elem()
	p := b.plan(rv.Type())
	var errs []FieldError
	bodyLoc := InBody
	if p.hasBody() {
		loc, ferrs, err := b.bindBody(src, rv, p)
		if err != nil {
			return err
		}
		bodyLoc = loc
		errs = append(errs, ferrs...)
	}
	for _, f := range p.params {
		raw, ok := lookup(src, f)
		fv, reachable := fieldByIndex(rv, f.index)
		if !reachable {
			continue
		}
		fv.SetZero() // a JSON body must not smuggle in a header or path value
		if !ok {
			if !f.hasDef {
				continue
			}
			raw = []string{f.def}
		}
		if err := setValues(fv, raw); err != nil {
			errs = append(errs, FieldError{Location: f.loc, Field: f.name, Message: err.Error(), Rule: "type"})
		}
	}
	err := b.check(rv, p, bodyLoc)
	if len(errs) == 0 {
		return err
	}
	// Report rule failures too, except for fields whose value did not even
	// parse: a client fixes everything in one round.
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, e := range ve.Errors {
			if !under(e, errs) {
				errs = append(errs, e)
			}
		}
	}
	return &ValidationError{Errors: errs}
}

// under reports whether e is about a field that failed to parse, or a
// field inside it (anything in the body when the whole body failed).
func under(e FieldError, failed []FieldError) bool {
	for _, f := range failed {
		if f.Location != e.Location {
			continue
		}
		if f.Field == "" || e.Field == f.Field || strings.HasPrefix(e.Field, f.Field+".") || strings.HasPrefix(e.Field, f.Field+"[") {
			return true
		}
	}
	return false
}

// decodeRest reports the field that failed to decode and decodes the
// body again without it, until every other field is in: a failing
// json.Unmarshaler stops encoding/json, which would leave later fields
// empty and wrongly "required". It runs only on the error path.
func (b *Binder) decodeRest(body []byte, rv reflect.Value, err error) []FieldError {
	var errs []FieldError
	for range 32 {
		fe := b.jsonErrors(body, rv.Type(), err)
		errs = append(errs, fe...)
		top := fe[0].Field
		if i := strings.IndexAny(top, ".["); i >= 0 {
			top = top[:i]
		}
		var obj map[string]json.RawMessage
		if top == "" || json.Unmarshal(body, &obj) != nil {
			break
		}
		removed := false
		for k := range obj {
			if strings.EqualFold(k, top) {
				delete(obj, k)
				removed = true
			}
		}
		if !removed {
			break
		}
		body, _ = json.Marshal(obj)
		if err = b.decode(body, rv.Addr().Interface()); err == nil {
			break
		}
	}
	return errs
}

// DecodeJSON decodes a JSON body into v: a body that is not JSON is a 400
// *RequestError, a value of the wrong type a 422 *ValidationError naming
// the field. It does not validate.
func (b *Binder) DecodeJSON(body []byte, v any) error {
	if err := b.decode(body, v); err != nil {
		if !json.Valid(body) {
			return syntaxError(body)
		}
		t := reflect.TypeOf(v)
		if t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if errs := b.typeErrors(body, t, err); errs != nil {
			return &ValidationError{Errors: errs}
		}
		return &ValidationError{Errors: append(b.jsonErrors(body, t, err), b.checkJSON(body, t)...)}
	}
	if errs := b.checkJSON(body, reflect.TypeOf(v)); len(errs) > 0 {
		return &ValidationError{Errors: errs}
	}
	return nil
}

// checkJSON reports what the decoder let through in a valid body: nulls
// for values that cannot be null, and unless lax, repeated keys and
// case-insensitive names.
func (b *Binder) checkJSON(body []byte, t reflect.Type) []FieldError {
	return checkJSON(body, t, b.strict)
}

// lookup returns the text values of a parameter field; empty values count
// as absent.
func lookup(src Source, f field) ([]string, bool) {
	var vals []string
	switch f.loc {
	case InPath:
		if v, ok := src.PathValue(f.name); ok {
			vals = []string{v}
		}
	case InQuery:
		vals = src.QueryValues()[f.name]
	case InHeader:
		vals = src.HeaderValues().Values(f.name)
	case InCookie:
		if v, ok := src.CookieValue(f.name); ok {
			vals = []string{v}
		}
	}
	if len(vals) == 0 || (len(vals) == 1 && vals[0] == "") {
		return nil, false
	}
	return vals, true
}

// bindBody fills the body fields from JSON, a form, or — for a request
// without a body — the query string. Defaults go in first, so that only
// the keys present in the input override them.
func (b *Binder) bindBody(src Source, rv reflect.Value, p *plan) (string, []FieldError, error) {
	for _, f := range p.defaults {
		fv, ok := fieldByIndex(rv, f.index)
		if !ok {
			continue
		}
		if err := setValues(fv, []string{f.def}); err != nil {
			return "", nil, fmt.Errorf("bind: default %q of field %s: %w", f.def, f.name, err)
		}
	}
	ct := src.ContentType()
	switch {
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		body, err := src.Body()
		if err != nil {
			return "", nil, err
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			return InBody, nil, nil
		}
		if err := b.decode(body, rv.Addr().Interface()); err != nil {
			if !json.Valid(body) { // checked only on failure: decoding validates anyway
				return "", nil, syntaxError(body)
			}
			if errs := b.typeErrors(body, rv.Type(), err); errs != nil {
				return InBody, errs, nil
			}
			return InBody, append(b.decodeRest(body, rv, err), b.checkJSON(body, rv.Type())...), nil
		}
		return InBody, b.checkJSON(body, rv.Type()), nil
	case ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data":
		if ct == "application/x-www-form-urlencoded" {
			body, err := src.Body()
			if err != nil {
				return "", nil, err
			}
			if looksLikeJSON(body) {
				return "", nil, errLooksLikeJSON(ct)
			}
		}
		vals, err := src.FormValues()
		if err != nil {
			return "", nil, err
		}
		return InForm, setFromValues(rv, p.body, vals, InForm), nil
	case ct == "":
		body, err := src.Body()
		if err != nil {
			return "", nil, err
		}
		if len(body) == 0 {
			return InQuery, setFromValues(rv, p.body, src.QueryValues(), InQuery), nil
		}
		if looksLikeJSON(body) {
			return "", nil, errLooksLikeJSON("")
		}
		return "", nil, &RequestError{Status: http.StatusUnsupportedMediaType, Msg: "request body has no Content-Type; send application/json or a form"}
	}
	body, err := src.Body()
	if err != nil {
		return "", nil, err
	}
	if len(body) == 0 {
		return InBody, nil, nil
	}
	return "", nil, &RequestError{Status: http.StatusUnsupportedMediaType, Msg: fmt.Sprintf("unsupported Content-Type %q: send application/json or a form", ct)}
}

// fieldByIndex walks index, allocating nil embedded pointers; it reports
// false when a nil pointer on the way cannot be allocated.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func setFromValues(rv reflect.Value, fields []field, vals url.Values, loc string) []FieldError {
	var errs []FieldError
	for _, f := range fields {
		raw := vals[f.form]
		if len(raw) == 0 {
			continue
		}
		fv, ok := fieldByIndex(rv, f.index)
		if !ok || (len(raw) == 1 && raw[0] == "" && fv.Kind() != reflect.String) {
			continue
		}
		err := setValues(fv, raw)
		if errors.Is(err, errUnsupported) {
			continue // nested objects cannot come from a flat form
		}
		if err != nil {
			errs = append(errs, FieldError{Location: loc, Field: f.form, Message: err.Error(), Rule: "type"})
		}
	}
	return errs
}

// syntaxError describes a body that is not JSON at all (400).
func syntaxError(body []byte) error {
	var probe any
	err := json.Unmarshal(body, &probe)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &RequestError{Status: http.StatusBadRequest, Msg: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se), Err: err}
	}
	return &RequestError{Status: http.StatusBadRequest, Msg: "malformed JSON body", Err: err}
}

// jsonErrors turns a decoding error of valid JSON into a field error with
// the precise path of the offending value.
func (b *Binder) jsonErrors(body []byte, t reflect.Type, err error) []FieldError {
	path, ft, ferr := locate(b.decode, body, t, "")
	if ferr == nil {
		ferr = err
	}
	var te *json.UnmarshalTypeError
	if path == "" && errors.As(err, &te) && te.Field != "" {
		path = jsonPath(te.Field)
	}
	return []FieldError{{Location: InBody, Field: path, Message: decodeErrorMessage(ft, ferr), Rule: "type"}}
}

// jsonPath turns encoding/json's "addresses.0.city" into addresses[0].city.
func jsonPath(p string) string {
	parts := strings.Split(p, ".")
	var b strings.Builder
	for i, part := range parts {
		if part != "" && strings.Trim(part, "0123456789") == "" && i > 0 {
			b.WriteString("[" + part + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

func kindName(t reflect.Type) string {
	switch deref(t).Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of type " + t.String()
}
