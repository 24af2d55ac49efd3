package proxy

import "strings"

// maxHops is the number of elements of one Forwarded line kept while
// parsing: the rightmost ones, which trusted proxies wrote. A line needing
// more trusted hops than that is ignored, so that a long header cannot make
// the parser allocate.
const maxHops = 16

// element is one forwarded-element of RFC 7239: the parameters one proxy
// recorded. Values are raw: quoted strings without their quotes, escapes
// kept (no valid node, scheme or host contains a backslash, so an escaped
// value is rejected by the checks that follow).
type element struct {
	valid                bool
	forNode, proto, host string
}

// elementRing holds the last maxHops elements of a Forwarded line.
type elementRing struct {
	e [maxHops]element
	n int // elements in the line
}

// fromRight returns the k-th element from the right; k < min(n, maxHops).
func (r *elementRing) fromRight(k int) *element { return &r.e[(r.n-1-k)%maxHops] }

// parse splits one Forwarded header line into elements. An element that
// does not parse is kept as invalid, and parsing resumes after the first
// comma following its start: whatever a client wrote at the left of a line
// (unterminated quotes included) cannot swallow the elements proxies
// appended after it.
func (r *elementRing) parse(s string) {
	r.n = 0
	for i := 0; i < len(s); {
		start := i
		e, next, empty, ok := parseElement(s, i)
		if !ok {
			e = element{}
			if j := strings.IndexByte(s[start:], ','); j >= 0 {
				next = start + j + 1
			} else {
				next = len(s)
			}
		} else if empty {
			i = next
			continue // empty list element ("a, , b")
		}
		r.e[r.n%maxHops] = e
		r.n++
		i = next
	}
}

// parseElement parses the element starting at s[i:] up to its comma. It
// returns the index after the comma (or len(s)), and whether the element was
// empty.
func parseElement(s string, i int) (e element, next int, empty, ok bool) {
	var seen uint8
	empty = true
	for {
		i = skipOWS(s, i)
		if i >= len(s) {
			e.valid = true
			return e, i, empty, true
		}
		switch s[i] {
		case ',':
			e.valid = true
			return e, i + 1, empty, true
		case ';':
			empty = false
			i++
			continue
		}
		empty = false
		j := i
		for j < len(s) && isTchar(s[j]) {
			j++
		}
		if j == i || j >= len(s) || s[j] != '=' {
			return e, 0, false, false
		}
		name := s[i:j]
		i = j + 1
		var val string
		if i < len(s) && s[i] == '"' {
			var qok bool
			if val, i, qok = quoted(s, i); !qok {
				return e, 0, false, false
			}
		} else {
			j = i
			for j < len(s) && isValueChar(s[j]) {
				j++
			}
			if j == i {
				return e, 0, false, false
			}
			val, i = s[i:j], j
		}
		if i = skipOWS(s, i); i < len(s) && s[i] != ';' && s[i] != ',' {
			return e, 0, false, false
		}
		var bit uint8
		var dst *string
		switch {
		case strings.EqualFold(name, "for"):
			bit, dst = 1, &e.forNode
		case strings.EqualFold(name, "proto"):
			bit, dst = 2, &e.proto
		case strings.EqualFold(name, "host"):
			bit, dst = 4, &e.host
		case strings.EqualFold(name, "by"):
			bit = 8
		}
		if bit != 0 {
			if seen&bit != 0 {
				return e, 0, false, false // a parameter may occur once per element
			}
			seen |= bit
		}
		if dst != nil {
			*dst = val
		}
	}
}

// quoted parses the quoted-string at s[i] (a '"') and returns its content
// with escapes kept and the index after the closing quote.
func quoted(s string, i int) (string, int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return s[i+1 : j], j + 1, true
		}
	}
	return "", 0, false
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// isTchar reports whether c is an RFC 9110 token character.
func isTchar(c byte) bool {
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return isAlnum(c)
}

// isValueChar accepts the characters of an unquoted value. It is more
// lenient than a token ("for=192.0.2.1:8080" and unquoted IPv6 are common);
// the value is checked afterwards.
func isValueChar(c byte) bool {
	return c > ' ' && c != 0x7f && c != ';' && c != ',' && c != '"'
}
