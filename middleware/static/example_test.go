package static_test

import (
	"fmt"
	"testing/fstest"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	// An embed.FS works the same way; fstest.MapFS stands in for it here.
	site := fstest.MapFS{
		"index.html":  {Data: []byte("<h1>Welcome</h1>")},
		"css/app.css": {Data: []byte("body { margin: 0 }")},
	}
	app := nexios.New(nexios.Config{})
	app.MountHandler("/static", static.Handler(static.Config{FS: site, MaxAge: time.Hour}))

	c := testclient.New(app)
	r := c.Get("/static/css/app.css")
	fmt.Println(r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
	fmt.Println(c.Get("/static/css/app.css", testclient.Header("If-None-Match", r.Header.Get("ETag"))).Status)
	fmt.Println(c.Get("/static/").Text())
	fmt.Println(c.Get("/static/missing.css").Status)
	// Output:
	// 200 text/css; charset=utf-8 public, max-age=3600
	// 304
	// <h1>Welcome</h1>
	// 404
}

func ExampleNew() {
	assets := fstest.MapFS{"app.js": {Data: []byte("console.log(1)")}}
	app := nexios.New(nexios.Config{})
	// Files under /assets when they exist; other requests reach the routes.
	app.Use(nexios.Must(static.New(static.Config{FS: assets, Prefix: "/assets"})))
	app.Get("/assets/version", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("v1")
	})

	c := testclient.New(app)
	fmt.Println(c.Get("/assets/app.js").Text())
	fmt.Println(c.Get("/assets/version").Text())
	fmt.Println(c.Get("/assets/nope.js").Status)
	// Output:
	// console.log(1)
	// v1
	// 404
}
