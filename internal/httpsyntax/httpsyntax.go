// Package httpsyntax checks the HTTP grammar that middleware configuration
// must respect (RFC 9110), so that a bad header name or value is an error
// at start-up rather than a malformed response.
package httpsyntax

// tchar marks the bytes allowed in a token besides letters and digits.
const tcharSymbols = "!#$%&'*+-.^_`|~"

// IsToken reports whether s is a non-empty RFC 9110 token: a method, a
// header field name or a cookie name.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	for i := 0; i < len(tcharSymbols); i++ {
		if tcharSymbols[i] == c {
			return true
		}
	}
	return false
}

// IsFieldValue reports whether v can be sent as a header field value: no
// control characters other than horizontal tab.
func IsFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
