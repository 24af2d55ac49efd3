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

	"github.com/nexios-go/nexios/bind"
)

// limitedBody is a pooled stand-in for http.MaxBytesReader over the
// request body. Its limit is the request's body limit (BodyLimit), found
// at the first read, once routing has chosen the route whose override may
// apply: whatever reads the body (Body, JSON, Bind, Form, uploads or
// Raw().Body) obeys the one setting. A body declared larger than the limit
// fails at the first read without reading anything (so a client waiting on
// Expect: 100-continue is never told to send it), and one that grows past
// the limit fails there with *http.MaxBytesError (rendered 413); both ask
// for the connection to be closed.
type limitedBody struct {
	rc       io.ReadCloser
	q        *Request
	n        int64 // bytes left; meaningful once resolved
	limit    int64 // <= 0: no limit
	resolved bool
	err      error
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if !l.resolved {
		l.resolved = true
		l.limit = l.q.BodyLimit()
		l.n = l.limit
		if l.limit > 0 && l.q.r.ContentLength > l.limit {
			l.fail()
		}
	}
	if l.err != nil {
		return 0, l.err
	}
	if l.limit <= 0 {
		return l.rc.Read(p)
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
	l.fail()
	return n, l.err
}

func (l *limitedBody) fail() {
	l.err = &http.MaxBytesError{Limit: l.limit}
	if res := l.q.res; !res.Committed() {
		// The rest of the body is not read: the connection cannot be reused.
		res.Header().Set("Connection", "close")
	}
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// bodyLimitKey holds a route's body limit (BodyLimit).
var bodyLimitKey = NewKey[int64]("body-limit")

// BodyLimit returns a route option that sets the largest request body the
// route accepts, in bytes, overriding Config.MaxBodyBytes (negative: no
// limit). Give it to RouterDefaults to set it for a whole router. It is
// the one body-size setting: Body, JSON, Bind, Form, uploads, the
// bodylimit middleware and direct reads of Raw().Body all obey it.
//
//	app.Post("/videos", upload, nexios.BodyLimit(2<<30))
func BodyLimit(n int64) RouteOption { return bodyLimitKey.With(n) }

// BodyLimit returns the request's body limit in bytes: the route's
// BodyLimit, else Config.MaxBodyBytes; 0 or less means no limit.
func (q *Request) BodyLimit() int64 {
	if n, ok := bodyLimitKey.Route(q.route); ok {
		return n
	}
	return q.app.cfg.MaxBodyBytes
}

// bodyChunk is the largest buffer allocated before any byte arrives: a
// client that declares a large Content-Length and sends nothing must not
// make the server reserve the declared size.
const bodyChunk = 32 << 10

// Body returns the whole request body, read once and cached. A body over
// the limit is a 413 error. Memory grows with the bytes received, never
// with the length a client declares.
func (q *Request) Body() ([]byte, error) {
	if q.bodyRead {
		return q.body, q.bodyErr
	}
	q.bodyRead = true
	if q.r.Body == nil || q.r.Body == http.NoBody {
		return nil, nil
	}
	var err error
	if cl := q.r.ContentLength; cl > 0 && cl <= bodyChunk {
		// A small known length: read into an exact buffer.
		q.body = make([]byte, cl)
		var n int
		n, err = io.ReadFull(q.r.Body, q.body)
		q.body = q.body[:n]
	} else {
		q.body, err = io.ReadAll(q.r.Body)
	}
	if err != nil {
		q.bodyErr = bodyReadError(err)
	}
	return q.body, q.bodyErr
}

// bodyReadError maps an error reading the body to a 413 (over the limit)
// or 400 *HTTPError.
func bodyReadError(err error) error {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body exceeds the limit of %d bytes", mbe.Limit)).Wrap(err)
	}
	return NewHTTPError(http.StatusBadRequest, "reading the request body failed").Wrap(err)
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
	return requestError(q.app.binder.DecodeJSON(body, v))
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
	return requestError(q.app.binder.Bind(&q.src, v))
}

// requestError turns the binder's unreadable-input error (400, 413, 415)
// into an *HTTPError, so that one HandleError[*HTTPError] handler sees
// every client error the framework produces besides validation failures.
func requestError(err error) error {
	if re, ok := errors.AsType[*bind.RequestError](err); ok {
		return &HTTPError{Status: re.Status, Detail: re.Msg, Err: err}
	}
	return err
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
