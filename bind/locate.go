package bind

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// locate finds where in a JSON document a decoding error happened, by
// decoding part by part: encoding/json reports neither array indexes nor
// the field of an UnmarshalJSON failure. It runs only on the error path.
func locate(decode func([]byte, any) error, raw []byte, t reflect.Type, path string) (string, reflect.Type, error) {
	t = deref(t)
	probe := func(raw []byte, t reflect.Type) error { return decode(raw, reflect.New(t).Interface()) }
	switch {
	case t.Kind() == reflect.Struct && t != timeType && !reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return path, t, err
		}
		for i := range t.NumField() {
			sf := t.Field(i)
			name := WireName(sf)
			if !sf.IsExported() || name == "" {
				continue
			}
			val, ok := obj[name]
			if !ok {
				for k, v := range obj { // encoding/json matches names case-insensitively
					if strings.EqualFold(k, name) {
						val, ok = v, true
						break
					}
				}
			}
			if !ok {
				continue
			}
			if err := probe(val, sf.Type); err != nil {
				return locate(decode, val, sf.Type, join(path, name))
			}
		}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return path, t, err
		}
		for i, item := range items {
			if err := probe(item, t.Elem()); err != nil {
				return locate(decode, item, t.Elem(), path+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	return path, t, probe(raw, t)
}

var jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// decodeErrorMessage explains a value that failed to decode.
func decodeErrorMessage(t reflect.Type, err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return "must be " + kindName(te.Type)
	case deref(t) == timeType:
		return "must be an RFC 3339 date-time such as 2006-01-02T15:04:05Z"
	case err != nil:
		return "is invalid: " + err.Error()
	}
	return "is invalid"
}
