// Command json-body is the Go port of §2 of the Nexios API examples
// ("Request Input Handling (JSON Body)"): a JSON body decoded into a typed
// model and validated.
//
//	go run ./examples/json-body
//	curl -s -X POST http://127.0.0.1:5000/json -H 'Content-Type: application/json' -d '{"name":"Ada","age":36}'
package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/nexios-go/nexios"
)

// User plays the part of the seed's pydantic model.
//
// Validation uses `validate` tags (go-playground/validator), which Bind
// checks after decoding. Two differences from pydantic come from Go's zero
// values:
//
//   - A missing "age" would decode as 0, indistinguishable from an explicit
//     0. Age is therefore a *int: nil means "absent", and validate:"required"
//     rejects nil while still accepting {"age": 0}.
//   - validate:"required" on a string rejects "" as well as a missing key
//     (pydantic's `name: str` accepts ""). That is usually what an API wants;
//     use a *string to accept an explicit empty name.
type User struct {
	Name string `json:"name" validate:"required"`
	Age  *int   `json:"age" validate:"required"`
}

// processed is the answer of POST /json.
type processed struct {
	Status string `json:"status"`
	User   User   `json:"user"`
}

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "JSON body example"})

	app.Post("/json", func(req *nexios.Request, res *nexios.Response) error {
		var u User
		// The seed catches pydantic's ValidationError and answers 422 by
		// hand. Bind returns typed errors instead, and the app's default
		// error renderer turns them into RFC 9457 problem+json:
		//   - a missing field, a failed validate rule, or a value of the
		//     wrong JSON type ({"age": "36"}: unlike pydantic, Go does not
		//     coerce it) → 422, every failing field listed in the
		//     document's "errors" array
		//   - a body that is not JSON at all → 400
		//   - a body that is neither JSON nor a form (text/plain) → 415
		//   - a body over Config.MaxBodyBytes (10 MiB by default) → 413
		// So the handler only deals with the happy path.
		if err := req.Bind(&u); err != nil {
			return err
		}
		return res.JSON(processed{Status: "success", User: u})
	}, nexios.Input[User](), nexios.Returns[processed](200, "The user, as bound and validated."))

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
