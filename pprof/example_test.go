package pprof_test

import (
	"fmt"
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/pprof"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	// Any middleware guards the profiles: auth.Required("ops") in a real app.
	operators := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Header("X-Ops-Token") != "s3cret" {
				return nexios.NewHTTPError(http.StatusForbidden, "operators only")
			}
			return next(req, res)
		}
	}
	if err := pprof.Register(app, "/debug/pprof", operators); err != nil {
		panic(err)
	}
	c := testclient.New(app)
	fmt.Println(c.Get("/debug/pprof/").Status)
	fmt.Println(c.Get("/debug/pprof/", testclient.Header("X-Ops-Token", "s3cret")).Status)
	// Output:
	// 403
	// 200
}
