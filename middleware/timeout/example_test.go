package timeout_test

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/timeout"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(timeout.New(timeout.Config{Timeout: 5 * time.Second})))
	app.Get("/fast", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("done")
	})
	// A shorter limit for one route; the handler stops when its context does.
	app.Get("/report", func(req *nexios.Request, res *nexios.Response) error {
		select {
		case <-time.After(time.Minute): // a slow query
			return res.Text("report")
		case <-req.Context().Done():
			return req.Context().Err()
		}
	}, nexios.WithMiddleware(nexios.Must(timeout.New(timeout.Config{Timeout: 50 * time.Millisecond}))))

	c := testclient.New(app)
	for _, path := range []string{"/fast", "/report"} {
		r := c.Get(path)
		fmt.Println(path, r.Status, r.Text())
	}
	// Output:
	// /fast 200 done
	// /report 503 {"type":"about:blank","title":"Service Unavailable","status":503,"detail":"request timed out"}
}
