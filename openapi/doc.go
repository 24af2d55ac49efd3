// Package openapi generates an OpenAPI 3.1 document from a Nexios app's
// routes and serves it with Swagger UI and ReDoc.
//
//	app := nexios.New(nexios.Config{Title: "Users API", Version: "1.0.0"})
//	nexios.Post(app, "/users", createUser, nexios.Status(201), nexios.Summary("Create a user"))
//	if err := openapi.Register(app, openapi.Config{
//		SecuritySchemes: map[string]openapi.SecurityScheme{"bearerAuth": openapi.BearerJWT()},
//		DefaultSecurity: []map[string][]string{{"bearerAuth": {}}},
//	}); err != nil {
//		log.Fatal(err)
//	}
//	// GET /openapi.json, /docs (Swagger UI, offline), /redoc (ReDoc, from a CDN)
//
// Every route contributes one operation per method, built from its
// RouteDoc: typed handlers (nexios.Get, nexios.Post, …) document their
// input and output types, plain handlers declare them with nexios.Input,
// nexios.RequestBody and nexios.Returns. Input structs follow the bind
// package: fields tagged path, query, header and cookie are parameters,
// the others the JSON (or form) body. Schemas come from the Go types via
// github.com/swaggest/jsonschema-go, with validate tags mapped to JSON
// Schema keywords (required, min/max → minLength/maxLength or
// minimum/maximum, oneof → enum, email → format email, …), doc tags to
// descriptions and default tags to defaults. Named struct and enum types
// become components referenced with $ref.
//
// Document and Build export the document without serving it, for a CLI
// or a test.
package openapi
