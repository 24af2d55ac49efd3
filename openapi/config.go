package openapi

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Config configures the generated document and the routes that serve it.
// The zero value serves /openapi.json, /openapi.yaml and
// /openapi-3.0.json with the title, version and description of the app's
// Config; UI adds documentation pages (package docsui).
type Config struct {
	// Path is where the JSON document is served. Default "/openapi.json".
	Path string
	// YAMLPath is where the same document is served as YAML. Default
	// "/openapi.yaml"; "-" turns it off.
	YAMLPath string
	// OpenAPI30Path is where a 3.0.3 version of the document is served,
	// for tools that do not read OpenAPI 3.1 yet (see Downgrade). Default
	// "/openapi-3.0.json"; "-" turns it off.
	OpenAPI30Path string
	// UI lists the documentation pages served with the document, such as
	// docsui.SwaggerUI("") at /docs and docsui.ReDoc("") at /redoc. They
	// live in package docsui so that an app without pages does not carry
	// their assets.
	UI []UI
	// Disabled makes Register a no-op: no document, no pages (for
	// production builds that must not publish their API description).
	Disabled bool

	// Title, Version and Description override the app's Config values
	// in the document's info object.
	Title       string
	Version     string
	Description string

	// Servers lists the base URLs of the API. Without servers, the
	// document lists one, "/": clients use the host that served it.
	Servers []Server
	// ErrorSchema is a value of the type every error response has: the
	// documented 4xx and 5xx statuses without a type of their own, the
	// 422 of routes that bind input, the 401 and 403 of secured routes
	// and the default response. Set it once for an app whose
	// Config.RenderProblem writes its own error format. Default:
	// nexios.Problem, the RFC 9457 document the app writes by default.
	ErrorSchema any
	// ErrorMediaType is the media type of error responses. Default:
	// "application/problem+json" with the default ErrorSchema,
	// "application/json" with another.
	ErrorMediaType string
	// Tags describes the tags that routes use, in display order. Tags
	// used by routes but not listed here are added after these.
	Tags []Tag
	// SecuritySchemes declares the schemes that routes name with
	// nexios.Security, by name ("bearerAuth" → BearerJWT()).
	SecuritySchemes map[string]SecurityScheme
	// DefaultSecurity applies to every route that declares no security
	// of its own: alternatives, each a scheme name → scopes map.
	// nexios.Public() opts a route out.
	DefaultSecurity []map[string][]string
}

// Server is a base URL of the API.
type Server struct {
	URL         string
	Description string
}

// Tag describes a tag that groups operations.
type Tag struct {
	Name        string
	Description string
}

// SecurityScheme describes how clients authenticate: an HTTP
// authentication scheme (bearer, basic), an API key in a header, query
// parameter or cookie, or OpenID Connect. Build one with the constructors
// (BearerJWT, HTTPBasic, APIKeyHeader, …) rather than by hand.
type SecurityScheme struct {
	// Type is "http", "apiKey" or "openIdConnect".
	Type string
	// Description is shown in the documentation (Markdown).
	Description string
	// Scheme is the HTTP authentication scheme ("bearer", "basic") of an
	// "http" scheme.
	Scheme string
	// BearerFormat hints at the token format of a bearer scheme ("JWT").
	BearerFormat string
	// In is where an "apiKey" scheme's key goes: "header", "query" or
	// "cookie".
	In string
	// Name is the header, query parameter or cookie holding the key.
	Name string
	// OpenIDConnectURL is the discovery URL of an "openIdConnect" scheme.
	OpenIDConnectURL string
}

// BearerJWT is an HTTP bearer scheme carrying a JWT in the Authorization
// header.
func BearerJWT() SecurityScheme {
	return SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT"}
}

// HTTPBearer is an HTTP bearer scheme with an opaque token.
func HTTPBearer() SecurityScheme { return SecurityScheme{Type: "http", Scheme: "bearer"} }

