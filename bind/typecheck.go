package bind

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
)

// Type errors, located in the scan. encoding/json reports the first
// value of the wrong type only, with a path that misses the fields of a
// failing json.Unmarshaler; finding the others used to take a decode per
// field (locate, decodeRest). When the decoder is encoding/json and the
// error is a plain type mismatch, decoding went on past it, so the one
// scan of the body that checks duplicates and nulls can report every
// mismatch at its path instead. The scan knows JSON's kinds only: values
// a type decodes itself, map keys that must parse and json:",string"
// fields are left to the decoder: when the body has any of those, or the
// scan finds nothing to report, the decode-by-part locator runs instead.

// typeErrors returns every value of the wrong JSON type in body, decoded
// into t, and the check's other errors; nil when the scan cannot explain
// err.
func (b *Binder) typeErrors(body []byte, t reflect.Type, err error) []FieldError {
	var te *json.UnmarshalTypeError
	if !b.stdDecode || !errors.As(err, &te) {
		return nil
	}
	errs, mismatches, sure := scanJSON(body, t, b.strict, true)
	if mismatches == 0 || !sure {
		return nil
	}
	return errs
}

var numberType = reflect.TypeFor[json.Number]()

// expect checks that a JSON value that starts with c (lit: a string's
// raw content, or a literal) fits t, when the scan checks types, and
// returns the type to scan the value's content with: t without pointers,
// or nil for a value that is not checked (of unknown type, an interface,
// a type that decodes itself, or a mismatch already reported).
func (s *jsonScanner) expect(t reflect.Type, c byte, lit []byte) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface || decodesItself(t) {
		return nil
	}
	if !s.types || fits(t, c, lit) {
		return t
	}
	s.mismatches++
	s.report(nil, "must be "+kindName(t), "type")
	return nil
}

// fits reports whether encoding/json stores a JSON value that starts
// with c (lit: a string's raw content, or a literal) in a t without a
// type error.
func fits(t reflect.Type, c byte, lit []byte) bool {
	k := t.Kind()
	switch c {
	case '{':
		return k == reflect.Struct || k == reflect.Map
	case '[':
		return k == reflect.Slice || k == reflect.Array
	case '"':
		return k == reflect.String || (k == reflect.Slice && t.Elem().Kind() == reflect.Uint8) ||
			reflect.PointerTo(t).Implements(textUnmarshalerType)
	case 't', 'f':
		return k == reflect.Bool
	}
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err := strconv.ParseInt(string(lit), 10, t.Bits())
		return err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		_, err := strconv.ParseUint(string(lit), 10, t.Bits())
		return err == nil
	case reflect.Float32, reflect.Float64:
		_, err := strconv.ParseFloat(string(lit), t.Bits())
		return err == nil
	}
	return t == numberType
}
