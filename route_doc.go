package nexios

import (
	"reflect"
	"slices"
)

// RouteDoc is what the API documentation says about a route. Route options
// fill it; the openapi package reads it with Route.Doc.
type RouteDoc struct {
	Summary     string
	Description string
	// OperationID overrides the stable id derived from the route name or
	// method and pattern.
	OperationID string
	Deprecated  bool
	// Exclude hides the route from the generated document.
	Exclude bool
	// Status is the success status of a typed handler (default 200).
	Status int
	// Input is the struct a typed handler binds: fields tagged path,
	// query, header, cookie and form are parameters, the rest (json) the
	// body. Nil when the route declares no input.
	Input reflect.Type
	// Body is the request body type, when not part of Input.
	Body reflect.Type
	// Output is the success response body type.
	Output reflect.Type
	// Responses documents other statuses.
	Responses []ResponseDoc
	// Security lists alternative security requirements: scheme name →
	// scopes. An empty, non-nil list marks a public route on a secured API.
	Security []map[string][]string
}

// ResponseDoc documents one response status of a route.
type ResponseDoc struct {
	Status      int
	Description string
	// Type is the body type, or nil for a response without a body.
	Type reflect.Type
}

// Doc returns the route's documentation.
func (r *Route) Doc() RouteDoc {
	d := r.doc
	d.Responses = slices.Clone(d.Responses)
	d.Security = slices.Clone(d.Security)
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
// create), and the documented success status.
func Status(code int) RouteOption { return func(r *Route) { r.doc.Status = code } }

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
// (use struct{} for none). A 2xx status also sets the success output.
func Returns[T any](status int, description string) RouteOption {
	return func(r *Route) {
		t := reflect.TypeFor[T]()
		if t == reflect.TypeFor[struct{}]() {
			t = nil
		}
		if status >= 200 && status < 300 && r.doc.Output == nil {
			r.doc.Output = t
			if r.doc.Status == 0 {
				r.doc.Status = status
			}
		}
		r.doc.Responses = append(r.doc.Responses, ResponseDoc{Status: status, Description: description, Type: t})
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

// Public marks a route as needing no security on an API whose default
// requires it.
func Public() RouteOption {
	return func(r *Route) { r.doc.Security = []map[string][]string{} }
}
