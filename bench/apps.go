// Package bench compares nexios with gin, echo, chi, httprouter and the
// standard library: router benchmarks on the GitHub v3 API route set
// (router_test.go) and framework-level benchmarks of four small endpoints
// (app_test.go). The same four endpoints are served over real sockets by
// cmd/benchserver for load tests with wrk (wrk.sh).
//
// Every framework's app is built by a constructor registered in this
// package, so the in-process benchmarks and the benchmark server run exactly
// the same handlers.
package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/labstack/echo/v4"
)

// HelloWorld is the body of GET /plaintext and the message of GET /json.
const HelloWorld = "Hello, World!"

// Hello is the body of GET /json: {"message":"Hello, World!"}.
type Hello struct {
	Message string `json:"message"`
}

// ID is the body of GET /users/{id}: {"id":N}.
type ID struct {
	ID int `json:"id"`
}

// Message is the small JSON document POST /echo decodes and writes back.
type Message struct {
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Age   int      `json:"age"`
	Admin bool     `json:"admin"`
	Tags  []string `json:"tags"`
}

// EchoBody is the request body the benchmarks and wrk send to POST /echo.
const EchoBody = `{"name":"Gopher","email":"gopher@example.com","age":16,"admin":true,"tags":["go","http"]}`

// Frameworks lists every framework in the order results are reported.
// httprouter is a router only: it takes part in the router benchmarks but
// has no app here.
var Frameworks = []string{"nexios", "gin", "echo", "chi", "httprouter", "stdlib"}

var appBuilders = map[string]func() http.Handler{}

func registerApp(name string, build func() http.Handler) {
	if !slices.Contains(Frameworks, name) {
		panic("bench: unknown framework " + name)
	}
	appBuilders[name] = build
}

// AppNames returns the frameworks that have an app, in report order.
func AppNames() []string {
	var names []string
	for _, n := range Frameworks {
		if appBuilders[n] != nil {
			names = append(names, n)
		}
	}
	return names
}

// NewApp builds the named framework's app serving GET /plaintext, GET /json,
// GET /users/{id} and POST /echo.
func NewApp(name string) (http.Handler, error) {
	build := appBuilders[name]
	if build == nil {
		return nil, fmt.Errorf("bench: no app for framework %q (have %v)", name, AppNames())
	}
	return build(), nil
}

func init() {
	gin.SetMode(gin.ReleaseMode)
	registerApp("gin", newGinApp)
	registerApp("echo", newEchoApp)
	registerApp("chi", newChiApp)
	registerApp("stdlib", newStdlibApp)
}

// gin: gin.New() in release mode, no middleware.
func newGinApp() http.Handler {
	r := gin.New()
	r.GET("/plaintext", func(c *gin.Context) {
		c.String(http.StatusOK, HelloWorld)
	})
	r.GET("/json", func(c *gin.Context) {
		c.JSON(http.StatusOK, Hello{Message: HelloWorld})
	})
	r.GET("/users/:id", func(c *gin.Context) {
		id, err := strconv.Atoi(c.Param("id"))
		if err != nil {
			c.String(http.StatusBadRequest, "invalid id")
			return
		}
		c.JSON(http.StatusOK, ID{ID: id})
	})
	r.POST("/echo", func(c *gin.Context) {
		var m Message
		if err := c.ShouldBindJSON(&m); err != nil {
			c.String(http.StatusBadRequest, err.Error())
			return
		}
		c.JSON(http.StatusOK, m)
	})
	return r
}

// echo: echo.New(), no middleware.
func newEchoApp() http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/plaintext", func(c echo.Context) error {
		return c.String(http.StatusOK, HelloWorld)
	})
	e.GET("/json", func(c echo.Context) error {
		return c.JSON(http.StatusOK, Hello{Message: HelloWorld})
	})
	e.GET("/users/:id", func(c echo.Context) error {
		id, err := strconv.Atoi(c.Param("id"))
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "invalid id")
		}
		return c.JSON(http.StatusOK, ID{ID: id})
	})
	e.POST("/echo", func(c echo.Context) error {
		var m Message
		if err := c.Bind(&m); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, m)
	})
	return e
}

// chi: chi.NewRouter(), no middleware, plain net/http handlers.
func newChiApp() http.Handler {
	r := chi.NewRouter()
	r.Get("/plaintext", plaintext)
	r.Get("/json", jsonHello)
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		userID(w, chi.URLParam(r, "id"))
	})
	r.Post("/echo", echoMessage)
	return r
}

// stdlib: http.ServeMux with Go 1.22 method and wildcard patterns.
func newStdlibApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plaintext", plaintext)
	mux.HandleFunc("GET /json", jsonHello)
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		userID(w, r.PathValue("id"))
	})
	mux.HandleFunc("POST /echo", echoMessage)
	return mux
}

// The net/http handlers shared by chi and stdlib.

var helloWorld = []byte(HelloWorld)

func plaintext(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(helloWorld)
}

func jsonHello(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, Hello{Message: HelloWorld})
}

func userID(w http.ResponseWriter, param string) {
	id, err := strconv.Atoi(param)
	if err != nil {
		http.Error(w, "invalid id", http.StatusBadRequest)
		return
	}
	writeJSON(w, ID{ID: id})
}

func echoMessage(w http.ResponseWriter, r *http.Request) {
	var m Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, m)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
