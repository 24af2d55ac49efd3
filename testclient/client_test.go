package testclient_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/nexios-go/nexios/testclient"
)

func TestMethodShorthands(t *testing.T) {
	t.Parallel()
	c := testclient.New(echoHandler)
	tests := []struct {
		method string
		send   func(string, ...testclient.RequestOption) *testclient.Response
	}{
		{http.MethodGet, c.Get},
		{http.MethodPost, c.Post},
		{http.MethodPut, c.Put},
		{http.MethodPatch, c.Patch},
		{http.MethodDelete, c.Delete},
		{http.MethodOptions, c.Options},
		{"PURGE", func(p string, o ...testclient.RequestOption) *testclient.Response { return c.Do("PURGE", p, o...) }},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			var e echo
			if err := tt.send("/m").JSON(&e); err != nil {
				t.Fatal(err)
			}
			if e.Method != tt.method {
				t.Errorf("method = %q, want %q", e.Method, tt.method)
			}
		})
	}
}

func TestHTTPClient(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush() // commits the headers with status 200
		w.WriteHeader(599)       // superfluous
		io.WriteString(w, r.Host+" "+r.UserAgent())
	})
	c := testclient.New(h, testclient.WithBaseURL("http://api.test"))
	if got := c.BaseURL().String(); got != "http://api.test" {
		t.Errorf("BaseURL = %q", got)
	}
	resp, err := c.HTTPClient().Get("http://other.test/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Status != "200 OK" || string(body) != "other.test " {
		t.Errorf("got %q %q", resp.Status, body)
	}
	if len(resp.Cookies()) != 0 {
		t.Errorf("unexpected cookies %v", resp.Cookies())
	}
}

func TestUnknownStatus(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(599) })
	res := testclient.New(h).Get("/")
	if res.Status != 599 || res.Raw.Status != "599 status code 599" {
		t.Errorf("got %d %q", res.Status, res.Raw.Status)
	}
	if (&testclient.Response{}).Cookies() != nil {
		t.Error("Cookies of an empty Response is not nil")
	}
}
