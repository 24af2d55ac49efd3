package bind

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Validatable is implemented by inputs with checks beyond tags (a
// Pydantic-style validator). Validate runs after the tags pass; a
// *ValidationError it returns is merged, any other error becomes one
// field error.
type Validatable interface {
	Validate() error
}

// Validator returns the go-playground validator, to register custom rules
// (RegisterValidation) and struct-level checks (RegisterStructValidation).
// Field names in its errors are wire names.
func (b *Binder) Validator() *validator.Validate {
	b.validOnce.Do(func() {
		if b.validate != nil {
			return // given in Options
		}
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(WireName)
		b.validate = v
	})
	return b.validate
}

// SetMessage overrides the message of a validation rule ("min", "email",
// or a custom rule's name).
func (b *Binder) SetMessage(rule string, msg func(validator.FieldError) string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.messages[rule] = msg
}

// Validate checks v's validate tags, Enum fields and Validate method,
// reporting fields at loc.
func (b *Binder) Validate(v any, loc string) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	return b.check(rv, b.plan(rv.Type()), loc)
}

func (b *Binder) check(rv reflect.Value, p *plan, bodyLoc string) error {
	var errs []FieldError
	err := b.Validator().Struct(rv.Addr().Interface())
	var verrs validator.ValidationErrors
	switch {
	case errors.As(err, &verrs):
		for _, fe := range verrs {
			loc, field := p.locate(fe.StructNamespace(), fe.Namespace(), bodyLoc)
			errs = append(errs, FieldError{
				Location: loc,
				Field:    field,
				Message:  b.message(fe),
				Rule:     fe.Tag(),
				Param:    fe.Param(),
			})
		}
	case err != nil:
		var inv *validator.InvalidValidationError
		if !errors.As(err, &inv) {
			return err
		}
	}
	for _, f := range p.enums {
		fv, ok := fieldByIndex(rv, f.index)
		if !ok {
			continue
		}
		if msg, bad := badEnum(fv); bad {
			loc := f.loc
			if loc == "" {
				loc = bodyLoc
			}
			errs = append(errs, FieldError{Location: loc, Field: f.path, Message: msg, Rule: "enum"})
		}
	}
	if len(errs) == 0 {
		if val, ok := rv.Addr().Interface().(Validatable); ok {
			if err := val.Validate(); err != nil {
				var ve *ValidationError
				if errors.As(err, &ve) {
					errs = append(errs, ve.Errors...)
				} else {
					errs = append(errs, FieldError{Location: bodyLoc, Message: err.Error(), Rule: "custom"})
				}
			}
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Errors: errs}
	}
	return nil
}

// locate turns the namespaces of a validator error (Go names and wire
// names, both starting with the root type's name) into the field's
// location and its path with wire names, as the client sent it: the
// segments of flattened embedded structs are left out, so a Page field
// embedded through Pagination is the query parameter "page", not
// "Pagination.page" in the body.
func (p *plan) locate(goNS, wireNS, bodyLoc string) (string, string) {
	goSegs, wireSegs := splitNamespace(goNS), splitNamespace(wireNS)
	first := 1 // the root type's name
	if p.t.Name() == "" {
		first = 0 // an anonymous struct has none
	}
	if len(goSegs) != len(wireSegs) || len(goSegs) <= first {
		return bodyLoc, wireNS // unexpected: as the validator says it
	}
	loc := bodyLoc
	var out strings.Builder
	t := p.t
	goPath := ""
	for i := first; i < len(goSegs); i++ {
		name, idx := cutIndex(goSegs[i])
		_, wireIdx := cutIndex(wireSegs[i])
		if goPath != "" {
			goPath += "."
		}
		goPath += name
		var sf reflect.StructField
		found := false
		if t != nil && t.Kind() == reflect.Struct {
			sf, found = t.FieldByName(name)
		}
		embedded := found && sf.Anonymous && deref(sf.Type).Kind() == reflect.Struct && !hasNameTag(sf)
		if !embedded {
			if f, ok := p.goPaths[goPath]; ok && f.loc != "" && out.Len() == 0 {
				loc = f.loc
			}
			wire, _ := cutIndex(wireSegs[i])
			if out.Len() > 0 {
				out.WriteByte('.')
			}
			out.WriteString(wire + wireIdx)
		}
		t = nil
		if found {
			t = deref(sf.Type)
			for n := strings.Count(idx, "["); n > 0 && t != nil; n-- {
				if k := t.Kind(); k == reflect.Slice || k == reflect.Array || k == reflect.Map {
					t = deref(t.Elem())
				} else {
					t = nil
				}
			}
		}
	}
	return loc, out.String()
}

