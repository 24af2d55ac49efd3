package testclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
)

// RequestOption customises a single request made by a [Client].
type RequestOption func(*requestSpec)

// requestSpec collects everything the request options describe.
type requestSpec struct {
	header      http.Header
	query       [][2]string
	cookies     []*http.Cookie
	body        io.Reader
	contentType string
	err         error
}

func (s *requestSpec) setBody(contentType string, body io.Reader, err error) {
	s.contentType = contentType
	s.body = body
	if err != nil && s.err == nil {
		s.err = err
	}
}

func (s *requestSpec) addHeader(key, value string) {
	if s.header == nil {
		s.header = make(http.Header)
	}
	s.header.Add(key, value)
}

// JSON sends v encoded with [encoding/json] as the request body, with
// Content-Type application/json. If v cannot be encoded, the request is not
// sent and the [Response] reports the encoding error in Err.
func JSON(v any) RequestOption {
	return func(s *requestSpec) {
		data, err := json.Marshal(v)
		if err != nil {
			err = fmt.Errorf("testclient: encoding JSON body: %w", err)
		}
		s.setBody("application/json", bytes.NewReader(data), err)
	}
}

// Form sends values as an application/x-www-form-urlencoded request body.
func Form(values url.Values) RequestOption {
	return func(s *requestSpec) {
		s.setBody("application/x-www-form-urlencoded", strings.NewReader(values.Encode()), nil)
	}
}

// Body sends body as the request body with the given Content-Type. An empty
// contentType sends no Content-Type header. The request has a Content-Length.
func Body(contentType string, body []byte) RequestOption {
	return func(s *requestSpec) {
		s.setBody(contentType, bytes.NewReader(body), nil)
	}
}

// Reader streams r as the request body with the given Content-Type. The
// length is unknown to the server (no Content-Length, ContentLength -1) and
// the handler reads the data as it is produced. The client does not close r.
// Such a request cannot be replayed, so 307 and 308 redirects are not
// followed for it.
func Reader(contentType string, r io.Reader) RequestOption {
	return func(s *requestSpec) {
		// Hide the concrete type so http.NewRequest does not compute a length.
		s.setBody(contentType, struct{ io.Reader }{r}, nil)
	}
}

// Header adds a request header. It replaces a default header of the same
// name set with [WithHeader]; calling it twice with the same key sends both
// values. Header("Host", h) sets the request's Host.
func Header(key, value string) RequestOption {
	return func(s *requestSpec) { s.addHeader(key, value) }
}

// Query appends key=value to the URL's query string, keeping any query
// already present in the path.
func Query(key, value string) RequestOption {
	return func(s *requestSpec) { s.query = append(s.query, [2]string{key, value}) }
}

// Cookie sends c with this request only, in addition to the cookies from the
// client's jar. It is not stored in the jar.
func Cookie(c *http.Cookie) RequestOption {
	return func(s *requestSpec) { s.cookies = append(s.cookies, c) }
}

// BearerToken sets the Authorization header to "Bearer " + token.
func BearerToken(token string) RequestOption {
	return func(s *requestSpec) {
		if s.header == nil {
			s.header = make(http.Header)
		}
		s.header.Set("Authorization", "Bearer "+token)
	}
}

// File is a file uploaded with [Multipart].
type File struct {
	Field       string // form field name
	Filename    string // file name sent to the server
	ContentType string // defaults to application/octet-stream
	Content     []byte
}

// Multipart sends a multipart/form-data body made of the given form fields
// (in sorted key order) followed by the files.
func Multipart(fields map[string]string, files ...File) RequestOption {
	return func(s *requestSpec) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		err := writeMultipart(mw, fields, files)
		if err != nil {
			err = fmt.Errorf("testclient: encoding multipart body: %w", err)
		}
		s.setBody(mw.FormDataContentType(), bytes.NewReader(buf.Bytes()), err)
	}
}

func writeMultipart(mw *multipart.Writer, fields map[string]string, files []File) error {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := mw.WriteField(k, fields[k]); err != nil {
			return err
		}
	}
	for _, f := range files {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", multipart.FileContentDisposition(f.Field, f.Filename))
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		part, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := part.Write(f.Content); err != nil {
			return err
		}
	}
	return mw.Close()
}

// newRequest builds the client request for method and path (resolved
// against the client's base URL) with the given options applied.
func (c *Client) newRequest(ctx context.Context, method, path string, opts []RequestOption) (*http.Request, error) {
	var spec requestSpec
	for _, opt := range opts {
		if opt != nil {
			opt(&spec)
		}
	}
	if spec.err != nil {
		return nil, spec.err
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("testclient: invalid path %q: %w", path, err)
	}
	u := c.baseURL.ResolveReference(ref)
	for _, kv := range spec.query {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += url.QueryEscape(kv[0]) + "=" + url.QueryEscape(kv[1])
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), spec.body)
	if err != nil {
		return nil, fmt.Errorf("testclient: %w", err)
	}
	req.Header = c.header.Clone()
	if spec.contentType != "" {
		req.Header.Set("Content-Type", spec.contentType)
	}
	for k, vv := range spec.header {
		req.Header[k] = vv
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host
	}
	req.Header.Del("Host")
	for _, ck := range spec.cookies {
		if ck != nil {
			req.AddCookie(ck)
		}
	}
	return req, nil
}
