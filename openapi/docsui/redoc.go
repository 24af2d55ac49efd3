package docsui

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the ReDoc bundle
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"

	"github.com/nexios-go/nexios"
)

// redocVersion is the version of the embedded bundle (see redoc/README.md).
const redocVersion = "2.5.4"

//go:embed redoc/redoc.standalone.js
var redocJS []byte

// redocCSP is the ReDoc page's Content-Security-Policy: scripts from the
// app only, the inline styles ReDoc injects, and the blob: worker it
// starts for search.
const redocCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; " +
	"script-src 'self'; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"

// ReDoc returns the ReDoc page, served at path (default "/redoc") with its
// script below it. The bundle is versioned in its URL and served with a
// long cache lifetime.
func ReDoc(path string) Page {
	return Page{path: cleanPath(path, "/redoc"), mount: mountReDoc}
}

func mountReDoc(app *nexios.App, path, specURL, title string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	script := path + "/redoc-" + redocVersion + ".standalone.js"
	var b bytes.Buffer
	if err := redocPage.Execute(&b, map[string]string{"Title": title, "Spec": specURL, "Script": script}); err != nil {
		return err
	}
	page := b.Bytes()
	sum := sha256.Sum256(redocJS)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	app.Get(path, func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Security-Policy", redocCSP)
		res.Header().Set("Cache-Control", "no-cache")
		return res.Bytes("text/html; charset=utf-8", page)
	}, nexios.ExcludeFromSchema())
	app.Get(script, func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		return serveTagged(req, res, etag, "text/javascript; charset=utf-8", redocJS)
	}, nexios.ExcludeFromSchema())
	return nil
}

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
<script src="{{.Script}}"></script>
</body>
</html>
`))

// serveTagged answers b with its ETag, or 304 Not Modified when the
// request's If-None-Match names it.
func serveTagged(req *nexios.Request, res *nexios.Response, etag, contentType string, b []byte) error {
	res.Header().Set("ETag", etag)
	if etagMatch(req.Header("If-None-Match"), etag) {
		res.WriteHeader(http.StatusNotModified)
		return nil
	}
	return res.Bytes(contentType, b)
}

// etagMatch reports whether an If-None-Match list names etag (weak
// comparison, as RFC 9110 prescribes for If-None-Match).
func etagMatch(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
