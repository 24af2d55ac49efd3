package nexios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
)

// Upload limit defaults; see UploadLimits.
const (
	DefaultMaxFiles       = 100
	DefaultMaxParts       = 1000
	DefaultMaxFieldBytes  = 1 << 20
	DefaultMaxMemoryBytes = 1 << 20
)

// UploadLimits bound what a multipart/form-data request may hold. Zero
// fields take the route's limits (WithUploadLimits), then the defaults.
// The whole body is capped by the request's body limit, the one
// body-size setting (Config.MaxBodyBytes, or the route's BodyLimit). Each
// limit is checked while the body streams in, so an oversized upload is
// refused as soon as it crosses the line, not after it has been read:
// sizes and counts answer 413 with a message naming the limit, a
// malformed body 400.
type UploadLimits struct {
	// MaxFileBytes caps each file. Default: the body limit; negative: no
	// limit.
	MaxFileBytes int64
	// MaxFiles caps the number of files. Default 100; negative: no limit.
	MaxFiles int
	// MaxParts caps the number of parts, fields and files together.
	// Default 1000; negative: no limit.
	MaxParts int
	// MaxFieldBytes caps the non-file values together; they are kept in
	// memory. Default 1 MiB; negative: no limit (the body limit still
	// applies).
	MaxFieldBytes int64
	// MaxMemoryBytes is how many bytes of files, all files together, are
	// kept in memory; a file that does not fit is written to a temporary
	// file, removed when the request ends. Default 1 MiB; negative: every
	// file goes to disk.
	MaxMemoryBytes int64
	// TempDir is where temporary files go. Default: os.TempDir().
	TempDir string
}

// uploadLimitsKey holds a route's upload limits.
var uploadLimitsKey = NewKey[UploadLimits]("upload-limits")

// WithUploadLimits sets the upload limits of a route; Request.Files,
// Request.File and Request.MultipartReader apply them. Raise the body
// limit of an upload route with BodyLimit.
//
//	app.Post("/videos", upload, nexios.BodyLimit(2<<30),
//		nexios.WithUploadLimits(nexios.UploadLimits{MaxFiles: 1}))
func WithUploadLimits(l UploadLimits) RouteOption { return uploadLimitsKey.With(l) }

// uploadLimits merges l over the route's limits and the defaults.
func (q *Request) uploadLimits(l UploadLimits) UploadLimits {
	route, _ := uploadLimitsKey.Route(q.route)
	pick := func(a, b, def int64) int64 {
		if a != 0 {
			return a
		}
		if b != 0 {
			return b
		}
		return def
	}
	bodyLimit := q.BodyLimit()
	if bodyLimit <= 0 {
		bodyLimit = -1
	}
	l.MaxFileBytes = pick(l.MaxFileBytes, route.MaxFileBytes, bodyLimit)
	l.MaxFiles = int(pick(int64(l.MaxFiles), int64(route.MaxFiles), DefaultMaxFiles))
	l.MaxParts = int(pick(int64(l.MaxParts), int64(route.MaxParts), DefaultMaxParts))
	l.MaxFieldBytes = pick(l.MaxFieldBytes, route.MaxFieldBytes, DefaultMaxFieldBytes)
	l.MaxMemoryBytes = pick(l.MaxMemoryBytes, route.MaxMemoryBytes, DefaultMaxMemoryBytes)
	if l.TempDir == "" {
		l.TempDir = route.TempDir
	}
	return l
}

// uploadState is the per-request record of a multipart parse, kept under
// a request key: it needs no field in Request and is dropped with the
// request.
type uploadState struct {
	parsed    bool
	streaming bool
	err       error
	files     []*UploadedFile
}

var uploadStateKey = NewKey[*uploadState]("uploads")

func (q *Request) uploads() *uploadState {
	st, ok := uploadStateKey.Get(q)
	if !ok {
		st = &uploadState{}
		uploadStateKey.Set(q, st)
	}
	return st
}

