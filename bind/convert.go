package bind

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()
	durationType        = reflect.TypeFor[time.Duration]()
)

// errUnsupported marks a field type that text input cannot set.
var errUnsupported = errors.New("this field cannot be set from text")

// setValues sets fv from one or more text values: slices take every value,
// pointers are allocated, everything else takes the first.
func setValues(fv reflect.Value, raw []string) error {
	if fv.Kind() == reflect.Pointer && fv.Type() != timeType {
		elem := reflect.New(fv.Type().Elem())
		if err := setValues(elem.Elem(), raw); err != nil {
			return err
		}
		fv.Set(elem)
		return nil
	}
	if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.Uint8 && !implementsText(fv) {
		s := reflect.MakeSlice(fv.Type(), len(raw), len(raw))
		for i, r := range raw {
			if err := setText(s.Index(i), r); err != nil {
				return fmt.Errorf("item %d %w", i, err)
			}
		}
		fv.Set(s)
		return nil
	}
	return setText(fv, raw[0])
}

func implementsText(fv reflect.Value) bool {
	return reflect.PointerTo(fv.Type()).Implements(textUnmarshalerType)
}

// setText parses s into fv according to fv's type.
func setText(fv reflect.Value, s string) error {
	t := fv.Type()
	switch {
	case t == timeType:
		for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01-02T15:04:05"} {
			if v, err := time.Parse(layout, s); err == nil {
				fv.Set(reflect.ValueOf(v))
				return nil
			}
		}
		return errors.New("must be a date (2006-01-02) or an RFC 3339 date-time")
	case t == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("must be a duration such as 1m30s")
		}
		fv.SetInt(int64(d))
		return nil
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		if err := fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("is invalid: %v", err)
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
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return errors.New("must be an integer")
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			return errors.New("must be a non-negative integer")
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return errors.New("must be a number")
		}
		fv.SetFloat(f)
	default:
		return errUnsupported
	}
	return nil
}
