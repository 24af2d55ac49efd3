package nexios_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

// A package declares its keys and owns the data stored under them.
func ExampleNewKey() {
	type tenant struct{ Name string }
	tenantKey := nexios.NewKey[*tenant]("tenant")

	app := nexios.New(nexios.Config{})
	tenantKey.SetApp(app, &tenant{"default"}) // app scope: the fallback
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if name := req.Header("X-Tenant"); name != "" {
				tenantKey.Set(req, &tenant{name}) // request scope
			}
			return next(req, res)
		}
	})
	show := func(req *nexios.Request, res *nexios.Response) error {
		t, _ := tenantKey.Resolve(req) // request, then route, then app
		return res.Text(t.Name)
	}
	app.Get("/", show)
	app.Get("/acme", show, tenantKey.With(&tenant{"acme"})) // route scope

	c := testclient.New(app)
	fmt.Println(c.Get("/").Text())
	fmt.Println(c.Get("/acme").Text())
	fmt.Println(c.Get("/acme", testclient.Header("X-Tenant", "globex")).Text())
	// Output:
	// default
	// acme
	// globex
}

type noteView struct{ notes []string }

func (v *noteView) Get(_ *nexios.Request, res *nexios.Response) error { return res.JSON(v.notes) }

func (v *noteView) Post(req *nexios.Request, res *nexios.Response) error {
	v.notes = append(v.notes, req.Query("text"))
	return res.Status(http.StatusCreated).JSON(v.notes)
}

// Before runs ahead of every method of the view.
func (v *noteView) Before(req *nexios.Request, _ *nexios.Response) error {
	if req.Method() == http.MethodPost && req.Query("text") == "" {
		return nexios.NewHTTPError(http.StatusUnprocessableEntity, "text is required")
	}
	return nil
}

// A view is a type whose methods are named after HTTP methods.
func ExampleRouter_View() {
	app := nexios.New(nexios.Config{})
	app.View("/notes", &noteView{})

	c := testclient.New(app)
	fmt.Print(c.Post("/notes?text=hello").Text())
	fmt.Println(c.Post("/notes").Status)
	r := c.Delete("/notes")
	fmt.Println(r.Status, r.Header.Get("Allow"))
	// Output:
	// ["hello"]
	// 422
	// 405 GET, HEAD, POST, OPTIONS
}

// Background tasks run after the response has been sent.
func ExampleResponse_After() {
	app := nexios.New(nexios.Config{})
	sent := make(chan string, 1)
	app.Post("/users", func(req *nexios.Request, res *nexios.Response) error {
		email := req.Query("email") // copy what the task needs: not the request
		res.After(func(ctx context.Context) {
			sent <- "welcome mail to " + email
		})
		return res.Status(http.StatusCreated).JSON(map[string]string{"email": email})
	})

	r := testclient.New(app).Post("/users?email=ann@example.com")
	fmt.Print(r.Status, " ", r.Text())
	fmt.Println(<-sent)
	_ = app.Shutdown(context.Background()) // waits for running tasks
	// Output:
	// 201 {"email":"ann@example.com"}
	// welcome mail to ann@example.com
}
