package nexios

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios/internal/tree"
)

// Request is the incoming request: the *http.Request (Raw) plus the matched
// route, its path parameters, parsed query, cached body and per-request
// values. It is pooled: do not keep it after the handler returns.
type Request struct {
	r          *http.Request
	res        *Response
	app        *App
	route      *Route
	params     tree.Params
	handler    HandlerFunc
	redirectTo string
	wrappedErr error // an error rendered inside a WrapMiddleware, on its way up

	query       url.Values
	queryParsed bool
	body        []byte
	bodyRead    bool
	bodyErr     error
	limiter     limitedBody
	form        url.Values
	src         bindSource
	slots       []slot // Key values and dependencies of this request
	cleanups    []func()
	pathValues  bool
}

func (q *Request) init(a *App, r *http.Request) {
	q.app, q.r = a, r
	if r.Body != nil && r.Body != http.NoBody {
		q.limiter = limitedBody{rc: r.Body, q: q}
		r.Body = &q.limiter
	}
}

// release resets the request for the pool. Maps are kept and cleared so
// that the next request reuses their storage.
func (q *Request) release() {
	if len(q.slots) > 0 {
		clear(q.slots) // drop references for the garbage collector
		q.slots = q.slots[:0]
	}
	if q.queryParsed {
		clear(q.query)
		q.queryParsed = false
	}
	q.r, q.app, q.route, q.handler = nil, nil, nil, nil
	q.params.N = 0
	q.redirectTo, q.wrappedErr = "", nil
	if q.bodyRead {
		q.body, q.bodyRead, q.bodyErr = nil, false, nil
	}
	if q.limiter.rc != nil {
		q.limiter = limitedBody{}
	}
	q.form = nil
	q.pathValues = false
}

// Raw returns the underlying *http.Request. Its PathValue method returns
// the route's path parameters and its Pattern field the matched pattern,
// so net/http code works unchanged.
func (q *Request) Raw() *http.Request {
	if !q.pathValues && q.route != nil {
		q.pathValues = true
		for i, p := range q.route.params {
			if i < q.params.N {
				q.r.SetPathValue(p.Name, q.params.Values[i])
			}
		}
	}
	return q.r
}

// RemoteAddr returns the network address of the peer ("ip:port"), without
// the cost of Raw.
func (q *Request) RemoteAddr() string { return q.r.RemoteAddr }

// Host returns the host the request was sent to (the Host header).
func (q *Request) Host() string { return q.r.Host }

// Response returns the response to this request: typed handlers, which
// return their body, set headers and cookies through it.
func (q *Request) Response() *Response { return q.res }

// App returns the application serving the request.
func (q *Request) App() *App { return q.app }

// Context returns the request's context, cancelled when the client goes
// away. Graceful shutdown lets ordinary requests finish; streams (Stream,
// SSE, WebSockets) end at shutdown start — watch App.Draining to stop
// other long work early.
func (q *Request) Context() context.Context { return q.r.Context() }

// WithContext replaces the request's context (as middleware that adds a
// deadline or values does); the chain after it sees the new one.
func (q *Request) WithContext(ctx context.Context) {
	q.r = q.r.WithContext(ctx)
	q.pathValues = false
}

// SetRaw replaces the underlying *http.Request, for middleware that
// derived one (WithContext) and restores the original afterwards.
func (q *Request) SetRaw(r *http.Request) {
	q.r = r
	q.pathValues = false
}

// ContentLength returns the declared body length, or -1 when unknown.
func (q *Request) ContentLength() int64 { return q.r.ContentLength }

// Method returns the request method.
func (q *Request) Method() string { return q.r.Method }

// URL returns the request URL.
func (q *Request) URL() *url.URL { return q.r.URL }

// Route returns the matched route, or nil for unmatched requests.
func (q *Request) Route() *Route { return q.route }

// Pattern returns the matched route's pattern ("/users/{id:int}"), or ""
// when no route matched. Middleware can read it before calling next.
func (q *Request) Pattern() string {
	if q.route == nil {
		return ""
	}
	return q.route.pattern
}

// Path returns the path parameter name (percent-decoded), or "".
func (q *Request) Path(name string) string {
	v, _ := q.lookupParam(name)
	return v
}

func (q *Request) lookupParam(name string) (string, bool) {
	if q.route == nil {
		return "", false
	}
	for i, p := range q.route.params {
		if p.Name == name && i < q.params.N {
			return q.params.Values[i], true
		}
	}
	return "", false
}

