package bench

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/julienschmidt/httprouter"
	"github.com/labstack/echo/v4"
)

// The peers' routers for the router benchmarks. Each registers every route
// with a handler that does nothing (hit == nil), or one that reports the
// route it serves (hit != nil). The nexios router is in nexios_test.go.

func init() {
	registerRouter("gin", ginRouter)
	registerRouter("echo", echoRouter)
	registerRouter("chi", chiRouter)
	registerRouter("httprouter", httpRouter)
	registerRouter("stdlib", stdlibRouter)
}

func ginRouter(routes []route, hit hitFunc) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	for i, rt := range routes {
		h := func(*gin.Context) {}
		if hit != nil {
			h = func(c *gin.Context) { hit(i, c.Param) }
		}
		r.Handle(rt.Method, rt.colonPath(), h)
	}
	return r
}

func echoRouter(routes []route, hit hitFunc) http.Handler {
	e := echo.New()
	for i, rt := range routes {
		h := func(echo.Context) error { return nil }
		if hit != nil {
			h = func(c echo.Context) error { hit(i, c.Param); return nil }
		}
		e.Add(rt.Method, rt.colonPath(), h)
	}
	return e
}

func chiRouter(routes []route, hit hitFunc) http.Handler {
	r := chi.NewRouter()
	for i, rt := range routes {
		h := func(http.ResponseWriter, *http.Request) {}
		if hit != nil {
			h = func(_ http.ResponseWriter, r *http.Request) {
				hit(i, func(name string) string { return chi.URLParam(r, name) })
			}
		}
		r.MethodFunc(rt.Method, rt.Path, h)
	}
	return r
}

func httpRouter(routes []route, hit hitFunc) http.Handler {
	r := httprouter.New()
	for i, rt := range routes {
		h := func(http.ResponseWriter, *http.Request, httprouter.Params) {}
		if hit != nil {
			h = func(_ http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
				hit(i, ps.ByName)
			}
		}
		r.Handle(rt.Method, rt.colonPath(), h)
	}
	return r
}

func stdlibRouter(routes []route, hit hitFunc) http.Handler {
	mux := http.NewServeMux()
	for i, rt := range routes {
		h := func(http.ResponseWriter, *http.Request) {}
		if hit != nil {
			h = func(_ http.ResponseWriter, r *http.Request) { hit(i, r.PathValue) }
		}
		mux.HandleFunc(rt.Method+" "+rt.Path, h)
	}
	return mux
}
