package nexios_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

func ExampleNew() {
	app := nexios.New(nexios.Config{Title: "Items API", Version: "1.0.0"})
	app.Get("/api/items", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON([]map[string]any{{"id": 1, "name": "Item 1"}, {"id": 2, "name": "Item 2"}})
	})

	c := testclient.New(app)
	r := c.Get("/api/items")
	fmt.Println(r.Status, r.Text())
	// Output: 200 [{"id":1,"name":"Item 1"},{"id":2,"name":"Item 2"}]
}

func ExampleApp_Serve() {
	app := nexios.New(nexios.Config{Logger: quiet})
	app.OnStartup(func(context.Context) error { fmt.Println("starting"); return nil })
	app.OnShutdown(func(context.Context) error { fmt.Println("stopped"); return nil })

	// Serve until the context ends, then shut down gracefully. Run(addr)
	// does the same and stops on SIGINT or SIGTERM.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := app.Serve(ctx, mustListen()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// starting
	// stopped
}

func ExampleRouter_Get() {
	app := nexios.New(nexios.Config{})
	app.Get("/products/{product_id:int}", func(req *nexios.Request, res *nexios.Response) error {
		id, err := req.PathInt("product_id")
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{"product_id": id, "type": "integer"})
	})
	app.Get("/wildcard/{wildcard_path:path}", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"wildcard_path": req.Path("wildcard_path")})
	})

	c := testclient.New(app)
	fmt.Print(c.Get("/products/42").Text())
	fmt.Print(c.Get("/wildcard/a/b/c").Text())
	fmt.Println(c.Get("/products/abc").Status) // a converter mismatch does not match
	// Output:
	// {"product_id":42,"type":"integer"}
	// {"wildcard_path":"a/b/c"}
	// 404
}

func ExampleNewRouter() {
	app := nexios.New(nexios.Config{})
	api := nexios.NewRouter("/api/v1", nexios.RouterName("v1"))
	api.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("user " + req.Path("id"))
	}, nexios.Name("user"))
	app.Mount(api)

	u, _ := app.URLFor("v1.user", map[string]any{"id": 7})
	fmt.Println(u)
	fmt.Println(testclient.New(app).Get(u).Text())
	// Output:
	// /api/v1/users/7
	// user 7
}

func ExampleHandleError() {
	app := nexios.New(nexios.Config{})
	app.Get("/error", func(*nexios.Request, *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusBadRequest, "This is a bad request!")
	})
	// Render every *HTTPError as {"error": detail}, like the seed's
	// exception handler.
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err *nexios.HTTPError) error {
		return res.Status(err.Status).JSON(map[string]any{"error": err.Detail})
	})

	r := testclient.New(app).Get("/error")
	fmt.Println(r.Status, r.Text())
	// Output: 400 {"error":"This is a bad request!"}
}

func ExampleNewHTTPError() {
	app := nexios.New(nexios.Config{})
	app.Get("/admin", func(*nexios.Request, *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusForbidden, "Access denied")
	})

	// Without custom handlers, errors are RFC 9457 problem documents.
	r := testclient.New(app).Get("/admin")
	fmt.Println(r.Status, r.Header.Get("Content-Type"))
	fmt.Print(r.Text())
	// Output:
	// 403 application/problem+json
	// {"type":"about:blank","title":"Forbidden","status":403,"detail":"Access denied"}
}

func ExampleMiddleware() {
	timing := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			fmt.Println("before", req.Pattern()) // routing already ran
			err := next(req, res)
			fmt.Println("after", err)
			return err
		}
	}
	app := nexios.New(nexios.Config{})
	app.Use(timing)
	app.Get("/users/{id}", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })

	testclient.New(app).Get("/users/1")
	// Output:
	// before /users/{id}
	// after <nil>
}

func ExampleWrapMiddleware() {
	// Any net/http middleware plugs in.
	poweredBy := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Powered-By", "net/http")
			next.ServeHTTP(w, r)
		})
	}
	app := nexios.New(nexios.Config{})
	app.Use(nexios.WrapMiddleware(poweredBy))
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("hi") })

	fmt.Println(testclient.New(app).Get("/").Header.Get("X-Powered-By"))
	// Output: net/http
}

