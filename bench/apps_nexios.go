package bench

import (
	"net/http"

	"github.com/nexios-go/nexios"
)

func init() {
	registerApp("nexios", newNexiosApp)
}

// nexios: nexios.New with the zero Config (the defaults a user gets).
func newNexiosApp() http.Handler {
	app := nexios.New(nexios.Config{})
	app.Get("/plaintext", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(HelloWorld)
	})
	app.Get("/json", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(Hello{Message: HelloWorld})
	})
	app.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		id, err := req.PathInt("id")
		if err != nil {
			return err
		}
		return res.JSON(ID{ID: id})
	})
	app.Post("/echo", func(req *nexios.Request, res *nexios.Response) error {
		var m Message
		if err := req.JSON(&m); err != nil {
			return err
		}
		return res.JSON(m)
	})
	return app
}
