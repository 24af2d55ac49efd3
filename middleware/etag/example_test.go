package etag_test

import (
	"fmt"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/etag"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(etag.New(etag.Config{})))
	app.Get("/profile", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Cache-Control", "no-cache") // revalidate every time
		return res.JSON(map[string]string{"name": "Ada"})
	})

	c := testclient.New(app)
	first := c.Get("/profile")
	tag := first.Header.Get("ETag")
	fmt.Println(first.Status, tag)

	again := c.Get("/profile", testclient.Header("If-None-Match", tag))
	fmt.Println(again.Status, len(again.Body), again.Header.Get("Cache-Control"))
	// Output:
	// 200 W/"f-58fb018e4294086e"
	// 304 0 no-cache
}
