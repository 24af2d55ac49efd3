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
	app := newApp()
	openapitest.Check(t, app)
}
