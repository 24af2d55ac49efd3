package fileserve

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path"
	"strconv"
	"time"
)

// Error is an answer the door must give instead of the file (412, 416).
// Serve returns it before writing anything, so the door renders it in its
// own error format (problem+json through the app's error flow).
type Error struct {
	// Status is the HTTP status.
	Status int
	// Detail explains it to the client.
	Detail string
	// Header holds headers the answer must carry (Content-Range on 416).
	Header http.Header
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("fileserve: %d %s", e.Status, e.Detail) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Content is one representation to send.
type Content struct {
	// Name is the file's name; its extension gives the Content-Type.
	Name string
	// TypeName is a second name whose extension gives the type when
	// Name's does not (the download name chosen by the application).
	TypeName string
	// Body reads the content; Serve seeks it.
	Body io.ReadSeeker
	// Size is the length of the content in bytes.
	Size int64
	// ModTime is sent as Last-Modified when UsableModTime.
	ModTime time.Time
	// ETag is the entity tag, "" for none.
	ETag string
	// ContentType, when set, is sent as is. Otherwise a Content-Type
	// already in the response is kept, else the extension of Name or
	// TypeName decides, else the first 512 bytes are sniffed
	// (http.DetectContentType).
	ContentType string
	// Encoding is the Content-Encoding of a precompressed variant.
	Encoding string
	// Disposition is the Content-Disposition value, "" for none.
	Disposition string
	// CacheControl is the Cache-Control value, "" for none.
	CacheControl string
	// MaxRanges caps the ranges honoured (0: DefaultMaxRanges); negative
	// turns Range support off (Accept-Ranges: none).
	MaxRanges int
}

// Serve answers r with c: preconditions (304 or 412), then Range (206,
// single or multipart/byteranges, or 416), else the whole content (200),
// all with an exact Content-Length; HEAD gets the headers only. A 412 or
// 416 is returned as an *Error with nothing written; after the status line
// is sent, write errors (a client that went away) are not reported, as
// there is nobody left to tell.
func Serve(w http.ResponseWriter, r *http.Request, c *Content) error {
	switch Preconditions(r, c.ETag, c.ModTime) {
	case http.StatusPreconditionFailed:
		return &Error{Status: http.StatusPreconditionFailed, Detail: "the file does not match the request's preconditions (If-Match, If-Unmodified-Since)"}
	case http.StatusNotModified:
		writeNotModified(w, c)
		return nil
	}
	var ranges []Range
	if rh := r.Header.Get("Range"); rh != "" && c.MaxRanges >= 0 &&
		(r.Method == http.MethodGet || r.Method == http.MethodHead) && IfRange(r, c.ETag, c.ModTime) {
		rs, ok, err := ParseRange(rh, c.Size, c.MaxRanges)
		if err != nil {
			e := &Error{Status: http.StatusRequestedRangeNotSatisfiable, Err: err, Header: http.Header{}}
			e.Detail = "no range of the Range header overlaps the file"
			if err == ErrMalformedRange {
				e.Detail = "the Range header is malformed"
			}
			e.Header.Set("Content-Range", "bytes */"+strconv.FormatInt(c.Size, 10))
			return e
		}
		if ok {
			ranges = rs
		}
	}
	ctype, err := contentType(w.Header(), c)
	if err != nil {
		return err
	}
	hs := newHeaderSetter(w.Header(), c)
	body := r.Method != http.MethodHead
	switch len(ranges) {
	case 0:
		hs.set("Content-Type", ctype)
		hs.set("Content-Length", strconv.FormatInt(c.Size, 10))
		w.WriteHeader(http.StatusOK)
		if body {
			_ = copyRange(w, c.Body, Range{Start: 0, Length: c.Size})
		}
	case 1:
		hs.set("Content-Type", ctype)
		hs.set("Content-Range", ranges[0].ContentRange(c.Size))
		hs.set("Content-Length", strconv.FormatInt(ranges[0].Length, 10))
		w.WriteHeader(http.StatusPartialContent)
		if body {
			_ = copyRange(w, c.Body, ranges[0])
		}
	default:
		mw := multipart.NewWriter(w)
		length, err := multipartLength(ranges, ctype, c.Size, mw.Boundary())
		if err != nil {
			return err
		}
		hs.set("Content-Type", "multipart/byteranges; boundary="+mw.Boundary())
		hs.set("Content-Length", strconv.FormatInt(length, 10))
		w.WriteHeader(http.StatusPartialContent)
		if body {
			_ = writeParts(mw, c.Body, ranges, ctype, c.Size)
		}
	}
	return nil
}

// Shared values of constant headers. Each slice is full (len == cap), so
// a later Header.Add copies it instead of writing into it.
var (
	acceptBytes = []string{"bytes"}
	acceptNone  = []string{"none"}
	nosniff     = []string{"nosniff"}
)

// headerSetter sets header values from one backing array: a file response
// sets up to eight, and this makes them one allocation instead of eight.
type headerSetter struct {
	h    http.Header
	vals []string
}

func (s *headerSetter) set(key, v string) {
	s.vals = append(s.vals, v)
	n := len(s.vals)
	s.h[key] = s.vals[n-1 : n : n]
}

// newHeaderSetter sets the headers every successful answer carries; keys
// are given in canonical form.
func newHeaderSetter(h http.Header, c *Content) headerSetter {
	s := headerSetter{h: h, vals: make([]string, 0, 8)}
	if c.MaxRanges < 0 {
		h["Accept-Ranges"] = acceptNone
	} else {
		h["Accept-Ranges"] = acceptBytes
	}
	if c.ETag != "" {
		s.set("Etag", c.ETag)
	}
	if UsableModTime(c.ModTime) {
		s.set("Last-Modified", c.ModTime.UTC().Format(http.TimeFormat))
	}
	if c.Encoding != "" {
		s.set("Content-Encoding", c.Encoding)
	}
	if c.Disposition != "" {
		s.set("Content-Disposition", c.Disposition)
	}
	if c.CacheControl != "" {
		s.set("Cache-Control", c.CacheControl)
	}
	// The type is decided here; browsers must not second-guess it (an
	// uploaded "image" that sniffs as HTML must not run as a page).
	h["X-Content-Type-Options"] = nosniff
	return s
}

// writeNotModified sends 304 with the validators and caching headers a
// 200 would carry and none of the representation's metadata (RFC 9110
// §15.4.5); Last-Modified only when there is no ETag to revalidate with.
func writeNotModified(w http.ResponseWriter, c *Content) {
	h := w.Header()
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Content-Range"} {
		delete(h, k)
	}
	if c.ETag != "" {
		h.Set("Etag", c.ETag)
	} else if UsableModTime(c.ModTime) {
		h.Set("Last-Modified", c.ModTime.UTC().Format(http.TimeFormat))
	}
	if c.CacheControl != "" {
		h.Set("Cache-Control", c.CacheControl)
	}
	w.WriteHeader(http.StatusNotModified)
}

