// Package openapi generates an OpenAPI 3.1 document from a Nexios app's
// routes and serves it as JSON, YAML and a 3.0.3 downgrade, with the
// documentation pages of package docsui (Swagger UI, ReDoc) when asked.
//
//	app := nexios.New(nexios.Config{Title: "Users API", Version: "1.0.0"})
//	nexios.Post(app, "/users", createUser, nexios.Status(201), nexios.Summary("Create a user"))
//	if err := openapi.Register(app, openapi.Config{
//		SecuritySchemes: map[string]openapi.SecurityScheme{"bearerAuth": openapi.BearerJWT()},
//		DefaultSecurity: []map[string][]string{{"bearerAuth": {}}},
//		UI:              []openapi.UI{docsui.SwaggerUI(""), docsui.ReDoc("")},
//	}); err != nil {
//		log.Fatal(err)
//	}
//	// GET /openapi.json, /openapi.yaml, /openapi-3.0.json, /docs, /redoc
//
// Every route contributes one operation per method, built from its
// RouteDoc: typed handlers (nexios.Get, nexios.Post, …) document their
// input and output types, plain handlers declare them with nexios.Input,
// nexios.RequestBody and nexios.Returns. Inputs are documented from
// bind.Describe, the description binding itself uses: fields tagged path,
// query, header and cookie are parameters, the others the JSON (or form)
// body; CheckBindings proves the two agree for a whole app. A request
// property is required when binding refuses a request without it, a
// response property when the encoder always writes it (no omitempty, not
// a pointer). Schemas come from the Go types via
// github.com/swaggest/jsonschema-go, with validate tags mapped to JSON
// Schema keywords (required, min/max → minLength/maxLength or
// minimum/maximum, oneof → enum, email → format email, …), doc tags to
// descriptions and default tags to defaults. Named struct and enum types
// become components referenced with $ref.
//
// Document, Build, BuildYAML and Build30 export the document without
// serving it, for a CLI or a test. Error responses have one schema,
// Config.ErrorSchema (default nexios.Problem).
package openapi
