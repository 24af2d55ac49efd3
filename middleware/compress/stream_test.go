package compress_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
	"github.com/nexios-go/nexios/testclient"
)

// streamHandler writes n lines of contentType, flushing after each and
// waiting for the test to acknowledge it: the client can only acknowledge
// what it has received, so the stream must arrive incrementally.
func streamHandler(contentType string, n int, ack <-chan struct{}) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", contentType)
		res.Header().Set("Cache-Control", "no-cache")
		if contentType == "text/event-stream" {
			// SSE handlers send the headers before the first event.
			if err := res.FlushError(); err != nil {
				return err
			}
		}
		for i := range n {
			if _, err := fmt.Fprintf(res, "data: event %d\n\n", i+1); err != nil {
				return err
			}
			if err := res.FlushError(); err != nil {
				return err
			}
			select {
			case <-ack:
			case <-req.Context().Done():
				return nil
			}
		}
		return nil
	}
}

func readEvent(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading event: %v", err)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\n" {
		t.Fatalf("reading event separator: %q %v", blank, err)
	}
	return strings.TrimSuffix(line, "\n")
}

func TestStreaming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, wantCE string
	}{
		// SSE: never compressed; the headers leave at the first flush,
		// before any event, and each event arrives as it is flushed.
		{name: "sse", contentType: "text/event-stream", wantCE: ""},
		// A compressible stream: each flush ends a gzip block, which the
		// client decodes before the handler writes the next line.
		{name: "gzip stream", contentType: "text/plain; charset=utf-8", wantCE: "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ack := make(chan struct{})
			app := nexios.New(nexios.Config{})
			app.Use(mustNew(t, compress.Config{}))
			app.Get("/stream", streamHandler(tt.contentType, 3, ack))
			c := testclient.New(app)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			resp, err := c.Stream(ctx, http.MethodGet, "/stream", testclient.Header("Accept-Encoding", "gzip"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if got := resp.Header.Get("Content-Encoding"); got != tt.wantCE {
				t.Fatalf("Content-Encoding = %q, want %q", got, tt.wantCE)
			}
			var body io.Reader = resp.Body
			if tt.wantCE == "gzip" {
				zr, err := gzip.NewReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			}
			br := bufio.NewReader(body)
			for i := range 3 {
				if got, want := readEvent(t, br), fmt.Sprintf("data: event %d", i+1); got != want {
					t.Fatalf("event %d = %q, want %q", i+1, got, want)
				}
				ack <- struct{}{}
			}
			rest, err := io.ReadAll(br)
			if err != nil || len(rest) != 0 {
				t.Fatalf("after the last event: %q, %v", rest, err)
			}
		})
	}
}

// TestHijack runs a real server: a WebSocket-style upgrade request is not
// wrapped, and the handler takes over the connection through res. A
// handler that hijacks a request the middleware did wrap works too.
func TestHijack(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(mustNew(t, compress.Config{}))
	app.Get("/ws", func(_ *nexios.Request, res *nexios.Response) error {
		conn, brw, err := res.Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n%s", bigText)
		return brw.Flush()
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	for _, headers := range []string{
		"Connection: Upgrade\r\nUpgrade: websocket\r\n",
		"", // not an upgrade: wrapped, and hijacking still works
	} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: test\r\nAccept-Encoding: gzip, zstd\r\n%s\r\n", headers)
		got, err := io.ReadAll(conn)
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		s := string(got)
		if !strings.HasPrefix(s, "HTTP/1.1 101 Switching Protocols\r\n") || !strings.HasSuffix(s, bigText) {
			t.Fatalf("headers %q: hijacked response = %.200q", headers, s)
		}
		if strings.Contains(strings.ToLower(s), "content-encoding") {
			t.Fatalf("headers %q: hijacked response carries Content-Encoding", headers)
		}
	}
}
