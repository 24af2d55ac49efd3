package openapitest_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi/openapitest"
)

// printer is a TB that prints what a test would report.
type printer struct{}

func (printer) Helper() {}
func (printer) Errorf(format string, args ...any) {
	msg, _, _ := strings.Cut(fmt.Sprintf(format, args...), ": response body doesn't match schema")
	fmt.Println(msg)
}
func (printer) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// A handler that answers what its documentation does not promise is
// reported on the request that showed it.
func ExampleClient() {
	type Out struct {
		ID int `json:"id"`
	}
	app := nexios.New(nexios.Config{})
	app.Get("/thing", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"id": "seven"})
	}, nexios.Summary("A thing"), nexios.Returns[Out](http.StatusOK, "The thing"))

	c := openapitest.Client(printer{}, app) // in a test: openapitest.Client(t, app)
	r := c.Get("/thing")
	fmt.Println(r.Status)
	// Output:
	// openapitest: GET /thing: the response (200 application/json) breaks the document
	// 200
}
