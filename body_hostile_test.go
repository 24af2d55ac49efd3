package nexios_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
)

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Clients that declare a large body and send one byte of it must not make
// the server reserve the declared size: memory grows with the bytes
// received. 100 connections declaring 10 MiB (the default limit) would
// reserve 1 GiB if the declared length were trusted; with the limit
// disabled, one declaring 1 TiB would kill the process.
func TestHostileDeclaredBodyLength(t *testing.T) {
	cases := []struct {
		name     string
		conns    int
		declared int64
		limit    nexios.RouteOption
	}{
		{"100 connections declaring the default limit", 100, 10 << 20, nil},
		{"limit disabled, 1 TiB declared", 4, 1 << 40, nexios.BodyLimit(-1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var entered, done atomic.Int64
			app := nexios.New(nexios.Config{Logger: quiet})
			var opts []nexios.RouteOption
			if tc.limit != nil {
				opts = append(opts, tc.limit)
			}
			app.Post("/upload", func(req *nexios.Request, res *nexios.Response) error {
				entered.Add(1)
				defer done.Add(1)
				_, err := req.Body()
				return err
			}, opts...)
			srv := httptest.NewServer(app)
			defer srv.Close()

			before := heapInUse()
			conns := make([]net.Conn, 0, tc.conns)
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			for range tc.conns {
				c, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\nx", tc.declared)
			}
			deadline := time.Now().Add(10 * time.Second)
			for entered.Load() < int64(tc.conns) {
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d requests reached the handler", entered.Load(), tc.conns)
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // the handlers are blocked reading: the byte sent is in
			grown := int64(heapInUse()) - int64(before)
			// A few KiB per connection (bufio, the request, a first read
			// buffer); the declared sizes would be 1 GiB and 1 TiB.
			if max := int64(tc.conns) * 64 << 10; grown > max {
				t.Fatalf("heap grew by %d KiB for %d connections, want under %d KiB", grown>>10, tc.conns, max>>10)
			}
			t.Logf("heap grew by %d KiB for %d connections declaring %d bytes each", grown>>10, tc.conns, tc.declared)
			for _, c := range conns {
				c.Close()
			}
			for done.Load() < int64(tc.conns) {
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d handlers returned after their clients left", done.Load(), tc.conns)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

// framedBody is a request body as a server frames it: Content-Length
// bytes, or an unexpected EOF when the client sent fewer.
type framedBody struct {
	r     io.Reader
	short bool
}

func (b *framedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF && b.short {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// FuzzBodyReader reads bodies whose declared length and limit disagree
// with what arrives: the reader never panics, never returns more than the
// limit, answers 413 beyond it (declared or received), 400 for a body cut
// short, and otherwise returns the body exactly.
func FuzzBodyReader(f *testing.F) {
	f.Add([]byte("hello"), int64(5), int64(10))
	f.Add([]byte("hello"), int64(3), int64(10))
	f.Add([]byte("hello"), int64(50), int64(10))
	f.Add([]byte("hello"), int64(8), int64(10))
	f.Add([]byte("hello"), int64(-1), int64(4))
	f.Add(bytes.Repeat([]byte("a"), 40<<10), int64(40<<10), int64(-1))
	f.Add(bytes.Repeat([]byte("a"), 40<<10), int64(50<<10), int64(-1))
	f.Add([]byte{}, int64(1<<40), int64(0))
	f.Fuzz(func(t *testing.T, body []byte, declared, limit int64) {
		app := nexios.New(nexios.Config{Logger: quiet})
		app.Post("/", func(req *nexios.Request, res *nexios.Response) error {
			b, err := req.Body()
			if err != nil {
				return err
			}
			return res.Bytes("application/octet-stream", b)
		}, nexios.BodyLimit(limit))
		want := body
		var rd io.Reader = bytes.NewReader(body)
		if declared > 0 {
			if declared < int64(len(body)) {
				want = body[:declared]
			}
			rd = &framedBody{r: io.LimitReader(rd, declared), short: declared > int64(len(body))}
		}
		r := httptest.NewRequest("POST", "/", rd)
		r.ContentLength = declared
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		code := http.StatusOK
		switch {
		case limit > 0 && (declared > limit || int64(len(want)) > limit):
			code = http.StatusRequestEntityTooLarge
		case declared > int64(len(body)):
			code = http.StatusBadRequest
		}
		if w.Code != code {
			t.Fatalf("%d bytes, declared %d, limit %d: status %d, want %d (%s)", len(body), declared, limit, w.Code, code, w.Body)
		}
		if code == http.StatusOK && !bytes.Equal(w.Body.Bytes(), want) {
			t.Fatalf("read %d bytes, want %d", w.Body.Len(), len(want))
		}
	})
}
