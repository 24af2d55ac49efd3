package nexios

import (
	"errors"
	"fmt"
	"io"
)

// TemplateRenderer renders named templates for Response.Render. The
// template package's *Engine is one; any other engine can be adapted with
// a few lines. req gives engines access to per-request values (the user, a
// CSRF token) for their context processors.
type TemplateRenderer interface {
	RenderTemplate(req *Request, w io.Writer, name string, data any) error
}

// templatesKey is the app State key UseTemplates stores the renderer
// under. State keys are strings; the prefix keeps it clear of user keys.
const templatesKey = "nexios.internal/templates"

// ErrNoTemplates is returned by Response.Render when no TemplateRenderer
// was installed with UseTemplates.
var ErrNoTemplates = errors.New("nexios: no template renderer installed; call nexios.UseTemplates(app, engine)")

// UseTemplates installs t as the app's template renderer, used by
// Response.Render. It is kept in the app's State, so it may be installed
// or replaced at any time, for instance from a Lifespan function.
//
//	engine, err := template.New(template.Config{Dir: "templates", Reload: debug})
//	if err != nil {
//		return err
//	}
//	nexios.UseTemplates(app, engine)
func UseTemplates(app *App, t TemplateRenderer) {
	app.State().Set(templatesKey, t)
}

// Templates returns the renderer installed with UseTemplates, or nil.
func Templates(app *App) TemplateRenderer {
	t, _ := StateValue[TemplateRenderer](app.State(), templatesKey)
	return t
}

// Render renders the template name with data through the app's
// TemplateRenderer and sends it with the status set by Status (default
// 200) as text/html; charset=utf-8, unless a Content-Type header was set.
// The template is rendered in full before anything is sent, so a template
// error becomes a clean 500 response: with the engine's message (template
// name and line) when Config.Debug is on, a plain 500 otherwise.
//
//	return res.Render("pages/home.html", map[string]any{"title": "Home"})
func (r *Response) Render(name string, data any) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	app := r.req.app
	t := Templates(app)
	if t == nil {
		return ErrNoTemplates
	}
	buf := app.getBuffer()
	defer app.putBuffer(buf)
	if err := t.RenderTemplate(r.req, buf, name, data); err != nil {
		return fmt.Errorf("nexios: rendering template %q: %w", name, err)
	}
	ct := ctHTML
	if r.Header().Get("Content-Type") != "" {
		ct = nil // send keeps the type the handler chose
	}
	return r.send(ct, buf.Bytes())
}
