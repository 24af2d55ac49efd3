package openapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/nexios-go/nexios"
)

// UI is a documentation page served with the document. Package docsui
// provides Swagger UI and ReDoc.
type UI interface {
	// Mount registers the page's routes on app, reading the JSON
	// document at specURL, titled after title.
	Mount(app *nexios.App, specURL, title string) error
}

// registeredKey holds, at app scope, the configuration Register served
// the app's document with (see Registered).
var registeredKey = nexios.NewKey[Config]("openapi.config")

// Registered returns the configuration Register was called with for app,
// so that tools and test helpers (CheckBindings, openapitest) document
// the app as it serves itself.
func Registered(app *nexios.App) (Config, bool) { return registeredKey.App(app) }

// Register serves the app's OpenAPI document at cfg.Path (JSON),
// cfg.YAMLPath (YAML) and cfg.OpenAPI30Path (a 3.0.3 downgrade), and the
// pages of cfg.UI. These routes are left out of the document themselves.
//
// The documents are generated at their first request, when every route is
// registered, and cached; they carry an ETag (a request with a matching
// If-None-Match gets 304) and Cache-Control: no-cache, so clients
// revalidate instead of keeping a stale API description. A generation
// error answers 500 (the error is logged, and shown when the app runs
// with Config.Debug). Register reports configuration errors and route
// conflicts at once.
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
	registeredKey.SetApp(app, cfg)
	h := &docHandler{app: app, cfg: cfg}
	app.Get(cfg.Path, h.serve(&h.json, "application/json"), nexios.ExcludeFromSchema())
	if cfg.YAMLPath != "-" {
		app.Get(cfg.YAMLPath, h.serve(&h.yaml, "application/yaml"), nexios.ExcludeFromSchema())
	}
	if cfg.OpenAPI30Path != "-" {
		app.Get(cfg.OpenAPI30Path, h.serve(&h.v30, "application/json"), nexios.ExcludeFromSchema())
	}
	title := firstNonEmpty(cfg.Title, app.Config().Title, "API")
	for _, ui := range cfg.UI {
		if err := ui.Mount(app, cfg.Path, title); err != nil {
			return fmt.Errorf("openapi: %w", err)
		}
	}
	return nil
}

// docHandler serves the documents, generated once.
type docHandler struct {
	app             *nexios.App
	cfg             Config
	once            sync.Once
	err             error
	json, yaml, v30 document
}

// document is one encoding of the document with its ETag.
type document struct {
	body []byte
	etag string
}

func newDocument(b []byte) document {
	sum := sha256.Sum256(b)
	return document{body: b, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

func (h *docHandler) generate() {
	spec, err := Document(h.app, h.cfg)
	if err != nil {
		h.err = err
		return
	}
	b, err := encodeJSON(spec)
	if err != nil {
		h.err = err
		return
	}
	y, err := spec.MarshalYAML()
	if err != nil {
		h.err = fmt.Errorf("openapi: encoding the document: %w", err)
		return
	}
	v30, err := Downgrade(b)
	if err != nil {
		h.err = err
		return
	}
	h.json, h.yaml, h.v30 = newDocument(b), newDocument(y), newDocument(v30)
}

// serve answers one encoding of the document.
func (h *docHandler) serve(doc *document, contentType string) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		h.once.Do(h.generate)
		if h.err != nil {
			detail := "the OpenAPI document could not be generated"
			if h.app.Config().Debug {
				detail += ": " + h.err.Error()
			}
			return nexios.NewHTTPError(http.StatusInternalServerError, detail).Wrap(h.err)
		}
		hd := res.Header()
		hd.Set("ETag", doc.etag)
		hd.Set("Cache-Control", "no-cache")
		if etagMatch(req.Header("If-None-Match"), doc.etag) {
			res.WriteHeader(http.StatusNotModified)
			return nil
		}
		return res.Bytes(contentType, doc.body)
	}
}

// etagMatch reports whether an If-None-Match list names etag (weak
// comparison, as RFC 9110 prescribes for If-None-Match).
func etagMatch(list, etag string) bool {
	if list == "" {
		return false
	}
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// Build generates the document (see Document) as indented JSON, for
// serving or exporting to a file.
func Build(app *nexios.App, cfg Config) ([]byte, error) {
	spec, err := Document(app, cfg)
	if err != nil {
		return nil, err
	}
	return encodeJSON(spec)
}

func encodeJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
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

// Build30 generates the document (see Document) and downgrades it to
// OpenAPI 3.0.3 (see Downgrade), as indented JSON.
func Build30(app *nexios.App, cfg Config) ([]byte, error) {
	b, err := Build(app, cfg)
	if err != nil {
		return nil, err
	}
	return Downgrade(b)
}
