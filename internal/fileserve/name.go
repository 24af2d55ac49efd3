package fileserve

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// ErrRefused is matched (errors.Is) by every *NameError.
var ErrRefused = errors.New("fileserve: refused path")

// NameError reports a name the path policy refused.
type NameError struct {
	// Name is the name as given.
	Name string
	// Reason says why ("parent directory reference", "dotfile", …).
	Reason string
}

// Error implements error.
func (e *NameError) Error() string {
	return fmt.Sprintf("fileserve: refused path %q: %s", e.Name, e.Reason)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *NameError) Is(target error) bool { return target == ErrRefused }

// Clean checks name, a slash-separated path from an untrusted source, and
// returns it cleaned: "." and empty segments are dropped. It refuses
// rather than repairs anything that could climb out of a root: a name that
// tries is an attack, not a typo, and mapping "../x" to "x" would hide it.
// It is SafeJoin's rule; the serving doors use the stricter Check.
func Clean(name string) (string, error) {
	if err := checkChars(name); err != nil {
		return "", err
	}
	for elem := range strings.SplitSeq(name, "/") {
		if elem == ".." {
			return "", refuse(name, "parent directory reference")
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", refuse(name, "names the directory itself")
	}
	return clean, nil
}

// Check is the serving doors' rule: what Clean refuses, and also "." and
// empty segments (a served name is canonical, so one file has one name)
// and, unless allowDot, any segment starting with a dot (.env, .git/),
// which is how secrets and version-control data sit beside public files.
func Check(name string, allowDot bool) (string, error) {
	if err := checkChars(name); err != nil {
		return "", err
	}
	for elem := range strings.SplitSeq(name, "/") {
		switch {
		case elem == "..":
			return "", refuse(name, "parent directory reference")
		case elem == "." || elem == "":
			return "", refuse(name, "empty or '.' segment")
		case !allowDot && elem[0] == '.':
			return "", refuse(name, "dotfile")
		}
	}
	return name, nil
}

func refuse(name, reason string) error { return &NameError{Name: name, Reason: reason} }

// checkChars refuses what no segment may hold, whatever the policy.
func checkChars(name string) error {
	switch {
	case name == "":
		return refuse(name, "empty name")
	case strings.IndexByte(name, 0) >= 0:
		return refuse(name, "NUL byte")
	case !utf8.ValidString(name):
		return refuse(name, "invalid UTF-8")
	case strings.IndexByte(name, '\\') >= 0:
		// A separator on Windows, and what "%5c" decodes to: refused on
		// every system so that behaviour does not depend on the server's OS.
		return refuse(name, "backslash")
	case HasEncodedSpecial(name):
		// The router has already decoded the path once; a percent-encoded
		// separator or dot left in the value was encoded twice, a classic
		// way to slip "../" past a check that some later layer decodes.
		return refuse(name, "percent-encoded separator or dot")
	case name[0] == '/' || HasDrive(name) || filepath.IsAbs(name):
		return refuse(name, "absolute path")
	}
	return nil
}

// HasEncodedSpecial reports whether s holds %2f, %5c, %2e or %00 in any
// case.
func HasEncodedSpecial(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		switch strings.ToLower(s[i+1 : i+3]) {
		case "2f", "5c", "2e", "00":
			return true
		}
	}
	return false
}

// HasEncodedSeparator reports a %2F or %5C in an escaped URL path: a slash
// or backslash inside a segment, which decoding would turn into a
// separator the path's own structure did not have.
func HasEncodedSeparator(raw string) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == '%' && (raw[i+1] == '2' && (raw[i+2] == 'f' || raw[i+2] == 'F') ||
			raw[i+1] == '5' && (raw[i+2] == 'c' || raw[i+2] == 'C')) {
			return true
		}
	}
	return false
}

// HasDrive reports whether s starts with a Windows drive ("C:").
func HasDrive(s string) bool {
	return len(s) >= 2 && s[1] == ':' && ('a' <= s[0]|0x20 && s[0]|0x20 <= 'z')
}
