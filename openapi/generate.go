package openapi

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/bind"
	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go/openapi31"
)

// generator builds one document.
type generator struct {
	app       *nexios.App
	cfg       Config
	r         *openapi31.Reflector
	names     map[defKey]string
	taken     map[string]defKey
	reflected map[string]*jsonschema.Schema // components, as reflected
	binder    *bind.Binder                  // with the app's validator, for Describe
	errSchema map[string]any                // the schema of every error response
	errMedia  string
	err       error
}

// operation is one method of one route.
type operation struct {
	rt     *nexios.Route
	method string
	path   string // OpenAPI path: {id} without converters
	id     string
	op     openapi31.Operation
}

func (g *generator) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

// Document generates the OpenAPI 3.1 document of app's routes. Routes
// excluded with nexios.ExcludeFromSchema and mounted http.Handlers are
// left out. Generation is deterministic: the same app gives the same
// document, operationIds included.
func Document(app *nexios.App, cfg Config) (*openapi31.Spec, error) {
	if app == nil {
		return nil, errNoApp
	}
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	g := &generator{app: app, cfg: cfg, r: openapi31.NewReflector(), names: map[defKey]string{},
		taken: map[string]defKey{}, reflected: map[string]*jsonschema.Schema{},
		binder: bind.New(bind.Options{Validator: app.Validator()})}
	g.setupReflector()
	if err := g.build(); err != nil {
		return nil, err
	}
	return g.r.Spec, nil
}

// build documents every operation: first the responses of all of them,
// then their inputs, so that a struct used in both directions keeps its
// plain name for the response (see defName); then the request and
// response variants of a struct that came out identical are merged.
func (g *generator) build() error {
	spec := g.r.SpecEns()
	g.info()
	ops, err := g.operations()
	if err != nil {
		return err
	}
	for _, op := range ops {
		if err := g.outputs(op); err != nil {
			return fmt.Errorf("openapi: %s %s: %w", op.method, op.rt.Pattern(), err)
		}
	}
	for _, op := range ops {
		if err := g.inputs(op); err != nil {
			return fmt.Errorf("openapi: %s %s: %w", op.method, op.rt.Pattern(), err)
		}
	}
	g.mergeVariants(ops)
	var used []string
	for _, t := range g.cfg.Tags {
		used = append(used, t.Name)
	}
	for _, op := range ops {
		if err := spec.AddOperation(op.method, op.path, op.op); err != nil {
			return fmt.Errorf("openapi: %s %s: %w", op.method, op.rt.Pattern(), err)
		}
		for _, t := range op.rt.Tags() {
			if !slices.Contains(used, t) {
				used = append(used, t)
				spec.Tags = append(spec.Tags, openapi31.Tag{Name: t})
			}
		}
	}
	return g.err
}

// errorContent is the content of an error response: Config.ErrorSchema,
// or nexios.Problem, reflected at its first use (a document without
// operations has no unused component).
func (g *generator) errorContent() (map[string]openapi31.MediaType, error) {
	if g.errSchema == nil {
		if err := g.errorSchema(); err != nil {
			return nil, err
		}
	}
	return map[string]openapi31.MediaType{g.errMedia: {Schema: g.errSchema}}, nil
}

// errorSchema reflects the schema of error responses.
func (g *generator) errorSchema() error {
	v, media := g.cfg.ErrorSchema, g.cfg.ErrorMediaType
	if v == nil {
		v = nexios.Problem{}
		if media == "" {
			media = "application/problem+json"
		}
	}
	if media == "" {
		media = "application/json"
	}
	schema, _, err := g.reflectSchema(v, withMode(reflectMode{out: true}))
	if err != nil {
		return fmt.Errorf("openapi: ErrorSchema: %w", err)
	}
	g.errSchema, g.errMedia = schema, media
	return nil
}

