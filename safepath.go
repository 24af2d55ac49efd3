package nexios

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// ErrUnsafePath is matched (errors.Is) by every *UnsafePathError: a
// user-supplied name that would reach outside the directory it is meant
// for.
var ErrUnsafePath = errors.New("nexios: unsafe path")

// UnsafePathError reports a name refused by SafeJoin, Response.FileIn or
// Response.FileFS. It renders as 400 Bad Request when returned from a
// handler as is.
type UnsafePathError struct {
	// Name is the name as given.
	Name string
	// Reason says why it was refused ("parent directory reference", …).
	Reason string
}

// Error implements error.
func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("nexios: unsafe path %q: %s", e.Name, e.Reason)
}

// Is makes errors.Is(err, ErrUnsafePath) true.
func (e *UnsafePathError) Is(target error) bool { return target == ErrUnsafePath }

// StatusCode returns 400.
func (e *UnsafePathError) StatusCode() int { return http.StatusBadRequest }

// cleanName checks name, a slash-separated path from an untrusted source,
// and returns it cleaned. It refuses rather than repairs: a name that
// tries to climb out of its directory is an attack, not a typo, and
// silently mapping "../x" to "x" would hide it.
func cleanName(name string) (string, error) {
	refuse := func(reason string) (string, error) {
		return "", &UnsafePathError{Name: name, Reason: reason}
	}
	switch {
	case name == "":
		return refuse("empty name")
	case strings.IndexByte(name, 0) >= 0:
		return refuse("NUL byte")
	case !utf8.ValidString(name):
		return refuse("invalid UTF-8")
	case strings.IndexByte(name, '\\') >= 0:
		// A separator on Windows, and what "%5c" decodes to: refused on
		// every system so that behaviour does not depend on the server's OS.
		return refuse("backslash")
	case hasEncodedSpecial(name):
		// The router has already decoded the path once; a percent-encoded
		// separator or dot left in the value was encoded twice, a classic
		// way to slip "../" past a check that some later layer decodes.
		return refuse("percent-encoded separator or dot")
	case name[0] == '/' || hasDrive(name) || filepath.IsAbs(name):
		return refuse("absolute path")
	}
	for elem := range strings.SplitSeq(name, "/") {
		if elem == ".." {
			return refuse("parent directory reference")
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return refuse("names the directory itself")
	}
	return clean, nil
}

// hasEncodedSpecial reports whether s holds %2f, %5c, %2e or %00 in any
// case.
func hasEncodedSpecial(s string) bool {
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

// hasDrive reports whether s starts with a Windows drive ("C:").
func hasDrive(s string) bool {
	return len(s) >= 2 && s[1] == ':' && ('a' <= s[0]|0x20 && s[0]|0x20 <= 'z')
}

// SafeJoin resolves name, a slash-separated relative path from an
// untrusted source (a URL parameter, a form field), under the directory
// root and returns the joined OS path. It refuses, with an error matching
// ErrUnsafePath:
//
//   - empty names, NUL bytes, invalid UTF-8 and backslashes;
//   - percent-encoded separators or dots left after decoding ("..%2f",
//     "%5c", "%2e%2e");
//   - absolute paths ("/etc/passwd", "C:\x", "C:x");
//   - any ".." element, even one that would stay inside root;
//   - symbolic links, at any level, that resolve outside root (or dangle,
//     since writing through a dangling link creates its target).
//
// Elements that do not exist yet are allowed, so the result can name a
// file to create. The symlink check looks at the file system at the time
// of the call; to open a file without a window for a swapped link, use
// os.OpenInRoot or os.Root (Response.FileIn does).
func SafeJoin(root, name string) (string, error) {
	rel, err := cleanName(name)
	if err != nil {
		return "", err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("nexios: resolving root %q: %w", root, err)
	}
	realRoot, err = filepath.Abs(realRoot)
	if err != nil {
		return "", fmt.Errorf("nexios: resolving root %q: %w", root, err)
	}
	cur := realRoot
	for elem := range strings.SplitSeq(rel, "/") {
		next := filepath.Join(cur, elem)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			break // nothing below exists, so no link can redirect it
		}
		if err != nil {
			return "", fmt.Errorf("nexios: resolving %q: %w", name, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		target, err := filepath.EvalSymlinks(next)
		if err != nil {
			return "", &UnsafePathError{Name: name, Reason: "symbolic link that cannot be resolved"}
		}
		if !within(realRoot, target) {
			return "", &UnsafePathError{Name: name, Reason: "symbolic link out of the root"}
		}
		cur = target
	}
	return filepath.Join(root, filepath.FromSlash(rel)), nil
}

// within reports whether p is root or below it; both are absolute and
// free of symbolic links.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil || filepath.IsAbs(rel) {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// maxFilenameBytes is the longest name most file systems accept
// (NAME_MAX on Linux, 255 UTF-16 units on NTFS).
const maxFilenameBytes = 255

// SafeFilename reduces a client-supplied file name (an upload's filename,
// say) to a plain base name that is safe to create in a directory: the part
// after the last '/' or '\' (so "../../x", "C:\x" and "a/b" become "x",
// "x" and "b"), without a drive prefix, control characters or the
// characters Windows forbids (<>:"|?*, replaced by '_'), without leading
// dots (no hidden files, no "..") or trailing dots and spaces, with
// Windows device names (CON, NUL, COM1, …) prefixed by '_', and cut to 255
// bytes, keeping the extension. It returns "" when nothing usable is left.
func SafeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if hasDrive(name) {
		name = name[2:]
	}
	var b strings.Builder
	b.Grow(len(name))
	for _, c := range name {
		switch {
		case c == utf8.RuneError, c < 0x20, c == 0x7f, 0x80 <= c && c < 0xa0:
			b.WriteByte('_')
		case strings.ContainsRune(`<>:"|?*`, c):
			b.WriteByte('_')
		case c == 0x202e || c == 0x202d || c == 0x2066 || c == 0x2067 || c == 0x2068 || c == 0x2069:
			// Bidirectional overrides make "exe.txt" display as "txt.exe".
			b.WriteByte('_')
		default:
			b.WriteRune(c)
		}
	}
	name = strings.TrimLeft(b.String(), ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return ""
	}
	if isDeviceName(name) {
		name = "_" + name
	}
	return truncateFilename(name, maxFilenameBytes)
}

// isDeviceName reports whether name, before its first dot, is a Windows
// reserved device name, which opens the device instead of a file there.
func isDeviceName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		return '0' <= stem[3] && stem[3] <= '9'
	}
	return false
}

// truncateFilename cuts name to at most limit bytes on a rune boundary,
// keeping a short extension so that the type of the file survives.
func truncateFilename(name string, limit int) string {
	if len(name) <= limit {
		return name
	}
	ext := path.Ext(name)
	if len(ext) > 16 || len(ext) == len(name) {
		ext = ""
	}
	stem := name[:len(name)-len(ext)]
	cut := limit - len(ext)
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return strings.TrimRight(stem[:cut], ". ") + ext
}
