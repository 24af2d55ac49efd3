package secure_test

import (
	"fmt"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/secure"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(secure.New(secure.Config{
		FrameOptions:              "SAMEORIGIN",
		CrossOriginResourcePolicy: "same-origin",
	})))
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("X-Powered-By", "legacy-lib") // removed before sending
		return res.Text("hello")
	})

	c := testclient.New(app, testclient.WithBaseURL("https://example.com"))
	r := c.Get("/")
	for _, k := range []string{
		"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
		"Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy",
		"Strict-Transport-Security", "X-Powered-By",
	} {
		fmt.Printf("%s: %q\n", k, r.Header.Get(k))
	}
	// Output:
	// X-Content-Type-Options: "nosniff"
	// X-Frame-Options: "SAMEORIGIN"
	// Referrer-Policy: "strict-origin-when-cross-origin"
	// Cross-Origin-Opener-Policy: "same-origin"
	// Cross-Origin-Resource-Policy: "same-origin"
	// Strict-Transport-Security: "max-age=31536000; includeSubDomains"
	// X-Powered-By: ""
}
