package cors_test

import (
	"fmt"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/cors"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(cors.New(cors.Config{
		AllowOrigins:     []string{"https://app.example.com", "https://*.example.org"},
		AllowHeaders:     []string{"Content-Type", "Authorization"},
		ExposeHeaders:    []string{"X-Total-Count"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	})))
	app.Get("/api/items", func(_ *nexios.Request, res *nexios.Response) error {
		return res.JSON([]string{"a", "b"})
	})

	c := testclient.New(app)

	// The browser asks first: may https://app.example.com send a PUT
	// with a JSON body? The middleware answers; no route needed.
	r := c.Options("/api/items",
		testclient.Header("Origin", "https://app.example.com"),
		testclient.Header("Access-Control-Request-Method", "PUT"),
		testclient.Header("Access-Control-Request-Headers", "content-type"))
	fmt.Println(r.Status, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Allow-Headers"))

	// The actual request from an allowed origin.
	r = c.Get("/api/items", testclient.Header("Origin", "https://shop.example.org"))
	fmt.Println(r.Status, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Allow-Credentials"))

	// Another origin: the response is served without CORS headers, so
	// the browser hides it from the calling page.
	r = c.Get("/api/items", testclient.Header("Origin", "https://evil.example"))
	fmt.Printf("%d %q\n", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
	// Output:
	// 204 https://app.example.com content-type
	// 200 https://shop.example.org true
	// 200 ""
}
