package nexios

import (
	"net/http"
	"path"
	"runtime/debug"
	"strings"

	"github.com/nexios-go/nexios/internal/tree"
)

// isClean reports whether p has no empty, "." or ".." segments (a trailing
// slash is fine).
func isClean(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' || i+1 >= len(p) {
			continue
		}
		rest := p[i+1:]
		switch {
		case rest[0] == '/':
			return false
		case rest == "." || strings.HasPrefix(rest, "./"):
			return false
		case rest == ".." || strings.HasPrefix(rest, "../"):
			return false
		}
	}
	return true
}

func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// redirectStatus keeps the method and body on non-GET redirects.
func redirectStatus(method string) int {
	if method == http.MethodGet || method == http.MethodHead {
		return http.StatusMovedPermanently
	}
	return http.StatusPermanentRedirect
}

func redirectClean(req *Request, res *Response) error {
	u := *req.r.URL
	u.Path = cleanPath(u.Path)
	u.RawPath = ""
	return res.Redirect(u.RequestURI(), redirectStatus(req.r.Method))
}

func redirectTo(req *Request, res *Response) error {
	u := *req.r.URL
	u.Path, u.RawPath = req.redirectTo, ""
	return res.Redirect(u.RequestURI(), redirectStatus(req.r.Method))
}

// fallbackPath finds the other trailing-slash form of an unmatched path,
// when that form is routed for the request's method.
func (a *App) fallbackPath(r *http.Request, p string, escaped bool) (string, bool) {
	if a.cfg.DisableTrailingSlashRedirect || escaped || p == "/" {
		return "", false
	}
	alt := p + "/"
	if strings.HasSuffix(p, "/") {
		alt = strings.TrimSuffix(p, "/")
	}
	var ps tree.Params
	if _, _, res := a.tree.Lookup(r.Method, alt, false, &ps); res == tree.Found {
		return alt, true
	}
	return "", false
}

func stack() []byte { return debug.Stack() }
