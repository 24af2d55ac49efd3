package openapitest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"

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
	if dir := os.Getenv(ExportDirEnv); dir != "" {
		if err := export(dir, doc); err != nil {
			t.Fatalf("openapitest: %v", err)
		}
	}
}

// ExportDirEnv names the environment variable that makes Check write each
// document it checks to that directory, as <package directory>.json, for
// outside linters (scripts/lint-openapi.sh runs Redocly CLI on them).
const ExportDirEnv = "NEXIOS_OPENAPI_EXPORT_DIR"

func export(dir string, doc []byte) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	name := filepath.Join(dir, filepath.Base(wd)+".json")
	if _, err := os.Stat(name); err == nil {
		sum := sha256.Sum256(doc)
		name = filepath.Join(dir, fmt.Sprintf("%s-%x.json", filepath.Base(wd), sum[:4]))
	}
	return os.WriteFile(name, doc, 0o644)
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
