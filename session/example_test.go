package session_test

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient"
)

// A visit counter, Nexios' session acceptance check: the second request
// with the cookie jar sees the first one's value.
func Example() {
	store := session.NewMemoryStore(session.MemoryConfig{})
	defer store.Close()

	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(session.New(session.Config{Store: store, CookieName: "test_session"})))
	app.Get("/visits", func(req *nexios.Request, res *nexios.Response) error {
		n, _ := session.From(req).GetInt("visits")
		session.From(req).Set("visits", n+1)
		return res.JSON(map[string]int{"visits": n + 1})
	})

	c := testclient.New(app) // keeps cookies like a browser
	r := c.Get("/visits")
	fmt.Print(r.Text())
	fmt.Println(r.Raw.Cookies()[0].Name, r.Raw.Cookies()[0].HttpOnly)
	fmt.Print(c.Get("/visits").Text())
	// Output:
	// {"visits":1}
	// test_session true
	// {"visits":2}
}

// The session lives in the cookie, signed and encrypted; keys come from
// one secret (an environment variable in production).
func ExampleNewCookieStore() {
	keys, err := session.KeysFromSecret([]byte("a secret of at least thirty-two bytes"))
	if err != nil {
		panic(err)
	}
	store, err := session.NewCookieStore(session.CookieStoreConfig{Keys: []session.KeyPair{keys}})
	if err != nil {
		panic(err)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(session.New(session.Config{Store: store})))
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Regenerate() // against session fixation
		session.From(req).Set("user_id", 1)
		return res.NoContent()
	})
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		id, ok := session.From(req).GetInt("user_id")
		if !ok {
			return nexios.NewHTTPError(http.StatusUnauthorized, "Not authenticated")
		}
		return res.JSON(map[string]int{"user_id": id})
	})
	app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Destroy()
		return res.NoContent()
	})

	c := testclient.New(app)
	fmt.Println(c.Get("/me").Status)
	c.Post("/login")
	fmt.Print(c.Get("/me").Text())
	c.Post("/logout")
	fmt.Println(c.Get("/me").Status)
	// Output:
	// 401
	// {"user_id":1}
	// 401
}

// Flash messages survive one redirect.
func ExampleNew_flash() {
	store := session.NewMemoryStore(session.MemoryConfig{})
	defer store.Close()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(session.New(session.Config{Store: store})))
	app.Post("/items", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).AddFlash("Item saved")
		return res.Redirect("/items", http.StatusSeeOther)
	})
	app.Get("/items", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"flashes": session.From(req).Flashes()})
	})
	c := testclient.New(app)
	fmt.Print(c.Post("/items").Text()) // follows the redirect
	fmt.Print(c.Get("/items").Text())
	// Output:
	// {"flashes":["Item saved"]}
	// {"flashes":null}
}
