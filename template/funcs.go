package template

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/nexios-go/nexios"
)

// builtins returns the functions every template has; Config.Funcs may
// replace them. In a pipeline the piped value is the last argument:
// {{.Bio | truncate 80}} calls truncate(80, .Bio).
func builtins() FuncMap {
	return FuncMap{
		// extends is handled at load time when it is the first action; a
		// later one would be silently useless, so executing it fails.
		"extends": func(string) (string, error) {
			return "", errors.New(`{{extends "layout"}} must be the first action of a template`)
		},
		"upper":    strings.ToUpper,
		"lower":    strings.ToLower,
		"trim":     strings.TrimSpace,
		"truncate": truncate,
		"default":  defaultValue,
		"join":     join,
		"dict":     dict,
	}
}

// truncate cuts s to n runes, ending with "..." when it was cut.
func truncate(n int, s string) string {
	if n < 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 3 {
		return string([]rune(s)[:n])
	}
	return string([]rune(s)[:n-3]) + "..."
}

// defaultValue returns v, or def when v is empty (nil, zero, "" or an
// empty collection), like Jinja's default filter.
func defaultValue(def, v any) any {
	if v == nil {
		return def
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array, reflect.String:
		if rv.Len() == 0 {
			return def
		}
	default:
		if rv.IsZero() {
			return def
		}
	}
	return v
}

// join joins the elements of a slice or array, formatted with fmt.
func join(sep string, list any) (string, error) {
	if ss, ok := list.([]string); ok {
		return strings.Join(ss, sep), nil
	}
	rv := reflect.ValueOf(list)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return "", fmt.Errorf("join: %T is not a list", list)
	}
	parts := make([]string, rv.Len())
	for i := range parts {
		parts[i] = fmt.Sprint(rv.Index(i).Interface())
	}
	return strings.Join(parts, sep), nil
}

// dict builds a map from key, value pairs, to pass several values to a
// partial: {{template "partials/card.html" dict "title" .Title "user" .User}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is a %T, not a string", kv[i], kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// data builds the template's dot. Without globals or context processors
// the data is passed as is (a struct keeps its methods, a slice works with
// {{range .}}). With them, the dot is a map of the globals, then the
// processors' values, then the data's own entries (map keys or exported
// struct fields), later ones winning.
func (e *Engine) data(req *nexios.Request, data any) (any, error) {
	procs := len(e.cfg.ContextProcessors) > 0 && req != nil
	if len(e.cfg.Globals) == 0 && !procs {
		return data, nil
	}
	m := make(map[string]any, len(e.cfg.Globals)+8)
	maps.Copy(m, e.cfg.Globals)
	if procs {
		for _, p := range e.cfg.ContextProcessors {
			vals, err := p(req)
			if err != nil {
				return nil, fmt.Errorf("context processor: %w", err)
			}
			maps.Copy(m, vals)
		}
	}
	if err := e.merge(m, data); err != nil {
		return nil, err
	}
	return m, nil
}

type structField struct {
	name  string
	index []int
}

func (e *Engine) merge(m map[string]any, data any) error {
	switch d := data.(type) {
	case nil:
		return nil
	case map[string]any:
		maps.Copy(m, d)
		return nil
	}
	rv := reflect.ValueOf(data)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	switch {
	case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String:
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return nil
	case rv.Kind() == reflect.Struct:
		for _, f := range e.fieldsOf(rv.Type()) {
			if v, err := rv.FieldByIndexErr(f.index); err == nil {
				m[f.name] = v.Interface()
			}
		}
		return nil
	}
	return fmt.Errorf("template data is a %T; with globals or context processors it must be a map with string keys or a struct", data)
}

// fieldsOf returns the exported fields of a struct type, computed once per
// type.
func (e *Engine) fieldsOf(t reflect.Type) []structField {
	if fs, ok := e.fields.Load(t); ok {
		return fs.([]structField)
	}
	var fields []structField
	for _, f := range reflect.VisibleFields(t) {
		if f.IsExported() {
			fields = append(fields, structField{name: f.Name, index: f.Index})
		}
	}
	e.fields.Store(t, fields)
	return fields
}
