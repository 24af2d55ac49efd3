package requestid_test

import (
	"fmt"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/requestid"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(requestid.New(requestid.Config{})))
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("request " + requestid.Get(req))
	})

	c := testclient.New(app)
	// A well-formed incoming id is kept and echoed back.
	r := c.Get("/", testclient.Header("X-Request-ID", "req-42"))
	fmt.Println(r.Text(), r.Header.Get("X-Request-ID"))
	// Otherwise a random one is generated: 32 hex digits.
	r = c.Get("/", testclient.Header("X-Request-ID", "bad id\n"))
	fmt.Println(len(r.Header.Get("X-Request-ID")))
	// Output:
	// request req-42 req-42
	// 32
}