// Files parses a multipart/form-data body, with the route's upload limits
// (WithUploadLimits) or the defaults, and returns its files in the order
// sent. The non-file values are then available from Form and FormValue.
// The body is parsed once; later calls return the same result. A request
// without a body or with a urlencoded form has no files; another content
// type is a 415 error. File inputs left empty by the browser (an empty
// filename and no content) are skipped.
//
// Files are kept in memory up to UploadLimits.MaxMemoryBytes (all files
// together) and in temporary files beyond; the temporary files are removed
// when the request ends, so save what you keep (SaveTo) in the handler.
func (q *Request) Files() ([]*UploadedFile, error) {
	return q.parseMultipartOnce(UploadLimits{})
}

// ParseMultipart is Files with explicit limits, merged over the route's:
// call it before Files, File or Form.
func (q *Request) ParseMultipart(l UploadLimits) error {
	_, err := q.parseMultipartOnce(l)
	return err
}

// File returns the first file uploaded under the form field name. A
// missing file is a 400 *HTTPError wrapping http.ErrMissingFile.
func (q *Request) File(name string) (*UploadedFile, error) {
	files, err := q.Files()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Field == name {
			return f, nil
		}
	}
	return nil, NewHTTPError(http.StatusBadRequest, "no file uploaded in field "+strconv.Quote(name)).Wrap(http.ErrMissingFile)
}

func (q *Request) parseMultipartOnce(l UploadLimits) ([]*UploadedFile, error) {
	st := q.uploads()
	if !st.parsed {
		st.parsed = true
		st.err = q.parseMultipart(q.uploadLimits(l), st)
	}
	return st.files, st.err
}

func (q *Request) parseMultipart(l UploadLimits, st *uploadState) error {
	if st.streaming {
		return errors.New("nexios: the multipart body was already read with Request.MultipartReader")
	}
	if mf := q.r.MultipartForm; mf != nil {
		// Form (or net/http code) parsed the body first: adopt its files.
		st.files = adoptFiles(mf)
		return nil
	}
	switch ct := q.ContentType(); ct {
	case "multipart/form-data":
	case "", "application/x-www-form-urlencoded":
		return nil
	default:
		return NewHTTPError(http.StatusUnsupportedMediaType, "expected a multipart/form-data body, got "+ct)
	}
	mr, err := q.newMultipartReader(l)
	if err != nil {
		return err
	}
	values := url.Values{}
	for {
		p, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if !p.IsFile() {
			var b bytes.Buffer
			if _, err := io.Copy(&b, p); err != nil {
				return err
			}
			values[p.FormName] = append(values[p.FormName], b.String())
			continue
		}
		f, err := mr.store(p)
		if err != nil {
			return err
		}
		if f != nil {
			st.files = append(st.files, f)
		}
	}
	// Make Form, FormValue, Bind and net/http's own accessors see the
	// values without reading the (consumed) body again.
	if q.form == nil {
		q.form = values
	}
	q.r.MultipartForm = &multipart.Form{Value: values, File: map[string][]*multipart.FileHeader{}}
	q.r.PostForm = values
	form := make(url.Values, len(values))
	for k, v := range q.r.URL.Query() {
		form[k] = v
	}
	for k, v := range values {
		form[k] = append(form[k], v...)
	}
	q.r.Form = form
	return nil
}

// MultipartReader gives access to the parts of a multipart/form-data body
// one at a time, as they arrive, without buffering: for uploads too large
// to keep, which a handler streams to storage itself (Part.SaveTo, or
// io.Copy to object storage). l is merged over the route's limits, which
// still apply to each part. Files and Form cannot be used on the same
// request afterwards (Form returns no values).
//
//	// on a route registered with nexios.BodyLimit(10 << 30)
//	mr, err := req.MultipartReader(nexios.UploadLimits{})
//	if err != nil {
//		return err
//	}
//	for {
//		part, err := mr.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err
//		}
//		if part.IsFile() {
//			if _, err := part.SaveTo("uploads", nexios.UniqueName()); err != nil {
//				return err
//			}
//		}
//	}
func (q *Request) MultipartReader(l UploadLimits) (*MultipartReader, error) {
	st := q.uploads()
	if st.parsed || st.streaming || q.r.MultipartForm != nil {
		return nil, errors.New("nexios: the multipart body was already parsed")
	}
	if ct := q.ContentType(); ct != "multipart/form-data" {
		return nil, NewHTTPError(http.StatusUnsupportedMediaType, "expected a multipart/form-data body, got "+ct)
	}
	mr, err := q.newMultipartReader(q.uploadLimits(l))
	if err != nil {
		return nil, err
	}
	st.streaming = true
	if q.form == nil {
		q.form = url.Values{}
	}
	return mr, nil
}

