package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

func TestProcessJSON(t *testing.T) {
	t.Parallel()
	app := newApp()
	c := openapitest.Client(t, app)

	const problem = "application/problem+json"
	cases := []struct {
		name        string
		opts        []testclient.RequestOption
		status      int
		contentType string
		body        string
		// unchecked sends through the plain client: the document lists
		// the JSON body only (the generator documents a form for
		// form-tagged inputs), so the checking client would report the
		// form that Bind accepts as well.
		unchecked bool
	}{
		{
			name:   "valid user",
			opts:   []testclient.RequestOption{testclient.JSON(map[string]any{"name": "Ada", "age": 36})},
			status: http.StatusOK, contentType: "application/json",
			body: `{"status":"success","user":{"name":"Ada","age":36}}` + "\n",
		},
		{
			name:   "age zero is present, so valid",
			opts:   []testclient.RequestOption{testclient.JSON(map[string]any{"name": "Baby", "age": 0})},
			status: http.StatusOK, contentType: "application/json",
			body: `{"status":"success","user":{"name":"Baby","age":0}}` + "\n",
		},
		{
			name:   "unknown fields are ignored",
			opts:   []testclient.RequestOption{testclient.JSON(map[string]any{"name": "Ada", "age": 36, "admin": true})},
			status: http.StatusOK, contentType: "application/json",
			body: `{"status":"success","user":{"name":"Ada","age":36}}` + "\n",
		},
		{
			name:   "missing age",
			opts:   []testclient.RequestOption{testclient.JSON(map[string]any{"name": "Ada"})},
			status: http.StatusUnprocessableEntity, contentType: problem,
			body: `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed for field age",` +
				`"errors":[{"location":"body","field":"age","message":"is required","rule":"required"}]}` + "\n",
		},
		{
			name:   "empty object",
			opts:   []testclient.RequestOption{testclient.Body("application/json", []byte(`{}`))},
			status: http.StatusUnprocessableEntity, contentType: problem,
			body: `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed for 2 fields",` +
				`"errors":[{"location":"body","field":"name","message":"is required","rule":"required"},` +
				`{"location":"body","field":"age","message":"is required","rule":"required"}]}` + "\n",
		},
		{
			name:   "malformed JSON",
			opts:   []testclient.RequestOption{testclient.Body("application/json", []byte(`{bad`))},
			status: http.StatusBadRequest, contentType: problem,
			body: `{"type":"about:blank","title":"Bad Request","status":400,"detail":"malformed JSON at byte 2: invalid character 'b' looking for beginning of object key string"}` + "\n",
		},
		{
			// pydantic would coerce "36" to 36; encoding/json does not, and
			// the mismatch is reported like any other invalid field.
			name:   "wrong JSON type",
			opts:   []testclient.RequestOption{testclient.Body("application/json", []byte(`{"name":"Ada","age":"36"}`))},
			status: http.StatusUnprocessableEntity, contentType: problem,
			body: `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed for field age",` +
				`"errors":[{"location":"body","field":"age","message":"must be an integer","rule":"type"}]}` + "\n",
		},
		{
			// An empty JSON body has no fields: both are missing.
			name:   "empty body",
			opts:   []testclient.RequestOption{testclient.Body("application/json", nil)},
			status: http.StatusUnprocessableEntity, contentType: problem,
			body: `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed for 2 fields",` +
				`"errors":[{"location":"body","field":"name","message":"is required","rule":"required"},` +
				`{"location":"body","field":"age","message":"is required","rule":"required"}]}` + "\n",
		},
		{
			name:   "not an object",
			opts:   []testclient.RequestOption{testclient.Body("application/json", []byte(`[1, 2]`))},
			status: http.StatusUnprocessableEntity, contentType: problem,
			body: `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed: must be an object",` +
				`"errors":[{"location":"body","field":"","message":"must be an object","rule":"type"}]}` + "\n",
		},
		{
			name:   "unsupported content type",
			opts:   []testclient.RequestOption{testclient.Body("text/plain", []byte(`name=Ada`))},
			status: http.StatusUnsupportedMediaType, contentType: problem,
			body: `{"type":"about:blank","title":"Unsupported Media Type","status":415,"detail":"unsupported Content-Type \"text/plain\": send application/json or a form"}` + "\n",
		},
		{
			// Bind also accepts forms; the same validation applies.
			name:   "form body",
			opts:   []testclient.RequestOption{testclient.Form(url.Values{"name": {"Ada"}, "age": {"36"}})},
			status: http.StatusOK, contentType: "application/json",
			body:      `{"status":"success","user":{"name":"Ada","age":36}}` + "\n",
			unchecked: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := c
			if tc.unchecked {
				client = testclient.New(app)
			}
			r := client.Post("/json", tc.opts...)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if r.Status != tc.status {
				t.Errorf("status = %d, want %d (body %q)", r.Status, tc.status, r.Text())
			}
			if got := r.Header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.contentType)
			}
			if got := r.Text(); got != tc.body {
				t.Errorf("body = %s\nwant   %s", got, tc.body)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	// Config.MaxBodyBytes defaults to 10 MiB; one byte more is 413.
	big := make([]byte, 10<<20+1)
	r := openapitest.Client(t, newApp()).Post("/json", testclient.Body("application/json", big))
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413 (body %q)", r.Status, r.Text())
	}
}

func TestOnlyPost(t *testing.T) {
	t.Parallel()
	r := openapitest.Client(t, newApp()).Get("/json")
	if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST, OPTIONS" {
		t.Errorf("GET /json = %d, Allow %q; want 405, Allow \"POST, OPTIONS\"", r.Status, r.Header.Get("Allow"))
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
	}
}
