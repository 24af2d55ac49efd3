// Package docsui serves interactive API documentation pages for the
// openapi package: Swagger UI (github.com/swaggest/swgui) and ReDoc
// (2.5.4, embedded). Both are embedded in the binary, so they work
// offline, and each page sends its own Content-Security-Policy allowing
// exactly its scripts, so they work under the secure middleware's strict
// policy too.
//
// The pages weigh about 4.5 MB of assets: they live in this package so
// that an app that only serves its OpenAPI document (or serves it in
// production without pages) does not carry them. Pass them to the openapi
// package:
//
//	openapi.Register(app, openapi.Config{
//		UI: []openapi.UI{docsui.SwaggerUI(""), docsui.ReDoc("")}, // /docs and /redoc
//	})
package docsui

import (
	"errors"
	"strings"

	"github.com/nexios-go/nexios"
)

// Page is a documentation page: a value of openapi.UI.
type Page struct {
	path  string
	mount func(app *nexios.App, path, specURL, title string) error
}

// Path returns the path the page is served at.
func (p Page) Path() string { return p.path }

// Mount registers the page's routes on app: the page at its path, reading
// the JSON document at specURL, titled after title. openapi.Register
// calls it; a route that conflicts with an existing one panics with a
// *nexios.RouteError, as registering it by hand would.
func (p Page) Mount(app *nexios.App, specURL, title string) error {
	if p.mount == nil {
		return errors.New("docsui: zero Page: use SwaggerUI or ReDoc")
	}
	return p.mount(app, p.path, specURL, title)
}

// cleanPath applies a page's default path and drops a trailing slash.
func cleanPath(path, def string) string {
	if path == "" {
		path = def
	}
	if path != "/" {
		path = strings.TrimSuffix(path, "/")
	}
	return path
}

// checkPath reports a page path that cannot work.
func checkPath(path string) error {
	if !strings.HasPrefix(path, "/") {
		return errors.New("docsui: path " + path + " must start with /")
	}
	if path == "/" {
		return errors.New("docsui: a page cannot be served at /: its assets are served below its path")
	}
	return nil
}
