package recover_test

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/recover"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	// Log the panic without the stack and the time, for a stable output.
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "stack" {
				return slog.Attr{}
			}
			return a
		},
	}))
	app := nexios.New(nexios.Config{Logger: log})
	app.Use(nexios.Must(recover.New(recover.Config{})))
	app.Get("/boom", func(*nexios.Request, *nexios.Response) error {
		panic("something broke")
	})

	r := testclient.New(app).Get("/boom")
	fmt.Println(r.Status, r.Header.Get("Content-Type"))
	// Output:
	// level=ERROR msg="request failed" method=GET path=/boom pattern=/boom status=500 error="panic: something broke"
	// 500 application/problem+json
}
