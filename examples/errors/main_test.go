package main

import (
	"net/http"
	"testing"

	"github.com/nexios-go/nexios/openapi/openapitest"
)

func TestErrorHandling(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())

	cases := []struct {
		name        string
		method      string
		path        string
		status      int
		contentType string
		body        string
		header      [2]string // a header the response must carry
	}{
		{
			name: "HTTPError via the type handler", method: http.MethodGet, path: "/error",
			status: http.StatusBadRequest, contentType: "application/json",
			body: `{"error":"This is a bad request!"}` + "\n",
		},
		{
			name: "custom type, wrapped", method: http.MethodGet, path: "/stock/lamp",
			status: http.StatusConflict, contentType: "application/json",
			body: `{"error":"out of stock","item":"lamp"}` + "\n",
		},
		{
			name: "sentinel mapped by the 500 status handler", method: http.MethodGet, path: "/maintenance",
			status: http.StatusServiceUnavailable, contentType: "application/json",
			body:   `{"error":"the shop is closed for maintenance"}` + "\n",
			header: [2]string{"Retry-After", "3600"},
		},
		{
			name: "unmatched path via the 404 status handler", method: http.MethodGet, path: "/nowhere",
			status: http.StatusNotFound, contentType: "application/json",
			body: `{"error":"not found","path":"/nowhere"}` + "\n",
		},
		{
			name: "handler 404 declined by the type handler", method: http.MethodGet, path: "/users/7",
			status: http.StatusNotFound, contentType: "application/json",
			body: `{"error":"not found","path":"/users/7"}` + "\n",
		},
		{
			name: "405 is an HTTPError too, Allow kept", method: http.MethodDelete, path: "/error",
			status: http.StatusMethodNotAllowed, contentType: "application/json",
			body:   `{"error":"method DELETE is not allowed for /error"}` + "\n",
			header: [2]string{"Allow", "GET, HEAD, OPTIONS"},
		},
		{
			name: "HTTPError headers set once, before the handler", method: http.MethodGet, path: "/private",
			status: http.StatusUnauthorized, contentType: "application/json",
			body:   `{"error":"log in first"}` + "\n",
			header: [2]string{"Www-Authenticate", `Bearer realm="shop"`},
		},
		{
			name: "panic falls through to the default renderer", method: http.MethodGet, path: "/panic",
			status: http.StatusInternalServerError, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Internal Server Error","status":500}` + "\n",
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
			if k := tc.header[0]; k != "" && (len(r.Header.Values(k)) != 1 || r.Header.Get(k) != tc.header[1]) {
				t.Errorf("%s = %q, want exactly %q", k, r.Header.Values(k), tc.header[1])
			}
		})
	}
}
