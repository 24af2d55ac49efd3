package db

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold returns s case-folded the way Search compares text on every
// database: each rune is lowered with Go's simple Unicode mapping (É → é,
// Σ → σ, Ж → ж), the final sigma ς becomes σ, and the sharp s (ß, ẞ)
// becomes "ss", so "STRASSE" finds "straße" and "ΣΊΣΥΦΟΣ" finds
// "σίσυφος". SQLite calls it through the function the package registers
// with the driver; on PostgreSQL the same mapping is written in SQL
// (lower() plus two replace()s).
func Fold(s string) string {
	// Fast path: most search terms and most column values are ASCII
	// lower case already.
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			return foldSlow(s)
		}
	}
	if ascii {
		return s
	}
	return foldSlow(s)
}

func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	for _, r := range s {
		switch r {
		case 'ß', 'ẞ':
			b.WriteString("ss")
			continue
		case 'ς':
			r = 'σ'
		default:
			r = unicode.ToLower(r)
			if r == 'ς' {
				r = 'σ'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// likeEscape is the escape character of every LIKE pattern the package
// builds; both databases accept it in an ESCAPE clause.
const likeEscape = `\`

// containsPattern returns a LIKE pattern that matches values containing
// term literally: %, _ and the escape character in term match themselves.
func containsPattern(term string) string {
	var b strings.Builder
	b.Grow(len(term) + 4)
	b.WriteByte('%')
	for i := 0; i < len(term); i++ {
		switch c := term[i]; c {
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('%')
	return b.String()
}
