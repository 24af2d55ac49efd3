// Command routing is the Go port of §11 of the Nexios API examples
// ("Advanced Routing (Typed Path Params, Wildcards)"), extended with a
// custom converter, a router mounted under a prefix, named routes and
// URLFor.
//
//	go run ./examples/routing
//	curl -s http://127.0.0.1:5000/products/42
//	curl -s http://127.0.0.1:5000/wildcard/a/b/c
package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/nexios-go/nexios"
)

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "Routing example"})

	// Typed parameters. In Python, req.path_params.product_id is already an
	// int; in Go path parameters are strings (req.Path) and the typed getter
	// converts them. The {..:int} converter already rejected anything that
	// is not a non-negative int64, so PathInt cannot fail here.
	app.Get("/products/{product_id:int}", func(req *nexios.Request, res *nexios.Response) error {
		id, err := req.PathInt("product_id")
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{"product_id": id, "type": "integer"})
	}, nexios.Name("get_product"))

	// A static segment beats a typed one, whatever the registration order:
	// /products/featured is this route, /products/42 the one above, and
	// /products/abc matches neither (404).
	app.Get("/products/featured", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"featured": []int{1, 2, 3}})
	})

	// {name:str} is the same as {name}: one non-empty segment, percent-
	// decoded (/categories/home%20garden gives "home garden").
	app.Get("/categories/{category_name:str}", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"category_name": req.Path("category_name"), "type": "string"})
	})

	// {name:path} takes the rest of the path, slashes included, and may be
	// empty (/wildcard/). It must be the last segment.
	app.Get("/wildcard/{wildcard_path:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"wildcard_path": req.Path("wildcard_path"), "type": "path"})
	})

	// A custom converter: a four-digit year. Register converters before the
	// routes that use them; an unknown converter panics at registration.
	if err := app.RegisterConverter("year", nexios.Converter{
		Match: func(s string) bool {
			if len(s) != 4 {
				return false
			}
			for _, c := range s {
				if c < '0' || c > '9' {
					return false
				}
			}
			return true
		},
		Type: "integer",
	}); err != nil {
		panic(err) // a programming error: a reserved or duplicate name
	}
	app.Get("/archive/{year:year}", func(req *nexios.Request, res *nexios.Response) error {
		year, err := req.PathInt("year")
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{"year": year, "type": "year"})
	}, nexios.Name("archive"))

	// A router groups routes under a prefix. RouterName prefixes the route
	// names ("v1.get_user"), RouterTags tags every route (for OpenAPI), and
	// router middleware runs only for the router's routes.
	api := nexios.NewRouter("/api/v1", nexios.RouterName("v1"), nexios.RouterTags("v1"))
	api.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			res.Header().Set("X-API-Version", "1")
			return next(req, res)
		}
	})
	api.Get("/users/{user_id:uuid}", func(req *nexios.Request, res *nexios.Response) error {
		// req.Pattern() is the full pattern, router prefix included.
		return res.JSON(map[string]any{"user_id": req.Path("user_id"), "pattern": req.Pattern()})
	}, nexios.Name("get_user"))
	api.Get("/posts/{slug:slug}", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"slug": req.Path("slug")})
	}, nexios.Name("get_post"))
	app.Mount(api)

	// URLFor builds paths from route names, escaping the values and checking
	// them against the converters, so links never drift from the routes.
	app.Get("/links", func(req *nexios.Request, res *nexios.Response) error {
		links := map[string]string{}
		for key, target := range map[string]struct {
			name   string
			params map[string]any
		}{
			"product": {"get_product", map[string]any{"product_id": 42}},
			"archive": {"archive", map[string]any{"year": 2024}},
			"user":    {"v1.get_user", map[string]any{"user_id": "0b1e5f7c-7d1a-4c55-9a36-1f0b3f1a2b3c"}},
			"post":    {"v1.get_post", map[string]any{"slug": "hello-world"}},
		} {
			u, err := req.URLFor(target.name, target.params)
			if err != nil {
				return err // a bug in the app: rendered as 500
			}
			links[key] = u
		}
		return res.JSON(links)
	})

	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	app := newApp()
	for _, rt := range app.Routes() {
		slog.Info("route", "methods", rt.Methods(), "pattern", rt.Pattern(), "name", rt.Name())
	}
	if err := app.Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