// info fills the info object, servers, tags, security schemes and the
// default security.
func (g *generator) info() {
	spec, ac, cfg := g.r.Spec, g.app.Config(), g.cfg
	spec.Info.Title = firstNonEmpty(cfg.Title, ac.Title, "Nexios API")
	spec.Info.Version = firstNonEmpty(cfg.Version, ac.Version, "1.0.0")
	if d := firstNonEmpty(cfg.Description, ac.Description); d != "" {
		spec.Info.WithDescription(d)
	}
	servers := cfg.Servers
	if len(servers) == 0 {
		// Relative to the document: clients call the host that served it.
		servers = []Server{{URL: "/"}}
	}
	for _, s := range servers {
		srv := openapi31.Server{URL: s.URL}
		if s.Description != "" {
			srv.WithDescription(s.Description)
		}
		spec.Servers = append(spec.Servers, srv)
	}
	for _, t := range cfg.Tags {
		tag := openapi31.Tag{Name: t.Name}
		if t.Description != "" {
			tag.WithDescription(t.Description)
		}
		spec.Tags = append(spec.Tags, tag)
	}
	for name, s := range cfg.SecuritySchemes {
		ss := &openapi31.SecurityScheme{}
		if s.Description != "" {
			ss.WithDescription(s.Description)
		}
		switch {
		case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
			b := openapi31.SecuritySchemeHTTPBearer{Scheme: "bearer"}
			if s.BearerFormat != "" {
				b.WithBearerFormat(s.BearerFormat)
			}
			ss.WithHTTPBearer(b)
		case s.Type == "http":
			ss.WithHTTP(openapi31.SecuritySchemeHTTP{Scheme: s.Scheme})
		case s.Type == "apiKey":
			ss.WithAPIKey(openapi31.SecuritySchemeAPIKey{Name: s.Name, In: openapi31.SecuritySchemeAPIKeyIn(s.In)})
		case s.Type == "openIdConnect":
			ss.WithOidc(openapi31.SecuritySchemeOidc{OpenIDConnectURL: s.OpenIDConnectURL})
		}
		spec.ComponentsEns().WithSecuritySchemesItem(name, openapi31.SecuritySchemeOrReference{SecurityScheme: ss})
	}
	if len(cfg.DefaultSecurity) > 0 {
		spec.WithSecurity(cfg.DefaultSecurity...)
	} else {
		// Say that the API needs no credentials by default, rather than
		// leaving it unsaid (linters ask for one or the other). Security
		// omits an empty list when marshalled, so it goes in through the
		// union map, which is merged in.
		spec.WithMapOfAnythingItem("security", []map[string][]string{})
	}
}

// methods OpenAPI can describe.
var documentable = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}

// operations lists the documented operations with their operationIds:
// explicit ones first (they must be unique), then ids derived from the
// route name or method and path, made unique with a _2, _3… suffix in
// registration order.
func (g *generator) operations() ([]*operation, error) {
	var ops []*operation
	seen := map[string]string{}
	for _, rt := range g.app.Routes() {
		if rt.IsMount() || rt.Doc().Exclude {
			continue
		}
		for _, m := range rt.Methods() {
			if !slices.Contains(documentable, m) {
				continue
			}
			op := &operation{rt: rt, method: m, path: openAPIPath(rt.Pattern())}
			key := m + " " + op.path
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("openapi: %s %s and %s %s are the same OpenAPI operation %s; exclude one with nexios.ExcludeFromSchema()", m, prev, m, rt.Pattern(), key)
			}
			seen[key] = rt.Pattern()
			ops = append(ops, op)
		}
	}
	used := map[string]*operation{}
	for _, op := range ops {
		if id := op.rt.Doc().OperationID; id != "" {
			if prev, dup := used[id]; dup {
				return nil, fmt.Errorf("openapi: operationId %q is used by %s %s and %s %s", id, prev.method, prev.rt.Pattern(), op.method, op.rt.Pattern())
			}
			op.id, used[id] = id, op
		}
	}
	for _, op := range ops {
		if op.id != "" {
			continue
		}
		base := derivedID(op.rt, op.method, op.path)
		id := base
		for n := 2; used[id] != nil; n++ {
			id = base + "_" + strconv.Itoa(n)
		}
		op.id, used[id] = id, op
	}
	return ops, nil
}