// MultipartReader iterates over the parts of a multipart/form-data body,
// enforcing the upload limits. Reading a part past a limit fails with a
// 413 *HTTPError; a malformed body fails with a 400 one.
type MultipartReader struct {
	q         *Request
	mr        *multipart.Reader
	limits    UploadLimits
	parts     int
	files     int
	fieldLeft int64
	memLeft   int64
	cur       *Part
}

func (q *Request) newMultipartReader(l UploadLimits) (*MultipartReader, error) {
	_, params, err := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, NewHTTPError(http.StatusBadRequest, "multipart/form-data body without a valid boundary")
	}
	if limit := q.BodyLimit(); limit > 0 && q.r.ContentLength > limit {
		return nil, tooLarge(fmt.Sprintf("request body of %d bytes exceeds the limit of %d bytes", q.r.ContentLength, limit))
	}
	body := q.r.Body
	if body == nil {
		body = http.NoBody
	}
	return &MultipartReader{
		q:         q,
		mr:        multipart.NewReader(body, params["boundary"]),
		limits:    l,
		fieldLeft: l.MaxFieldBytes,
		memLeft:   max(l.MaxMemoryBytes, 0),
	}, nil
}

func tooLarge(detail string) *HTTPError {
	// The rest of the body is not read, so the connection cannot be reused.
	return NewHTTPError(http.StatusRequestEntityTooLarge, detail).WithHeader("Connection", "close")
}

// bodyError maps an error from reading the body to a 413 or 400.
func bodyError(err error) error {
	if _, ok := errors.AsType[*HTTPError](err); ok {
		return err
	}
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge(fmt.Sprintf("request body exceeds the limit of %d bytes", mbe.Limit)).Wrap(err)
	}
	return NewHTTPError(http.StatusBadRequest, "malformed multipart body").Wrap(err)
}

// Next returns the next part, or io.EOF after the last. The previous part
// is discarded (its unread bytes still count towards the body limit).
func (m *MultipartReader) Next() (*Part, error) {
	for {
		if m.cur != nil {
			m.cur.done = true
		}
		p, err := m.mr.NextPart()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, bodyError(err)
		}
		m.parts++
		if m.limits.MaxParts >= 0 && m.parts > m.limits.MaxParts {
			return nil, tooLarge(fmt.Sprintf("too many parts in the multipart body: the limit is %d", m.limits.MaxParts))
		}
		disposition, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if err != nil {
			return nil, NewHTTPError(http.StatusBadRequest, fmt.Sprintf("part %d has a malformed Content-Disposition", m.parts)).Wrap(err)
		}
		name := params["name"]
		if disposition != "form-data" || name == "" {
			continue // not a form field: skipped, as browsers never send one
		}
		part := &Part{FormName: name, Header: p.Header, ContentType: p.Header.Get("Content-Type"), p: p, m: m}
		if raw, isFile := params["filename"]; isFile {
			m.files++
			if m.limits.MaxFiles >= 0 && m.files > m.limits.MaxFiles {
				return nil, tooLarge(fmt.Sprintf("too many files in the multipart body: the limit is %d", m.limits.MaxFiles))
			}
			part.isFile, part.rawEmpty = true, raw == ""
			part.Filename = SafeFilename(raw)
			if part.Filename == "" {
				part.Filename = "upload"
			}
			part.limit = m.limits.MaxFileBytes
		} else {
			part.limit = m.fieldLeft
			if m.limits.MaxFieldBytes < 0 {
				part.limit = -1
			}
		}
		m.cur = part
		return part, nil
	}
}

