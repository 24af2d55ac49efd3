// Command middleware is the Go port of §5 of the Nexios API examples
// ("Middleware Usage"): an app with CORS and security-header middleware
// and a GET / route, plus — from the RESTful API example — a router with
// a rate limit of 100 requests a minute, to show router-level use. It also
// compresses responses, tags them with ETags and serves embedded static
// files under /assets.
//
//	go run ./examples/middleware
//	curl -si http://127.0.0.1:5000/ -H 'Origin: http://localhost:3000'
//	curl -si -X OPTIONS http://127.0.0.1:5000/api/v1/users \
//	  -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: POST'
//	curl -si http://127.0.0.1:5000/api/v1/users
//	curl -si --compressed http://127.0.0.1:5000/assets/app.css
//	curl -si http://127.0.0.1:5000/assets/app.css -H 'If-None-Match: <the ETag>'
//	curl -si http://127.0.0.1:5000/assets/app.css -H 'Range: bytes=0-99'
package main

import (
	"embed"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
	"github.com/nexios-go/nexios/middleware/cors"
	"github.com/nexios-go/nexios/middleware/etag"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/middleware/secure"
	"github.com/nexios-go/nexios/middleware/static"
)

// assets are the static files, built into the binary.
//
//go:embed assets
var assets embed.FS

// config holds what the example lets a test change.
type config struct {
	origins   []string
	rateLimit int
}

func newApp(c config) (*nexios.App, error) {
	app := nexios.New(nexios.Config{Title: "Middleware example"})

	// app.add_middleware(CORSMiddleware()) and SecurityMiddleware(). In Go
	// each middleware is built from a Config whose mistakes are reported
	// here, at start-up, instead of at the first request. Nexios' CORS
	// defaults allowed credentials from anywhere; here the allowed origins
	// are explicit.
	corsMW, err := cors.New(cors.Config{
		AllowOrigins: c.origins,
		AllowHeaders: []string{"Content-Type", "Authorization"},
		MaxAge:       10 * time.Minute,
	})
	if err != nil {
		return nil, err
	}
	secureMW, err := secure.New(secure.Config{}) // nosniff, frame denial, CSP, referrer policy…
	if err != nil {
		return nil, err
	}
	// compress gzips or zstd-compresses text, JSON, CSS… of 1 KiB or more
	// for clients that accept it; a strong ETag on a compressed response
	// becomes weak, since the bytes differ from the identity ones.
	compressMW, err := compress.New(compress.Config{})
	if err != nil {
		return nil, err
	}
	// etag hashes the body of generated 200 responses (the JSON routes)
	// and answers If-None-Match with 304. Responses that already carry an
	// ETag, like the static files, keep theirs.
	etagMW, err := etag.New(etag.Config{})
	if err != nil {
		return nil, err
	}
	// static serves the embedded assets under /assets with the same
	// validators, conditional requests and Range handling as res.FileFS;
	// other paths go on to the routes. Dotfiles, "..", encoded separators
	// are not found.
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	staticMW, err := static.New(static.Config{FS: sub, Prefix: "/assets", MaxAge: time.Hour})
	if err != nil {
		return nil, err
	}
	// First added is outermost: CORS answers preflights before anything
	// else runs, and the security headers are on every response;
	// compression wraps everything after it, including static files.
	app.Use(corsMW, secureMW, compressMW, etagMW, staticMW)

	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"message": "Hello from a protected app"})
	})

	// router.add_middleware(RateLimitMiddleware, rate_limit=100,
	// time_window=60): the limit applies to this router's routes only.
	limit, err := ratelimit.New(ratelimit.Config{Limit: c.rateLimit, Window: time.Minute})
	if err != nil {
		return nil, err
	}
	api := nexios.NewRouter("/api/v1", nexios.RouterTags("users"))
	api.Use(limit)
	api.Get("/users", func(_ *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]any{"items": []string{"ann", "bob"}, "total": 2})
	})
	api.Post("/users", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Status(201).JSON(map[string]string{"status": "created"})
	})
	app.Mount(api)
	return app, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	app, err := newApp(config{origins: []string{"http://localhost:3000"}, rateLimit: 100})
	if err == nil {
		err = app.Run(*addr)
	}
	if err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
