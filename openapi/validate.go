package openapi

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/bind"
	"github.com/swaggest/jsonschema-go"
)

// applyValidate maps the go-playground validate rules of a field onto its
// property schema, so that the schema accepts what validation accepts:
// length, range and item-count rules become minLength/maxLength,
// minimum/maximum and minItems/maxItems, oneof an enum, format rules
// (email, url, uuid…) a format. "required" refuses the values validation
// calls empty: "" (minLength 1), 0 for a number (not: {const: 0}), false
// for a boolean (const: true); in a request (request true: a body or a
// parameter) it also puts the property in the parent's required list and
// refuses null for a pointer, slice or map. A response keeps that null:
// encoding/json writes a nil pointer, slice or map as null, and nothing
// validates what the server sends. Rules after "dive" apply to the items
// of a slice.
// Custom rules are applied as the app described them (App.DescribeRule);
// rules the schema cannot express (undescribed custom ones, cross-field
// ones) are left out.
func applyValidate(tag string, ft reflect.Type, name string, prop, parent *jsonschema.Schema, request bool, custom ...func(string) (nexios.RuleSchema, bool)) {
	if tag == "" || tag == "-" {
		return
	}
	rules := bind.SplitRules(tag)
	if i := slices.Index(rules, "dive"); i >= 0 {
		if items := itemSchema(prop); items != nil {
			applyRules(rules[i+1:], elemType(ft), items, custom...)
			if slices.Contains(rules[i+1:], "required") {
				requireValue(elemType(ft), items, request)
			}
		}
		rules = rules[:i]
	}
	if slices.Contains(rules, "required") {
		if request && parent != nil && !slices.Contains(parent.Required, name) {
			parent.Required = append(parent.Required, name)
		}
		requireValue(ft, prop, request)
	}
	applyRules(rules, ft, prop, custom...)
}

// requireValue narrows s to the values go-playground's required rule
// accepts for type t: not nil for a pointer, slice or map (an empty slice
// or map is present; in a request only), not the zero value otherwise.
func requireValue(t reflect.Type, s *jsonschema.Schema, request bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		if request {
			s.RemoveType(jsonschema.Null)
		}
		return
	}
	switch kindOf(t) {
	case kindString:
		if s.MinLength < 1 {
			s.MinLength = 1
		}
	case kindNumber:
		s.WithNot((&jsonschema.Schema{}).WithConst(0).ToSchemaOrBool())
	case kindOther:
		if deref(t).Kind() == reflect.Bool {
			s.WithConst(true)
		}
	}
}

func elemType(t reflect.Type) reflect.Type {
	t = deref(t)
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		return t.Elem()
	}
	return t
}

func itemSchema(s *jsonschema.Schema) *jsonschema.Schema {
	if s.Items == nil || s.Items.SchemaOrBool == nil || s.Items.SchemaOrBool.TypeObject == nil {
		return nil
	}
	return s.Items.SchemaOrBool.TypeObject
}

// valueKind is how a Go type's value is measured by length and range
// rules.
type valueKind int

const (
	kindOther valueKind = iota
	kindString
	kindNumber
	kindItems
	kindMap
)

