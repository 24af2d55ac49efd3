package testclient_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/testclient"
)

// echo is what echoHandler reports about the request it received.
type echo struct {
	Method           string
	RequestURI       string
	Path             string
	RawQuery         string
	Host             string
	RemoteAddr       string
	Proto            string
	TLS              bool
	Header           http.Header
	ContentLength    int64
	TransferEncoding []string
	Body             []byte
	Cookies          map[string]string
}

// echoHandler answers with a JSON description of the request.
var echoHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e := echo{
		Method:           r.Method,
		RequestURI:       r.RequestURI,
		Path:             r.URL.Path,
		RawQuery:         r.URL.RawQuery,
		Host:             r.Host,
		RemoteAddr:       r.RemoteAddr,
		Proto:            r.Proto,
		TLS:              r.TLS != nil,
		Header:           r.Header,
		ContentLength:    r.ContentLength,
		TransferEncoding: r.TransferEncoding,
		Body:             body,
		Cookies:          map[string]string{},
	}
	for _, c := range r.Cookies() {
		e.Cookies[c.Name] = c.Value
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(e)
})

// doEcho sends a request to echoHandler and decodes its report.
func doEcho(t *testing.T, c *testclient.Client, method, path string, opts ...testclient.RequestOption) echo {
	t.Helper()
	res := c.Do(method, path, opts...)
	if res.Err != nil || res.Status != http.StatusOK {
		t.Fatalf("%s %s = %d, %v: %s", method, path, res.Status, res.Err, res.Text())
	}
	var e echo
	if err := res.JSON(&e); err != nil {
		t.Fatalf("decoding echo: %v", err)
	}
	return e
}

// quietLog discards the panic reports of handlers that panic on purpose.
var quietLog = log.New(io.Discard, "", 0)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitGoroutines polls until the number of goroutines is back to at most
// baseline, failing the test with a goroutine dump after a deadline.
func waitGoroutines(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= baseline {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: got %d, want <= %d (leak)\n%s", n, baseline, buf)
		}
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond)
	}
}

// recv waits for a value on ch, failing the test after a timeout.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