var (
	converterSuffix = regexp.MustCompile(`\{([^}:]+):[^}]*\}`)
	nonIdent        = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// openAPIPath strips converters from a pattern: /users/{id:int} →
// /users/{id}.
func openAPIPath(pattern string) string {
	return converterSuffix.ReplaceAllString(pattern, "{$1}")
}

// derivedID is the operationId of a route without an explicit one: its
// name with dots as underscores ("v1.get_user" → "v1_get_user", plus the
// method for a route with several), else the method and path
// ("get_api_v1_users_id").
func derivedID(rt *nexios.Route, method, path string) string {
	m := strings.ToLower(method)
	if n := rt.Name(); n != "" {
		id := strings.ReplaceAll(n, ".", "_")
		if len(rt.Methods()) > 1 {
			id += "_" + m
		}
		return id
	}
	p := strings.Trim(nonIdent.ReplaceAllString(path, "_"), "_")
	if p == "" {
		p = "root"
	}
	return m + "_" + strings.ToLower(p)
}

// outputs documents an operation's metadata, security and responses.
func (g *generator) outputs(op *operation) error {
	rt, doc, o := op.rt, op.rt.Doc(), &op.op
	o.ID = ptr(op.id)
	o.Summary = ptr(summary(rt, op.method, op.path))
	if doc.Description != "" {
		o.Description = ptr(doc.Description)
	}
	if tags := rt.Tags(); len(tags) > 0 {
		o.Tags = tags
	}
	if doc.Deprecated {
		o.Deprecated = ptr(true)
	}
	secured, err := g.security(o, doc)
	if err != nil {
		return err
	}
	binds := doc.Input != nil || doc.Body != nil
	return g.responses(o, rt, doc, binds, secured)
}

// inputs documents an operation's parameters and request body from the
// description binding uses (bind.Describe).
func (g *generator) inputs(op *operation) error {
	doc := op.rt.Doc()
	input, body := structType(doc.Input), doc.Body
	if input == nil && doc.Input != nil && body == nil {
		body = doc.Input // a non-struct input can only be a body
	}
	fields := g.binder.Describe(input)
	var err error
	if op.op.Parameters, err = g.parameters(op.rt, op.method, input, fields); err != nil {
		return err
	}
	op.op.RequestBody, err = g.requestBody(op.method, input, body, fields)
	return err
}

// summary is the route's summary, or one derived from its name
// ("list_users" → "List users") or its method and path, so that every
// operation has one.
func summary(rt *nexios.Route, method, path string) string {
	if s := rt.Doc().Summary; s != "" {
		return s
	}
	if n := rt.Name(); n != "" {
		if i := strings.LastIndexByte(n, '.'); i >= 0 {
			n = n[i+1:]
		}
		words := strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(n))
		if len(words) > 0 {
			words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
			s := strings.Join(words, " ")
			if len(rt.Methods()) > 1 {
				s += " (" + method + ")"
			}
			return s
		}
	}
	return method + " " + path
}

// security sets the operation's requirements and reports whether it
// needs credentials.
func (g *generator) security(o *openapi31.Operation, doc nexios.RouteDoc) (bool, error) {
	eff := g.cfg.DefaultSecurity
	switch {
	case doc.Security == nil && doc.Authenticated:
		// Declared by the option that enforces it (auth.Required): the
		// API's schemes, with the route's scopes.
		if reqs := g.authRequirements(doc.Scopes); len(reqs) > 0 {
			eff = reqs
			o.Security = reqs
		}
		return true, nil
	case doc.Security == nil:
	case len(doc.Security) == 0:
		eff = nil
		if len(g.cfg.DefaultSecurity) > 0 {
			// An explicit empty list overrides the document's default.
			// Operation.Security omits an empty slice when marshalled,
			// so it goes in through the union map, which is merged in.
			o.WithMapOfAnythingItem("security", []map[string][]string{})
		}
	default:
		if err := g.cfg.checkSecurity(doc.Security, "nexios.Security"); err != nil {
			return false, err
		}
		eff = doc.Security
		o.Security = doc.Security
	}
	for _, req := range eff {
		if len(req) == 0 {
			return false, nil // {} is an anonymous alternative
		}
	}
	return len(eff) > 0, nil
}

// authRequirements lists the requirements of a route that rejects
// anonymous requests: the default security's alternatives (anonymous ones
// dropped), or one per declared scheme, each with scopes.
func (g *generator) authRequirements(scopes []string) []map[string][]string {
	if scopes == nil {
		scopes = []string{}
	}
	var out []map[string][]string
	for _, alt := range g.cfg.DefaultSecurity {
		if len(alt) == 0 {
			continue
		}
		req := make(map[string][]string, len(alt))
		for name := range alt {
			req[name] = scopes
		}
		out = append(out, req)
	}
	if len(out) == 0 {
		for _, name := range slices.Sorted(maps.Keys(g.cfg.SecuritySchemes)) {
			out = append(out, map[string][]string{name: scopes})
		}
	}
	return out
}

