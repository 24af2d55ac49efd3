package csrf_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/csrf"
)

func benchApp(cfg *csrf.Config) *nexios.App {
	app := nexios.New(nexios.Config{})
	if cfg != nil {
		app.Use(nexios.Must(csrf.New(*cfg)))
	}
	app.Route([]string{"GET", "POST"}, "/f", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("ok")
	})
	return app
}

func bench(b *testing.B, app http.Handler, r *http.Request) {
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

// A valid token pair (any 32 bytes, base64url).
const benchToken = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

func request(method string, h ...string) *http.Request {
	r := httptest.NewRequest(method, "/f", nil)
	for i := 0; i < len(h); i += 2 {
		r.Header.Set(h[i], h[i+1])
	}
	return r
}

func BenchmarkBaselineSafe(b *testing.B)   { bench(b, benchApp(nil), request("GET")) }
func BenchmarkBaselineUnsafe(b *testing.B) { bench(b, benchApp(nil), request("POST")) }

func BenchmarkOriginSafe(b *testing.B) {
	bench(b, benchApp(&csrf.Config{}), request("GET", "Sec-Fetch-Site", "cross-site"))
}

func BenchmarkOriginUnsafeSameOrigin(b *testing.B) {
	bench(b, benchApp(&csrf.Config{}), request("POST", "Sec-Fetch-Site", "same-origin", "Origin", "http://example.com"))
}

// BenchmarkOriginUnsafeOldBrowser takes the Origin-versus-Host path.
func BenchmarkOriginUnsafeOldBrowser(b *testing.B) {
	bench(b, benchApp(&csrf.Config{}), request("POST", "Origin", "http://example.com"))
}

func BenchmarkTokenSafe(b *testing.B) {
	bench(b, benchApp(&csrf.Config{Mode: csrf.TokenMode}), request("GET", "Cookie", "csrftoken="+benchToken))
}

func BenchmarkTokenUnsafe(b *testing.B) {
	bench(b, benchApp(&csrf.Config{Mode: csrf.TokenMode}), request("POST",
		"Cookie", "session=abc; csrftoken="+benchToken, "X-CSRFToken", benchToken, "Sec-Fetch-Site", "same-origin"))
}

// BenchmarkTokenIssue is a first visit: a new token and cookie.
func BenchmarkTokenIssue(b *testing.B) {
	bench(b, benchApp(&csrf.Config{Mode: csrf.TokenMode}), request("GET"))
}

func BenchmarkRejected(b *testing.B) {
	bench(b, benchApp(&csrf.Config{}), request("POST", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"))
}
