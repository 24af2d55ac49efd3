package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sync"

	"github.com/nexios-go/nexios"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"
)

// Register serves the app's OpenAPI document at cfg.Path, Swagger UI at
// cfg.DocsPath and ReDoc at cfg.RedocPath. These routes are left out of
// the document themselves.
//
// The document is generated at its first request, when every route is
// registered, and cached; a generation error answers 500 (the error is
// logged, and shown when the app runs with Config.Debug). Register
// reports configuration errors and route conflicts at once.
func Register(app *nexios.App, cfg Config) (err error) {
	if app == nil {
		return errNoApp
	}
	if cfg.Disabled {
		return nil
	}
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			re, ok := v.(*nexios.RouteError)
			if !ok {
				panic(v)
			}
			err = fmt.Errorf("openapi: %w", re)
		}
	}()
	h := &docHandler{app: app, cfg: cfg}
	title := firstNonEmpty(cfg.Title, app.Config().Title)
	app.Get(cfg.Path, h.serveJSON, nexios.ExcludeFromSchema())
	if cfg.DocsPath != "-" {
		page := &swaggerPage{ui: v5emb.NewHandlerWithConfig(swgui.Config{
			Title:       title,
			SwaggerJSON: cfg.Path,
			BasePath:    cfg.DocsPath + "/",
			SettingsUI: map[string]string{
				"defaultModelsExpandDepth": "1",
				"persistAuthorization":     "true",
			},
		})}
		app.Get(cfg.DocsPath, page.serve, nexios.ExcludeFromSchema())
		app.Get(cfg.DocsPath+"/{file:path}", page.files, nexios.ExcludeFromSchema())
	}
	if cfg.RedocPath != "-" {
		var b bytes.Buffer
		if err := redocPage.Execute(&b, map[string]string{"Title": title, "Spec": cfg.Path}); err != nil {
			return err
		}
		page := b.String()
		app.Get(cfg.RedocPath, func(req *nexios.Request, res *nexios.Response) error {
			return res.HTML(page)
		}, nexios.ExcludeFromSchema())
	}
	return nil
}

// docHandler serves the document, generated once.
type docHandler struct {
	app  *nexios.App
	cfg  Config
	once sync.Once
	body []byte
	err  error
}

func (h *docHandler) serveJSON(req *nexios.Request, res *nexios.Response) error {
	h.once.Do(func() { h.body, h.err = Build(h.app, h.cfg) })
	if h.err != nil {
		detail := "the OpenAPI document could not be generated"
		if h.app.Config().Debug {
			detail += ": " + h.err.Error()
		}
		return nexios.NewHTTPError(http.StatusInternalServerError, detail).Wrap(h.err)
	}
	return res.Bytes("application/json", h.body)
}

// Build generates the document (see Document) as indented JSON, for
// serving or exporting to a file.
func Build(app *nexios.App, cfg Config) ([]byte, error) {
	spec, err := Document(app, cfg)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: encoding the document: %w", err)
	}
	return append(b, '\n'), nil
}

// BuildYAML generates the document (see Document) as YAML.
func BuildYAML(app *nexios.App, cfg Config) ([]byte, error) {
	spec, err := Document(app, cfg)
	if err != nil {
		return nil, err
	}
	b, err := spec.MarshalYAML()
	if err != nil {
		return nil, fmt.Errorf("openapi: encoding the document: %w", err)
	}
	return b, nil
}

// redocPage loads ReDoc from its CDN: unlike Swagger UI, it needs
// internet access in the browser.
var redocPage = template.Must(template.New("redoc").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} - ReDoc</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<redoc spec-url="{{.Spec}}"></redoc>
<script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"></script>
</body>
</html>
`))
