package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/proxy"
)

func benchServe(b *testing.B, mws []nexios.Middleware, r *http.Request) {
	app := nexios.New(nexios.Config{})
	app.Use(mws...)
	app.Get("/plaintext", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("Hello, World!")
	})
	app.Get("/users/{id:int}", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("user")
	})
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

func request(target, remote string, kv ...string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Add(kv[i], kv[i+1])
	}
	return r
}

func BenchmarkBaseline(b *testing.B) {
	benchServe(b, nil, request("/plaintext", "10.0.0.1:1234", "X-Forwarded-For", "198.51.100.7"))
}

func BenchmarkProxy(b *testing.B) {
	mw := []nexios.Middleware{nexios.Must(proxy.New(proxy.Config{
		TrustedProxies: []string{"10.0.0.0/8", "loopback"}, UseForwarded: true,
	}))}
	for _, bc := range []struct {
		name string
		r    *http.Request
	}{
		{"UntrustedPeer", request("/plaintext", "203.0.113.5:1234", "X-Forwarded-For", "198.51.100.7")},
		{"XFF", request("/plaintext", "10.0.0.1:1234", "X-Forwarded-For", "198.51.100.7, 10.0.0.2", "X-Forwarded-Proto", "https")},
		{"XFFNonCanonical", request("/plaintext", "10.0.0.1:1234", "X-Forwarded-For", "198.51.100.7:4711")},
		{"Forwarded", request("/plaintext", "10.0.0.1:1234", "Forwarded", `for="[2001:db8::7]";proto=https, for=10.0.0.2`)},
		{"ParamRoute", request("/users/42", "10.0.0.1:1234", "X-Forwarded-For", "198.51.100.7")},
	} {
		b.Run(bc.name, func(b *testing.B) { benchServe(b, mw, bc.r) })
	}
}
