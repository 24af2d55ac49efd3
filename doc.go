// Package nexios is a web framework on net/http with the API of the Python
// framework Nexios: handlers take a request and a response and return an
// error, routes have typed path parameters, and middleware runs at the app,
// router and route levels.
//
//	app := nexios.New(nexios.Config{Title: "My API", Version: "1.0.0"})
//	app.Get("/api/items/{item_id:int}", func(req *nexios.Request, res *nexios.Response) error {
//		id, err := req.PathInt("item_id")
//		if err != nil {
//			return err
//		}
//		return res.JSON(map[string]any{"id": id, "name": fmt.Sprintf("Item %d", id)})
//	})
//	log.Fatal(app.Run("127.0.0.1:5000"))
//
// # Request path
//
// A request goes through App.Pre middleware, routing (404, 405 with Allow,
// automatic HEAD and OPTIONS, trailing-slash and clean-path redirects), the
// app middleware (App.Use), the router middleware, the route middleware and
// the handler. An error returned anywhere travels back up through the
// middleware, which may inspect or replace it, and is rendered once by the
// error handlers registered with HandleError (by type) and App.HandleStatus
// (by status), or by the default renderer, which writes RFC 9457
// application/problem+json. A panic becomes a *PanicError (500) and the
// server keeps serving.
//
// # Performance
//
// Request and Response objects are pooled, middleware chains are composed
// once at the first request, and routing static and parameter paths does
// not allocate: a plaintext or JSON request allocates nothing beyond what
// net/http does.
//
// # Extending
//
// Data attached to a request, a route or the app goes through a typed
// key (Key): a package declares its keys and owns what is stored under
// them. Background work after the response goes through Response.After.
//
// # Packages
//
// The root package is the kernel; it imports no feature package. Around
// it, each in its own package: bind (binding and validation), openapi
// (OpenAPI 3.1; the docs UIs in openapi/docsui), config (typed
// configuration from flags, the environment and .env files), session,
// auth, websocket, template, cache, health (liveness and readiness
// probes), pprof (profiles behind a guard), autotls (certificates from
// ACME), testclient (an in-process client for tests), storetest (the
// conformance kit for stores) and one package per middleware under
// middleware/ (bodylimit, cache, compress, cors, csrf, etag, logger,
// proxy, ratelimit, recover, requestid, secure, static, timeout).
// Integrations with heavy dependencies are separate modules: db (SQL data
// layer and SQL stores), jobs (durable jobs on River), mail, redis, otel,
// prometheus, cli (an app's command line) and the nexios command
// (cmd/nexios).
package nexios
