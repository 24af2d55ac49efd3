package nexios

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"time"

	"github.com/nexios-go/nexios/internal/fileserve"
)

// FileOptions tune Response.File and its relatives. The zero value serves
// the file inline under its own name, with a Content-Type from the
// extension (or sniffed from the content), an ETag and Last-Modified, and
// refuses dotfiles and symbolic links out of the root.
type FileOptions struct {
	// Filename is the name given in Content-Disposition, which browsers use
	// when saving. Default: the file's base name. Non-ASCII names are sent
	// as RFC 5987 filename* with an ASCII fallback (RFC 6266).
	Filename string
	// Attachment asks browsers to download the file (Content-Disposition:
	// attachment) instead of displaying it (inline).
	Attachment bool
	// ContentType overrides the type found from the extension of the file
	// (or of Filename) or by sniffing the first 512 bytes.
	ContentType string
	// ModTime overrides the file's modification time, sent as Last-Modified
	// and compared with If-Modified-Since and If-Unmodified-Since.
	ModTime time.Time
	// ETag overrides the entity tag: a quoted string such as `"v2"` or
	// `W/"v2"`. Default: a strong tag from the modification time and size,
	// or, when the file has no modification time (embed.FS), from a
	// checksum of its content, the same tag middleware/static sends.
	ETag string
	// CacheControl, when set, is sent as Cache-Control.
	CacheControl string
	// AllowDotfiles lets FileIn and FileFS serve names with a segment that
	// starts with a dot (.well-known/...). Default: refused as not found,
	// so .env, .git/config and .htpasswd beside public files stay private.
	AllowDotfiles bool
	// FollowSymlinks lets FileFS follow symbolic links whose target is
	// absolute or leaves fsys, as os.DirFS does on its own. Default: such
	// links are refused as not found. FileIn never follows them (os.Root).
	FollowSymlinks bool
	// MaxRanges caps the ranges of one Range request (default 200, Apache's
	// figure); a request asking for more gets the whole file. Overlapping
	// and adjacent ranges are merged. Negative: no range support.
	MaxRanges int
}

// File sends the file at path, a path chosen by the application: never
// pass user input here (use FileIn). It answers conditional requests
// (If-None-Match and If-Modified-Since → 304; If-Match and
// If-Unmodified-Since → 412) and Range requests (single, multiple as
// multipart/byteranges, suffix "bytes=-500", If-Range; 416 when none is
// satisfiable), with ETag, Last-Modified, Accept-Ranges and
// Content-Disposition headers; see docs/files.md. Only regular files are
// served: a directory, named pipe or device is a 404 without being opened
// for reading. A missing file is a 404 *HTTPError wrapping fs.ErrNotExist;
// it and a 412 or 416 are returned before anything is written, so the
// handler may answer differently, and otherwise render as problem+json.
func (r *Response) File(path string, opts FileOptions) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	f, err := fileserve.OpenPath(path)
	if err != nil {
		return fileError(path, err)
	}
	defer f.Close()
	return r.serveFile(f, filepath.Base(path), opts, nil)
}

// Download sends the file at path as an attachment named filename (the
// base name of path when empty), like Nexios' res.download.
func (r *Response) Download(path, filename string) error {
	return r.File(path, FileOptions{Filename: filename, Attachment: true})
}

// FileIn sends the file name, a slash-separated path from an untrusted
// source such as a URL parameter, from under the directory root. The name
// must be plainly relative: "..", ".", empty segments, absolute paths,
// backslashes and encoded separators are refused, and so are dotfiles
// unless opts.AllowDotfiles. The file is opened through os.Root, so no
// symbolic link can reach outside root, even if links change concurrently.
// A refused or missing name is a 404 *HTTPError that wraps the cause
// (ErrUnsafePath or fs.ErrNotExist). See File for the rest.
func (r *Response) FileIn(root, name string, opts FileOptions) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	rel, err := fileserve.Check(name, opts.AllowDotfiles)
	if err != nil {
		return fileError(name, err)
	}
	dir, err := os.OpenRoot(root)
	if err != nil {
		// A root that does not exist (yet) holds no files: 404, as before
		// any upload created it.
		return fileError(root, err)
	}
	defer dir.Close()
	f, err := fileserve.Root(dir).Open(rel)
	if err != nil {
		return fileError(name, err)
	}
	defer f.Close()
	return r.serveFile(f, path.Base(rel), opts, nil)
}

// FileFS sends the file name from fsys (an embed.FS, a (*os.Root).FS(),
// os.DirFS...). name may come from an untrusted source: it is checked as
// FileIn checks it before fsys sees it, and symbolic links out of fsys
// are refused (os.DirFS would follow them) unless opts.FollowSymlinks. A
// refused or missing name is a 404 *HTTPError wrapping the cause. Files
// without a modification time get a checksum ETag, computed once per app
// for a comparable fsys such as embed.FS. Files that cannot seek are
// reopened rather than read into memory. See File for the rest.
func (r *Response) FileFS(fsys fs.FS, name string, opts FileOptions) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	rel, err := fileserve.Check(name, opts.AllowDotfiles)
	if err != nil {
		return fileError(name, err)
	}
	f, err := fileserve.FS(fsys, opts.FollowSymlinks).Open(rel)
	if err != nil {
		return fileError(name, err)
	}
	defer f.Close()
	var key any
	if reflect.ValueOf(fsys).Comparable() {
		key = fsTagKey{fsys: fsys, name: rel, size: f.Info.Size()}
	}
	return r.serveFile(f, path.Base(rel), opts, key)
}

