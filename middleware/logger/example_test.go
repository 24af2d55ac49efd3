package logger_test

import (
	"log/slog"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/logger"
	"github.com/nexios-go/nexios/middleware/requestid"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	// A text handler without the time and duration, for a stable output.
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == logger.KeyDuration {
				return slog.Attr{}
			}
			return a
		},
	}))
	app := nexios.New(nexios.Config{Logger: log})
	app.Use(nexios.Must(requestid.New(requestid.Config{})))
	app.Use(nexios.Must(logger.New(logger.Config{})))
	app.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"id": req.Path("id")})
	})

	c := testclient.New(app)
	c.Get("/users/42", testclient.Header("X-Request-ID", "req-1"))
	c.Get("/nowhere", testclient.Header("X-Request-ID", "req-2"))
	// Output:
	// level=INFO msg=request method=GET path=/users/42 pattern=/users/{id:int} status=200 bytes=12 request_id=req-1 client_ip=192.0.2.1
	// level=WARN msg=request method=GET path=/nowhere pattern="" status=404 bytes=97 request_id=req-2 client_ip=192.0.2.1 error="HTTP 404: no route matches GET /nowhere"
}
