package nexios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Multipart forms keep up to this much in memory; larger parts spill to
// temporary files that net/http removes after the request.
const multipartMemory = 8 << 20

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
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt
}

// JSON decodes the JSON body into v. An empty or malformed body is a 400
// error, a body over the limit 413. It does not validate; use Bind for
// that.
func (q *Request) JSON(v any) error {
	body, err := q.Body()
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return NewHTTPError(http.StatusBadRequest, "request body is empty; expected JSON")
	}
	if err := q.app.cfg.JSON.Decode(body, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError turns a decoding error into a 400 naming what went wrong.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return NewHTTPError(http.StatusBadRequest, fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)).Wrap(err)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return NewHTTPError(http.StatusBadRequest, fmt.Sprintf("JSON field %q must be %s, not %s", field, te.Type, te.Value)).Wrap(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return NewHTTPError(http.StatusBadRequest, "malformed JSON: unexpected end of input").Wrap(err)
	}
	return NewHTTPError(http.StatusBadRequest, "malformed JSON: "+err.Error()).Wrap(err)
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
		if err := q.r.ParseMultipartForm(multipartMemory); err != nil {
			return nil, multipartError(err)
		}
		q.form = url.Values(q.r.MultipartForm.Value)
	case "":
		q.form = url.Values{}
	default:
		return nil, NewHTTPError(http.StatusUnsupportedMediaType, "expected a form body, got "+ct)
	}
	return q.form, nil
}

func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds the limit of %d bytes", mbe.Limit)).Wrap(err)
	}
	return NewHTTPError(http.StatusBadRequest, "malformed multipart body").Wrap(err)
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

// Bind decodes the request into v (a pointer to a struct) and validates its
// `validate` tags. JSON bodies (application/json, */*+json) decode by json
// tags; form bodies and, for bodiless GET/HEAD/DELETE requests, the query
// string decode by form tags (falling back to json names). A malformed body
// is 400, an unsupported content type 415, failed validation 422.
func (q *Request) Bind(v any) error {
	loc := "body"
	ct := q.ContentType()
	switch {
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		if err := q.JSON(v); err != nil {
			return err
		}
	case ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data":
		vals, err := q.Form()
		if err != nil {
			return err
		}
		if err := q.app.decodeForm(vals, v, "form"); err != nil {
			return err
		}
		loc = "form"
	case !q.hasBody() && (q.r.Method == http.MethodGet || q.r.Method == http.MethodHead || q.r.Method == http.MethodDelete):
		if err := q.app.decodeForm(q.QueryParams(), v, "query"); err != nil {
			return err
		}
		loc = "query"
	case ct == "" && !q.hasBody():
		return NewHTTPError(http.StatusBadRequest, "request body is empty")
	default:
		return NewHTTPError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("unsupported Content-Type %q: send application/json or a form", ct))
	}
	return q.app.Validate(v, loc)
}

func (q *Request) hasBody() bool {
	return q.r.Body != nil && q.r.Body != http.NoBody && q.r.ContentLength != 0
}