func kindOf(t reflect.Type) valueKind {
	t = deref(t)
	if t == timeType {
		return kindOther
	}
	switch t.Kind() {
	case reflect.String:
		return kindString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if t == durationType {
			return kindOther // validator compares durations as "1m30s"
		}
		return kindNumber
	case reflect.Slice, reflect.Array:
		return kindItems
	case reflect.Map:
		return kindMap
	}
	return kindOther
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// formats maps parameterless validate rules to schema formats.
var formats = map[string]string{
	"email": "email", "url": "uri", "http_url": "uri", "uri": "uri",
	"uuid": "uuid", "uuid3": "uuid", "uuid4": "uuid", "uuid5": "uuid", "uuid_rfc4122": "uuid",
	"ipv4": "ipv4", "ip4_addr": "ipv4", "ipv6": "ipv6", "ip6_addr": "ipv6",
	"hostname": "hostname", "hostname_rfc1123": "hostname", "fqdn": "hostname",
}

// patterns maps parameterless validate rules to regular expressions.
var patterns = map[string]string{
	"alpha":     `^[a-zA-Z]+$`,
	"alphanum":  `^[a-zA-Z0-9]+$`,
	"numeric":   `^[-+]?[0-9]+(?:\.[0-9]+)?$`,
	"number":    `^[0-9]+$`,
	"lowercase": `^[^A-Z]+$`,
	"uppercase": `^[^a-z]+$`,
	"e164":      `^\+?[1-9][0-9]{7,14}$`,
}

func applyRules(rules []string, t reflect.Type, s *jsonschema.Schema, custom ...func(string) (nexios.RuleSchema, bool)) {
	k := kindOf(t)
	for _, rule := range rules {
		if strings.Contains(rule, "|") {
			continue // alternatives: not expressible as one keyword
		}
		key, param, _ := strings.Cut(rule, "=")
		if f, ok := formats[key]; ok && param == "" {
			s.WithFormat(f)
			continue
		}
		if p, ok := patterns[key]; ok && param == "" {
			s.WithPattern(p)
			continue
		}
		switch key {
		case "min", "gte":
			bound(s, k, param, false, true)
		case "max", "lte":
			bound(s, k, param, false, false)
		case "gt":
			bound(s, k, param, true, true)
		case "lt":
			bound(s, k, param, true, false)
		case "len":
			bound(s, k, param, false, true)
			bound(s, k, param, false, false)
		case "eq":
			if v, ok := enumValue(k, t, param); ok {
				s.WithConst(v)
			}
		case "oneof":
			var vals []any
			for _, p := range oneofParams(param) {
				if v, ok := enumValue(k, t, p); ok {
					vals = append(vals, v)
				}
			}
			if len(vals) > 0 {
				s.WithEnum(vals...)
			}
		case "unique":
			if k == kindItems {
				s.WithUniqueItems(true)
			}
		case "datetime":
			switch param {
			case time.DateOnly:
				s.WithFormat("date")
			case time.RFC3339, time.RFC3339Nano:
				s.WithFormat("date-time")
			case time.TimeOnly:
				s.WithFormat("time")
			}
		case "startswith":
			s.WithPattern("^" + regexp.QuoteMeta(param))
		case "endswith":
			s.WithPattern(regexp.QuoteMeta(param) + "$")
		case "contains":
			s.WithPattern(regexp.QuoteMeta(param))
		default:
			if len(custom) > 0 && custom[0] != nil {
				if rs, ok := custom[0](key); ok {
					applyRuleSchema(rs, s)
				}
			}
		}
	}
}

// applyRuleSchema applies what the app described of a custom rule.
func applyRuleSchema(rs nexios.RuleSchema, s *jsonschema.Schema) {
	if rs.MinLength > 0 {
		s.WithMinLength(int64(rs.MinLength))
	}
	if rs.MaxLength > 0 {
		s.WithMaxLength(int64(rs.MaxLength))
	}
	if rs.Pattern != "" {
		s.WithPattern(rs.Pattern)
	}
	if rs.Format != "" {
		s.WithFormat(rs.Format)
	}
	for _, c := range rs.Contains {
		s.AllOf = append(s.AllOf, (&jsonschema.Schema{}).WithPattern(c).ToSchemaOrBool())
	}
	if rs.Description != "" {
		d := rs.Description
		if s.Description != nil && *s.Description != "" {
			d = *s.Description + " " + d
		}
		s.WithDescription(d)
	}
}

// bound sets a lower (lower=true) or upper limit: a length for strings,
// a value for numbers, an item count for slices and maps. exclusive is
// gt/lt.
func bound(s *jsonschema.Schema, k valueKind, param string, exclusive, lower bool) {
	if k == kindNumber {
		f, err := strconv.ParseFloat(param, 64)
		if err != nil {
			return
		}
		switch {
		case lower && exclusive:
			s.WithExclusiveMinimum(f)
		case lower:
			s.WithMinimum(f)
		case exclusive:
			s.WithExclusiveMaximum(f)
		default:
			s.WithMaximum(f)
		}
		return
	}
	n, err := strconv.ParseInt(param, 10, 64)
	if err != nil || n < 0 {
		return
	}
	if exclusive {
		if lower {
			n++
		} else if n--; n < 0 {
			return
		}
	}
	switch {
	case k == kindString && lower:
		s.WithMinLength(n)
	case k == kindString:
		s.WithMaxLength(n)
	case k == kindItems && lower:
		s.WithMinItems(n)
	case k == kindItems:
		s.WithMaxItems(n)
	case k == kindMap && lower:
		s.WithMinProperties(n)
	case k == kindMap:
		s.WithMaxProperties(n)
	}
}

// oneofParams splits a oneof parameter on spaces; single quotes group
// values with spaces ('a b' c).
func oneofParams(p string) []string {
	var out []string
	for p = strings.TrimSpace(p); p != ""; p = strings.TrimSpace(p) {
		if p[0] == '\'' {
			if end := strings.IndexByte(p[1:], '\''); end >= 0 {
				out = append(out, p[1:end+1])
				p = p[end+2:]
				continue
			}
		}
		v, rest, _ := strings.Cut(p, " ")
		out = append(out, v)
		p = rest
	}
	return out
}

// enumValue converts a rule parameter to a value of the field's kind.
func enumValue(k valueKind, t reflect.Type, p string) (any, bool) {
	switch k {
	case kindString:
		return p, true
	case kindNumber:
		switch deref(t).Kind() {
		case reflect.Float32, reflect.Float64:
			f, err := strconv.ParseFloat(p, 64)
			return f, err == nil
		}
		n, err := strconv.ParseInt(p, 10, 64)
		return n, err == nil
	}
	return nil, false
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
