package fileserve

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrNotRegular is matched by the error for a directory, named pipe,
// socket or device: only regular files are served. It wraps
// fs.ErrNotExist, since to a client such a name is simply not a file.
var ErrNotRegular = fmt.Errorf("fileserve: not a regular file: %w", fs.ErrNotExist)

// maxLinkHops bounds link resolution, as the kernel's ELOOP does.
const maxLinkHops = 40

// Tree is a directory tree that files are served from, with the rules
// for opening them. Build one with Root or FS.
type Tree struct {
	fsys   fs.FS
	root   *os.Root // on disk: confined by os.Root, opened non-blocking
	follow bool     // an fs.FS whose links may leave it
}

// Root serves the directory root: no name and no symbolic link can reach
// outside it, even if links change while a request is served.
func Root(root *os.Root) *Tree { return &Tree{fsys: root.FS(), root: root} }

// FS serves fsys. Unless followLinks, a symbolic link whose target is
// absolute or climbs above fsys's root is refused: os.DirFS would follow
// it. The check resolves links with fs.ReadLinkFS at the time of the
// request; file systems that cannot hold links (embed.FS) need none.
func FS(fsys fs.FS, followLinks bool) *Tree { return &Tree{fsys: fsys, follow: followLinks} }

// FS returns the tree as an fs.FS, for reading directories.
func (t *Tree) FS() fs.FS { return t.fsys }

// Stat describes name, following links inside the tree. A link out of it
// is a *NameError.
func (t *Tree) Stat(name string) (fs.FileInfo, error) {
	if t.root != nil {
		fi, err := t.root.Stat(name)
		return fi, rootError(name, err)
	}
	if err := t.confine(name); err != nil {
		return nil, err
	}
	return fs.Stat(t.fsys, name)
}

// rootError turns os.Root's refusal of a link out of the root, which has
// no exported sentinel, into a *NameError.
func rootError(name string, err error) error {
	if err != nil && strings.Contains(err.Error(), "escapes from parent") {
		return &NameError{Name: name, Reason: "symbolic link out of the root"}
	}
	return err
}

// confine refuses name when resolving it in an fs.FS goes through a link
// that leaves the tree. Components are resolved one at a time, so a ".."
// inside a link's target applies to the real parent, as the kernel does,
// not to the text before it.
func (t *Tree) confine(name string) error {
	if t.follow {
		return nil
	}
	lfs, ok := t.fsys.(fs.ReadLinkFS)
	if !ok {
		return nil
	}
	// Fast path, without allocating: look at each prefix of name in turn
	// while none is a link, which is the common case.
	for end := 0; end < len(name); {
		next := strings.IndexByte(name[end+1:], '/')
		if next < 0 {
			end = len(name)
		} else {
			end += 1 + next
		}
		fi, err := lfs.Lstat(name[:end])
		if err != nil {
			// Missing: opening will say so. Other errors surface there too.
			return nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return resolveLinks(lfs, name)
		}
	}
	return nil
}

// resolveLinks resolves name one component at a time, so a ".." inside a
// link's target applies to the real parent, as the kernel does, not to
// the text before it, and refuses it if any step leaves the tree.
func resolveLinks(lfs fs.ReadLinkFS, name string) error {
	var done []string // resolved, link-free components
	todo := strings.Split(name, "/")
	for hops := 0; len(todo) > 0; {
		elem := todo[0]
		todo = todo[1:]
		switch elem {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return &NameError{Name: name, Reason: "symbolic link out of the root"}
			}
			done = done[:len(done)-1]
			continue
		}
		p := path.Join(path.Join(done...), elem)
		fi, err := lfs.Lstat(p)
		if err != nil {
			return nil
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			done = append(done, elem)
			continue
		}
		if hops++; hops > maxLinkHops {
			return &NameError{Name: name, Reason: "too many levels of symbolic links"}
		}
		target, err := lfs.ReadLink(p)
		if err != nil {
			return &NameError{Name: name, Reason: "symbolic link that cannot be read"}
		}
		if target == "" || target[0] == '/' || target[0] == '\\' || HasDrive(target) || filepath.IsAbs(target) {
			return &NameError{Name: name, Reason: "absolute symbolic link"}
		}
		todo = append(strings.Split(filepath.ToSlash(target), "/"), todo...)
	}
	return nil
}

