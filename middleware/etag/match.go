package etag

import "strings"

// ifNoneMatch reports whether the If-None-Match field values list an
// entity tag that matches etag by weak comparison (RFC 9110 §8.8.3.2: the
// opaque tags are equal, W/ prefixes ignored), or are "*". A malformed
// list matches nothing from the point where it breaks. It does not
// allocate.
func ifNoneMatch(values []string, etag string) bool {
	want := opaque(etag)
	if want == "" {
		return false
	}
	for _, s := range values {
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			if s[0] == '*' {
				return true
			}
			tag, rest, ok := nextTag(s)
			if !ok {
				break
			}
			if tag == want {
				return true
			}
			s = rest
		}
	}
	return false
}

// nextTag splits the entity tag at the start of s from the rest, returning
// its quoted opaque part.
func nextTag(s string) (tag, rest string, ok bool) {
	s = strings.TrimPrefix(s, "W/")
	if len(s) < 2 || s[0] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return "", "", false
	}
	return s[:end+2], s[end+2:], true
}

// opaque returns the quoted opaque part of an entity tag, or "" when it is
// malformed.
func opaque(etag string) string {
	tag, rest, ok := nextTag(strings.TrimSpace(etag))
	if !ok || strings.TrimSpace(rest) != "" {
		return ""
	}
	return tag
}
