package bodylimit_test

import (
	"fmt"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/bodylimit"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	// 1 KiB for every request…
	app := nexios.New(nexios.Config{MaxBodyBytes: 1 << 10})
	app.Use(nexios.Must(bodylimit.New(bodylimit.Config{})))
	echo := func(req *nexios.Request, res *nexios.Response) error {
		b, err := req.Body()
		if err != nil {
			return err
		}
		return res.Text(fmt.Sprint(len(b), " bytes"))
	}
	app.Post("/notes", echo)
	// …except uploads, which may be up to 1 MiB: the route's limit wins.
	app.Post("/upload", echo, nexios.BodyLimit(1<<20))

	c := testclient.New(app)
	body := []byte(strings.Repeat("x", 4096))
	for _, path := range []string{"/notes", "/upload"} {
		r := c.Post(path, testclient.Body("text/plain", body))
		if r.Status != 200 {
			var problem struct {
				Detail string `json:"detail"`
				Limit  int    `json:"limit"`
			}
			_ = r.JSON(&problem)
			fmt.Println(path, r.Status, problem.Detail, problem.Limit)
			continue
		}
		fmt.Println(path, r.Status, r.Text())
	}
	// Output:
	// /notes 413 request body of 4096 bytes (4 KiB) exceeds the limit of 1024 bytes (1 KiB) 1024
	// /upload 200 4096 bytes
}
