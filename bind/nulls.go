package bind

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// nulls reports the JSON nulls sent for values that cannot be null: a
// field that is not a pointer, slice, map or interface. encoding/json
// leaves such a field as it was, so without this check a null would pass
// for a zero value (or the default) while the API documentation, which
// describes those fields as non-nullable, forbids it. A field whose type
// decodes JSON itself decides (a time.Time does not: it ignores null).
// It runs after a successful decode, only when the body holds "null".
func nulls(body []byte, t reflect.Type, path string) []FieldError {
	if !bytes.Contains(body, []byte("null")) {
		return nil
	}
	var errs []FieldError
	walkNulls(body, t, path, &errs)
	return errs
}

func walkNulls(raw []byte, t reflect.Type, path string, errs *[]FieldError) {
	if len(*errs) >= 100 || !bytes.Contains(raw, []byte("null")) {
		return
	}
	switch {
	case isNull(raw):
		if !nullable(t) {
			*errs = append(*errs, FieldError{Location: InBody, Field: path, Message: "must be " + kindName(t) + ", not null", Rule: "type"})
		}
		return
	case t.Kind() == reflect.Pointer:
		walkNulls(raw, t.Elem(), path, errs)
		return
	case decodesItself(t):
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		for _, f := range jsonFields(t, map[reflect.Type]bool{}) {
			for k, v := range obj { // encoding/json matches names case-insensitively
				if k == f.name || strings.EqualFold(k, f.name) {
					walkNulls(v, f.typ, join(path, f.name), errs)
					break
				}
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return
		}
		for i, item := range items {
			walkNulls(item, t.Elem(), path+"["+strconv.Itoa(i)+"]", errs)
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		for k, v := range obj {
			walkNulls(v, t.Elem(), path+"["+k+"]", errs)
		}
	}
}

func isNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

// nullable reports whether a JSON null is a value of t: nil for pointers,
// slices, maps and interfaces, whatever a type that decodes JSON itself
// makes of it (except time.Time, which ignores it).
func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return t != timeType && decodesItself(t)
}

func decodesItself(t reflect.Type) bool {
	return t.Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(jsonUnmarshalerType)
}

// jsonField is a field of a JSON object, as encoding/json sees it.
type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields lists the JSON fields of struct type t, embedded structs
// without a name tag flattened.
func jsonFields(t reflect.Type, seen map[reflect.Type]bool) []jsonField {
	if seen[t] {
		return nil
	}
	seen[t] = true
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && deref(sf.Type).Kind() == reflect.Struct && tag == "" {
			out = append(out, jsonFields(deref(sf.Type), seen)...)
			continue
		}
		if !sf.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = sf.Name
		}
		out = append(out, jsonField{name: tag, typ: sf.Type})
	}
	return out
}

// looksLikeJSON reports whether a body sent as a form, or without a
// Content-Type, is in fact a JSON object or array: the classic curl -d
// without -H 'Content-Type: application/json'.
func looksLikeJSON(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) >= 2 && (b[0] == '{' || b[0] == '[') && json.Valid(b)
}

// errLooksLikeJSON is the 415 answered for a JSON body sent as something
// else, instead of a list of "missing" fields.
func errLooksLikeJSON(ct string) error {
	msg := "the body looks like JSON; send Content-Type: application/json"
	if ct != "" {
		msg = "the body is sent as " + ct + " but looks like JSON; send Content-Type: application/json"
	}
	return &RequestError{Status: http.StatusUnsupportedMediaType, Msg: msg}
}
