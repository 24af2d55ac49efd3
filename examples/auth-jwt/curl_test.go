package main

import (
	"os"
	"testing"

	"github.com/nexios-go/nexios/examples/internal/curltest"
	"github.com/nexios-go/nexios/openapi/openapitest"
)

// The curl lines of the package documentation work as written (issue 10:
// they sent JSON without Content-Type and got 422).
func TestCurlLines(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	app, err := newApp(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	hc := *openapitest.Client(t, app).HTTPClient()
	hc.Jar = nil // curltest keeps the cookies, as curl -b/-c do
	curltest.Run(t, string(src), &hc)
}
