package nexios_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
)

const stall = 300 * time.Millisecond

// writeResult is what a handler's writes ended with.
type writeResult struct {
	err     error
	elapsed time.Duration
}

// bigApp serves /big: 64 MiB written in 1 MiB writes, an ordinary
// response, and /stream: the same through res.Stream in 32 KiB writes;
// each reports how its writes ended.
func bigApp(t *testing.T, cfg nexios.Config) (*nexios.App, chan writeResult) {
	cfg.Logger = quiet
	app := nexios.New(cfg)
	results := make(chan writeResult, 4)
	// A 64 MiB file (sparse: nothing is written to disk) for res.File,
	// whose copy may take another path than Write (sendfile).
	big := filepath.Join(t.TempDir(), "big.bin")
	if f, err := os.Create(big); err != nil || f.Truncate(64<<20) != nil || f.Close() != nil {
		t.Fatalf("big file: %v", err)
	}
	app.Get("/file", func(req *nexios.Request, res *nexios.Response) error {
		start := time.Now()
		err := res.File(big, nexios.FileOptions{})
		results <- writeResult{err, time.Since(start)}
		return nil
	})
	chunk := []byte(strings.Repeat("x", 1<<20))
	app.Get("/big", func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "application/octet-stream")
		start := time.Now()
		var err error
		for range 64 {
			if _, err = res.Write(chunk); err != nil {
				break
			}
		}
		results <- writeResult{err, time.Since(start)}
		return nil
	})
	app.Get("/stream", func(req *nexios.Request, res *nexios.Response) error {
		start := time.Now()
		err := res.Stream(func(w io.Writer) error {
			for range 64 << 5 {
				if _, err := w.Write(chunk[:32<<10]); err != nil {
					return err
				}
			}
			return nil
		})
		results <- writeResult{err, time.Since(start)}
		return nil
	})
	return app, results
}

func awaitResult(t *testing.T, results chan writeResult) writeResult {
	t.Helper()
	select {
	case r := <-results:
		return r
	case <-time.After(15 * time.Second):
		t.Fatal("the handler is still writing to a client that does not read, 15s later")
		return writeResult{}
	}
}

func TestWriteStallCutsClientsThatStopReading(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/big", "/stream", "/file"} {
		t.Run("HTTP/1.1 "+path, func(t *testing.T) {
			t.Parallel()
			app, results := bigApp(t, nexios.Config{WriteStallTimeout: stall})
			s := serveApp(t, app, nil)
			c, _ := rawConn(t, s.addr)
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path) // and never read
			r := awaitResult(t, results)
			// res.File, like http.ServeContent, does not report a client
			// that went away once the headers are out: that it returned
			// at all, 64 MiB to a client reading nothing, is the cut.
			if r.err == nil && path != "/file" {
				t.Fatalf("64 MiB were written to a client that reads nothing (in %v)", r.elapsed)
			}
			if r.elapsed > 5*time.Second {
				t.Errorf("cut after %v, want about %v", r.elapsed, stall)
			}
			if path == "/big" && !strings.Contains(r.err.Error(), "stopped reading") {
				t.Errorf("error %q does not say why", r.err)
			}
			// The server closed the connection: reading drains what was
			// buffered, then ends.
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("connection still open after the cut: %v", err)
			}
		})
	}
	t.Run("HTTP/2 stream without flow-control credit", func(t *testing.T) {
		t.Parallel()
		app, results := bigApp(t, nexios.Config{WriteStallTimeout: stall})
		serverTLS, clientTLS := selfSigned(t)
		s := serveApp(t, app, serverTLS)
		tr := &http.Transport{TLSClientConfig: clientTLS, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get("https://" + s.addr + "/big")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close() // never read: the stream's window stays closed
		if resp.ProtoMajor != 2 {
			t.Fatalf("served over %s", resp.Proto)
		}
		if r := awaitResult(t, results); r.err == nil || r.elapsed > 5*time.Second {
			t.Errorf("writes ended with %v after %v", r.err, r.elapsed)
		}
	})
}

