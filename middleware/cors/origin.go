package cors

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/nexios-go/nexios"
)

// originMatcher holds the compiled AllowOrigins and AllowOriginRegex.
type originMatcher struct {
	all   bool                // "*"
	null  bool                // "null" listed explicitly
	exact map[string]struct{} // serialized origins, lower case
	wild  []wildcard
	regex []*regexp.Regexp
}

// wildcard is a subdomain pattern "scheme://*.suffix": an origin matches
// when it is prefix + one or more DNS labels + suffix.
type wildcard struct {
	prefix string // "https://"
	suffix string // ".example.com" or ".example.com:8443"
}

func (w wildcard) match(origin string) bool {
	if len(origin) <= len(w.prefix)+len(w.suffix) ||
		!strings.HasPrefix(origin, w.prefix) || !strings.HasSuffix(origin, w.suffix) {
		return false
	}
	return isLabels(origin[len(w.prefix) : len(origin)-len(w.suffix)])
}

// isLabels reports whether s is a dot-separated sequence of non-empty
// lower-case host labels (letters, digits, hyphens): the part of an origin
// a subdomain wildcard may stand for. It rejects anything that could move
// the match into another host, port or userinfo (":", "/", "@", …).
func isLabels(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// match reports whether a non-"null" origin is allowed by the lists.
// Comparison is exact, as the Fetch standard requires: browsers send
// origins in lower case, which is how the lists are stored.
func (m *originMatcher) match(origin string) bool {
	if _, ok := m.exact[origin]; ok {
		return true
	}
	for _, w := range m.wild {
		if w.match(origin) {
			return true
		}
	}
	for _, re := range m.regex {
		if re.MatchString(origin) {
			return true
		}
	}
	return false
}

// originAllowed applies AllowOrigins, AllowOriginRegex and
// AllowOriginFunc, in that order. The opaque origin "null" is allowed only
// by "*" (answered with "*", never with credentials) or an explicit
// "null" entry.
func (c *cors) originAllowed(origin string, req *nexios.Request) bool {
	switch {
	case c.origins.all:
		return true
	case origin == "null":
		return c.origins.null
	case c.origins.match(origin):
		return true
	}
	return c.originFunc != nil && c.originFunc(origin, req)
}

func compileOrigins(origins, regexes []string) (originMatcher, error) {
	m := originMatcher{exact: make(map[string]struct{})}
	for _, raw := range origins {
		o := strings.TrimSpace(raw)
		switch {
		case o == "*":
			m.all = true
		case strings.EqualFold(o, "null"):
			m.null = true
		case strings.Contains(o, "*"):
			w, err := parseWildcard(o)
			if err != nil {
				return m, err
			}
			m.wild = append(m.wild, w)
		default:
			s, err := serializeOrigin(o)
			if err != nil {
				return m, err
			}
			m.exact[s] = struct{}{}
		}
	}
	for _, expr := range regexes {
		re, err := compileRegex(expr)
		if err != nil {
			return m, err
		}
		m.regex = append(m.regex, re)
	}
	return m, nil
}

// serializeOrigin validates an origin from the configuration and returns
// it the way a browser serializes it: lower-case scheme and host, no
// default port, no path. A trailing "/" is tolerated.
func serializeOrigin(o string) (string, error) {
	u, err := url.Parse(o)
	if err != nil {
		return "", fmt.Errorf("cors: invalid origin %q in AllowOrigins: %w", o, err)
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf(`cors: invalid origin %q in AllowOrigins: want scheme://host[:port], such as "https://example.com"`, o)
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host, nil
}

// parseWildcard validates a subdomain pattern such as
// "https://*.example.com" or "http://*.localhost:3000".
func parseWildcard(o string) (wildcard, error) {
	bad := func() (wildcard, error) {
		return wildcard{}, fmt.Errorf(`cors: invalid origin pattern %q in AllowOrigins: a wildcard must be the leftmost label, as in "https://*.example.com"`, o)
	}
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || !strings.HasPrefix(rest, "*.") || strings.Contains(rest[2:], "*") {
		return bad()
	}
	// Validate the rest as an origin with a stand-in label.
	s, err := serializeOrigin(scheme + "://x." + rest[2:])
	if err != nil {
		return bad()
	}
	scheme, host, _ := strings.Cut(s, "://x")
	if !strings.HasPrefix(host, ".") || strings.Count(host, ".") < 2 && !strings.HasPrefix(host, ".localhost") {
		// "*.com" would allow every site under a TLD.
		return wildcard{}, fmt.Errorf("cors: origin pattern %q in AllowOrigins is too broad: name a registrable domain", o)
	}
	return wildcard{prefix: scheme + "://", suffix: host}, nil
}
