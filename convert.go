package nexios

import (
	"fmt"
	"strconv"

	"github.com/nexios-go/nexios/internal/tree"
)

// Converter validates one path segment for a typed parameter such as
// {id:int}. A segment the converter rejects does not match the route, so
// the request falls through to less specific routes or gets 404.
type Converter struct {
	// Match reports whether a (percent-decoded) segment is a valid value.
	Match func(segment string) bool
	// Type and Format describe the value for OpenAPI ("integer", "int64").
	Type, Format string
	// Rank orders typed parameters that share a position in overlapping
	// routes (/v/{id:int} and /v/{code:hex}): the lower rank is tried
	// first, whatever the order the routes were registered in. The
	// built-in ranks are int 100, float 200, uuid 300 and slug 400, so
	// that a converter whose values are a subset of another's comes first
	// ("123" is an int, a float and a slug; a lower-case UUID is also a
	// slug). Zero means DefaultConverterRank, after every built-in.
	// Negative ranks are allowed. Two routes whose parameters at the same
	// position use different converters of equal rank are ambiguous and
	// their registration panics with a *RouteError naming both.
	//
	// Ranks only order typed parameters: a static segment is always tried
	// before them and {name} and {name:path} always after.
	Rank int
}

// DefaultConverterRank is the rank of a custom converter registered with
// Rank zero: after the built-in int, float, uuid and slug.
const DefaultConverterRank = 1000

// builtinConverters are shared, immutable definitions; apps copy them into
// their own registry so user registrations never touch shared state.
func builtinConverters() map[string]Converter {
	return map[string]Converter{
		"int":   {Match: isIntSegment, Type: "integer", Format: "int64", Rank: 100},
		"float": {Match: isFloatSegment, Type: "number", Format: "double", Rank: 200},
		"uuid":  {Match: isUUIDSegment, Type: "string", Format: "uuid", Rank: 300},
		"slug":  {Match: isSlugSegment, Type: "string", Format: "", Rank: 400},
	}
}

// RegisterConverter adds a named converter usable as {name:conv} in routes
// registered afterwards. The names str, path, int, float, uuid and slug are
// built in and cannot be replaced. A zero Rank becomes
// DefaultConverterRank.
func (a *App) RegisterConverter(name string, c Converter) error {
	switch {
	case name == "" || name == "str" || name == "path":
		return fmt.Errorf("nexios: converter name %q is reserved", name)
	case c.Match == nil:
		return fmt.Errorf("nexios: converter %q has no Match function", name)
	}
	if _, ok := a.converters[name]; ok {
		return fmt.Errorf("nexios: converter %q is already registered", name)
	}
	if c.Type == "" {
		c.Type = "string"
	}
	if c.Rank == 0 {
		c.Rank = DefaultConverterRank
	}
	a.converters[name] = c
	return nil
}

func (a *App) lookupConverter(name string) (tree.Converter, bool) {
	c, ok := a.converters[name]
	return tree.Converter{Match: c.Match, Rank: c.Rank}, ok
}

// isIntSegment accepts non-negative decimal integers that fit in int64.
func isIntSegment(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if len(s) == 19 {
		_, err := strconv.ParseInt(s, 10, 64)
		return err == nil
	}
	return true
}

// isFloatSegment accepts digits with an optional fractional part: 19.99.
func isFloatSegment(s string) bool {
	intPart, frac, hasDot := cutByte(s, '.')
	if !allDigits(intPart) || (hasDot && !allDigits(frac)) {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func cutByte(s string, b byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isUUIDSegment accepts the canonical 8-4-4-4-12 form (what OpenAPI's
// format uuid means).
func isUUIDSegment(s string) bool {
	switch len(s) {
	case 36:
		for i := 0; i < 36; i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return false
				}
			} else if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isSlugSegment accepts lower-case words joined by single hyphens: my-post-1.
func isSlugSegment(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// Converter returns the converter registered under name (built-in or
// custom; not "str" or "path"), for documentation generators.
func (a *App) Converter(name string) (Converter, bool) {
	c, ok := a.converters[name]
	return c, ok
}