// readSlowly reads body at about 1.6 MB/s and returns how many bytes it got.
func readSlowly(body io.Reader) (int64, error) {
	var n int64
	buf := make([]byte, 32<<10)
	for {
		m, err := io.ReadFull(body, buf)
		n += int64(m)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWriteStallSparesSlowButSteadyReaders(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet, WriteStallTimeout: stall})
	body := strings.Repeat("y", 2<<20)
	errc := make(chan error, 1)
	app.Get("/file", func(req *nexios.Request, res *nexios.Response) error {
		_, err := res.Write([]byte(body))
		errc <- err
		return err
	})
	s := serveApp(t, app, nil)
	resp, err := http.Get("http://" + s.addr + "/file")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := readSlowly(resp.Body)
	if err != nil || n != int64(len(body)) {
		t.Fatalf("read %d of %d bytes: %v", n, len(body), err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("handler: %v", err)
	}
}

// pausingApp streams 256 KiB, then "a", then "b", pausing 600 ms after each
// part: over twice its stall timeout, which leaves room for a loaded
// machine (HTTP/2 applies deadlines asynchronously).
func pausingApp() (*nexios.App, string) {
	app := nexios.New(nexios.Config{Logger: quiet, WriteStallTimeout: 250 * time.Millisecond})
	big := strings.Repeat("z", 256<<10) // past the guard's free allowance
	app.Get("/pausing", func(req *nexios.Request, res *nexios.Response) error {
		return res.Stream(func(w io.Writer) error {
			for _, part := range []string{big, "a", "b"} {
				if _, err := io.WriteString(w, part); err != nil {
					return err
				}
				select {
				case <-req.Context().Done():
					return req.Context().Err()
				case <-time.After(600 * time.Millisecond):
				}
			}
			return nil
		})
	})
	return app, big + "ab"
}

func TestStreamsMayPauseLongerThanTheStallTimeout(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	for _, tc := range []struct {
		name string
		tls  bool
	}{{"HTTP/1.1", false}, {"HTTP/2", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cfg *tls.Config
			scheme := "http"
			if tc.tls {
				cfg, scheme = serverTLS, "https"
			}
			// An app per server: an app shuts down (and drains its
			// streams) with the first server serving it that stops.
			app, want := pausingApp()
			s := serveApp(t, app, cfg)
			tr := &http.Transport{TLSClientConfig: clientTLS.Clone(), ForceAttemptHTTP2: true}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Get(scheme + "://" + s.addr + "/pausing")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if tc.tls && resp.ProtoMajor != 2 {
				t.Fatalf("served over %s", resp.Proto)
			}
			got, err := io.ReadAll(resp.Body)
			if err != nil || string(got) != want {
				t.Fatalf("read %d bytes, %v", len(got), err)
			}
		})
	}
}

func TestHandlerWithItsOwnWriteDeadlineIsNotCut(t *testing.T) {
	t.Parallel()
	app, results := bigApp(t, nexios.Config{WriteStallTimeout: 100 * time.Millisecond})
	app.Get("/own", func(req *nexios.Request, res *nexios.Response) error {
		// This handler's policy: one second for the whole response.
		if err := http.NewResponseController(res).SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
			return err
		}
		start := time.Now()
		_, err := res.Write(make([]byte, 64<<20))
		results <- writeResult{err, time.Since(start)}
		return nil
	})
	s := serveApp(t, app, nil)
	c, _ := rawConn(t, s.addr)
	fmt.Fprintf(c, "GET /own HTTP/1.1\r\nHost: x\r\n\r\n")
	r := awaitResult(t, results)
	if r.err == nil || r.elapsed < 900*time.Millisecond {
		t.Errorf("write ended after %v (%v): the guard overrode the handler's deadline", r.elapsed, r.err)
	}
}

func TestWriteStallDisabled(t *testing.T) {
	t.Parallel()
	app, results := bigApp(t, nexios.Config{WriteStallTimeout: -1})
	s := serveApp(t, app, nil)
	c, _ := rawConn(t, s.addr)
	fmt.Fprintf(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case r := <-results:
		t.Fatalf("writes ended with %v although the guard is off", r.err)
	case <-time.After(time.Second):
	}
	c.Close() // now the write fails
	if r := awaitResult(t, results); r.err == nil {
		t.Error("64 MiB written to a closed connection")
	}
}

// TestWriteStallManyClients: 20 clients request 64 MiB each at once and
// never read: every handler's writes end within a few stall periods
// instead of holding its connection.
func TestWriteStallManyClients(t *testing.T) {
	t.Parallel()
	const clients = 20
	results := make(chan writeResult, clients)
	app := nexios.New(nexios.Config{Logger: quiet, WriteStallTimeout: stall})
	chunk := make([]byte, 1<<20)
	app.Get("/big", func(req *nexios.Request, res *nexios.Response) error {
		start := time.Now()
		var err error
		for range 64 {
			if _, err = res.Write(chunk); err != nil {
				break
			}
		}
		results <- writeResult{err, time.Since(start)}
		return nil
	})
	s := serveApp(t, app, nil)
	start := time.Now()
	for range clients {
		c, _ := rawConn(t, s.addr)
		fmt.Fprintf(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	for i := range clients {
		r := awaitResult(t, results)
		if r.err == nil {
			t.Fatalf("client %d: 64 MiB written to a client that does not read", i)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the %d stalled responses took %v to be cut", clients, d)
	}
}
