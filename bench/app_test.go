package bench

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// Framework-level benchmarks: four small endpoints served through each
// framework's full ServeHTTP (routing, context/pooling, parameter parsing,
// JSON encoding and decoding, response headers). The apps are the ones
// cmd/benchserver serves (apps.go, apps_nexios.go).

func newTestApp(tb testing.TB, name string) http.Handler {
	tb.Helper()
	h, err := NewApp(name)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// reusableBody is a request body that can be rewound between iterations.
type reusableBody struct{ bytes.Reader }

func (*reusableBody) Close() error { return nil }

// appCase is one endpoint request as the benchmarks send it: a pre-built
// request whose body (if any) is rewound before each ServeHTTP.
type appCase struct {
	r       *http.Request
	body    *reusableBody
	payload []byte
}

func newAppCase(method, target, body string) *appCase {
	c := &appCase{r: httptest.NewRequest(method, target, nil)}
	if body != "" {
		c.body = &reusableBody{}
		c.payload = []byte(body)
		c.r.Header.Set("Content-Type", "application/json")
		c.r.ContentLength = int64(len(body))
	}
	return c
}

func (c *appCase) serve(h http.Handler, w *discardWriter) {
	if c.body != nil {
		c.body.Reset(c.payload)
		c.r.Body = c.body
	}
	w.reset()
	h.ServeHTTP(w, c.r)
}

func benchApp(b *testing.B, method, target, body string) {
	for _, name := range AppNames() {
		b.Run(name, func(b *testing.B) {
			h := newTestApp(b, name)
			c := newAppCase(method, target, body)
			w := newDiscardWriter()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				c.serve(h, w)
			}
		})
	}
}

var appCases = []struct {
	method, target, body string
	contentType          string // prefix
	response             string // after trimming white space
}{
	{"GET", "/plaintext", "", "text/plain", HelloWorld},
	{"GET", "/json", "", "application/json", `{"message":"Hello, World!"}`},
	{"GET", "/users/12345", "", "application/json", `{"id":12345}`},
	{"POST", "/echo", EchoBody, "application/json", EchoBody},
}

func BenchmarkAppPlaintext(b *testing.B) { benchApp(b, "GET", "/plaintext", "") }
func BenchmarkAppJSON(b *testing.B)      { benchApp(b, "GET", "/json", "") }
func BenchmarkAppUserID(b *testing.B)    { benchApp(b, "GET", "/users/12345", "") }
func BenchmarkAppEcho(b *testing.B)      { benchApp(b, "POST", "/echo", EchoBody) }

// TestAppBenchRequests sends each benchmark request several times exactly
// as the benchmarks do (same request object, same writer) and checks that
// every time the full response body is written and the content type set.
func TestAppBenchRequests(t *testing.T) {
	for _, name := range AppNames() {
		h := newTestApp(t, name)
		w := newDiscardWriter()
		for _, tc := range appCases {
			c := newAppCase(tc.method, tc.target, tc.body)
			for i := range 3 {
				c.serve(h, w)
				// Encoders may or may not end JSON with a newline.
				if w.n != len(tc.response) && w.n != len(tc.response)+1 {
					t.Errorf("%s: %s %s (#%d): wrote %d body bytes, want %d", name, tc.method, tc.target, i, w.n, len(tc.response))
				}
				if ct := w.h.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), tc.contentType) {
					t.Errorf("%s: %s %s (#%d): Content-Type %q", name, tc.method, tc.target, i, ct)
				}
			}
		}
	}
}

// TestAppEndpoints checks that every app answers the four endpoints the same
// way, so the benchmarks compare equal work.
func TestAppEndpoints(t *testing.T) {
	names := AppNames()
	if len(names) < 4 {
		t.Fatalf("apps: %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			h := newTestApp(t, name)
			do := func(method, target, body string) *httptest.ResponseRecorder {
				t.Helper()
				var r *http.Request
				if body != "" {
					r = httptest.NewRequest(method, target, strings.NewReader(body))
					r.Header.Set("Content-Type", "application/json")
				} else {
					r = httptest.NewRequest(method, target, nil)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			expectJSON := func(w *httptest.ResponseRecorder, what string, want, got any) {
				t.Helper()
				if w.Code != 200 {
					t.Fatalf("%s: status %d, body %q", what, w.Code, w.Body)
				}
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("%s: Content-Type %q", what, ct)
				}
				if err := json.Unmarshal(w.Body.Bytes(), got); err != nil {
					t.Fatalf("%s: %v in %q", what, err, w.Body)
				}
				if !reflect.DeepEqual(reflect.ValueOf(got).Elem().Interface(), want) {
					t.Errorf("%s: got %+v, want %+v", what, got, want)
				}
			}

			w := do("GET", "/plaintext", "")
			if w.Code != 200 || w.Body.String() != HelloWorld {
				t.Errorf("GET /plaintext: %d %q", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.EqualFold(ct, "text/plain; charset=utf-8") {
				t.Errorf("GET /plaintext: Content-Type %q", ct)
			}

			w = do("GET", "/json", "")
			if got := strings.TrimSpace(w.Body.String()); got != `{"message":"Hello, World!"}` {
				t.Errorf("GET /json: body %q", got)
			}
			expectJSON(w, "GET /json", Hello{HelloWorld}, &Hello{})

			expectJSON(do("GET", "/users/12345", ""), "GET /users/12345", ID{12345}, &ID{})
			if w := do("GET", "/users/abc", ""); w.Code < 400 || w.Code >= 500 {
				t.Errorf("GET /users/abc: status %d, want 4xx", w.Code)
			}

			var want Message
			if err := json.Unmarshal([]byte(EchoBody), &want); err != nil {
				t.Fatal(err)
			}
			expectJSON(do("POST", "/echo", EchoBody), "POST /echo", want, &Message{})
			if w := do("POST", "/echo", `{"name":`); w.Code < 400 || w.Code >= 500 {
				t.Errorf("POST /echo with a broken body: status %d, want 4xx", w.Code)
			}
		})
	}
}