var (
	bytesType    = reflect.TypeFor[[]byte]()
	fileBodyType = reflect.TypeFor[fileBody]()
)

// fileBody marks a file response: {type: string, format: binary} under
// its media type.
type fileBody struct{}

// response is one documented status.
type response struct {
	status int
	desc   string
	typ    reflect.Type
	media  string // the body's media type when not JSON
	err    bool   // an error response: the error schema
}

// responses documents the success response (the route's success status,
// or for a plain handler its first documented 2xx, default 200, with
// doc.Output; 204 and 304 have no body), the route's other responses, a
// 422 for routes that bind input, a 401 for secured routes and a default
// response for any other error. Error responses without a type of their
// own have the error schema (Config.ErrorSchema).
func (g *generator) responses(o *openapi31.Operation, rt *nexios.Route, doc nexios.RouteDoc, binds, secured bool) error {
	status := rt.SuccessStatus()
	if status == 0 {
		status = http.StatusOK
		for _, rd := range doc.Responses {
			if rd.Status >= 200 && rd.Status < 300 {
				status = rd.Status
				break
			}
		}
	}
	list := []*response{{status: status, typ: doc.Output}}
	find := func(s int) *response {
		for _, r := range list {
			if r.status == s {
				return r
			}
		}
		return nil
	}
	for _, rd := range doc.Responses {
		r := find(rd.Status)
		if r == nil {
			r = &response{status: rd.Status}
			list = append(list, r)
		}
		if rd.Description != "" {
			r.desc = rd.Description
		}
		if rd.Type != nil {
			r.typ = rd.Type
		}
		if rd.MediaType != "" {
			r.media = rd.MediaType
			if rd.Type == bytesType {
				r.typ = fileBodyType // raw bytes, not base64 JSON
			}
		}
	}
	for _, r := range list {
		r.err = r.status >= 400 && r.typ == nil
	}
	if binds && find(http.StatusUnprocessableEntity) == nil {
		list = append(list, &response{status: http.StatusUnprocessableEntity, desc: "Invalid input: every failing field is listed in errors.", err: true})
	}
	if secured && find(http.StatusUnauthorized) == nil {
		list = append(list, &response{status: http.StatusUnauthorized, desc: "Missing or invalid credentials.", err: true})
	}
	if len(doc.Scopes) > 0 && find(http.StatusForbidden) == nil {
		list = append(list, &response{status: http.StatusForbidden, desc: "The credentials lack a required scope.", err: true})
	}
	errContent, err := g.errorContent()
	if err != nil {
		return err
	}
	resps := &openapi31.Responses{MapOfResponseOrReferenceValues: map[string]openapi31.ResponseOrReference{}}
	for i, r := range list {
		resp := openapi31.Response{Description: firstNonEmpty(r.desc, http.StatusText(r.status), "Response")}
		switch {
		case r.err:
			resp.Content = errContent
		case r.typ == fileBodyType:
			resp.Content = map[string]openapi31.MediaType{r.media: {Schema: map[string]any{"type": "string", "format": "binary"}}}
		case r.typ != nil && r.status >= 200 && r.status != http.StatusNoContent && r.status != http.StatusNotModified:
			schema, _, err := g.reflectSchema(reflect.Zero(deref(r.typ)).Interface(), withMode(reflectMode{out: true}))
			if err != nil {
				return fmt.Errorf("response %d: %w", r.status, err)
			}
			media := "application/json"
			if r.media != "" {
				media = r.media
			}
			resp.Content = map[string]openapi31.MediaType{media: {Schema: schema}}
		}
		if i == 0 && r.typ != nil {
			for _, h := range nexios.OutputHeaders(deref(r.typ)) {
				if resp.Headers == nil {
					resp.Headers = map[string]openapi31.HeaderOrReference{}
				}
				resp.Headers[h] = openapi31.HeaderOrReference{Header: &openapi31.Header{Schema: map[string]any{"type": "string"}}}
			}
		}
		resps.MapOfResponseOrReferenceValues[strconv.Itoa(r.status)] = openapi31.ResponseOrReference{Response: &resp}
	}
	resps.Default = &openapi31.ResponseOrReference{Response: &openapi31.Response{
		Description: "Any other error.",
		Content:     errContent,
	}}
	o.Responses = resps
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// errNoApp is returned for a nil app.
var errNoApp = errors.New("openapi: nil app")
