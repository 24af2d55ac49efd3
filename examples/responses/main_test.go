package main

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

func TestResponses(t *testing.T) {
	t.Parallel()
	// Redirects are asserted as sent, not followed.
	c := openapitest.Client(t, newApp(), testclient.WithoutRedirects())

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
			name: "json", method: http.MethodGet, path: "/json",
			status: http.StatusOK, contentType: "application/json",
			body: `{"message":"Hello, World!"}` + "\n",
		},
		{
			name: "custom XML type", method: http.MethodGet, path: "/xml",
			status: http.StatusOK, contentType: "application/xml",
			body: xml.Header + `<response><message>Hello, World!</message></response>`,
		},
		{
			name: "custom type failing to encode", method: http.MethodGet, path: "/xml/broken",
			status: http.StatusInternalServerError, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Internal Server Error","status":500}` + "\n",
		},
		{
			name: "built-in XML", method: http.MethodGet, path: "/xml/builtin",
			status: http.StatusOK, contentType: "application/xml; charset=utf-8",
			body: xml.Header + `<greeting><message>Hello, World!</message></greeting>`,
		},
		{
			name: "text", method: http.MethodGet, path: "/text",
			status: http.StatusOK, contentType: "text/plain; charset=utf-8",
			body: "Hello, World!",
		},
		{
			name: "html", method: http.MethodGet, path: "/html",
			status: http.StatusOK, contentType: "text/html; charset=utf-8",
			body: "<h1>Hello, World!</h1>",
		},
		{
			name: "bytes", method: http.MethodGet, path: "/csv",
			status: http.StatusOK, contentType: "text/csv; charset=utf-8",
			body: "id,name\n1,Item 1\n",
		},
		{
			name: "status and header chaining", method: http.MethodPost, path: "/created",
			status: http.StatusCreated, contentType: "application/json",
			body: `{"id":3}` + "\n", header: [2]string{"Location", "/items/3"},
		},
		{
			name: "redirect", method: http.MethodGet, path: "/redirect",
			status: http.StatusFound, contentType: "text/html; charset=utf-8",
			body: `<a href="/json">Found</a>.` + "\n\n", header: [2]string{"Location", "/json"},
		},
		{
			name: "no content", method: http.MethodGet, path: "/nocontent",
			status: http.StatusNoContent,
		},
		{
			name: "cookie defaults", method: http.MethodGet, path: "/cookie",
			status: http.StatusNoContent,
			header: [2]string{"Set-Cookie", "theme=dark; Path=/; HttpOnly; SameSite=Lax"},
		},
		{
			name: "written once", method: http.MethodGet, path: "/twice",
			status: http.StatusOK, contentType: "text/plain; charset=utf-8",
			body: "first",
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
			if k := tc.header[0]; k != "" && r.Header.Get(k) != tc.header[1] {
				t.Errorf("%s = %q, want %q", k, r.Header.Get(k), tc.header[1])
			}
		})
	}
}

func TestXMLBodyContainsMessage(t *testing.T) {
	t.Parallel()
	r := openapitest.Client(t, newApp()).Get("/xml")
	if !strings.Contains(r.Text(), "<message>Hello, World!</message>") {
		t.Errorf("body %q lacks the message element", r.Text())
	}
	var doc struct {
		XMLName xml.Name `xml:"response"`
		Message string   `xml:"message"`
	}
	if err := xml.Unmarshal(r.Body, &doc); err != nil || doc.Message != "Hello, World!" {
		t.Errorf("xml.Unmarshal = %+v, %v", doc, err)
	}
}

func TestXMLEscapes(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	x := XMLResponse{Root: "r", Content: map[string]string{"b": "2 < 3 & 4", "a": "1"}}
	if err := x.Encode(&b); err != nil {
		t.Fatal(err)
	}
	want := xml.Header + `<r><a>1</a><b>2 &lt; 3 &amp; 4</b></r>`
	if b.String() != want {
		t.Errorf("Encode = %q, want %q", b.String(), want)
	}
}

func TestRedirectIsFollowed(t *testing.T) {
	t.Parallel()
	r := openapitest.Client(t, newApp()).Get("/redirect")
	if r.Status != http.StatusOK || r.Text() != `{"message":"Hello, World!"}`+"\n" || r.Raw.Request.URL.Path != "/json" {
		t.Errorf("GET /redirect followed = %d %q at %s", r.Status, r.Text(), r.Raw.Request.URL)
	}
}
