// Package tree is the router's segment tree: static, typed, string and
// catch-all segments with backtracking, per-method endpoints, conflict
// detection, and lookups that do not allocate.
//
// Precedence does not depend on registration order. At each position a
// static segment is tried first, then typed parameters in increasing rank
// (ties between different converters are refused at insertion), then the
// plain string parameter, then the catch-all; when a branch fails deeper
// down, the lookup backtracks to the next candidate. The tree's shape, and
// so every lookup's result, is the same whatever order routes are inserted
// in.
package tree

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the kind of one path segment in a route pattern.
type Kind uint8

// The segment kinds, in matching priority order: a static segment beats a
// typed parameter, which beats a plain string parameter, which beats a
// catch-all.
const (
	Static   Kind = iota // literal text
	Typed                // {name:conv} with a registered converter
	Str                  // {name} or {name:str}: one non-empty segment
	CatchAll             // {name:path}: the rest of the path, may hold '/'
)

// MaxParams is the largest number of parameters one route may declare. It
// bounds the fixed-size Params array so that lookups never allocate.
const MaxParams = 16

// Segment is one parsed segment of a route pattern.
type Segment struct {
	Kind  Kind
	Text  string // literal text for Static, parameter name otherwise
	Conv  string // converter name for Typed (also "str" / "path" for the others)
	Match func(string) bool
	Rank  int // for Typed: lower ranks are tried first at the same position
}

// Converter is what the tree needs to know of a typed segment's converter:
// which segments it accepts, and its rank among the typed parameters that
// share a position in overlapping routes (lower is tried first).
type Converter struct {
	Match func(segment string) bool
	Rank  int
}

// ErrPattern is wrapped by every pattern syntax error.
var ErrPattern = errors.New("invalid route pattern")

// Parse splits a route pattern such as "/users/{id:int}/files/{rest:path}"
// into segments. lookup resolves converter names other than "str" and
// "path"; it reports false for an unknown converter.
func Parse(pattern string, lookup func(name string) (Converter, bool)) ([]Segment, error) {
	if pattern == "" || pattern[0] != '/' {
		return nil, fmt.Errorf("%w %q: must start with '/'", ErrPattern, pattern)
	}
	parts := strings.Split(pattern[1:], "/")
	segs := make([]Segment, 0, len(parts))
	seen := make(map[string]bool)
	for i, part := range parts {
		if !strings.ContainsAny(part, "{}") {
			segs = append(segs, Segment{Kind: Static, Text: part})
			continue
		}
		if len(part) < 3 || part[0] != '{' || part[len(part)-1] != '}' || strings.Count(part, "{") != 1 || strings.Count(part, "}") != 1 {
			return nil, fmt.Errorf("%w %q: segment %q must be literal text or exactly one {name} or {name:type}", ErrPattern, pattern, part)
		}
		name, conv, _ := strings.Cut(part[1:len(part)-1], ":")
		if !validName(name) {
			return nil, fmt.Errorf("%w %q: parameter name %q must match [A-Za-z_][A-Za-z0-9_]*", ErrPattern, pattern, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w %q: duplicate parameter name %q", ErrPattern, pattern, name)
		}
		seen[name] = true
		switch conv {
		case "", "str":
			segs = append(segs, Segment{Kind: Str, Text: name, Conv: "str"})
		case "path":
			if i != len(parts)-1 {
				return nil, fmt.Errorf("%w %q: the path converter {%s:path} must be the last segment", ErrPattern, pattern, name)
			}
			segs = append(segs, Segment{Kind: CatchAll, Text: name, Conv: "path"})
		default:
			c, ok := lookup(conv)
			if !ok || c.Match == nil {
				return nil, fmt.Errorf("%w %q: unknown converter %q", ErrPattern, pattern, conv)
			}
			segs = append(segs, Segment{Kind: Typed, Text: name, Conv: conv, Match: c.Match, Rank: c.Rank})
		}
	}
	if n := len(seen); n > MaxParams {
		return nil, fmt.Errorf("%w %q: %d parameters, at most %d are allowed", ErrPattern, pattern, n, MaxParams)
	}
	return segs, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
