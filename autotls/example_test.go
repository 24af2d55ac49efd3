package autotls_test

import (
	"log"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/autotls"
)

// Serve an app on :443 with certificates from Let's Encrypt, and on :80
// answer challenges and redirect to HTTPS. (Compiled, not run: it needs a
// public host name pointing at the machine, and ports 80 and 443.)
func ExampleRun() {
	app := nexios.New(nexios.Config{Title: "shop"})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("hello over TLS")
	})
	log.Fatal(autotls.Run(app, autotls.Config{
		Hosts:    []string{"shop.example.com"},
		CacheDir: "/var/lib/shop/certs",
		Email:    "ops@example.com",
	}))
}
