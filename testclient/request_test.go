package testclient_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios/testclient"
)

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	c := testclient.New(echoHandler)
	tests := []struct {
		name     string
		method   string
		opts     []testclient.RequestOption
		wantCT   string
		wantBody string
		wantCL   int64
		wantTE   []string
	}{
		{
			name:     "json",
			method:   http.MethodPost,
			opts:     []testclient.RequestOption{testclient.JSON(map[string]any{"name": "ada", "age": 36})},
			wantCT:   "application/json",
			wantBody: `{"age":36,"name":"ada"}`,
			wantCL:   23,
		},
		{
			name:     "form",
			method:   http.MethodPut,
			opts:     []testclient.RequestOption{testclient.Form(url.Values{"a": {"1", "2"}, "b": {"x y&z"}})},
			wantCT:   "application/x-www-form-urlencoded",
			wantBody: "a=1&a=2&b=x+y%26z",
			wantCL:   17,
		},
		{
			name:     "raw bytes",
			method:   http.MethodPatch,
			opts:     []testclient.RequestOption{testclient.Body("text/csv", []byte("a,b\n1,2\n"))},
			wantCT:   "text/csv",
			wantBody: "a,b\n1,2\n",
			wantCL:   8,
		},
		{
			name:     "binary bytes",
			method:   http.MethodPost,
			opts:     []testclient.RequestOption{testclient.Body("application/octet-stream", []byte{0, 1, 2, 0xff})},
			wantCT:   "application/octet-stream",
			wantBody: "\x00\x01\x02\xff",
			wantCL:   4,
		},
		{
			name:     "streamed reader",
			method:   http.MethodPost,
			opts:     []testclient.RequestOption{testclient.Reader("text/plain", strings.NewReader("streamed body"))},
			wantCT:   "text/plain",
			wantBody: "streamed body",
			wantCL:   -1,
			wantTE:   []string{"chunked"},
		},
		{
			name:     "last body wins",
			method:   http.MethodPost,
			opts:     []testclient.RequestOption{testclient.Body("text/plain", []byte("first")), testclient.JSON(true)},
			wantCT:   "application/json",
			wantBody: "true",
			wantCL:   4,
		},
		{
			name:     "explicit content type header wins",
			method:   http.MethodPost,
			opts:     []testclient.RequestOption{testclient.JSON(1), testclient.Header("Content-Type", "application/vnd.api+json")},
			wantCT:   "application/vnd.api+json",
			wantBody: "1",
			wantCL:   1,
		},
		{
			name:   "no body",
			method: http.MethodGet,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := doEcho(t, c, tt.method, "/echo", tt.opts...)
			if e.Method != tt.method {
				t.Errorf("method = %q, want %q", e.Method, tt.method)
			}
			if got := e.Header.Get("Content-Type"); got != tt.wantCT {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantCT)
			}
			if string(e.Body) != tt.wantBody {
				t.Errorf("body = %q, want %q", e.Body, tt.wantBody)
			}
			if e.ContentLength != tt.wantCL {
				t.Errorf("ContentLength = %d, want %d", e.ContentLength, tt.wantCL)
			}
			if !slices.Equal(e.TransferEncoding, tt.wantTE) {
				t.Errorf("TransferEncoding = %q, want %q", e.TransferEncoding, tt.wantTE)
			}
		})
	}
}

func TestFormIsParsed(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, r.PostForm.Get("user")+"|"+strings.Join(r.PostForm["tag"], ","))
	})
	res := testclient.New(h).Post("/", testclient.Form(url.Values{"user": {"ada lovelace"}, "tag": {"a", "b&c"}}))
	if res.Err != nil || res.Text() != "ada lovelace|a,b&c" {
		t.Fatalf("got %q, %v", res.Text(), res.Err)
	}
}

