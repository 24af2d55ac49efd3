package bind

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

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
	name   string
	typ    reflect.Type
	tagged bool // the name is the json tag's, not the Go field's
	quoted bool // json:",string"
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
		tag, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && deref(sf.Type).Kind() == reflect.Struct && tag == "" {
			out = append(out, jsonFields(deref(sf.Type), seen)...)
			continue
		}
		if !sf.IsExported() || tag == "-" {
			continue
		}
		f := jsonField{name: tag, typ: sf.Type, tagged: tag != "", quoted: slices.Contains(strings.Split(opts, ","), "string")}
		if tag == "" {
			f.name = sf.Name
		}
		out = append(out, f)
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
