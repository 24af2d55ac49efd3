package websocket

import (
	"net/http"
	"testing"
)

// FuzzHandshake feeds arbitrary header values to the handshake checks:
// they must answer with a 4xx error or accept, never panic.
func FuzzHandshake(f *testing.F) {
	f.Add("Upgrade", "websocket", "13", "dGhlIHNhbXBsZSBub25jZQ==", "http://example.com", "example.com")
	f.Add("keep-alive, Upgrade", "WebSocket", "8", "", "null", "")
	f.Add(",,,", "h2c, websocket", "13", "====", "://", "[::1]:80")
	f.Add("upgrade", "websocket", "13", " dGhlIHNhbXBsZSBub25jZQ== ", "HTTPS://EXAMPLE.COM:443", "example.com:443")
	cfg, err := newConfig([]Option{AllowOrigins("*.example.com", "https://app.example.org", "localhost:*")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, connection, upgrade, version, key, origin, host string) {
		r := &http.Request{Method: http.MethodGet, ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}, Host: host}
		r.Header.Set("Connection", connection)
		r.Header.Set("Upgrade", upgrade)
		r.Header.Set("Sec-WebSocket-Version", version)
		r.Header.Set("Sec-WebSocket-Key", key)
		r.Header.Set("Origin", origin)
		if err := checkHandshake(r, cfg); err != nil && (err.Status < 400 || err.Status > 499 || err.Detail == "") {
			t.Fatalf("status %d detail %q", err.Status, err.Detail)
		}
	})
}

// FuzzEnvelope decodes arbitrary broker payloads: an error or a valid
// envelope, never a panic.
func FuzzEnvelope(f *testing.F) {
	f.Add([]byte(`{"group":"g","type":1,"data":"aGk="}`))
	f.Add([]byte(`{"to":"id","type":2,"except":["a"],"data":null}`))
	f.Add([]byte(`{"type":0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Envelope
		if err := e.UnmarshalBinary(b); err != nil {
			return
		}
		if e.Type != MessageText && e.Type != MessageBinary || (e.Group == "") == (e.To == "") {
			t.Fatalf("accepted an invalid envelope %+v", e)
		}
		again, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var e2 Envelope
		if err := e2.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
	})
}

// FuzzTruncateReason checks that cut close reasons stay valid UTF-8 within
// the control-frame limit.
func FuzzTruncateReason(f *testing.F) {
	f.Add("bye")
	f.Add(string(make([]byte, 200)))
	f.Add("ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé")
	f.Fuzz(func(t *testing.T, s string) {
		r := truncateReason(s)
		if len(r) > maxReason || len(s) <= maxReason && r != s {
			t.Fatalf("truncateReason(%q) = %q", s, r)
		}
	})
}
