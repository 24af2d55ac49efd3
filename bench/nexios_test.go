package bench

import (
	"net/http"

	"github.com/nexios-go/nexios"
)

func init() {
	registerRouter("nexios", nexiosRouter)
}

// nexiosRouter registers the routes verbatim: nexios uses the {param}
// syntax of github-routes.txt.
func nexiosRouter(routes []route, hit hitFunc) http.Handler {
	app := nexios.New(nexios.Config{})
	for i, rt := range routes {
		var h nexios.HandlerFunc = func(*nexios.Request, *nexios.Response) error { return nil }
		if hit != nil {
			h = func(req *nexios.Request, _ *nexios.Response) error {
				hit(i, req.Path)
				return nil
			}
		}
		app.Route([]string{rt.Method}, rt.Path, h)
	}
	return app
}