// HTTPBasic is HTTP Basic authentication.
func HTTPBasic() SecurityScheme { return SecurityScheme{Type: "http", Scheme: "basic"} }

// APIKeyHeader is an API key sent in the named request header
// ("X-API-Key").
func APIKeyHeader(name string) SecurityScheme {
	return SecurityScheme{Type: "apiKey", In: "header", Name: name}
}

// APIKeyQuery is an API key sent in the named query parameter.
func APIKeyQuery(name string) SecurityScheme {
	return SecurityScheme{Type: "apiKey", In: "query", Name: name}
}

// APIKeyCookie is an API key sent in the named cookie.
func APIKeyCookie(name string) SecurityScheme {
	return SecurityScheme{Type: "apiKey", In: "cookie", Name: name}
}

// CookieAuth is a session cookie (OpenAPI describes it as an API key in a
// cookie).
func CookieAuth(name string) SecurityScheme {
	s := APIKeyCookie(name)
	s.Description = "Session cookie " + name
	return s
}

// OpenIDConnect is an OpenID Connect scheme with its discovery URL.
func OpenIDConnect(url string) SecurityScheme {
	return SecurityScheme{Type: "openIdConnect", OpenIDConnectURL: url}
}

// WithDescription returns s with its description set.
func (s SecurityScheme) WithDescription(d string) SecurityScheme {
	s.Description = d
	return s
}

// withDefaults fills in the paths.
func (c Config) withDefaults() Config {
	if c.Path == "" {
		c.Path = "/openapi.json"
	}
	if c.YAMLPath == "" {
		c.YAMLPath = "/openapi.yaml"
	}
	if c.OpenAPI30Path == "" {
		c.OpenAPI30Path = "/openapi-3.0.json"
	}
	return c
}

// check reports configuration mistakes: bad paths, incomplete security
// schemes, default security naming an undeclared scheme.
func (c Config) check() error {
	var errs []error
	for _, p := range []string{c.Path, c.YAMLPath, c.OpenAPI30Path} {
		if p != "-" && !strings.HasPrefix(p, "/") {
			errs = append(errs, fmt.Errorf("openapi: path %q must start with /", p))
		}
	}
	if c.Path == "-" {
		errs = append(errs, errors.New(`openapi: Path cannot be "-"; set Disabled to turn the document off`))
	}
	names := make([]string, 0, len(c.SecuritySchemes))
	for name := range c.SecuritySchemes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := c.SecuritySchemes[name].check(); err != nil {
			errs = append(errs, fmt.Errorf("openapi: security scheme %q: %w", name, err))
		}
	}
	errs = append(errs, c.checkSecurity(c.DefaultSecurity, "DefaultSecurity"))
	return errors.Join(errs...)
}

// checkSecurity reports requirements naming undeclared schemes.
func (c Config) checkSecurity(reqs []map[string][]string, where string) error {
	var errs []error
	for _, req := range reqs {
		for name := range req {
			if _, ok := c.SecuritySchemes[name]; !ok {
				errs = append(errs, fmt.Errorf("openapi: %s names security scheme %q, which Config.SecuritySchemes does not declare", where, name))
			}
		}
	}
	return errors.Join(errs...)
}

func (s SecurityScheme) check() error {
	switch s.Type {
	case "http":
		if s.Scheme == "" {
			return errors.New(`an "http" scheme needs Scheme ("bearer", "basic")`)
		}
	case "apiKey":
		if s.Name == "" || (s.In != "header" && s.In != "query" && s.In != "cookie") {
			return errors.New(`an "apiKey" scheme needs Name and In ("header", "query" or "cookie")`)
		}
	case "openIdConnect":
		if s.OpenIDConnectURL == "" {
			return errors.New(`an "openIdConnect" scheme needs OpenIDConnectURL`)
		}
	default:
		return fmt.Errorf(`unsupported type %q: use "http", "apiKey" or "openIdConnect"`, s.Type)
	}
	return nil
}
