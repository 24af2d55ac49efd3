package csrf_test

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/csrf"
	"github.com/nexios-go/nexios/testclient"
)

// The default mode needs no token: browsers say where a request comes
// from.
func Example() {
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(csrf.New(csrf.Config{})))
	app.Post("/transfer", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("done") })

	c := testclient.New(app)
	r := c.Post("/transfer", testclient.Header("Sec-Fetch-Site", "same-origin"))
	fmt.Println(r.Status, r.Text())

	r = c.Post("/transfer",
		testclient.Header("Sec-Fetch-Site", "cross-site"),
		testclient.Header("Origin", "https://evil.example"))
	var p struct{ Detail string }
	_ = r.JSON(&p)
	fmt.Println(r.Status, p.Detail)
	// Output:
	// 200 done
	// 403 cross-origin request rejected: cross-origin request detected from Sec-Fetch-Site header
}

// TokenMode for HTML forms: the page embeds csrf.Token(req); the
// csrftoken cookie travels with the browser.
func Example_tokenMode() {
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(csrf.New(csrf.Config{Mode: csrf.TokenMode})))
	app.Get("/comment", func(req *nexios.Request, res *nexios.Response) error {
		return res.HTML(`<form method="post"><input type="hidden" name="csrf_token" value="` +
			csrf.Token(req) + `"><input name="text"></form>`)
	})
	app.Post("/comment", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("saved: " + req.FormValue("text"))
	})

	c := testclient.New(app) // keeps cookies like a browser
	page := c.Get("/comment").Text()
	token := strings.SplitN(strings.SplitN(page, `value="`, 2)[1], `"`, 2)[0]

	r := c.Post("/comment", testclient.Form(url.Values{"csrf_token": {token}, "text": {"hi"}}))
	fmt.Println(r.Status, r.Text())

	r = c.Post("/comment", testclient.Form(url.Values{"text": {"forged"}}))
	var p struct{ Detail string }
	_ = r.JSON(&p)
	fmt.Println(r.Status, p.Detail)
	// Output:
	// 200 saved: hi
	// 403 CSRF token missing: send it in the X-CSRFToken header or the csrf_token form field
}
