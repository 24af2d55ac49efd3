package docsui

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/nexios-go/nexios"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"
)

// SwaggerUI returns the Swagger UI page, served at path (default "/docs")
// with its assets below it.
func SwaggerUI(path string) Page {
	return Page{path: cleanPath(path, "/docs"), mount: mountSwagger}
}

func mountSwagger(app *nexios.App, path, specURL, title string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	page := &swaggerPage{ui: v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       title,
		SwaggerJSON: specURL,
		BasePath:    path + "/",
		SettingsUI: map[string]string{
			"defaultModelsExpandDepth": "1",
			"persistAuthorization":     "true",
		},
	})}
	app.Get(path, page.serve, nexios.ExcludeFromSchema())
	app.Get(path+"/{file:path}", page.files, nexios.ExcludeFromSchema())
	return nil
}

// swaggerPage serves the Swagger UI page with its own
// Content-Security-Policy, which allows exactly the page's inline scripts
// by hash: the page then works under the strict default policy of the
// secure middleware (script-src 'self') without weakening it elsewhere.
type swaggerPage struct {
	ui   http.Handler
	once sync.Once
	html []byte
	csp  string
	ct   string
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// serve answers the index page, rendered once by the Swagger UI handler.
func (p *swaggerPage) serve(req *nexios.Request, res *nexios.Response) error {
	p.once.Do(func() {
		rec := &pageRecorder{header: http.Header{}}
		p.ui.ServeHTTP(rec, req.Raw())
		p.html, p.ct = rec.body.Bytes(), rec.header.Get("Content-Type")
		if p.ct == "" {
			p.ct = "text/html; charset=utf-8"
		}
		var hashes []string
		for _, m := range inlineScript.FindAllSubmatch(p.html, -1) {
			sum := sha256.Sum256(m[1])
			hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
		p.csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' " +
			strings.Join(hashes, " ") + "; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
	})
	res.Header().Set("Content-Security-Policy", p.csp)
	return res.Bytes(p.ct, p.html)
}

// files serves the page for the directory and index.html, the UI's
// embedded assets otherwise.
func (p *swaggerPage) files(req *nexios.Request, res *nexios.Response) error {
	switch req.Path("file") {
	case "", "index.html":
		return p.serve(req, res)
	}
	p.ui.ServeHTTP(res, req.Raw())
	return nil
}

// pageRecorder captures the rendered page.
type pageRecorder struct {
	header http.Header
	body   bytes.Buffer
}

func (r *pageRecorder) Header() http.Header         { return r.header }
func (r *pageRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *pageRecorder) WriteHeader(int)             {}
