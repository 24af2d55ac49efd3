package nexios

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/nexios-go/nexios/internal/fileserve"
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
// and returns it cleaned, with the refusal as an *UnsafePathError.
func cleanName(name string) (string, error) {
	clean, err := fileserve.Clean(name)
	if ne, ok := errors.AsType[*fileserve.NameError](err); ok {
		return "", &UnsafePathError{Name: name, Reason: ne.Reason}
	}
	return clean, err
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

// SafeFilename reduces a client-supplied file name (an upload's filename,
// say) to a plain base name that is safe to create in a directory: the part
// after the last '/' or '\' (so "../../x", "C:\x" and "a/b" become "x",
// "x" and "b"), without a drive prefix, control characters or the
// characters Windows forbids (<>:"|?*, replaced by '_'), without leading
// dots (no hidden files, no "..") or trailing dots and spaces, with
// Windows device names (CON, NUL, COM1, …) prefixed by '_', and cut to 255
// bytes, keeping the extension. It returns "" when nothing usable is left.
func SafeFilename(name string) string { return fileserve.SafeFilename(name) }
