package nexios

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nexios-go/nexios/internal/fileserve"
)

// UploadedFile is a file from a multipart/form-data request, kept in memory
// or in a temporary file that is removed when the request ends.
type UploadedFile struct {
	// Field is the form field name.
	Field string
	// Filename is the client's file name reduced by SafeFilename to a plain
	// base name ("../../x" and "C:\x" become "x"); "upload" when nothing
	// usable was sent. It is never a path.
	Filename string
	// ContentType is the Content-Type the client sent. It is a claim, not a
	// fact: check SniffedType before trusting it.
	ContentType string
	// SniffedType is the type http.DetectContentType finds in the first
	// 512 bytes.
	SniffedType string
	// Size is the size in bytes.
	Size int64
	// Header is the part's MIME header.
	Header textproto.MIMEHeader

	data []byte                // content, when kept in memory
	path string                // temporary file, when spilled to disk
	fh   *multipart.FileHeader // when adopted from net/http's parser
}

// Open opens the content for reading; close it when done. It may be called
// several times, and the readers are independent.
func (f *UploadedFile) Open() (multipart.File, error) {
	switch {
	case f.fh != nil:
		return f.fh.Open()
	case f.path != "":
		file, err := os.Open(f.path)
		if err != nil {
			return nil, fmt.Errorf("nexios: opening upload %q (its temporary file is removed when the request ends): %w", f.Filename, err)
		}
		return file, nil
	}
	return memFile{bytes.NewReader(f.data)}, nil
}

// memFile is an in-memory upload as a multipart.File.
type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

// ReadAll returns the whole content, like Nexios' await file.read(). It
// reads a temporary file into memory: prefer Open or SaveTo for large
// files.
func (f *UploadedFile) ReadAll() ([]byte, error) {
	if f.fh == nil && f.path == "" {
		return f.data, nil
	}
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("nexios: reading upload %q: %w", f.Filename, err)
	}
	return b, nil
}

// SaveTo writes the file into the directory dir (which must exist) under
// its Filename, and returns the path written. The content goes to a
// temporary file in dir, synced, then renamed into place, so readers never
// see a partial file and a failed save leaves nothing behind. An existing
// file of that name is replaced unless UniqueName is given. Every access
// goes through os.Root, so a symbolic link in dir cannot redirect the
// write elsewhere.
//
//	saved, err := file.SaveTo("uploads", nexios.UniqueName())
func (f *UploadedFile) SaveTo(dir string, opts ...SaveOption) (string, error) {
	r, err := f.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	return saveReader(dir, f.Filename, r, opts)
}

// SaveOption changes how SaveTo names and writes a file.
type SaveOption func(*saveConfig)

type saveConfig struct {
	name   string
	unique bool
	perm   fs.FileMode
}

// UniqueName makes SaveTo keep existing files: when the name is taken, a
// random suffix is added before the extension ("report-k7f3q2xw.pdf").
// The name is claimed atomically, so concurrent saves never overwrite each
// other, and finding a free name takes the same few steps however many
// files of that name exist (numbering them "-1", "-2", … would probe them
// all, and run out).
func UniqueName() SaveOption { return func(c *saveConfig) { c.unique = true } }

// SaveAs makes SaveTo use name (reduced by SafeFilename) instead of the
// uploaded file name, for instance a generated ID.
func SaveAs(name string) SaveOption { return func(c *saveConfig) { c.name = name } }

// SavePerm sets the permissions of the saved file (default 0644, before
// the umask).
func SavePerm(perm fs.FileMode) SaveOption { return func(c *saveConfig) { c.perm = perm } }

// maxUniqueTries bounds the random names tried under UniqueName. With 40
// random bits each, a second collision in a row means something else is
// wrong (a file system that reports every name as taken).
const maxUniqueTries = 8

func saveReader(dir, name string, src io.Reader, opts []SaveOption) (string, error) {
	cfg := saveConfig{name: name, perm: 0o644}
	for _, o := range opts {
		o(&cfg)
	}
	name = SafeFilename(cfg.name)
	if name == "" {
		return "", fmt.Errorf("nexios: saving upload: %q is not a usable file name", cfg.name)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("nexios: saving upload %q: %w", name, err)
	}
	defer root.Close()
	tmp := ".nexios-" + rand.Text() + ".tmp"
	if err := writeTemp(root, tmp, src, cfg.perm); err != nil {
		_ = root.Remove(tmp)
		return "", err
	}
	final, err := place(root, tmp, name, cfg)
	if err != nil {
		_ = root.Remove(tmp)
		return "", fmt.Errorf("nexios: saving upload %q: %w", name, err)
	}
	return filepath.Join(dir, final), nil
}

func writeTemp(root *os.Root, tmp string, src io.Reader, perm fs.FileMode) error {
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("nexios: saving upload: %w", err)
	}
	_, err = io.Copy(f, src)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if _, ok := errors.AsType[*HTTPError](err); ok {
			return err // a limit hit while streaming a Part
		}
		return fmt.Errorf("nexios: saving upload: %w", err)
	}
	return nil
}

// place moves the finished temporary file to its final name.
func place(root *os.Root, tmp, name string, cfg saveConfig) (string, error) {
	if !cfg.unique {
		return name, root.Rename(tmp, name) // rename replaces atomically
	}
	for i := range maxUniqueTries + 1 {
		candidate := name
		if i > 0 {
			candidate = suffixedName(name, randomSuffix())
		}
		// A hard link fails if the name exists, which claims the name and
		// publishes the content in one step.
		err := root.Link(tmp, candidate)
		if err == nil {
			_ = root.Remove(tmp)
			return candidate, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// No hard links on this file system: claim the name with an
		// exclusive create, then rename over the placeholder.
		ph, err := root.OpenFile(candidate, os.O_WRONLY|os.O_CREATE|os.O_EXCL, cfg.perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_ = ph.Close()
		return candidate, root.Rename(tmp, candidate)
	}
	return "", fmt.Errorf("no free name like %q after %d random tries", name, maxUniqueTries)
}

// randomSuffix returns 8 lowercase base32 characters: 40 random bits.
func randomSuffix() string { return strings.ToLower(rand.Text()[:8]) }

// suffixedName returns name with "-suffix" before the extension, still
// within the file name length limit.
func suffixedName(name, suffix string) string {
	ext := path.Ext(name)
	stem := name[:len(name)-len(ext)]
	if stem == "" {
		stem, ext = name, ""
	}
	suffix = "-" + suffix
	return fileserve.TruncateFilename(stem, fileserve.MaxFilenameBytes-len(suffix)-len(ext)) + suffix + ext
}

// adoptFiles wraps the files net/http's ParseMultipartForm kept, for a
// request whose body Form parsed before Files was called.
func adoptFiles(mf *multipart.Form) []*UploadedFile {
	var files []*UploadedFile
	// net/http keeps files in a map: order fields by name, the best that
	// can be recovered.
	for _, field := range slices.Sorted(maps.Keys(mf.File)) {
		for _, fh := range mf.File[field] {
			f := &UploadedFile{
				Field:       field,
				Filename:    SafeFilename(fh.Filename),
				ContentType: fh.Header.Get("Content-Type"),
				Size:        fh.Size,
				Header:      fh.Header,
				fh:          fh,
			}
			if f.Filename == "" {
				f.Filename = "upload"
			}
			if r, err := fh.Open(); err == nil {
				var head [512]byte
				n, _ := io.ReadFull(r, head[:])
				f.SniffedType = http.DetectContentType(head[:n])
				_ = r.Close()
			}
			files = append(files, f)
		}
	}
	return files
}
