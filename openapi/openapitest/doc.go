// Package openapitest checks, in tests, that an app behaves as its own
// OpenAPI document says, with an independent validator (kin-openapi).
//
//	func TestAPI(t *testing.T) {
//		app := newApp()
//		openapitest.Check(t, app)         // valid documents; documented = bound
//		c := openapitest.Client(t, app)   // a testclient.Client that checks every exchange
//		c.Post("/users", testclient.JSON(body))
//	}
//
// Client validates every request against the document and every response
// it gets back, and reports (t.Errorf) what does not agree:
//
//   - a response that breaks its documented schema, headers or status;
//   - a request the document accepts but the server rejects as invalid
//     (422), and one it forbids but the server accepts (2xx): the
//     document and validation disagree;
//   - a field error (a 422's "errors") whose location and field name no
//     documented parameter or body property;
//   - a response property sent with its zero value although the schema
//     does not require it: the server always sends it (a field without
//     omitempty), so the schema must mark it required.
//
// It is a module of its own so that the kernel's users do not inherit
// kin-openapi through the kernel's requirements.
package openapitest
