package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParseDotenv reads a .env file: KEY=VALUE lines, with an optional
// "export " prefix, # comments (whole lines, or after an unquoted value
// following a space), single-quoted values taken literally, and
// double-quoted values with \n, \r, \t, \", \\ escapes that may span lines.
// Variables are not expanded: a value is what the file says. It returns
// the first malformed line as an error naming its number.
func ParseDotenv(r io.Reader) (map[string]string, error) {
	out := make(map[string]string)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		key, rest, ok := strings.Cut(text, "=")
		key = strings.TrimSpace(key)
		if !ok || !validKey(key) {
			return nil, fmt.Errorf("line %d: want KEY=VALUE with a key of letters, digits and _", line)
		}
		rest = strings.TrimLeft(rest, " \t")
		var val string
		switch {
		case strings.HasPrefix(rest, "'"):
			end := strings.IndexByte(rest[1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated single quote", line)
			}
			val = rest[1 : 1+end]
			if err := onlyComment(rest[2+end:]); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		case strings.HasPrefix(rest, `"`):
			start := line
			v, tail, closed := unquote(rest[1:])
			for !closed && sc.Scan() {
				line++
				var more string
				more, tail, closed = unquote(sc.Text())
				v += "\n" + more
			}
			if !closed {
				return nil, fmt.Errorf("line %d: unterminated double quote", start)
			}
			if err := onlyComment(tail); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			val = v
		default:
			if i := strings.Index(rest, " #"); i >= 0 {
				rest = rest[:i]
			}
			val = strings.TrimSpace(rest)
		}
		out[key] = val
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}

// unquote reads a double-quoted value up to its closing quote, returning
// the value, what follows the quote, and whether the quote was closed.
func unquote(s string) (val, tail string, closed bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), s[i+1:], true
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), "", false
}

// onlyComment accepts what may follow a quoted value: nothing, or a comment.
func onlyComment(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '#' {
		return nil
	}
	return fmt.Errorf("unexpected %q after the quoted value", s)
}

func validKey(k string) bool {
	if k == "" || (k[0] >= '0' && k[0] <= '9') {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.') {
			return false
		}
	}
	return true
}
