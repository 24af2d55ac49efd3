package cors

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

func (c *cors) methodAllowed(m string) bool {
	for _, a := range c.methods {
		if a == m {
			return true
		}
	}
	return false
}

// checkHeaders validates the Access-Control-Request-Headers lines. It
// reports whether any header name was requested, and the first name that
// is not allowed.
func (c *cors) checkHeaders(lines []string) (asked bool, bad string) {
	n := 0
	for _, line := range lines {
		for line != "" {
			var name string
			name, line, _ = strings.Cut(line, ",")
			name = trimOWS(name)
			if name == "" {
				continue
			}
			asked = true
			if n++; n > maxRequestedHeaders {
				return asked, "(too many headers)"
			}
			if !c.headersAll && !c.headerAllowed(name) {
				return asked, name
			}
		}
	}
	return asked, ""
}

func (c *cors) headerAllowed(name string) bool {
	for _, a := range c.headers {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// addVary adds v to the Vary header without allocating when there is none
// yet.
func addVary(h http.Header, v []string) {
	if old, ok := h[hVary]; ok {
		h[hVary] = append(old, v[0])
		return
	}
	h[hVary] = v
}

func oneValue(s string) []string { return []string{s} }

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func trimOWS(s string) string {
	return strings.Trim(s, " \t")
}

// compileRegex anchors and compiles an origin pattern.
func compileRegex(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("cors: invalid AllowOriginRegex %q: %w", expr, err)
	}
	return re, nil
}

// first returns the first value of a request header by its canonical key,
// skipping Header.Get's canonicalization.
func first(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