// splitNamespace splits a validator namespace on the dots outside
// brackets (map keys may hold dots).
func splitNamespace(ns string) []string {
	var segs []string
	depth, start := 0, 0
	for i := 0; i < len(ns); i++ {
		switch ns[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '.':
			if depth == 0 {
				segs = append(segs, ns[start:i])
				start = i + 1
			}
		}
	}
	return append(segs, ns[start:])
}

// cutIndex splits "Names[1][2]" into "Names" and "[1][2]".
func cutIndex(seg string) (string, string) {
	if i := strings.IndexByte(seg, '['); i >= 0 {
		return seg[:i], seg[i:]
	}
	return seg, ""
}

// badEnum reports whether an Enum field holds a value outside its set. A
// zero value is left to the required rule.
func badEnum(fv reflect.Value) (string, bool) {
	for fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return "", false
		}
		fv = fv.Elem()
	}
	if fv.IsZero() {
		return "", false
	}
	var e Enum
	if x, ok := fv.Interface().(Enum); ok {
		e = x
	} else if fv.CanAddr() {
		e, _ = fv.Addr().Interface().(Enum)
	}
	if e == nil {
		return "", false
	}
	allowed := e.Enum()
	cur := fv.Interface()
	for _, a := range allowed {
		av := reflect.ValueOf(a)
		if av.IsValid() && av.CanConvert(fv.Type()) && reflect.DeepEqual(av.Convert(fv.Type()).Interface(), cur) {
			return "", false
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = fmt.Sprint(a)
	}
	return "must be one of: " + strings.Join(names, ", "), true
}

func (b *Binder) message(fe validator.FieldError) string {
	b.mu.RLock()
	custom := b.messages[fe.Tag()]
	b.mu.RUnlock()
	if custom != nil {
		return custom(fe)
	}
	return defaultMessage(fe)
}

func defaultMessage(fe validator.FieldError) string {
	p := fe.Param()
	unit := ""
	switch fe.Kind() {
	case reflect.String:
		unit = " characters"
	case reflect.Slice, reflect.Map, reflect.Array:
		unit = " items"
	}
	switch fe.Tag() {
	case "required", "required_if", "required_unless", "required_with", "required_without":
		return "is required"
	case "min":
		return "must be at least " + p + unit
	case "max":
		return "must be at most " + p + unit
	case "len":
		return "must be exactly " + p + unit
	case "gte":
		return "must be greater than or equal to " + p
	case "lte":
		return "must be less than or equal to " + p
	case "gt":
		return "must be greater than " + p
	case "lt":
		return "must be less than " + p
	case "eq":
		return "must be equal to " + p
	case "ne":
		return "must not be equal to " + p
	case "oneof":
		return "must be one of: " + strings.Join(strings.Fields(p), ", ")
	case "email":
		return "must be a valid email address"
	case "url", "http_url":
		return "must be a valid URL"
	case "uuid", "uuid4":
		return "must be a valid UUID"
	case "alphanum":
		return "must contain only letters and digits"
	case "datetime":
		return "must be a date/time in the format " + p
	}
	if slices.Contains([]string{"", "-"}, p) {
		return fmt.Sprintf("failed the %q rule", fe.Tag())
	}
	return fmt.Sprintf("failed the %q rule (%s)", fe.Tag(), p)
}

// Message is the default message for a failed validation rule ("must be
// at least 8 characters"), the one request bodies get; other packages
// that validate with go-playground (configuration) use it so a rule reads
// the same everywhere.
func Message(fe validator.FieldError) string { return defaultMessage(fe) }