// contentType decides the Content-Type as Content.ContentType documents.
func contentType(h http.Header, c *Content) (string, error) {
	if c.ContentType != "" {
		return c.ContentType, nil
	}
	if v := h["Content-Type"]; len(v) > 0 && v[0] != "" {
		return v[0], nil
	}
	if ct := mime.TypeByExtension(path.Ext(c.Name)); ct != "" {
		return ct, nil
	}
	if c.TypeName != "" {
		if ct := mime.TypeByExtension(path.Ext(c.TypeName)); ct != "" {
			return ct, nil
		}
	}
	return Sniff(c.Body)
}

// Sniff returns http.DetectContentType of the first 512 bytes of body and
// rewinds it.
func Sniff(body io.ReadSeeker) (string, error) {
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("fileserve: rewinding to sniff: %w", err)
	}
	var buf [512]byte
	n, err := io.ReadFull(body, buf[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", fmt.Errorf("fileserve: sniffing: %w", err)
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("fileserve: rewinding after sniffing: %w", err)
	}
	return http.DetectContentType(buf[:n]), nil
}

// copyRange sends one range of body. io.CopyN hands the writer an
// io.LimitedReader, which net/http turns into sendfile(2) for an *os.File.
func copyRange(w io.Writer, body io.ReadSeeker, rg Range) error {
	if _, err := body.Seek(rg.Start, io.SeekStart); err != nil {
		return err
	}
	_, err := io.CopyN(w, body, rg.Length)
	return err
}

func partHeader(rg Range, ctype string, size int64) textproto.MIMEHeader {
	return textproto.MIMEHeader{
		"Content-Range": {rg.ContentRange(size)},
		"Content-Type":  {ctype},
	}
}

// multipartLength returns the exact length of the multipart/byteranges
// body writeParts will send, by writing its framing to a counter.
func multipartLength(ranges []Range, ctype string, size int64, boundary string) (int64, error) {
	var n countWriter
	mw := multipart.NewWriter(&n)
	if err := mw.SetBoundary(boundary); err != nil {
		return 0, err
	}
	for _, rg := range ranges {
		if _, err := mw.CreatePart(partHeader(rg, ctype, size)); err != nil {
			return 0, err
		}
		n += countWriter(rg.Length)
	}
	if err := mw.Close(); err != nil {
		return 0, err
	}
	return int64(n), nil
}

func writeParts(mw *multipart.Writer, body io.ReadSeeker, ranges []Range, ctype string, size int64) error {
	for _, rg := range ranges {
		part, err := mw.CreatePart(partHeader(rg, ctype, size))
		if err != nil {
			return err
		}
		if err := copyRange(part, body, rg); err != nil {
			return err
		}
	}
	return mw.Close()
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
