package nexios

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FileOptions tune Response.File and its relatives. The zero value serves
// the file inline under its own name, with a Content-Type from the
// extension (or sniffed from the content), an ETag and Last-Modified.
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
	// or, when the file system has no modification times (embed.FS), from a
	// checksum of the content.
	ETag string
	// CacheControl, when set, is sent as Cache-Control.
	CacheControl string
}

// File sends the file at path, a path chosen by the application: never
// pass user input here (use FileIn). It answers GET and HEAD through
// http.ServeContent: Range requests (single, multiple as
// multipart/byteranges, suffix "bytes=-500"), If-Range, If-None-Match and
// If-Modified-Since (304), If-Match and If-Unmodified-Since (412), with
// ETag, Last-Modified, Accept-Ranges and Content-Disposition headers.
// A missing file is a 404 *HTTPError wrapping fs.ErrNotExist; nothing is
// written then, so the handler may answer differently.
func (r *Response) File(path string, opts FileOptions) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	f, err := os.Open(path)
	if err != nil {
		return openError(path, err)
	}
	defer f.Close()
	return r.serveFile(f, filepath.Base(path), opts)
}

// Download sends the file at path as an attachment named filename (the
// base name of path when empty), like Nexios' res.download.
func (r *Response) Download(path, filename string) error {
	return r.File(path, FileOptions{Filename: filename, Attachment: true})
}

// FileIn sends the file name, a slash-separated path from an untrusted
// source such as a URL parameter, from under the directory root. The name
// is checked as SafeJoin does and the file opened through os.OpenInRoot,
// so neither "..", absolute paths, encoded separators nor symbolic links
// can reach outside root, even if links change concurrently. A refused or
// missing name is a 404 *HTTPError that wraps the cause (ErrUnsafePath or
// fs.ErrNotExist). See File for the headers and conditional requests.
func (r *Response) FileIn(root, name string, opts FileOptions) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	rel, err := cleanName(name)
	if err != nil {
		return fileNotFound(err)
	}
	f, err := os.OpenInRoot(root, filepath.FromSlash(rel))
	if err != nil {
		return openError(name, err)
	}
	defer f.Close()
	return r.serveFile(f, path.Base(rel), opts)
}

// FileFS sends the file name from fsys (an embed.FS, a (*os.Root).FS(),
// os.DirFS...). name may come from an untrusted source: it is checked as
// SafeJoin does before fsys sees it, and a refused or missing name is a 404
// *HTTPError wrapping the cause. Note that os.DirFS follows symbolic links
// out of its directory: for a tree that may hold links, use FileIn or
// (*os.Root).FS(). Files that cannot seek are read into memory. See File
// for the headers and conditional requests.
func (r *Response) FileFS(fsys fs.FS, name string, opts FileOptions) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	rel, err := cleanName(name)
	if err != nil {
		return fileNotFound(err)
	}
	f, err := fsys.Open(rel)
	if err != nil {
		return openError(name, err)
	}
	defer f.Close()
	return r.serveFile(f, path.Base(rel), opts)
}

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
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("nexios: rewinding content %q: %w", name, err)
	}
	return r.serveContent(name, size, content, opts)
}

func fileNotFound(cause error) error {
	return NewHTTPError(http.StatusNotFound, "file not found").Wrap(cause)
}

// openError maps an open failure to an HTTP error that keeps the cause.
func openError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid):
		return fileNotFound(err)
	case errors.Is(err, fs.ErrPermission):
		return NewHTTPError(http.StatusForbidden, "file not readable").Wrap(err)
	case strings.Contains(err.Error(), "escapes from parent"):
		// os.Root refused a symbolic link out of the root; the error has no
		// exported sentinel.
		return fileNotFound(&UnsafePathError{Name: name, Reason: "symbolic link out of the root"})
	}
	return fmt.Errorf("nexios: opening %q: %w", name, err)
}

// serveFile sends an open file after checking it is a regular file.
func (r *Response) serveFile(f fs.File, name string, opts FileOptions) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("nexios: stat %q: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		// Directories, pipes and devices are not downloads; opening a pipe
		// for reading would also block until a writer came.
		return fileNotFound(fmt.Errorf("%q is not a regular file: %w", name, fs.ErrNotExist))
	}
	content, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("nexios: reading %q: %w", name, err)
		}
		content = bytes.NewReader(b)
	}
	if opts.ModTime.IsZero() {
		opts.ModTime = fi.ModTime()
	}
	return r.serveContent(name, fi.Size(), content, opts)
}

