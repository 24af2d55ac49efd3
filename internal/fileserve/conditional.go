package fileserve

import (
	"net/http"
	"strings"
	"time"
)

// Preconditions evaluates the conditional headers of r against the
// representation's validators in the order of RFC 9110 §13.2.2 and
// returns 0 (go on), 304 (Not Modified) or 412 (Precondition Failed).
// If-Match and If-None-Match take precedence over the date conditions
// they sit beside; dates are compared at one-second resolution, the
// resolution of HTTP dates; a date that does not parse is ignored.
func Preconditions(r *http.Request, etag string, modtime time.Time) int {
	h := r.Header
	if im := h["If-Match"]; len(im) > 0 {
		if !matchList(im, etag, true) {
			return http.StatusPreconditionFailed
		}
	} else if v := h.Get("If-Unmodified-Since"); v != "" && UsableModTime(modtime) {
		if t, err := http.ParseTime(v); err == nil && modtime.Truncate(time.Second).After(t) {
			return http.StatusPreconditionFailed
		}
	}
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	if inm := h["If-None-Match"]; len(inm) > 0 {
		if matchList(inm, etag, false) {
			if safe {
				return http.StatusNotModified
			}
			return http.StatusPreconditionFailed
		}
	} else if v := h.Get("If-Modified-Since"); v != "" && safe && UsableModTime(modtime) {
		if t, err := http.ParseTime(v); err == nil && !modtime.Truncate(time.Second).After(t) {
			return http.StatusNotModified
		}
	}
	return 0
}

// IfRange reports whether a Range request may be honoured: there is no
// If-Range, or it holds the current strong entity tag, or exactly the
// Last-Modified date (RFC 9110 §13.1.5). Anything else means the client's
// copy is stale and it gets the whole representation.
func IfRange(r *http.Request, etag string, modtime time.Time) bool {
	v := strings.TrimSpace(r.Header.Get("If-Range"))
	if v == "" {
		return true
	}
	if v[0] == '"' || strings.HasPrefix(v, "W/") {
		tag, weak, rest, ok := nextTag(v)
		if !ok || strings.TrimSpace(rest) != "" || weak {
			return false
		}
		cur, curWeak, _, ok := nextTag(etag)
		return ok && !curWeak && tag == cur
	}
	t, err := http.ParseTime(v)
	return err == nil && UsableModTime(modtime) && modtime.Truncate(time.Second).Equal(t)
}

// matchList reports whether the field values (a list of entity tags, or
// "*") match etag: by strong comparison (If-Match: neither tag weak) or
// weak comparison (If-None-Match: W/ ignored). "*" matches any current
// representation, which a file being served is. A malformed list matches
// nothing from the point where it breaks.
func matchList(values []string, etag string, strong bool) bool {
	cur, curWeak, _, curOK := nextTag(strings.TrimSpace(etag))
	for _, s := range values {
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			if s[0] == '*' {
				return true
			}
			tag, weak, rest, ok := nextTag(s)
			if !ok {
				break
			}
			if curOK && tag == cur && (!strong || !weak && !curWeak) {
				return true
			}
			s = rest
		}
	}
	return false
}

// nextTag splits the entity tag at the start of s from the rest, returning
// its quoted opaque part and whether it is weak.
func nextTag(s string) (tag string, weak bool, rest string, ok bool) {
	if strings.HasPrefix(s, "W/") {
		s, weak = s[2:], true
	}
	if len(s) < 2 || s[0] != '"' {
		return "", false, "", false
	}
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return "", false, "", false
	}
	return s[:end+2], weak, s[end+2:], true
}

// NoneMatch reports whether If-None-Match field values match etag by weak
// comparison, or are "*": the rule middleware/etag applies to generated
// responses.
func NoneMatch(values []string, etag string) bool { return matchList(values, etag, false) }
