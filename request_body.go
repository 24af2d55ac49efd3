package nexios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// limitedBody is a pooled stand-in for http.MaxBytesReader: it fails reads
// past the limit with *http.MaxBytesError (rendered 413) and asks for the
// connection to be closed.
type limitedBody struct {
	rc    io.ReadCloser
	n     int64
	limit int64
	err   error
	res   *Response
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p))-1 > l.n {
		p = p[:l.n+1]
	}
	n, err := l.rc.Read(p)
	if int64(n) <= l.n {
		l.n -= int64(n)
		l.err = err
		return n, err
	}
	n = int(l.n)
	l.n = 0
	l.err = &http.MaxBytesError{Limit: l.limit}
	if l.res != nil && !l.res.Committed() {
		l.res.Header().Set("Connection", "close")
	}
	return n, l.err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// SetBodyLimit changes the body size limit for this request (n <= 0: no
// limit). Call it before the body is read, from middleware or a route.
func (q *Request) SetBodyLimit(n int64) {
	q.bodyLimit = n
	if q.r.Body == &q.limiter {
		if n <= 0 {
			q.r.Body = q.limiter.rc
			return
		}
		q.limiter.n, q.limiter.limit = n, n
	} else if n > 0 && q.r.Body != nil && q.r.Body != http.NoBody {
		q.limiter = limitedBody{rc: q.r.Body, n: n, limit: n, res: q.res}
		q.r.Body = &q.limiter
	}
}

// Body returns the whole request body, read once and cached. A body over
// the limit is a 413 error.
func (q *Request) Body() ([]byte, error) {
	if q.bodyRead {
		return q.body, q.bodyErr
	}
	q.bodyRead = true
	if q.r.Body == nil || q.r.Body == http.NoBody {
		return nil, nil
	}
	if q.bodyLimit > 0 && q.r.ContentLength > q.bodyLimit {
		q.bodyErr = NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body of %d bytes exceeds the limit of %d bytes", q.r.ContentLength, q.bodyLimit))
		return nil, q.bodyErr
	}
	var err error
	if cl := q.r.ContentLength; cl > 0 {
		// The length is known (and within the limit): read into an exact
		// buffer instead of growing one.
		q.body = make([]byte, cl)
		var n int
		n, err = io.ReadFull(q.r.Body, q.body)
		q.body = q.body[:n]
	} else {
		q.body, err = io.ReadAll(q.r.Body)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = NewHTTPError(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body exceeds the limit of %d bytes", mbe.Limit)).Wrap(err)
		} else {
			err = NewHTTPError(http.StatusBadRequest, "reading the request body failed").Wrap(err)
		}
		q.bodyErr = err
	}
	return q.body, q.bodyErr
}

// ContentType returns the request's media type without parameters, lower
// case ("application/json").
func (q *Request) ContentType() string {
	ct := q.r.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	if simpleMediaType(ct) {
		return ct // the common case, without parsing parameters
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt
}

// simpleMediaType reports whether ct is a bare lower-case type/subtype.
func simpleMediaType(ct string) bool {
	slash := false
	for i := 0; i < len(ct); i++ {
		switch c := ct[i]; {
		case c == '/':
			if slash {
				return false
			}
			slash = true
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '+', c == '.':
		default:
			return false
		}
	}
	return slash
}

// JSON decodes the JSON body into v. An empty body or one that is not
// JSON is a 400 error, a value of the wrong type a 422 field error (as with
// Bind), a body over the limit 413. It does not validate; use Bind for
// that.
func (q *Request) JSON(v any) error {
	body, err := q.Body()
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return NewHTTPError(http.StatusBadRequest, "request body is empty; expected JSON")
	}
	return q.app.binder.DecodeJSON(body, v)
}

// Form parses an application/x-www-form-urlencoded or multipart/form-data
// body and returns its values (query parameters not included). Other
// content types are a 415 error.
func (q *Request) Form() (url.Values, error) {
	if q.form != nil {
		return q.form, nil
	}
	switch ct := q.ContentType(); ct {
	case "application/x-www-form-urlencoded":
		body, err := q.Body()
		if err != nil {
			return nil, err
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, NewHTTPError(http.StatusBadRequest, "malformed form body").Wrap(err)
		}
		q.form = vals
	case "multipart/form-data":
		// Through Files: the same limits, temp-file handling and cleanup
		// as uploads.
		if _, err := q.Files(); err != nil {
			return nil, err
		}
		if q.form == nil {
			q.form = url.Values(q.r.MultipartForm.Value)
		}
	case "":
		q.form = url.Values{}
	default:
		return nil, NewHTTPError(http.StatusUnsupportedMediaType, "expected a form body, got "+ct)
	}
	return q.form, nil
}

// FormValue returns the first value of the form field name, or "" (also
// when the body is not a form).
func (q *Request) FormValue(name string) string {
	f, err := q.Form()
	if err != nil {
		return ""
	}
	return f.Get(name)
}

// Bind decodes the request into v, a pointer to a struct, and validates
// it. Fields tagged path, query, header or cookie are read from there; the
// other fields form the body, decoded by their json names from JSON
// (application/json, */*+json) or by form/json names from a form body, or
// from the query string when the request has no body. A default tag gives
// a value for an absent input. A body that is not JSON is 400, an
// unsupported content type 415, a body over the limit 413; wrong types and
// failed validate rules are 422 with every failing field.
func (q *Request) Bind(v any) error {
	q.src.q = q
	return q.app.binder.Bind(&q.src, v)
}

// bindSource presents a Request to the binder without allocating.
type bindSource struct{ q *Request }

func (s *bindSource) PathValue(name string) (string, bool) { return s.q.lookupParam(name) }
func (s *bindSource) QueryValues() url.Values              { return s.q.QueryParams() }
func (s *bindSource) HeaderValues() http.Header            { return s.q.r.Header }
func (s *bindSource) ContentType() string                  { return s.q.ContentType() }
func (s *bindSource) Body() ([]byte, error)                { return s.q.Body() }
func (s *bindSource) FormValues() (url.Values, error)      { return s.q.Form() }
func (s *bindSource) CookieValue(name string) (string, bool) {
	c, err := s.q.r.Cookie(name)
	if err != nil {
		return "", false
	}
	return c.Value, true
}
