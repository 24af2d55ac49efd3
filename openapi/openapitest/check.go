package openapitest

import (
	"context"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
)

// Check fails t unless app's document is valid OpenAPI 3.1 (and its 3.0.3
// downgrade valid OpenAPI 3.0) for kin-openapi, and documents the inputs
// of every route as binding reads them (openapi.CheckBindings). It uses
// the configuration openapi.Register was called with, else the zero
// Config, so it also checks apps that do not serve a document.
func Check(t TB, app *nexios.App) {
	t.Helper()
	cfg, _ := openapi.Registered(app)
	doc, err := openapi.Build(app, cfg)
	if err != nil {
		t.Fatalf("openapitest: %v", err)
	}
	CheckDocument(t, doc)
	if err := openapi.CheckBindings(app); err != nil {
		t.Errorf("openapitest: %v", err)
	}
}

// CheckDocument fails t unless doc is a valid OpenAPI 3.1 document whose
// examples and defaults match their schemas, and its 3.0.3 downgrade
// (openapi.Downgrade) is a valid OpenAPI 3.0 document.
func CheckDocument(t TB, doc []byte) {
	t.Helper()
	validate := func(b []byte, want31 bool) {
		t.Helper()
		loader := openapi3.NewLoader()
		d, err := loader.LoadFromData(b)
		if err != nil {
			t.Fatalf("openapitest: kin-openapi cannot load the document: %v", err)
		}
		if d.IsOpenAPI31OrLater() != want31 {
			t.Errorf("openapitest: openapi = %q", d.OpenAPI)
		}
		if err := d.Validate(context.Background(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaDefaultsValidation()); err != nil {
			t.Errorf("openapitest: kin-openapi rejects the %s document: %v", d.OpenAPI, err)
		}
	}
	validate(doc, true)
	v30, err := openapi.Downgrade(doc)
	if err != nil {
		t.Fatalf("openapitest: %v", err)
	}
	validate(v30, false)
}