// Part is one part of a multipart/form-data body, read as it arrives. It
// is an io.Reader over the part's content.
type Part struct {
	// FormName is the form field name.
	FormName string
	// Filename is the file's name reduced by SafeFilename ("upload" when
	// nothing usable was sent); "" for a field that is not a file.
	Filename string
	// ContentType is the Content-Type the client sent for the part ("" for
	// most fields).
	ContentType string
	// Header is the part's MIME header.
	Header textproto.MIMEHeader

	p        *multipart.Part
	m        *MultipartReader
	isFile   bool
	rawEmpty bool
	limit    int64 // bytes this part may hold; < 0: no limit
	n        int64
	done     bool
	err      error // the limit error, returned again by later reads
}

// IsFile reports whether the part is a file (it has a filename parameter)
// rather than a plain field.
func (p *Part) IsFile() bool { return p.isFile }

// Read reads the part's content. Past the per-file limit (or, for fields,
// the limit on all values) it fails with a 413 *HTTPError.
func (p *Part) Read(b []byte) (int, error) {
	if p.done {
		return 0, errors.New("nexios: multipart part read after Next")
	}
	if p.err != nil {
		return 0, p.err
	}
	if p.limit >= 0 && int64(len(b)) > p.limit-p.n+1 {
		b = b[:p.limit-p.n+1] // one byte more than allowed reveals an excess
	}
	n, err := p.p.Read(b)
	p.n += int64(n)
	if !p.isFile {
		p.m.fieldLeft -= int64(n)
	}
	if p.limit >= 0 && p.n > p.limit {
		if p.isFile {
			p.err = tooLarge(fmt.Sprintf("file %q exceeds the limit of %d bytes per file", p.Filename, p.limit))
		} else {
			p.err = tooLarge(fmt.Sprintf("form fields exceed the limit of %d bytes", p.m.limits.MaxFieldBytes))
		}
		return 0, p.err
	}
	if err != nil && err != io.EOF {
		return n, bodyError(err)
	}
	return n, err
}

// SaveTo streams the part into a file under dir (see UploadedFile.SaveTo
// for the name, the options and the atomic write) and returns its path.
func (p *Part) SaveTo(dir string, opts ...SaveOption) (string, error) {
	name := p.Filename
	if name == "" {
		name = "upload"
	}
	return saveReader(dir, name, p, opts)
}

// store reads a file part into memory or, past the memory budget, a
// temporary file. It returns nil for the empty part a browser sends for a
// file input left empty.
func (m *MultipartReader) store(p *Part) (*UploadedFile, error) {
	f := &UploadedFile{Field: p.FormName, Filename: p.Filename, ContentType: p.ContentType, Header: p.Header}
	var mem bytes.Buffer
	// At least 512 bytes are read, for the sniffer, even when they will go
	// to disk.
	n, err := io.CopyN(&mem, p, max(m.memLeft+1, 512))
	if err != nil && err != io.EOF {
		return nil, err
	}
	if n <= m.memLeft {
		m.memLeft -= n
		f.data, f.Size = mem.Bytes(), n
		if n == 0 && p.rawEmpty {
			return nil, nil
		}
		f.SniffedType = http.DetectContentType(f.data)
		return f, nil
	}
	// Over the budget: what was read goes to disk first, then the rest.
	tmp, err := os.CreateTemp(m.limits.TempDir, "nexios-upload-*")
	if err != nil {
		return nil, fmt.Errorf("nexios: creating a temporary file for an upload: %w", err)
	}
	path := tmp.Name()
	m.q.Defer(func() { _ = os.Remove(path) })
	f.path = path
	f.SniffedType = http.DetectContentType(mem.Bytes())
	written, err := io.Copy(tmp, io.MultiReader(&mem, p))
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("nexios: writing an upload to a temporary file: %w", cerr)
	}
	if err != nil {
		if _, ok := errors.AsType[*HTTPError](err); !ok {
			err = fmt.Errorf("nexios: writing an upload to a temporary file: %w", err)
		}
		return nil, err
	}
	f.Size = written
	return f, nil
}
