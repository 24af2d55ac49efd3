package websocket_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/websocket"
)

// rawWS performs a handshake by hand and returns the connection, so that
// a test can send frames no well-behaved client would.
func rawWS(t *testing.T, base, path, extensions string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	ext := ""
	if extensions != "" {
		ext = "Sec-WebSocket-Extensions: " + extensions + "\r\n"
	}
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n%s\r\n", path, ext)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	if extensions != "" && resp.Header.Get("Sec-WebSocket-Extensions") == "" {
		t.Fatal("the server did not accept compression")
	}
	return c, br
}

// frameHeader is a final, masked (with a zero key, so the payload is sent
// as is) binary frame header declaring length bytes.
func frameHeader(length uint64, compressed bool) []byte {
	b0 := byte(0x80 | 0x2)
	if compressed {
		b0 |= 0x40
	}
	h := []byte{b0, 0x80 | 127}
	h = binary.BigEndian.AppendUint64(h, length)
	return append(h, 0, 0, 0, 0)
}

// serverClose reads until the server's close frame and returns its code.
func serverClose(t *testing.T, br *bufio.Reader) int {
	t.Helper()
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			t.Fatalf("no close frame: %v", err)
		}
		n := int(h[1] & 0x7f)
		payload := make([]byte, n)
		if _, err := io.ReadFull(br, payload); err != nil {
			t.Fatal(err)
		}
		if h[0]&0x0f == 0x8 {
			if n < 2 {
				return 1005
			}
			return int(binary.BigEndian.Uint16(payload))
		}
	}
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// TestDeclaredLengthsAreNotTrusted sends frames that declare far more than
// they carry, and a compressed frame that inflates 1,000-fold: the server
// allocates in proportion to what it receives, capped by the read limit,
// never to what a frame declares. The figures are the process's
// cumulative heap allocations during the attack. (Not parallel: other
// tests' allocations would blur them.)
func TestDeclaredLengthsAreNotTrusted(t *testing.T) {
	const budget = 16 << 20
	zeros := make([]byte, 64<<10)
	// 16 MiB of zeros, deflated to about 16 KiB (built before measuring).
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	for range 256 {
		_, _ = fw.Write(zeros)
	}
	_ = fw.Close()
	bomb := bytes.TrimSuffix(buf.Bytes(), []byte{0, 0, 0xff, 0xff})
	for _, tc := range []struct {
		name       string
		opts       []websocket.Option
		extensions string
		send       func(w io.Writer) error
		wantClose  int // 0: the server keeps waiting for the rest
	}{
		{
			name: "1 TiB declared, 2 MiB sent, default 1 MiB limit",
			send: func(w io.Writer) error {
				if _, err := w.Write(frameHeader(1<<40, false)); err != nil {
					return err
				}
				for range 32 {
					if _, err := w.Write(zeros); err != nil {
						return nil // the server closed after the limit
					}
				}
				return nil
			},
			wantClose: 1009,
		},
		{
			name: "1 TiB declared, 256 KiB sent, no limit",
			opts: []websocket.Option{websocket.ReadLimit(-1)},
			send: func(w io.Writer) error {
				if _, err := w.Write(frameHeader(1<<40, false)); err != nil {
					return err
				}
				for range 4 {
					if _, err := w.Write(zeros); err != nil {
						return err
					}
				}
				time.Sleep(200 * time.Millisecond) // let the server read it all
				return nil
			},
		},
		{
			name:       "16 MiB inflated from 16 KiB, 1 MiB limit",
			opts:       []websocket.Option{websocket.Compression(websocket.CompressionNoContextTakeover)},
			extensions: "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
			send: func(w io.Writer) error {
				payload := bomb
				if _, err := w.Write(frameHeader(uint64(len(payload)), true)); err != nil {
					return err
				}
				_, err := w.Write(payload)
				if err != nil {
					return nil // closed after the limit
				}
				return nil
			},
			wantClose: 1009,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, _ := newApp()
			got := newEnded()
			websocket.Route(app, "/ws", websocket.Handler(got.wrap(echoHandler), tc.opts...))
			base := serve(t, app)
			c, br := rawWS(t, base, "/ws", tc.extensions)
			runtime.GC()
			before := totalAlloc()
			if err := tc.send(c); err != nil {
				t.Fatal(err)
			}
			if tc.wantClose != 0 {
				if code := serverClose(t, br); code != tc.wantClose {
					t.Errorf("close code %d, want %d", code, tc.wantClose)
				}
			}
			used := totalAlloc() - before
			t.Logf("allocated %d KiB during the attack", used>>10)
			if used > budget {
				t.Errorf("the server allocated %d MiB for the attack", used>>20)
			}
			c.Close()
			_ = got.wait(t)
		})
	}
}
