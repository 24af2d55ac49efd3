package docsui_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/openapi/docsui"
)

func Example() {
	app := nexios.New(nexios.Config{Title: "Pets"})
	app.Get("/pets", func(req *nexios.Request, res *nexios.Response) error { return res.JSON([]string{}) })
	if err := openapi.Register(app, openapi.Config{
		UI: []openapi.UI{docsui.SwaggerUI(""), docsui.ReDoc("/reference")},
	}); err != nil {
		log.Fatal(err)
	}
	for _, p := range []string{"/docs", "/reference", "/openapi.json"} {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		fmt.Println(p, rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// /docs 200 text/html
	// /reference 200 text/html; charset=utf-8
	// /openapi.json 200 application/json
}
