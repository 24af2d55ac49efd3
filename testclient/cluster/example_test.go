package cluster_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient/cluster"
)

// Three instances share a session store (here in memory; in a real fleet
// Redis or PostgreSQL): a session created on the first is valid on the
// others, and through the balancer after one instance died.
func Example() {
	store := session.NewMemoryStore(session.MemoryConfig{})
	defer store.Close()
	c, err := cluster.New(3, func(i int) http.Handler {
		app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
		app.Use(nexios.Must(session.New(session.Config{Store: store})))
		app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
			session.From(req).Set("user", "ada")
			return res.NoContent()
		})
		app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
			return res.Text(fmt.Sprintf("%s on instance %d", session.From(req).GetString("user"), i))
		})
		return app
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	client := c.Client() // a cookie jar: the session cookie goes to every instance
	get := func(url string) string {
		res, err := client.Get(url + "/me")
		if err != nil {
			return err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	res, _ := client.Post(c.URL(0)+"/login", "", nil)
	res.Body.Close()
	fmt.Println(get(c.URL(1)))
	fmt.Println(get(c.URL(2)))
	_ = c.Kill(1)
	fmt.Println(get(c.Balancer()), "/", get(c.Balancer()))
	// Output:
	// ada on instance 1
	// ada on instance 2
	// ada on instance 0 / ada on instance 2
}
