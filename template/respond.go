package template

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/nexios-go/nexios"
)

// engineKey holds the app's engine, installed with Use.
var engineKey = nexios.NewKey[*Engine]("template.engine")

// ErrNotInstalled is returned by Render when no engine was installed on
// the app with Use.
var ErrNotInstalled = errors.New("template: no engine installed; call template.Use(app, engine)")

// Use installs e as the app's template engine, used by Render. It may be
// called at any time, for instance from a start-up hook.
//
//	engine, err := template.New(template.Config{Dir: "templates", Reload: debug})
//	if err != nil {
//		return err
//	}
//	template.Use(app, engine)
func Use(app *nexios.App, e *Engine) { engineKey.SetApp(app, e) }

// From returns the engine installed on the app with Use, or nil.
func From(app *nexios.App) *Engine {
	e, _ := engineKey.App(app)
	return e
}

// Render renders the template name with data through the app's engine
// (see Use) and sends it; see Engine.Respond.
//
//	return template.Render(res, "pages/home.html", map[string]any{"title": "Home"})
func Render(res *nexios.Response, name string, data any) error {
	e := From(res.Request().App())
	if e == nil {
		return ErrNotInstalled
	}
	return e.Respond(res, name, data)
}

// buffers holds render buffers: a page is rendered in full before it is
// sent, so a template error still gets a clean error response.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for reuse, so that one huge page
// does not pin its memory.
const maxPooled = 64 << 10

// Respond renders the template name with data, the globals and the
// context processors' values for the response's request, and sends it
// with the status set by res.Status (default 200) as text/html;
// charset=utf-8, unless a Content-Type header was set. The template is
// rendered in full before anything is sent, so a template error becomes a
// clean 500: with the engine's message (template name and line) when the
// app's Config.Debug is on, a plain 500 otherwise.
func (e *Engine) Respond(res *nexios.Response, name string, data any) error {
	if res.Committed() {
		return nexios.ErrResponseCommitted
	}
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooled {
			buffers.Put(buf)
		}
	}()
	if err := e.render(res.Request(), buf, name, data); err != nil {
		return fmt.Errorf("template: rendering %q: %w", name, err)
	}
	ct := res.Header().Get("Content-Type")
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	return res.Bytes(ct, buf.Bytes())
}