// File is an open regular file, ready to serve.
type File struct {
	// Info describes the open file (not the link to it).
	Info fs.FileInfo
	// Body reads the content. Files of an fs.FS that cannot seek are
	// reopened to seek, so they are never held in memory.
	Body io.ReadSeeker
	f    fs.File
	rs   *reopenSeeker
}

// Close closes the file.
func (f File) Close() error {
	if f.rs != nil {
		return f.rs.Close()
	}
	return f.f.Close()
}

// Open opens name, which Check accepted, for serving. Anything but a
// regular file is refused before it is opened: a named pipe would block
// the thread in open(2) until a writer came, a device could have effects.
// On disk the open is non-blocking and the type checked again on the open
// file, so a pipe swapped in after the check cannot block either.
func (t *Tree) Open(name string) (File, error) {
	fi, err := t.Stat(name)
	if err != nil {
		return File{}, err
	}
	return t.OpenStat(name, fi)
}

// OpenStat is Open for a caller that has just described name with
// t.Stat: fi's type is checked, and the file opened without a second look
// up.
func (t *Tree) OpenStat(name string, fi fs.FileInfo) (File, error) {
	if !fi.Mode().IsRegular() {
		return File{}, notRegular(name, fi.Mode())
	}
	var f fs.File
	var err error
	if t.root != nil {
		f, err = t.root.OpenFile(name, os.O_RDONLY|oNonblock, 0)
		err = rootError(name, err)
	} else {
		f, err = t.fsys.Open(name)
	}
	if err != nil {
		return File{}, err
	}
	return ready(f, name, t)
}

// OpenPath opens the OS path name, chosen by the application (links are
// followed), with the same refusal of anything but a regular file.
func OpenPath(name string) (File, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return File{}, err
	}
	if !fi.Mode().IsRegular() {
		return File{}, notRegular(name, fi.Mode())
	}
	f, err := os.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return File{}, err
	}
	return ready(f, name, nil)
}

// ready checks the open file's type and gives it a seekable body; files
// that cannot seek are reopened from t.
func ready(f fs.File, name string, t *Tree) (File, error) {
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return File{}, fmt.Errorf("fileserve: stat %q: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return File{}, notRegular(name, fi.Mode())
	}
	if rs, ok := f.(io.ReadSeeker); ok {
		return File{Info: fi, Body: rs, f: f}, nil
	}
	if t == nil {
		_ = f.Close()
		return File{}, fmt.Errorf("fileserve: %q cannot seek", name)
	}
	s := &reopenSeeker{cur: f, open: func() (fs.File, error) { return t.fsys.Open(name) }, size: fi.Size()}
	return File{Info: fi, Body: s, f: f, rs: s}, nil
}

func notRegular(name string, mode fs.FileMode) error {
	kind := "special file"
	switch {
	case mode.IsDir():
		kind = "directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "named pipe"
	case mode&fs.ModeSocket != 0:
		kind = "socket"
	case mode&fs.ModeDevice != 0:
		kind = "device"
	}
	return fmt.Errorf("fileserve: %q is a %s: %w", name, kind, ErrNotRegular)
}

// reopenSeeker seeks in a file that cannot, by reopening it and skipping
// forward: memory stays constant whatever the size, at the cost of
// reading the skipped bytes (such files are rare: compressed zip entries).
type reopenSeeker struct {
	cur  fs.File
	open func() (fs.File, error)
	pos  int64 // offset of cur
	off  int64 // offset the next Read starts at
	size int64
}

func (s *reopenSeeker) Read(p []byte) (int, error) {
	if s.cur == nil || s.pos > s.off {
		if s.cur != nil {
			_ = s.cur.Close()
			s.cur = nil
		}
		f, err := s.open()
		if err != nil {
			return 0, err
		}
		s.cur, s.pos = f, 0
	}
	if s.pos < s.off {
		n, err := io.CopyN(io.Discard, s.cur, s.off-s.pos)
		s.pos += n
		if err != nil {
			return 0, err
		}
	}
	n, err := s.cur.Read(p)
	s.pos += int64(n)
	s.off = s.pos
	return n, err
}

func (s *reopenSeeker) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += s.off
	case io.SeekEnd:
		offset += s.size
	}
	if offset < 0 {
		return 0, errors.New("fileserve: negative seek offset")
	}
	s.off = offset
	return offset, nil
}

func (s *reopenSeeker) Close() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close()
	s.cur = nil
	return err
}