// serveContent sets the headers http.ServeContent does not and lets it
// handle ranges and conditions. ServeContent takes the entity tag from the
// ETag header, which is why it is set here: Nexios computed one and never
// sent it.
func (r *Response) serveContent(name string, size int64, content io.ReadSeeker, opts FileOptions) error {
	h := r.Header()
	if opts.ContentType != "" {
		h.Set("Content-Type", opts.ContentType)
	} else if h.Get("Content-Type") == "" {
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			h.Set("Content-Type", ct)
		} else if ct := mime.TypeByExtension(path.Ext(opts.Filename)); ct != "" {
			h.Set("Content-Type", ct)
		} // else ServeContent sniffs the first 512 bytes
	}
	if h.Get("Etag") == "" {
		tag := opts.ETag
		if tag == "" {
			var err error
			if tag, err = entityTag(opts.ModTime, size, content); err != nil {
				return fmt.Errorf("nexios: computing the ETag of %q: %w", name, err)
			}
		}
		h.Set("Etag", tag)
	}
	filename := opts.Filename
	if filename == "" {
		filename = name
	}
	kind := "inline"
	if opts.Attachment {
		kind = "attachment"
	}
	h.Set("Content-Disposition", ContentDisposition(kind, filename))
	if opts.CacheControl != "" {
		h.Set("Cache-Control", opts.CacheControl)
	}
	// The type is decided here; browsers must not second-guess it (an
	// uploaded "image" that sniffs as HTML must not run as a page).
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length") // ServeContent sets the length of what it sends
	http.ServeContent(r, rangeRequest(r.req.Raw()), name, opts.ModTime, content)
	return nil
}

// rangeRequest adapts the Range header for http.ServeContent, which
// answers 416 to a range unit other than "bytes" where RFC 9110 §14.2
// requires the header to be ignored, and matches the unit case-sensitively
// where the RFC says units are case-insensitive.
func rangeRequest(req *http.Request) *http.Request {
	rng := req.Header.Get("Range")
	if rng == "" || strings.HasPrefix(rng, "bytes=") {
		return req
	}
	r2 := *req
	r2.Header = req.Header.Clone()
	unit, spec, _ := strings.Cut(rng, "=")
	if strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		r2.Header.Set("Range", "bytes="+spec)
	} else {
		r2.Header.Del("Range")
	}
	return &r2
}

// entityTag returns a strong tag from the modification time and size, or
// from a checksum of the content when there is no modification time.
func entityTag(modtime time.Time, size int64, content io.ReadSeeker) (string, error) {
	b := make([]byte, 0, 40)
	b = append(b, '"')
	if !modtime.IsZero() && modtime.Unix() > 0 {
		b = strconv.AppendInt(b, modtime.UnixNano(), 16)
		b = append(b, '-')
		b = strconv.AppendInt(b, size, 16)
		return string(append(b, '"')), nil
	}
	sum := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	if _, err := io.Copy(sum, content); err != nil {
		return "", err
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	b = strconv.AppendInt(b, size, 16)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(sum.Sum32()), 16)
	return string(append(b, '"')), nil
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
	filename = SafeFilename(filename)
	if filename == "" {
		return kind
	}
	var fallback strings.Builder
	exact := true
	for i := 0; i < len(filename); i++ {
		c := filename[i]
		switch {
		case c >= 0x80:
			// One '_' per rune, not per byte.
			exact = false
			if c >= 0xc0 {
				fallback.WriteByte('_')
			}
		case c == '"' || c == '\\' || c == '%':
			// Quotes and backslashes need escaping that clients handle
			// unevenly, and some decode %XX in filename=: send '_' and the
			// exact name in filename*.
			exact = false
			fallback.WriteByte('_')
		default:
			fallback.WriteByte(c)
		}
	}
	v := kind + `; filename="` + fallback.String() + `"`
	if !exact {
		v += "; filename*=UTF-8''" + encodeRFC5987(filename)
	}
	return v
}

// encodeRFC5987 percent-encodes s except for RFC 5987 attr-chars.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// ReadFrom copies src to the client, sending the pending status first.
// When no middleware has wrapped the server's writer, it hands src to
// net/http's own ReadFrom, which sends files with sendfile(2) instead of
// copying them through user space; http.ServeContent (File, FileIn, …) and
// io.Copy(res, f) take this path.
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
