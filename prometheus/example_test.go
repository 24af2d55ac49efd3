package prometheus_test

import (
	"fmt"
	"strings"

	"github.com/nexios-go/nexios"
	nxprom "github.com/nexios-go/nexios/prometheus"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	m := nexios.Must(nxprom.New(nxprom.Config{}))
	app := nexios.New(nexios.Config{})
	app.Use(m.Middleware())
	m.Instrument(app) // background tasks and WebSockets
	app.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("user " + req.Path("id"))
	})
	// In production, guard the path (auth.Required, an allow-list) or use
	// m.Listen(app, ":9090") for an internal port.
	m.Register(app, "/metrics")

	c := testclient.New(app)
	c.Get("/users/1")
	c.Get("/users/2")
	for _, line := range strings.Split(c.Get("/metrics").Text(), "\n") {
		if strings.HasPrefix(line, "http_server_request_duration_seconds_count") {
			fmt.Println(line)
		}
	}
	// Output:
	// http_server_request_duration_seconds_count{code="200",method="GET",route="/users/{id:int}"} 2
}