func ExampleRequest_Bind() {
	type user struct {
		Name string `json:"name" validate:"required"`
		Age  int    `json:"age" validate:"gte=0"`
	}
	app := nexios.New(nexios.Config{})
	app.Post("/json", func(req *nexios.Request, res *nexios.Response) error {
		var u user
		if err := req.Bind(&u); err != nil {
			return err // 400 malformed, 415 wrong type, 422 invalid
		}
		return res.Status(http.StatusCreated).JSON(u)
	})

	c := testclient.New(app)
	fmt.Println(c.Post("/json", testclient.JSON(map[string]any{"name": "Ann", "age": 30})).Status)
	fmt.Println(c.Post("/json", testclient.JSON(map[string]any{"age": -1})).Status)
	fmt.Println(c.Post("/json", testclient.Body("application/json", []byte("{oops"))).Status)
	// Output:
	// 201
	// 422
	// 400
}

func ExampleMust() {
	newMiddleware := func(header string) (nexios.Middleware, error) {
		if header == "" {
			return nil, fmt.Errorf("header name required")
		}
		return func(next nexios.HandlerFunc) nexios.HandlerFunc {
			return func(req *nexios.Request, res *nexios.Response) error {
				res.Header().Set(header, "1")
				return next(req, res)
			}
		}, nil
	}
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(newMiddleware("X-Checked")))
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	fmt.Println(testclient.New(app).Get("/").Header.Get("X-Checked"))
	// Output: 1
}

func ExamplePost() {
	type createItem struct {
		Name  string  `json:"name" validate:"required,max=20"`
		Price float64 `json:"price" validate:"gt=0"`
		Qty   int     `json:"qty" default:"1" validate:"gte=1"`
	}
	type item struct {
		ID int `json:"id"`
		createItem
	}
	app := nexios.New(nexios.Config{})
	// The input is bound and validated before the function runs; the
	// output is written as JSON with the route's status.
	nexios.Post(app, "/items", func(req *nexios.Request, in *createItem) (*item, error) {
		return &item{ID: 1, createItem: *in}, nil
	}, nexios.Status(http.StatusCreated), nexios.Summary("Create an item"))

	c := testclient.New(app)
	r := c.Post("/items", testclient.JSON(map[string]any{"name": "pen", "price": 1.5}))
	fmt.Println(r.Status, r.Text())
	r = c.Post("/items", testclient.JSON(map[string]any{"name": "pen", "price": 0}))
	fmt.Println(r.Status, r.Text())
	// Output:
	// 201 {"id":1,"name":"pen","price":1.5,"qty":1}
	//
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed for field price","errors":[{"location":"body","field":"price","message":"must be greater than 0","rule":"gt","param":"0"}]}
}

func ExampleGet() {
	type page struct {
		Page  int `query:"page" default:"1" validate:"gte=1"`
		Limit int `query:"limit" default:"10" validate:"gte=1,lte=100"`
	}
	app := nexios.New(nexios.Config{})
	nexios.Get(app, "/users", func(req *nexios.Request, in *page) (*page, error) { return in, nil })

	c := testclient.New(app)
	fmt.Print(c.Get("/users").Text())
	fmt.Print(c.Get("/users?page=3&limit=50").Text())
	fmt.Println(c.Get("/users?limit=500").Status)
	// Output:
	// {"Page":1,"Limit":10}
	// {"Page":3,"Limit":50}
	// 422
}

func ExampleDepend() {
	type user struct{ Name string }
	currentUser := nexios.Depend(func(req *nexios.Request) (*user, error) {
		if req.Header("Authorization") != "Bearer secret" {
			return nil, nexios.NewHTTPError(http.StatusUnauthorized, "Invalid token")
		}
		fmt.Println("loading user") // once per request, however often it is used
		req.Defer(func() { fmt.Println("cleanup") })
		return &user{Name: "admin"}, nil
	})
	app := nexios.New(nexios.Config{})
	app.Get("/users/me", func(req *nexios.Request, res *nexios.Response) error {
		u, err := currentUser.Get(req)
		if err != nil {
			return err
		}
		u, _ = currentUser.Get(req) // cached
		return res.JSON(map[string]string{"name": u.Name})
	})

	c := testclient.New(app)
	fmt.Print(c.Get("/users/me", testclient.BearerToken("secret")).Text())
	fmt.Println(c.Get("/users/me").Status)
	// Output:
	// loading user
	// cleanup
	// {"name":"admin"}
	// 401
}
