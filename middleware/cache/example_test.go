package cache_test

import (
	"fmt"
	"strings"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cache"
	httpcache "github.com/nexios-go/nexios/middleware/cache"
	"github.com/nexios-go/nexios/testclient"
)

// A response that says it may be stored for a minute is computed once;
// later requests are answered from the cache.
func Example() {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(httpcache.New(httpcache.Config{Cache: cache.NewMemory(cache.MemoryConfig{})})))
	computed := 0
	app.Get("/products", func(_ *nexios.Request, res *nexios.Response) error {
		computed++
		res.Header().Set("Cache-Control", "public, max-age=60")
		return res.JSON([]string{"widget", "gadget"})
	})
	c := testclient.New(app)
	for range 3 {
		r := c.Get("/products")
		fmt.Println(r.Status, r.Header.Get("X-Cache"), strings.TrimSpace(r.Text()))
	}
	fmt.Println("computed", computed, "time")
	// Output:
	// 200 MISS ["widget","gadget"]
	// 200 HIT ["widget","gadget"]
	// 200 HIT ["widget","gadget"]
	// computed 1 time
}
