package openapitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/testclient"
)

// TB is the part of testing.TB the helpers use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Client returns a test client for app that checks every request it sends
// and every response it gets against app's own document: the one
// openapi.Register serves (its configuration), else the document of the
// zero openapi.Config. See the package documentation for what is
// reported. Requests to undocumented paths and WebSocket upgrades pass
// unchecked.
func Client(t TB, app *nexios.App, opts ...testclient.Option) *testclient.Client {
	t.Helper()
	cfg, _ := openapi.Registered(app)
	doc, err := openapi.Build(app, cfg)
	if err != nil {
		t.Fatalf("openapitest: %v", err)
	}
	return ClientFor(t, app, doc, opts...)
}

// ClientFor is Client for any handler, checked against the given
// document (JSON or YAML, OpenAPI 3.0 or 3.1).
func ClientFor(t TB, h http.Handler, doc []byte, opts ...testclient.Option) *testclient.Client {
	t.Helper()
	v, err := newValidator(doc)
	if err != nil {
		t.Fatalf("openapitest: %v", err)
	}
	return testclient.New(&checked{t: t, next: h, v: v}, opts...)
}

// validator holds the loaded document and its router.
type validator struct {
	doc    *openapi3.T
	raw    map[string]any
	router routers.Router
}

func newValidator(b []byte) (*validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("loading the document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("invalid document: %w", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		raw = nil // YAML: the field-error check needs JSON
	}
	doc.Servers = nil // match paths as they are, whatever the servers say
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &validator{doc: doc, raw: raw, router: r}, nil
}

// checked is the handler the client sends to: it checks each exchange
// around the app.
type checked struct {
	t    TB
	next http.Handler
	v    *validator
	mu   sync.Mutex
}

func (c *checked) report(r *http.Request, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Errorf("openapitest: %s %s: "+format, append([]any{r.Method, r.URL.RequestURI()}, args...)...)
}

func (c *checked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, err := c.v.router.FindRoute(r)
	if err != nil || strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		c.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		c.next.ServeHTTP(w, r)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	vr := r.Clone(context.WithoutCancel(r.Context()))
	vr.Body = io.NopCloser(bytes.NewReader(body))
	opts := &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SkipSettingDefaults: true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(formats())}}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)

	rec := &tee{ResponseWriter: w, status: http.StatusOK}
	c.next.ServeHTTP(rec, r)

	status := rec.status
	switch {
	case reqErr == nil && status == http.StatusUnprocessableEntity:
		c.report(r, "the document accepts this request, but the server rejected it as invalid (422): %s", bytes.TrimSpace(rec.buf.Bytes()))
	case reqErr != nil && status >= 200 && status < 300 && !securityOnly(reqErr):
		c.report(r, "the server accepted (%d) a request the document forbids: %v", status, reqErr)
	}
	ct, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if r.Method == http.MethodHead || ct == "text/event-stream" || rec.overflow {
		return
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: rec.Header(), Options: opts}
	rin.SetBodyBytes(rec.buf.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		c.report(r, "the response (%d %s) breaks the document: %v\n%.500s", status, ct, err, rec.buf.Bytes())
	}
	if ct == "application/json" || strings.HasSuffix(ct, "+json") {
		var v any
		if json.Unmarshal(rec.buf.Bytes(), &v) == nil {
			c.checkFieldErrors(r, route, v)
			if schema := c.v.responseSchema(route, status, ct); schema != nil {
				c.checkAlwaysSent(r, schema, v, "")
			}
		}
	}
}

// securityOnly reports whether a request's only faults are missing
// credentials, which the server's own tests send on purpose.
func securityOnly(err error) bool {
	var se *openapi3filter.SecurityRequirementsError
	return errors.As(err, &se)
}

// tee passes the response through (streaming included) and keeps a copy
// of up to 4 MiB for the checks.
type tee struct {
	http.ResponseWriter
	status   int
	wrote    bool
	buf      bytes.Buffer
	overflow bool
}

const teeLimit = 4 << 20

func (t *tee) WriteHeader(code int) {
	if !t.wrote {
		t.status, t.wrote = code, code >= 200
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *tee) Write(p []byte) (int, error) {
	t.wrote = true
	if t.buf.Len()+len(p) <= teeLimit {
		t.buf.Write(p)
	} else {
		t.overflow = true
	}
	return t.ResponseWriter.Write(p)
}

func (t *tee) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (t *tee) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := t.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, http.ErrNotSupported
}

// Unwrap lets http.ResponseController reach the writer.
func (t *tee) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// checkFieldErrors reports field errors ("errors": [{location, field}])
// that name no documented input: a client could not map them back to
// what it sent.
func (c *checked) checkFieldErrors(r *http.Request, route *routers.Route, v any) {
	obj, _ := v.(map[string]any)
	list, _ := obj["errors"].([]any)
	if len(list) == 0 || route.Operation == nil {
		return
	}
	for _, e := range list {
		fe, _ := e.(map[string]any)
		loc, _ := fe["location"].(string)
		field, _ := fe["field"].(string)
		if loc == "" || field == "" {
			continue
		}
		top := field
		if i := strings.IndexAny(top, ".["); i >= 0 {
			top = top[:i]
		}
		if !c.v.documented(route, loc, top) {
			c.report(r, "the field error {location: %q, field: %q} names no documented input", loc, field)
		}
	}
}

// documented reports whether an input named name is documented at loc:
// a parameter, or (body, form) a property of the request body.
func (v *validator) documented(route *routers.Route, loc, name string) bool {
	op := route.Operation
	params := slices.Clone(op.Parameters)
	if route.PathItem != nil {
		params = append(params, route.PathItem.Parameters...)
	}
	for _, p := range params {
		if p.Value != nil && p.Value.In == loc && p.Value.Name == name {
			return true
		}
	}
	if loc != "body" && loc != "form" && loc != "query" {
		return false
	}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return false
	}
	for _, mt := range op.RequestBody.Value.Content {
		if mt.Schema != nil && mt.Schema.Value != nil {
			if _, ok := mt.Schema.Value.Properties[name]; ok {
				return true
			}
		}
	}
	return false
}

// responseSchema returns the schema documented for a response.
func (v *validator) responseSchema(route *routers.Route, status int, ct string) *openapi3.Schema {
	if route.Operation == nil || route.Operation.Responses == nil {
		return nil
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get(ct)
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// checkAlwaysSent reports properties a response sends with their zero
// value ("", 0, false) although the schema does not require them: the
// encoder only writes a zero value for a field without omitempty, which
// it always writes, so the schema must list it as required (else
// generated clients make it optional). Nullable properties are left
// alone: they are pointers, which huma's rule does not require.
func (c *checked) checkAlwaysSent(r *http.Request, s *openapi3.Schema, v any, path string) {
	if s == nil {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			ref := s.Properties[k]
			if ref == nil || ref.Value == nil {
				continue
			}
			p := ref.Value
			if zeroValue(e) && !slices.Contains(s.Required, k) && !nullableSchema(p) {
				c.report(r, "the response property %s is sent with its zero value (%v) but is not required: a field the server always sends must be required", join(path, k), e)
			}
			c.checkAlwaysSent(r, p, e, join(path, k))
		}
	case []any:
		if s.Items == nil {
			return
		}
		for i, e := range x {
			c.checkAlwaysSent(r, s.Items.Value, e, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func zeroValue(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	}
	return false
}

func nullableSchema(s *openapi3.Schema) bool {
	return s.Nullable || (s.Type != nil && s.Type.Includes("null"))
}
