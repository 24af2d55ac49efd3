package main

import (
	"net/http"
	"testing"

	"github.com/nexios-go/nexios/openapi/openapitest"
)

func TestRoutes(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())

	cases := []struct {
		name        string
		method      string
		path        string
		status      int
		contentType string
		body        string
		allow       string
	}{
		{
			name: "list", method: http.MethodGet, path: "/api/items",
			status: http.StatusOK, contentType: "application/json",
			body: `[{"id":1,"name":"Item 1"},{"id":2,"name":"Item 2"}]` + "\n",
		},
		{
			name: "item", method: http.MethodGet, path: "/api/items/2",
			status: http.StatusOK, contentType: "application/json",
			body: `{"id":2,"name":"Item 2"}` + "\n",
		},
		{
			name: "any int", method: http.MethodGet, path: "/api/items/42",
			status: http.StatusOK, contentType: "application/json",
			body: `{"id":42,"name":"Item 42"}` + "\n",
		},
		{
			name: "head answers like get", method: http.MethodHead, path: "/api/items/1",
			status: http.StatusOK, contentType: "application/json",
		},
		{
			name: "non-int id", method: http.MethodGet, path: "/api/items/abc",
			status: http.StatusNotFound, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Not Found","status":404,"detail":"no route matches GET /api/items/abc"}` + "\n",
		},
		{
			name: "negative id", method: http.MethodGet, path: "/api/items/-1",
			status: http.StatusNotFound, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Not Found","status":404,"detail":"no route matches GET /api/items/-1"}` + "\n",
		},
		{
			name: "id overflowing int64", method: http.MethodGet, path: "/api/items/99999999999999999999",
			status: http.StatusNotFound, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Not Found","status":404,"detail":"no route matches GET /api/items/99999999999999999999"}` + "\n",
		},
		{
			name: "wrong method", method: http.MethodPost, path: "/api/items",
			status: http.StatusMethodNotAllowed, contentType: "application/problem+json",
			body:  `{"type":"about:blank","title":"Method Not Allowed","status":405,"detail":"method POST is not allowed for /api/items"}` + "\n",
			allow: "GET, HEAD, OPTIONS",
		},
		{
			name: "automatic options", method: http.MethodOptions, path: "/api/items/1",
			status: http.StatusNoContent, allow: "GET, HEAD, OPTIONS",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := c.Do(tc.method, tc.path)
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
				t.Errorf("body = %q, want %q", got, tc.body)
			}
			if got := r.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestItemIDIsANumber(t *testing.T) {
	t.Parallel()
	r := openapitest.Client(t, newApp()).Get("/api/items/7")
	var item map[string]any
	if err := r.JSON(&item); err != nil {
		t.Fatal(err)
	}
	// encoding/json decodes JSON numbers into float64: the id is a number,
	// not the string "7" taken from the URL.
	if id, ok := item["id"].(float64); !ok || id != 7 {
		t.Errorf("id = %#v, want the JSON number 7", item["id"])
	}
}

func TestURLFor(t *testing.T) {
	t.Parallel()
	u, err := newApp().URLFor("get_item", map[string]any{"item_id": 42})
	if err != nil || u != "/api/items/42" {
		t.Errorf("URLFor = %q, %v; want /api/items/42", u, err)
	}
}