// fsTagKey names a file of a file system in the app's tag cache.
type fsTagKey struct {
	fsys fs.FS
	name string
	size int64
}

// fileTagsKey holds the app's cache of content-checksum ETags.
var fileTagsKey = NewKey[*fileserve.TagCache]("nexios.fileTags")

// ServeContent sends content, named name (for the Content-Type and
// Content-Disposition), with the same range and conditional request
// handling as File. Use it for generated data or blobs from a database.
func (r *Response) ServeContent(name string, modtime time.Time, content io.ReadSeeker, opts FileOptions) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	if opts.ModTime.IsZero() {
		opts.ModTime = modtime
	}
	size, err := content.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("nexios: sizing content %q: %w", name, err)
	}
	return r.serve(name, size, content, opts, nil)
}

// fileNotFound is the 404 every refusal and missing file becomes: the
// client learns nothing about what exists beside the files it may read.
func fileNotFound(cause error) error {
	return NewHTTPError(http.StatusNotFound, "file not found").Wrap(cause)
}

// fileError maps an open failure or a refusal to an HTTP error that keeps
// the cause.
func fileError(name string, err error) error {
	if ne, ok := errors.AsType[*fileserve.NameError](err); ok {
		return fileNotFound(&UnsafePathError{Name: name, Reason: ne.Reason})
	}
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid):
		return fileNotFound(err)
	case errors.Is(err, fs.ErrPermission):
		return NewHTTPError(http.StatusForbidden, "file not readable").Wrap(err)
	}
	return fmt.Errorf("nexios: opening %q: %w", name, err)
}

func (r *Response) serveFile(f fileserve.File, name string, opts FileOptions, key any) error {
	if opts.ModTime.IsZero() {
		opts.ModTime = f.Info.ModTime()
	}
	return r.serve(name, f.Info.Size(), f.Body, opts, key)
}

// serve hands the content to the shared core and turns its refusals (412,
// 416) into *HTTPError values for the app's error flow.
func (r *Response) serve(name string, size int64, body io.ReadSeeker, opts FileOptions, key any) error {
	tag := opts.ETag
	if tag == "" {
		tag = r.Header().Get("Etag")
	}
	if tag == "" {
		var err error
		if tag, err = r.tagCache(key).ETag(key, opts.ModTime, size, body); err != nil {
			return fmt.Errorf("nexios: computing the ETag of %q: %w", name, err)
		}
	}
	filename := opts.Filename
	if filename == "" {
		filename = name
	}
	kind := "inline"
	if opts.Attachment {
		kind = "attachment"
	}
	err := fileserve.Serve(r, r.req.Raw(), &fileserve.Content{
		Name:         name,
		TypeName:     opts.Filename,
		Body:         body,
		Size:         size,
		ModTime:      opts.ModTime,
		ETag:         tag,
		ContentType:  opts.ContentType,
		Disposition:  fileserve.ContentDisposition(kind, filename),
		CacheControl: opts.CacheControl,
		MaxRanges:    opts.MaxRanges,
	})
	if fe, ok := errors.AsType[*fileserve.Error](err); ok {
		he := NewHTTPError(fe.Status, fe.Detail).Wrap(fe.Err)
		for k, vs := range fe.Header {
			for _, v := range vs {
				he.WithHeader(k, v)
			}
		}
		return he
	}
	if err != nil {
		return fmt.Errorf("nexios: serving %q: %w", name, err)
	}
	return nil
}

// tagCache returns the app's ETag cache, when key says the file can be
// cached (a comparable fs.FS), else nil.
func (r *Response) tagCache(key any) *fileserve.TagCache {
	if key == nil || r.req == nil || r.req.app == nil {
		return nil
	}
	app := r.req.app
	if c, ok := fileTagsKey.App(app); ok {
		return c
	}
	// Two first requests may each store a cache; one wins, and the other's
	// tag is simply computed again next time.
	c := new(fileserve.TagCache)
	fileTagsKey.SetApp(app, c)
	return c
}

// ContentDisposition formats a Content-Disposition value of the given kind
// ("inline" or "attachment") for filename per RFC 6266: the name reduced to
// its base name, an ASCII filename="..." for every client, and, when the
// name holds anything else, the exact name percent-encoded as an RFC 5987
// filename* parameter, which modern browsers prefer.
//
//	ContentDisposition("attachment", "résumé.pdf")
//	// attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
func ContentDisposition(kind, filename string) string {
	return fileserve.ContentDisposition(kind, filename)
}

// ReadFrom copies src to the client, sending the pending status first.
// When no middleware has wrapped the server's writer, it hands src to
// net/http's own ReadFrom, which sends files with sendfile(2) instead of
// copying them through user space; File, FileIn, FileFS over files on
// disk, and io.Copy(res, f) take this path.
func (r *Response) ReadFrom(src io.Reader) (int64, error) {
	if !r.Committed() {
		r.WriteHeader(r.status)
	}
	if r.w == &r.tw {
		if rf, ok := r.tw.w.(io.ReaderFrom); ok {
			n, err := rf.ReadFrom(src)
			r.tw.size += n
			return n, err
		}
	}
	return io.Copy(writerOnly{r.w}, src)
}

// writerOnly hides every method but Write, so io.Copy does not call back
// into ReadFrom.
type writerOnly struct{ io.Writer }
