package nexios_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
)

// protoApp answers with the protocol and scheme the request came with.
func protoApp(cfg nexios.Config) *nexios.App {
	cfg.Logger = quiet
	app := nexios.New(cfg)
	app.Get("/proto", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.Raw().Proto + " " + req.Scheme())
	})
	return app
}

func TestServeTLSNegotiatesHTTP2(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	s := serveApp(t, protoApp(nexios.Config{}), serverTLS)
	for _, tc := range []struct {
		name  string
		proto func(*http.Protocols)
		want  string
	}{
		{"h2 by ALPN", func(p *http.Protocols) { p.SetHTTP2(true) }, "HTTP/2.0 https"},
		{"HTTP/1.1 for clients without h2", func(p *http.Protocols) { p.SetHTTP1(true) }, "HTTP/1.1 https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p http.Protocols
			tc.proto(&p)
			tr := &http.Transport{TLSClientConfig: clientTLS.Clone(), Protocols: &p}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + s.addr + "/proto")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if string(body) != tc.want {
				t.Errorf("served %q, want %q", body, tc.want)
			}
		})
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestServeTLSNeedsCertificates(t *testing.T) {
	t.Parallel()
	app := protoApp(nexios.Config{})
	for _, cfg := range []*tls.Config{nil, {}} {
		ln := mustListen()
		if err := app.ServeTLS(context.Background(), ln, cfg); err == nil {
			t.Errorf("ServeTLS(%v) served without certificates", cfg)
		}
		if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			t.Error("listener left open")
		}
	}
	if err := app.RunTLS("127.0.0.1:0", "/nonexistent/cert.pem", "/nonexistent/key.pem"); err == nil {
		t.Error("RunTLS started without its certificate files")
	}
}

func TestH2C(t *testing.T) {
	t.Parallel()
	var p http.Protocols
	p.SetUnencryptedHTTP2(true) // prior knowledge: the client speaks HTTP/2 at once
	tr := &http.Transport{Protocols: &p}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	on := serveApp(t, protoApp(nexios.Config{H2C: true}), nil)
	resp, err := client.Get("http://" + on.addr + "/proto")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "HTTP/2.0 http" {
		t.Errorf("with H2C: served %q", body)
	}
	// HTTP/1.1 clients are still served.
	if got := get(t, "http://"+on.addr+"/proto"); got != "HTTP/1.1 http" {
		t.Errorf("HTTP/1.1 client on an H2C server: %q", got)
	}

	off := serveApp(t, protoApp(nexios.Config{}), nil)
	if resp, err := client.Get("http://" + off.addr + "/proto"); err == nil {
		resp.Body.Close()
		t.Errorf("without H2C a prior-knowledge HTTP/2 client was served (%s)", resp.Proto)
	}
}

func TestServeWarnsAboutTLSListenerWithoutALPN(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(&lockedWriter{&logs, &mu}, nil))})
	app.Get("/proto", func(req *nexios.Request, res *nexios.Response) error { return res.Text(req.Raw().Proto) })
	ln := tls.NewListener(mustListen(), serverTLS)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	tr := &http.Transport{TLSClientConfig: clientTLS, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + ln.Addr().String() + "/proto")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if string(body) != "HTTP/1.1" || !strings.Contains(logs.String(), "HTTP/2 is off") {
		t.Errorf("served %q; logs:\n%s", body, logs.String())
	}
}

func TestHugeHeadersGet431(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		cfg   nexios.Config
		lines int
		want  int
	}{
		{"120,000 header lines, default limit", nexios.Config{}, 120_000, http.StatusRequestHeaderFieldsTooLarge},
		{"a normal request", nexios.Config{}, 20, http.StatusOK},
		{"a configured limit", nexios.Config{MaxHeaderBytes: 256 << 10}, 20_000, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := serveApp(t, protoApp(tc.cfg), nil)
			c, br := rawConn(t, s.addr)
			var req bytes.Buffer
			req.WriteString("GET /proto HTTP/1.1\r\nHost: x\r\n")
			for range tc.lines {
				req.WriteString("X: v\r\n") // 120,000 of them: 720 KB, under net/http's own 1 MiB
			}
			req.WriteString("\r\n")
			go func() { _, _ = c.Write(req.Bytes()) }() // the server may stop reading early
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestAmbiguousFramingClosesConnection(t *testing.T) {
	t.Parallel()
	var smuggled atomic.Int32
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Post("/", func(req *nexios.Request, res *nexios.Response) error {
		b, err := req.Body()
		if err != nil {
			return err
		}
		return res.Text(fmt.Sprintf("got %d bytes", len(b)))
	})
	app.Get("/smuggled", func(req *nexios.Request, res *nexios.Response) error {
		smuggled.Add(1)
		return res.Text("smuggled")
	})
	s := serveApp(t, app, nil)
	smuggle := "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	for _, tc := range []struct {
		name, head string
		answers    int
	}{
		{"Content-Length and Transfer-Encoding", fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n", len(smuggle)), 1},
		{"the same, other case and order", fmt.Sprintf("POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nX-A: b\r\ncontent-length: %d\r\n\r\n", len(smuggle)), 1},
		// Control: the same pipeline with one framing is two requests,
		// both answered on the open connection.
		{"chunked only", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := smuggled.Load()
			c, br := rawConn(t, s.addr)
			if _, err := io.WriteString(c, tc.head+smuggle); err != nil {
				t.Fatal(err)
			}
			if tc.answers == 2 {
				// Ask the server to close after the second answer, so
				// that reading ends.
				_ = c.(*net.TCPConn).CloseWrite()
			}
			got := readResponses(t, br, nil)
			if len(got) != tc.answers {
				t.Fatalf("%d responses (%v), want %d", len(got), got, tc.answers)
			}
			if got[0] != "200 OK" {
				t.Errorf("first response %s", got[0])
			}
			if n := smuggled.Load() - before; n != int32(tc.answers-1) {
				t.Errorf("smuggled request served %d times", n)
			}
		})
	}
}
