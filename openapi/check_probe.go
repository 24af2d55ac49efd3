package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios/bind"
)

// probe is a crafted request for CheckBindings: a bind.Source.
type probe struct {
	path    map[string]string
	query   url.Values
	header  http.Header
	cookies map[string]string
	ct      string
	body    map[string]any // a JSON body
	form    url.Values     // a form body
}

func (p *probe) PathValue(name string) (string, bool) { v, ok := p.path[name]; return v, ok }
func (p *probe) QueryValues() url.Values              { return p.query }
func (p *probe) HeaderValues() http.Header            { return p.header }
func (p *probe) ContentType() string                  { return p.ct }
func (p *probe) FormValues() (url.Values, error)      { return p.form, nil }
func (p *probe) CookieValue(name string) (string, bool) {
	v, ok := p.cookies[name]
	return v, ok
}

func (p *probe) Body() ([]byte, error) {
	switch {
	case p.body != nil:
		return json.Marshal(p.body)
	case p.form != nil:
		return []byte(p.form.Encode()), nil
	}
	return nil, nil
}

// with sets one input to v.
func (p *probe) with(in input, v any) *probe {
	vals := []string{text(v)}
	if list, ok := v.([]any); ok {
		vals = vals[:0]
		for _, e := range list {
			vals = append(vals, text(e))
		}
	}
	switch in.in {
	case bind.InPath:
		p.path[in.name] = vals[0]
	case bind.InQuery:
		p.query[in.name] = vals
	case bind.InHeader:
		p.header[http.CanonicalHeaderKey(in.name)] = vals
	case bind.InCookie:
		p.cookies[in.name] = vals[0]
	case bind.InBody:
		if p.body != nil {
			p.body[in.name] = v
		} else if p.form != nil {
			p.form[in.name] = vals
		}
	}
	return p
}

// text is a value as it travels in a parameter or a form.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// types lists a schema's types, without "null".
func types(s map[string]any) []string {
	var out []string
	switch t := s["type"].(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, x := range t {
			if x != "null" {
				out = append(out, fmt.Sprint(x))
			}
		}
	}
	return slices.DeleteFunc(out, func(t string) bool { return t == "null" })
}

func nullable(s map[string]any) bool {
	if t, ok := s["type"].([]any); ok {
		return slices.Contains(t, any("null"))
	}
	return false
}

func number(s map[string]any, key string) (float64, bool) {
	f, ok := s[key].(float64)
	return f, ok
}

// formatSamples are valid values of the string formats the generator
// writes.
var formatSamples = map[string]string{
	"date": "2024-02-03", "date-time": "2024-02-03T04:05:06Z", "time": "04:05:06",
	"uuid": "123e4567-e89b-42d3-a456-426614174000", "email": "ada@example.com",
	"uri": "https://example.com/a", "ipv4": "192.0.2.7", "ipv6": "2001:db8::7", "hostname": "example.com",
}

// sample returns a value the schema accepts, or false when it cannot
// make one (an object, a pattern it cannot satisfy).
func sample(s map[string]any) (any, bool) {
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			if e != nil {
				return e, true
			}
		}
		return nil, false
	}
	if c, ok := s["const"]; ok {
		return c, true
	}
	t := types(s)
	if len(t) != 1 {
		return nil, false
	}
	switch t[0] {
	case "string":
		return sampleString(s)
	case "integer", "number":
		lo := 1.0
		if m, ok := number(s, "minimum"); ok {
			lo = m
		}
		if m, ok := number(s, "exclusiveMinimum"); ok {
			lo = m + 1
		}
		hi, bounded := number(s, "maximum")
		if x, ok := number(s, "exclusiveMaximum"); ok {
			hi, bounded = x-1, true
		}
		if lo <= 0 && (!bounded || hi >= 1) {
			lo = 1 // not the zero value, which binds nothing visible
		}
		if bounded && lo > hi {
			return nil, false
		}
		return lo, true
	case "boolean":
		return true, true
	case "array":
		items, _ := s["items"].(map[string]any)
		v, ok := sample(items)
		if !ok {
			return nil, false
		}
		n, _ := number(s, "minItems")
		if n > 1 && s["uniqueItems"] == true {
			return nil, false
		}
		list := []any{v}
		for len(list) < int(n) {
			list = append(list, v)
		}
		return list, true
	}
	return nil, false
}

func sampleString(s map[string]any) (any, bool) {
	if f, ok := s["format"].(string); ok {
		v, known := formatSamples[f]
		return v, known
	}
	n := 3.0
	if m, ok := number(s, "minLength"); ok && m > n {
		n = m
	}
	if m, ok := number(s, "maxLength"); ok && m < n {
		n = m
	}
	// The value must match the pattern and every allOf pattern (a
	// described rule's Contains: an upper-case letter, a digit, …).
	var patterns []string
	if p, ok := s["pattern"].(string); ok {
		patterns = append(patterns, p)
	}
	all, _ := s["allOf"].([]any)
	for _, sub := range all {
		if p, ok := sub.(map[string]any)["pattern"].(string); ok {
			patterns = append(patterns, p)
		}
	}
	// One character class at a time, then all four mixed.
	mixed := strings.Repeat("aA1!", int(n)/4+1)[:int(n)]
next:
	for _, v := range []string{strings.Repeat("a", int(n)), strings.Repeat("1", int(n)), strings.Repeat("A", int(n)), mixed} {
		for _, p := range patterns {
			re, err := regexp.Compile(p)
			if err != nil || !re.MatchString(v) {
				continue next
			}
		}
		return v, n > 0
	}
	return nil, false
}

// other returns a valid value that differs from def.
func other(s map[string]any, def any) (any, bool) {
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			if e != nil && e != def {
				return e, true
			}
		}
		return nil, false
	}
	switch d := def.(type) {
	case float64:
		if hi, ok := number(s, "maximum"); !ok || d+1 <= hi {
			return d + 1, true
		}
		if lo, ok := number(s, "minimum"); !ok || d-1 >= lo {
			return d - 1, true
		}
	case bool:
		if s["const"] == nil {
			return !d, true
		}
	case string:
		v, ok := sampleString(s)
		if ok && v != d {
			return v, true
		}
	}
	return nil, false
}

// invalid returns values the schema rejects, for the probes that check
// binding rejects them too at the documented place.
func invalid(s map[string]any) []any {
	var out []any
	t := types(s)
	if len(t) != 1 {
		return nil
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		if t[0] == "string" {
			out = append(out, "zz-not-allowed")
		} else {
			out = append(out, 987654.0)
		}
	}
	switch t[0] {
	case "integer", "number", "boolean":
		out = append(out, "zz-not-a-"+t[0])
	}
	if m, ok := number(s, "minimum"); ok {
		out = append(out, m-1)
	}
	if m, ok := number(s, "exclusiveMinimum"); ok {
		out = append(out, m)
	}
	if m, ok := number(s, "maximum"); ok {
		out = append(out, m+1)
	}
	if m, ok := number(s, "exclusiveMaximum"); ok {
		out = append(out, m)
	}
	if m, ok := number(s, "maxLength"); ok && t[0] == "string" {
		out = append(out, strings.Repeat("a", int(m)+1))
	}
	if f, ok := s["format"].(string); ok && t[0] == "string" && formatSamples[f] != "" {
		out = append(out, "zz not a "+f)
	}
	return out
}
