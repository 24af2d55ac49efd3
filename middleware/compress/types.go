package compress

import (
	"fmt"
	"strings"
)

// typePattern is one ContentTypes entry: an exact media type, or a type
// with a wildcard subtype and an optional suffix ("text/*",
// "application/*+json").
type typePattern struct {
	exact  string // "application/json"; empty for a wildcard
	prefix string // "application/" for a wildcard
	suffix string // "+json", or empty
}

type typeMatcher []typePattern

func newTypeMatcher(patterns []string) (typeMatcher, error) {
	tm := make(typeMatcher, 0, len(patterns))
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSpace(p))
		typ, sub, ok := strings.Cut(p, "/")
		if !ok || !isToken(typ) || sub == "" || strings.ContainsAny(p, " ;,") {
			return nil, fmt.Errorf("%w: %q", errBadPattern, p)
		}
		switch {
		case sub == "*":
			tm = append(tm, typePattern{prefix: typ + "/"})
		case strings.HasPrefix(sub, "*+") && isToken(sub[2:]):
			tm = append(tm, typePattern{prefix: typ + "/", suffix: sub[1:]})
		case isToken(sub):
			tm = append(tm, typePattern{exact: p})
		default:
			return nil, fmt.Errorf("%w: %q", errBadPattern, p)
		}
	}
	return tm, nil
}

// match reports whether the Content-Type value ct (parameters allowed) is
// to be compressed. text/event-stream never is. It does not allocate.
func (tm typeMatcher) match(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	if ct == "" || strings.EqualFold(ct, "text/event-stream") {
		return false
	}
	for _, p := range tm {
		if p.exact != "" {
			if strings.EqualFold(ct, p.exact) {
				return true
			}
			continue
		}
		if len(ct) > len(p.prefix)+len(p.suffix) &&
			strings.EqualFold(ct[:len(p.prefix)], p.prefix) &&
			strings.EqualFold(ct[len(ct)-len(p.suffix):], p.suffix) {
			return true
		}
	}
	return false
}

// isToken reports whether s is a non-empty RFC 9110 token without '*'.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$&-^_.+", c) >= 0:
		default:
			return false
		}
	}
	return true
}
