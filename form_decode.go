package nexios

import (
	"encoding"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// formPlan is how one struct type decodes from form values; it is computed
// once per type.
type formPlan struct {
	fields []formField
}

type formField struct {
	name  string
	index []int
	typ   reflect.Type
}

type formPlans struct{ m sync.Map } // reflect.Type → *formPlan

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

func (p *formPlans) plan(t reflect.Type) *formPlan {
	if cached, ok := p.m.Load(t); ok {
		return cached.(*formPlan)
	}
	plan := &formPlan{}
	collectFormFields(t, nil, plan)
	actual, _ := p.m.LoadOrStore(t, plan)
	return actual.(*formPlan)
}

func collectFormFields(t reflect.Type, index []int, plan *formPlan) {
	for i := range t.NumField() {
		f := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && !hasFormTag(f) {
			collectFormFields(f.Type, idx, plan)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := ""
		for _, key := range []string{"form", "query", "json"} {
			if tag, ok := f.Tag.Lookup(key); ok {
				name, _, _ = strings.Cut(tag, ",")
				break
			}
		}
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		plan.fields = append(plan.fields, formField{name: name, index: idx, typ: f.Type})
	}
}

func hasFormTag(f reflect.StructField) bool {
	_, a := f.Tag.Lookup("form")
	_, b := f.Tag.Lookup("json")
	return a || b
}

// decodeForm sets v's fields from vals. Values that do not parse as the
// field's type are collected as 422 field errors at loc.
func (a *App) decodeForm(vals url.Values, v any, loc string) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("nexios: Bind needs a pointer to a struct, got %T", v)
	}
	rv = rv.Elem()
	var verr ValidationError
	for _, f := range a.forms.plan(rv.Type()).fields {
		raw, ok := vals[f.name]
		if !ok || len(raw) == 0 {
			continue
		}
		if err := setFormField(rv.FieldByIndex(f.index), raw); err != nil {
			verr.Errors = append(verr.Errors, FieldError{Location: loc, Field: f.name, Message: err.Error(), Rule: "type"})
		}
	}
	if len(verr.Errors) > 0 {
		return &verr
	}
	return nil
}

var errUnsupportedField = errors.New("field type cannot be set from a form")

func setFormField(fv reflect.Value, raw []string) error {
	if fv.Kind() == reflect.Pointer {
		elem := reflect.New(fv.Type().Elem())
		if err := setFormField(elem.Elem(), raw); err != nil {
			return err
		}
		fv.Set(elem)
		return nil
	}
	if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.Uint8 {
		s := reflect.MakeSlice(fv.Type(), len(raw), len(raw))
		for i, r := range raw {
			if err := setScalar(s.Index(i), r); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		fv.Set(s)
		return nil
	}
	return setScalar(fv, raw[0])
}

func setScalar(fv reflect.Value, s string) error {
	if fv.Type() == reflect.TypeFor[time.Time]() {
		for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01-02T15:04:05"} {
			if t, err := time.Parse(layout, s); err == nil {
				fv.Set(reflect.ValueOf(t))
				return nil
			}
		}
		return errors.New("must be a date (2006-01-02) or an RFC 3339 time")
	}
	if fv.CanAddr() && fv.Addr().Type().Implements(textUnmarshalerType) {
		if err := fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("invalid value: %v", err)
		}
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("must be a boolean")
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if fv.Type() == reflect.TypeFor[time.Duration]() {
			d, err := time.ParseDuration(s)
			if err != nil {
				return errors.New("must be a duration such as 1m30s")
			}
			fv.SetInt(int64(d))
			return nil
		}
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return errors.New("must be an integer")
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return errors.New("must be a non-negative integer")
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return errors.New("must be a number")
		}
		fv.SetFloat(f)
	default:
		return errUnsupportedField
	}
	return nil
}
