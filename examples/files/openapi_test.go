package main

import (
	"testing"

	"github.com/nexios-go/nexios/openapi/openapitest"
)

// TestOpenAPI checks the app's OpenAPI document with an independent
// validator and that it documents every route's input as binding reads
// it.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	app, err := newApp(config{dir: t.TempDir(), token: "test-token", maxBytes: 1 << 20, maxFiles: 10})
	if err != nil {
		t.Fatal(err)
	}
	openapitest.Check(t, app)
}