// PathParams returns every path parameter by name (allocates a map).
func (q *Request) PathParams() map[string]string {
	m := make(map[string]string, q.params.N)
	if q.route != nil {
		for i, p := range q.route.params {
			if i < q.params.N {
				m[p.Name] = q.params.Values[i]
			}
		}
	}
	return m
}

// PathInt returns the path parameter name as an int. On a route declared
// with {name:int} it cannot fail; elsewhere a bad value is a 400 error.
func (q *Request) PathInt(name string) (int, error) {
	v, ok := q.lookupParam(name)
	if !ok {
		return 0, NewHTTPError(http.StatusInternalServerError, "route has no path parameter "+strconv.Quote(name))
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, NewHTTPError(http.StatusBadRequest, "path parameter "+strconv.Quote(name)+" must be an integer").Wrap(err)
	}
	return n, nil
}

// PathFloat returns the path parameter name as a float64.
func (q *Request) PathFloat(name string) (float64, error) {
	v, ok := q.lookupParam(name)
	if !ok {
		return 0, NewHTTPError(http.StatusInternalServerError, "route has no path parameter "+strconv.Quote(name))
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, NewHTTPError(http.StatusBadRequest, "path parameter "+strconv.Quote(name)+" must be a number").Wrap(err)
	}
	return f, nil
}

// QueryParams returns the parsed query string (parsed once per request).
// Malformed pairs are skipped, as net/http does.
func (q *Request) QueryParams() url.Values {
	if !q.queryParsed {
		q.queryParsed = true
		if q.query == nil {
			q.query = make(url.Values)
		}
		parseQueryInto(q.query, q.r.URL.RawQuery)
	}
	return q.query
}

func parseQueryInto(dst url.Values, raw string) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		dst[k] = append(dst[k], v)
	}
}

// Query returns the first value of the query parameter name, or "".
func (q *Request) Query(name string) string { return q.QueryParams().Get(name) }

// QueryValues returns every value of the query parameter name
// (?tag=a&tag=b).
func (q *Request) QueryValues(name string) []string { return q.QueryParams()[name] }

// QueryDefault returns the query parameter name, or def when it is absent.
// A present but empty parameter (?q=) returns "".
func (q *Request) QueryDefault(name, def string) string {
	if vs, ok := q.QueryParams()[name]; ok && len(vs) > 0 {
		return vs[0]
	}
	return def
}

// QueryInt returns the query parameter name as an int, or def when it is
// absent or empty. A malformed value is a 422 *ValidationError.
func (q *Request) QueryInt(name string, def int) (int, error) {
	v := q.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, queryTypeError(name, "must be an integer")
	}
	return n, nil
}

// QueryFloat returns the query parameter name as a float64, or def.
func (q *Request) QueryFloat(name string, def float64) (float64, error) {
	v := q.Query(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return def, queryTypeError(name, "must be a number")
	}
	return f, nil
}

// QueryBool returns the query parameter name as a bool (1/0, true/false,
// yes/no, on/off), or def.
func (q *Request) QueryBool(name string, def bool) (bool, error) {
	switch strings.ToLower(q.Query(name)) {
	case "":
		return def, nil
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return def, queryTypeError(name, "must be a boolean")
}

func queryTypeError(name, msg string) error {
	return &ValidationError{Errors: []FieldError{{Location: "query", Field: name, Message: msg, Rule: "type"}}}
}

// Header returns the first value of the request header key.
func (q *Request) Header(key string) string { return q.r.Header.Get(key) }

// Headers returns the request headers.
func (q *Request) Headers() http.Header { return q.r.Header }

// Cookie returns the value of the named cookie, or "" when absent.
func (q *Request) Cookie(name string) string {
	c, err := q.r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// Cookies returns every cookie sent with the request.
func (q *Request) Cookies() []*http.Cookie { return q.r.Cookies() }

// ClientIP returns the client's IP address: the host part of the peer
// address. A trusted-proxy middleware that knows better (middleware/proxy)
// rewrites the request's RemoteAddr, so every reader, net/http code
// included, sees the corrected address.
func (q *Request) ClientIP() string {
	host, _, err := net.SplitHostPort(q.r.RemoteAddr)
	if err != nil {
		return q.r.RemoteAddr
	}
	return host
}

// Scheme returns "https" or "http": the request URL's scheme when a
// trusted-proxy middleware set it (server requests otherwise have none),
// else that of the connection.
func (q *Request) Scheme() string {
	switch {
	case q.r.URL.Scheme != "":
		return q.r.URL.Scheme
	case q.r.TLS != nil:
		return "https"
	}
	return "http"
}

// URLFor builds the path of a named route; see App.URLFor.
func (q *Request) URLFor(name string, params map[string]any) (string, error) {
	return q.app.URLFor(name, params)
}
