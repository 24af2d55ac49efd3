package nexios

import (
	"reflect"
	"slices"
)

// RouteDoc is what the API documentation says about a route. Route options
// fill it; the openapi package reads it with Route.Doc. It only documents:
// nothing in it changes what the route does (the success status of a
// typed handler is its Status option or its output, see Typed).
type RouteDoc struct {
	Summary     string
	Description string
	// OperationID overrides the stable id derived from the route name or
	// method and pattern.
	OperationID string
	Deprecated  bool
	// Exclude hides the route from the generated document.
	Exclude bool
	// Input is the struct a typed handler binds: fields tagged path,
	// query, header, cookie and form are parameters, the rest (json) the
	// body. Nil when the route declares no input.
	Input reflect.Type
	// Body is the request body type, when not part of Input.
	Body reflect.Type
	// Output is the success response body type (for a typed handler, its
	// Out; for a plain one, the first 2xx Returns).
	Output reflect.Type
	// Responses documents other statuses.
	Responses []ResponseDoc
	// Security lists alternative security requirements: scheme name →
	// scopes. An empty, non-nil list marks a public route on a secured API.
	Security []map[string][]string
	// Authenticated says the route rejects anonymous requests (set by the
	// route option that enforces it, such as auth.Required), with the
	// scopes it demands; the generator documents it with the API's
	// default security schemes unless Security names others.
	Authenticated bool
	Scopes        []string
}

// ResponseDoc documents one response status of a route.
type ResponseDoc struct {
	Status      int
	Description string
	// Type is the body type, or nil for a response without a body.
	Type reflect.Type
	// MediaType is the body's media type when it is not JSON (a file:
	// see ReturnsFile).
	MediaType string
}

// Doc returns the route's documentation.
func (r *Route) Doc() RouteDoc {
	d := r.doc
	d.Responses = slices.Clone(d.Responses)
	d.Security = slices.Clone(d.Security)
	d.Scopes = slices.Clone(d.Scopes)
	return d
}

// Summary sets the route's one-line summary in the API documentation.
func Summary(s string) RouteOption { return func(r *Route) { r.doc.Summary = s } }

// Description sets the route's description (Markdown).
func Description(s string) RouteOption { return func(r *Route) { r.doc.Description = s } }

// OperationID sets the route's OpenAPI operationId.
func OperationID(id string) RouteOption { return func(r *Route) { r.doc.OperationID = id } }

// Deprecated marks the route deprecated.
func Deprecated() RouteOption { return func(r *Route) { r.doc.Deprecated = true } }

// ExcludeFromSchema hides the route from the API documentation.
func ExcludeFromSchema() RouteOption { return func(r *Route) { r.doc.Exclude = true } }

// Status sets the success status a typed handler answers with (201 for a
// create); the documentation shows the same. For a plain handler, which
// sets its own status, it documents the success status.
func Status(code int) RouteOption { return func(r *Route) { r.status = code } }

// Input declares, for the documentation, the struct a plain handler binds
// (path, query, header, cookie, form and body fields).
func Input[T any]() RouteOption {
	return func(r *Route) { r.doc.Input = reflect.TypeFor[T]() }
}

// RequestBody declares, for the documentation, a plain handler's JSON body.
func RequestBody[T any]() RouteOption {
	return func(r *Route) { r.doc.Body = reflect.TypeFor[T]() }
}

// Returns documents a response: its status, description and body type T
// (use struct{} for none). It only documents: it never changes the status
// a handler answers with. For a plain handler, the first 2xx status it
// documents is the documented success response.
func Returns[T any](status int, description string) RouteOption {
	return func(r *Route) {
		t := reflect.TypeFor[T]()
		if t == reflect.TypeFor[struct{}]() {
			t = nil
		}
		if status >= 200 && status < 300 && r.doc.Output == nil && !r.typed {
			r.doc.Output = t
		}
		r.doc.Responses = append(r.doc.Responses, ResponseDoc{Status: status, Description: description, Type: t})
	}
}

// ReturnsFile documents a response whose body is a file — bytes of
// mediaType ("application/octet-stream", "image/png", "text/csv") — such
// as a download served with Response.File. It only documents.
func ReturnsFile(status int, mediaType, description string) RouteOption {
	return func(r *Route) {
		r.doc.Responses = append(r.doc.Responses, ResponseDoc{Status: status, Description: description,
			Type: reflect.TypeFor[[]byte](), MediaType: mediaType})
	}
}

// Security declares that the route needs the named security scheme (see
// the openapi package's SecuritySchemes), with optional scopes. Repeat it
// for alternatives.
func Security(scheme string, scopes ...string) RouteOption {
	return func(r *Route) {
		if scopes == nil {
			scopes = []string{}
		}
		r.doc.Security = append(r.doc.Security, map[string][]string{scheme: scopes})
	}
}

// Authenticated documents that the route rejects anonymous requests and
// needs scopes. Options that enforce authentication (auth.Required) add
// it, so the requirement is declared once; it does not enforce anything
// itself.
func Authenticated(scopes ...string) RouteOption {
	return func(r *Route) {
		r.doc.Authenticated = true
		r.doc.Scopes = append(r.doc.Scopes, scopes...)
	}
}

// Public marks a route as needing no security on an API whose default
// requires it.
func Public() RouteOption {
	return func(r *Route) { r.doc.Security = []map[string][]string{} }
}