func TestMultipart(t *testing.T) {
	t.Parallel()
	type upload struct{ filename, contentType, content string }
	var (
		mu      sync.Mutex
		fields  url.Values
		uploads map[string]upload
	)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fields = url.Values(r.MultipartForm.Value)
		uploads = map[string]upload{}
		for field, hs := range r.MultipartForm.File {
			f, err := hs[0].Open()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			data, _ := io.ReadAll(f)
			f.Close()
			uploads[field] = upload{hs[0].Filename, hs[0].Header.Get("Content-Type"), string(data)}
		}
	})
	res := testclient.New(h).Post("/upload", testclient.Multipart(
		map[string]string{"title": "Report", "year": "2024"},
		testclient.File{Field: "doc", Filename: "report.txt", ContentType: "text/plain", Content: []byte("hello\nworld")},
		testclient.File{Field: "blob", Filename: "data.bin", Content: []byte{0, 1, 2}},
	))
	if res.Err != nil || res.Status != http.StatusOK {
		t.Fatalf("status %d, err %v: %s", res.Status, res.Err, res.Text())
	}
	mu.Lock()
	defer mu.Unlock()
	if fields.Get("title") != "Report" || fields.Get("year") != "2024" {
		t.Errorf("fields = %v", fields)
	}
	want := map[string]upload{
		"doc":  {"report.txt", "text/plain", "hello\nworld"},
		"blob": {"data.bin", "application/octet-stream", "\x00\x01\x02"},
	}
	for field, w := range want {
		if got := uploads[field]; got != w {
			t.Errorf("file %q = %+v, want %+v", field, got, w)
		}
	}
}

func TestHeadersQueryCookies(t *testing.T) {
	t.Parallel()
	c := testclient.New(echoHandler, testclient.WithHeader("X-Default", "d"), testclient.WithHeader("Accept", "text/html"))
	tests := []struct {
		name  string
		path  string
		opts  []testclient.RequestOption
		check func(t *testing.T, e echo)
	}{
		{
			name: "default headers",
			path: "/",
			check: func(t *testing.T, e echo) {
				if got := e.Header.Get("User-Agent"); got != "nexios-testclient" {
					t.Errorf("User-Agent = %q", got)
				}
				if got := e.Header.Get("X-Default"); got != "d" {
					t.Errorf("X-Default = %q", got)
				}
			},
		},
		{
			name: "request header replaces default",
			path: "/",
			opts: []testclient.RequestOption{testclient.Header("Accept", "application/json"), testclient.Header("accept", "text/plain")},
			check: func(t *testing.T, e echo) {
				if got := e.Header.Values("Accept"); !slices.Equal(got, []string{"application/json", "text/plain"}) {
					t.Errorf("Accept = %q", got)
				}
			},
		},
		{
			name: "bearer token",
			path: "/",
			opts: []testclient.RequestOption{testclient.BearerToken("s3cret")},
			check: func(t *testing.T, e echo) {
				if got := e.Header.Get("Authorization"); got != "Bearer s3cret" {
					t.Errorf("Authorization = %q", got)
				}
			},
		},
		{
			name: "host header",
			path: "/",
			opts: []testclient.RequestOption{testclient.Header("Host", "api.example.com")},
			check: func(t *testing.T, e echo) {
				if e.Host != "api.example.com" || e.Header.Get("Host") != "" {
					t.Errorf("Host = %q, header %q", e.Host, e.Header.Get("Host"))
				}
			},
		},
		{
			name: "query appended to existing query",
			path: "/search?q=go&page=2",
			opts: []testclient.RequestOption{testclient.Query("tag", "a b"), testclient.Query("tag", "c&d")},
			check: func(t *testing.T, e echo) {
				if want := "q=go&page=2&tag=a+b&tag=c%26d"; e.RawQuery != want {
					t.Errorf("RawQuery = %q, want %q", e.RawQuery, want)
				}
				if e.RequestURI != "/search?"+e.RawQuery || e.Path != "/search" {
					t.Errorf("RequestURI = %q, Path = %q", e.RequestURI, e.Path)
				}
			},
		},
		{
			name: "escaped path",
			path: "/files/a%2Fb",
			check: func(t *testing.T, e echo) {
				if e.RequestURI != "/files/a%2Fb" || e.Path != "/files/a/b" {
					t.Errorf("RequestURI = %q, Path = %q", e.RequestURI, e.Path)
				}
			},
		},
		{
			name: "one-off cookies",
			path: "/",
			opts: []testclient.RequestOption{
				testclient.Cookie(&http.Cookie{Name: "a", Value: "1"}),
				testclient.Cookie(&http.Cookie{Name: "b", Value: "2"}),
			},
			check: func(t *testing.T, e echo) {
				if e.Cookies["a"] != "1" || e.Cookies["b"] != "2" {
					t.Errorf("cookies = %v", e.Cookies)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, doEcho(t, c, http.MethodGet, tt.path, tt.opts...))
		})
	}
}

func TestServerRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []testclient.Option
		path       string
		wantHost   string
		wantRemote string
		wantTLS    bool
		wantPath   string
	}{
		{"defaults", nil, "/x", "testserver", "192.0.2.1:1234", false, "/x"},
		{"https base", []testclient.Option{testclient.WithBaseURL("https://example.com:8443")}, "/x", "example.com:8443", "192.0.2.1:1234", true, "/x"},
		{"base with path", []testclient.Option{testclient.WithBaseURL("http://testserver/api/")}, "users", "testserver", "192.0.2.1:1234", false, "/api/users"},
		{"remote addr", []testclient.Option{testclient.WithRemoteAddr("[2001:db8::1]:5555")}, "/", "testserver", "[2001:db8::1]:5555", false, "/"},
		{"absolute URL", nil, "http://other.test/abs", "other.test", "192.0.2.1:1234", false, "/abs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := doEcho(t, testclient.New(echoHandler, tt.opts...), http.MethodGet, tt.path)
			if e.Host != tt.wantHost || e.RemoteAddr != tt.wantRemote || e.TLS != tt.wantTLS || e.Path != tt.wantPath {
				t.Errorf("Host %q RemoteAddr %q TLS %v Path %q; want %q %q %v %q",
					e.Host, e.RemoteAddr, e.TLS, e.Path, tt.wantHost, tt.wantRemote, tt.wantTLS, tt.wantPath)
			}
			if e.Proto != "HTTP/1.1" {
				t.Errorf("Proto = %q", e.Proto)
			}
		})
	}
}

func TestInvalidBaseURLPanics(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"testserver", "ftp://x", "/relative", "http://%zz"} {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Errorf("New with base URL %q did not panic", u)
				}
			}()
			testclient.New(echoHandler, testclient.WithBaseURL(u))
		})
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	called := make(chan struct{}, 10)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called <- struct{}{} })
	c := testclient.New(h)
	tests := []struct {
		name   string
		method string
		path   string
		opts   []testclient.RequestOption
	}{
		{"unencodable JSON", http.MethodPost, "/", []testclient.RequestOption{testclient.JSON(make(chan int))}},
		{"invalid path", http.MethodGet, "/%zz", nil},
		{"invalid method", "BAD METHOD", "/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := c.Do(tt.method, tt.path, tt.opts...)
			if res.Err == nil || res.Status != 0 || res.Raw != nil {
				t.Errorf("got status %d, err %v; want an error", res.Status, res.Err)
			}
			var v any
			if err := res.JSON(&v); err == nil {
				t.Error("Response.JSON succeeded on a failed request")
			}
			if _, err := c.Stream(t.Context(), tt.method, tt.path, tt.opts...); err == nil {
				t.Error("Stream succeeded")
			}
		})
	}
	t.Cleanup(func() {
		if len(called) != 0 {
			t.Errorf("handler called %d times for invalid requests", len(called))
		}
	})
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	c := testclient.New(echoHandler)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			id := strings.Repeat("x", i)
			res := c.Post("/c", testclient.Query("id", id), testclient.Body("text/plain", []byte(id)))
			var e echo
			if err := res.JSON(&e); err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			if e.RawQuery != "id="+id || string(e.Body) != id {
				t.Errorf("request %d: got query %q body %q", i, e.RawQuery, e.Body)
			}
		})
	}
	wg.Wait()
}
