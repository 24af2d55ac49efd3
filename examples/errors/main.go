// Command errors is the Go port of §6 of the Nexios API examples ("Error
// Handling"): handlers return errors, and error handlers registered on the
// app render them.
//
//	go run ./examples/errors
//	curl -si http://127.0.0.1:5000/error
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/nexios-go/nexios"
)

// OutOfStockError is an application error handled by type: no handler
// needs to know which HTTP status it maps to.
type OutOfStockError struct {
	Item string
}

func (e *OutOfStockError) Error() string { return e.Item + " is out of stock" }

// errMaintenance is a plain error with no status: it renders as 500 unless
// a handler maps it.
var errMaintenance = errors.New("the shop is closed for maintenance")

// The bodies the error handlers below answer with, instead of the default
// problem+json. Routes document them with nexios.Returns, so the OpenAPI
// document says what a client gets (an app whose every error has one
// shape sets openapi.Config.ErrorSchema once instead).
type (
	// errorBody is the answer of the HTTPError handler and of the 503.
	errorBody struct {
		Error string `json:"error"`
	}
	// outOfStockBody is the answer of the OutOfStockError handler.
	outOfStockBody struct {
		Error string `json:"error"`
		Item  string `json:"item"`
	}
	// notFoundBody is the answer of the 404 status handler.
	notFoundBody struct {
		Error string `json:"error"`
		Path  string `json:"path"`
	}
)

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "Errors example"})

	// Python raises HTTPException; a Go handler returns the error instead.
	// Returning keeps the control flow visible, and anything that wraps it
	// (middleware, fmt.Errorf("...: %w")) still reaches the error handlers.
	app.Get("/error", func(req *nexios.Request, res *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusBadRequest, "This is a bad request!")
	}, nexios.Returns[errorBody](http.StatusBadRequest, "Always: the example's bad request."))

	// The seed's @app.add_exception_handler(HTTPException). Go has no
	// exception classes to key on, so HandleError is generic over the error
	// type and matches with errors.As: wrapped errors match too.
	nexios.HandleError(app, func(req *nexios.Request, res *nexios.Response, err *nexios.HTTPError) error {
		// Routing's own 404 is an *HTTPError as well, and type handlers run
		// before status handlers. Returning the error declines it, so the
		// 404 status handler below renders every 404 the same way.
		if err.Status == http.StatusNotFound {
			return err
		}
		// err.Headers (WWW-Authenticate, Allow, ...) are already on the
		// response: the app sets them before any handler runs.
		return res.Status(err.Status).JSON(errorBody{Error: err.Detail})
	})

	// A custom error type, handled by type. The handler below returns it
	// wrapped; errors.As still finds it.
	app.Get("/stock/{item}", func(req *nexios.Request, res *nexios.Response) error {
		return fmt.Errorf("checkout: %w", &OutOfStockError{Item: req.Path("item")})
	}, nexios.Returns[outOfStockBody](http.StatusConflict, "Always: the item is out of stock."))
	nexios.HandleError(app, func(req *nexios.Request, res *nexios.Response, err *OutOfStockError) error {
		return res.Status(http.StatusConflict).JSON(outOfStockBody{Error: "out of stock", Item: err.Item})
	})

	// A plain error carries no status: StatusOf reports 500, so the 500
	// status handler sees it and may map known errors to a better answer.
	app.Get("/maintenance", func(req *nexios.Request, res *nexios.Response) error {
		return errMaintenance
	}, nexios.Returns[errorBody](http.StatusServiceUnavailable, "Always: closed for maintenance (Retry-After says for how long)."))
	app.HandleStatus(http.StatusInternalServerError, func(req *nexios.Request, res *nexios.Response, err error) error {
		if errors.Is(err, errMaintenance) {
			return res.Status(http.StatusServiceUnavailable).
				SetHeader("Retry-After", "3600").
				JSON(errorBody{Error: err.Error()})
		}
		return err // anything else: the default problem+json 500
	})

	// A status handler for 404: unmatched paths and handlers' own 404s.
	app.HandleStatus(http.StatusNotFound, func(req *nexios.Request, res *nexios.Response, err error) error {
		return res.Status(http.StatusNotFound).JSON(notFoundBody{Error: "not found", Path: req.URL().Path})
	})
	app.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		id, err := req.PathInt("id")
		if err != nil {
			return err
		}
		return nexios.NewHTTPError(http.StatusNotFound, fmt.Sprintf("user %d does not exist", id))
	}, nexios.Returns[notFoundBody](http.StatusNotFound, "Always: no user exists here."))

	// A panic is recovered and becomes a *nexios.PanicError (500). With no
	// handler claiming it, the default renderer answers with problem+json;
	// the panic value and stack only appear with Config.Debug.
	app.Get("/panic", func(req *nexios.Request, res *nexios.Response) error {
		panic("inventory cache is corrupt") // stands in for a bug: a nil map write, an index out of range
	})

	// An HTTPError with a header; the HTTPError handler above copies it.
	app.Get("/private", func(req *nexios.Request, res *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusUnauthorized, "log in first").
			WithHeader("WWW-Authenticate", `Bearer realm="shop"`)
	}, nexios.Returns[errorBody](http.StatusUnauthorized, "Always: log in first."))

	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	if err := newApp().Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
