// Command rest-api is the Go port of §1 of the Nexios API examples
// ("Minimal App and REST API"): a list endpoint and an item endpoint with a
// typed path parameter.
//
//	go run ./examples/rest-api
//	curl -s http://127.0.0.1:5000/api/items
//	curl -s http://127.0.0.1:5000/api/items/2
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/nexios-go/nexios"
)

// Item is one element of the collection. The Python seed builds dicts on
// the fly; in Go a struct with json tags gives the same wire format
// ({"id":1,"name":"Item 1"}) with a fixed field order and a checked type.
type Item struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "REST API example"})

	app.Get("/api/items", func(req *nexios.Request, res *nexios.Response) error {
		items := []Item{{ID: 1, Name: "Item 1"}, {ID: 2, Name: "Item 2"}}
		return res.JSON(items)
	})

	// {item_id:int} only matches non-negative decimal integers that fit in
	// an int64, so /api/items/abc never reaches the handler: it is a 404,
	// exactly as with Nexios' int converter.
	app.Get("/api/items/{item_id:int}", func(req *nexios.Request, res *nexios.Response) error {
		// Python's req.path_params.item_id is already an int. Go has no
		// dynamic attributes: the typed getter converts the segment, and
		// on an {..:int} route it cannot fail (the error is still returned
		// rather than ignored, as a guard against a changed pattern).
		id, err := req.PathInt("item_id")
		if err != nil {
			return err
		}
		return res.JSON(Item{ID: id, Name: fmt.Sprintf("Item %d", id)})
	}, nexios.Name("get_item"))

	return app
}

func main() {
	// uvicorn.run(app, host="127.0.0.1", port=5000) becomes a flag plus
	// app.Run, which serves until SIGINT/SIGTERM and then shuts down
	// gracefully. There is no reload=True: rebuild with `go run` instead.
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	if err := newApp().Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
