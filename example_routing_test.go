package nexios_test

import (
	"fmt"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

// Overlapping routes are ordered by specificity, not by registration
// order: static, then typed parameters by rank (int 100, float 200, uuid
// 300, slug 400, custom converters 1000 unless they say otherwise), then
// {name}, then {name:path}.
func ExampleConverter() {
	app := nexios.New(nexios.Config{})
	isHex := func(s string) bool { return strings.Trim(s, "0123456789abcdef") == "" }
	if err := app.RegisterConverter("hex", nexios.Converter{Match: isHex}); err != nil {
		panic(err)
	}
	pattern := func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.Pattern())
	}
	app.Get("/v/{rest:path}", pattern) // registered first, tried last
	app.Get("/v/{name}", pattern)
	app.Get("/v/{id:hex}", pattern)
	app.Get("/v/{id:slug}", pattern)
	app.Get("/v/{id:float}", pattern)
	app.Get("/v/{id:int}", pattern)
	app.Get("/v/latest", pattern)

	c := testclient.New(app)
	for _, p := range []string{"/v/latest", "/v/42", "/v/4.2", "/v/beef", "/v/cafe-au-lait", "/v/Beef", "/v/a/b"} {
		fmt.Println(p, "→", c.Get(p).Text())
	}
	// Output:
	// /v/latest → /v/latest
	// /v/42 → /v/{id:int}
	// /v/4.2 → /v/{id:float}
	// /v/beef → /v/{id:slug}
	// /v/cafe-au-lait → /v/{id:slug}
	// /v/Beef → /v/{name}
	// /v/a/b → /v/{rest:path}
}

// A converter's Rank places it before the built-ins.
func ExampleConverter_rank() {
	app := nexios.New(nexios.Config{})
	isYear := func(s string) bool { return len(s) == 4 && strings.Trim(s, "0123456789") == "" }
	if err := app.RegisterConverter("year", nexios.Converter{Match: isYear, Rank: 50}); err != nil {
		panic(err)
	}
	pattern := func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.Pattern())
	}
	app.Get("/archive/{n:int}", pattern)
	app.Get("/archive/{y:year}", pattern)

	c := testclient.New(app)
	fmt.Println(c.Get("/archive/2024").Text())
	fmt.Println(c.Get("/archive/7").Text())
	// Output:
	// /archive/{y:year}
	// /archive/{n:int}
}

func ExampleApp_URLFor() {
	app := nexios.New(nexios.Config{})
	api := nexios.NewRouter("/api", nexios.RouterName("api"))
	api.Get("/items/{item_id:int}", func(*nexios.Request, *nexios.Response) error { return nil }, nexios.Name("get_item"))
	app.Mount(api)

	u, err := app.URLFor("api.get_item", map[string]any{"item_id": 42})
	fmt.Println(u, err)
	_, err = app.URLFor("api.get_item", map[string]any{"item_id": "seven"})
	fmt.Println(err)
	// Output:
	// /api/items/42 <nil>
	// nexios: route "api.get_item": parameter "item_id": "seven" is not a valid int
}
