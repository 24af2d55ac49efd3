package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/proxy"
	"github.com/nexios-go/nexios/testclient"
)

// echo answers "clientIP|scheme|host".
func echo(req *nexios.Request, res *nexios.Response) error {
	return res.Text(req.ClientIP() + "|" + req.Scheme() + "|" + req.Raw().Host)
}

var trusted = []string{"10.0.0.0/8", "loopback", "2001:db8:1::/48", "192.0.2.1"}

func newApp(t *testing.T, cfg proxy.Config) *nexios.App {
	t.Helper()
	m, err := proxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{})
	app.Use(m)
	app.Get("/", echo)
	return app
}

type hdr = map[string][]string

func TestResolve(t *testing.T) {
	t.Parallel()
	const (
		peer   = "10.0.0.1:5555"
		client = "198.51.100.7"
	)
	base := proxy.Config{TrustedProxies: trusted}
	withHost := proxy.Config{TrustedProxies: trusted, TrustHost: true}
	fwd := proxy.Config{TrustedProxies: trusted, UseForwarded: true, TrustHost: true}
	realIP := proxy.Config{TrustedProxies: trusted, UseXRealIP: true}
	tests := []struct {
		name    string
		cfg     proxy.Config
		remote  string
		headers hdr
		want    string // clientIP|scheme|host
	}{
		// Untrusted peers: every forwarding header is ignored.
		{"untrusted peer, spoofed XFF", base, "203.0.113.5:1000", hdr{"X-Forwarded-For": {"1.2.3.4"}, "X-Forwarded-Proto": {"https"}}, "203.0.113.5|http|example.com"},
		{"untrusted peer, spoofed trusted XFF", base, "203.0.113.5:1000", hdr{"X-Forwarded-For": {"10.0.0.9"}}, "203.0.113.5|http|example.com"},
		{"untrusted peer, spoofed Forwarded", fwd, "203.0.113.5:1000", hdr{"Forwarded": {"for=1.2.3.4;proto=https;host=evil.com"}}, "203.0.113.5|http|example.com"},
		{"untrusted peer, spoofed host", withHost, "203.0.113.5:1000", hdr{"X-Forwarded-Host": {"evil.com"}}, "203.0.113.5|http|example.com"},
		{"untrusted peer, spoofed X-Real-IP", realIP, "203.0.113.5:1000", hdr{"X-Real-Ip": {"1.2.3.4"}}, "203.0.113.5|http|example.com"},
		{"unparsable peer", base, "pipe", hdr{"X-Forwarded-For": {"1.2.3.4"}}, "pipe|http|example.com"},
		{"no trusted proxies", proxy.Config{}, "127.0.0.1:1", hdr{"X-Forwarded-For": {"1.2.3.4"}}, "127.0.0.1|http|example.com"},

		// X-Forwarded-For from a trusted peer.
		{"single", base, peer, hdr{"X-Forwarded-For": {client}}, client + "|http|example.com"},
		{"spoofed leftmost", base, peer, hdr{"X-Forwarded-For": {"6.6.6.6, " + client}}, client + "|http|example.com"},
		{"trusted hops skipped", base, peer, hdr{"X-Forwarded-For": {client + ", 10.0.0.2,10.0.0.3"}}, client + "|http|example.com"},
		{"all trusted: leftmost", base, peer, hdr{"X-Forwarded-For": {"10.0.0.5, 127.0.0.1, 10.0.0.2"}}, "10.0.0.5|http|example.com"},
		{"multiple headers", base, peer, hdr{"X-Forwarded-For": {"6.6.6.6", client + ", 10.0.0.2"}}, client + "|http|example.com"},
		{"multiple headers, client in first", base, peer, hdr{"X-Forwarded-For": {"6.6.6.6, " + client, "10.0.0.2"}}, client + "|http|example.com"},
		{"IPv4 with port", base, peer, hdr{"X-Forwarded-For": {client + ":4711"}}, client + "|http|example.com"},
		{"IPv6", base, peer, hdr{"X-Forwarded-For": {"2001:DB8::7"}}, "2001:db8::7|http|example.com"},
		{"IPv6 bracketed with port", base, peer, hdr{"X-Forwarded-For": {"[2001:db8::7]:4711"}}, "2001:db8::7|http|example.com"},
		{"IPv6 bracketed", base, peer, hdr{"X-Forwarded-For": {"[2001:db8::7]"}}, "2001:db8::7|http|example.com"},
		{"IPv6 trusted hops", base, "[2001:db8:1::1]:443", hdr{"X-Forwarded-For": {"2001:db8::7, 2001:db8:1::2"}}, "2001:db8::7|http|example.com"},
		{"IPv4-mapped peer and client", base, "[::ffff:10.0.0.1]:443", hdr{"X-Forwarded-For": {"::ffff:" + client}}, client + "|http|example.com"},
		{"whitespace", base, peer, hdr{"X-Forwarded-For": {" \t" + client + " ,\t10.0.0.2 "}}, client + "|http|example.com"},
		{"empty elements", base, peer, hdr{"X-Forwarded-For": {",," + client + ", ,"}}, client + "|http|example.com"},
		{"empty", base, peer, hdr{"X-Forwarded-For": {""}}, "10.0.0.1|http|example.com"},
		{"garbage", base, peer, hdr{"X-Forwarded-For": {"garbage"}}, "10.0.0.1|http|example.com"},
		{"garbage from a trusted hop", base, peer, hdr{"X-Forwarded-For": {client + ", garbage"}}, "10.0.0.1|http|example.com"},
		{"garbage left of the client", base, peer, hdr{"X-Forwarded-For": {"<script>, " + client}}, client + "|http|example.com"},
		{"unknown", base, peer, hdr{"X-Forwarded-For": {"unknown"}}, "10.0.0.1|http|example.com"},
		{"zone", base, peer, hdr{"X-Forwarded-For": {"fe80::1%eth0"}}, "10.0.0.1|http|example.com"},
		{"bad octet", base, peer, hdr{"X-Forwarded-For": {"300.1.1.1"}}, "10.0.0.1|http|example.com"},
		{"bad port", base, peer, hdr{"X-Forwarded-For": {client + ":99999"}}, "10.0.0.1|http|example.com"},
		{"IPv6 with unbracketed port", base, peer, hdr{"X-Forwarded-For": {"[2001:db8::7:80"}}, "10.0.0.1|http|example.com"},
		{"huge", base, peer, hdr{"X-Forwarded-For": {strings.Repeat("9", 10000)}}, "10.0.0.1|http|example.com"},
		{"many trusted hops", base, peer, hdr{"X-Forwarded-For": {client + strings.Repeat(", 10.0.0.2", 500)}}, client + "|http|example.com"},

		// X-Real-IP.
		{"X-Real-IP", realIP, peer, hdr{"X-Real-Ip": {client}}, client + "|http|example.com"},
		{"X-Real-IP with port", realIP, peer, hdr{"X-Real-Ip": {"[2001:db8::7]:80"}}, "2001:db8::7|http|example.com"},
		{"XFF wins over X-Real-IP", realIP, peer, hdr{"X-Real-Ip": {"6.6.6.6"}, "X-Forwarded-For": {client}}, client + "|http|example.com"},
		{"X-Real-IP garbage", realIP, peer, hdr{"X-Real-Ip": {"nope"}}, "10.0.0.1|http|example.com"},
		{"X-Real-IP off", base, peer, hdr{"X-Real-Ip": {client}}, "10.0.0.1|http|example.com"},

		// X-Forwarded-Proto.
		{"proto https", base, peer, hdr{"X-Forwarded-Proto": {"https"}}, "10.0.0.1|https|example.com"},
		{"proto case", base, peer, hdr{"X-Forwarded-Proto": {" HTTPS "}}, "10.0.0.1|https|example.com"},
		{"proto rightmost", base, peer, hdr{"X-Forwarded-Proto": {"http, https"}}, "10.0.0.1|https|example.com"},
		{"proto spoofed leftmost", base, peer, hdr{"X-Forwarded-Proto": {"https", "http"}}, "10.0.0.1|http|example.com"},
		{"proto unknown", base, peer, hdr{"X-Forwarded-Proto": {"ftp"}}, "10.0.0.1|http|example.com"},
		{"proto ignored", proxy.Config{TrustedProxies: trusted, IgnoreProto: true}, peer, hdr{"X-Forwarded-Proto": {"https"}}, "10.0.0.1|http|example.com"},

		// X-Forwarded-Host.
		{"host", withHost, peer, hdr{"X-Forwarded-Host": {"api.example.org"}}, "10.0.0.1|http|api.example.org"},
		{"host with port", withHost, peer, hdr{"X-Forwarded-Host": {"api.example.org:8443"}}, "10.0.0.1|http|api.example.org:8443"},
		{"host IPv6", withHost, peer, hdr{"X-Forwarded-Host": {"[2001:db8::1]:8443"}}, "10.0.0.1|http|[2001:db8::1]:8443"},
		{"host rightmost", withHost, peer, hdr{"X-Forwarded-Host": {"evil.com, api.example.org"}}, "10.0.0.1|http|api.example.org"},
		{"host with path", withHost, peer, hdr{"X-Forwarded-Host": {"evil.com/x"}}, "10.0.0.1|http|example.com"},
		{"host with userinfo", withHost, peer, hdr{"X-Forwarded-Host": {"a@evil.com"}}, "10.0.0.1|http|example.com"},
		{"host with bad port", withHost, peer, hdr{"X-Forwarded-Host": {"a.com:x"}}, "10.0.0.1|http|example.com"},
		{"host two colons", withHost, peer, hdr{"X-Forwarded-Host": {"a.com:1:2"}}, "10.0.0.1|http|example.com"},
		{"host off by default", base, peer, hdr{"X-Forwarded-Host": {"api.example.org"}}, "10.0.0.1|http|example.com"},

		// RFC 7239 Forwarded.
		{"forwarded", fwd, peer, hdr{"Forwarded": {"for=" + client + ";proto=https;host=api.example.org"}}, client + "|https|api.example.org"},
		{"forwarded case-insensitive names", fwd, peer, hdr{"Forwarded": {"For=" + client + ";PROTO=https"}}, client + "|https|example.com"},
		{"forwarded quoted IPv6 with port", fwd, peer, hdr{"Forwarded": {`for="[2001:db8::7]:4711"`}}, "2001:db8::7|http|example.com"},
		{"forwarded IPv4 with port", fwd, peer, hdr{"Forwarded": {`for="198.51.100.7:80"`}}, client + "|http|example.com"},
		{"forwarded spoofed leftmost", fwd, peer, hdr{"Forwarded": {"for=6.6.6.6;proto=https, for=" + client}}, client + "|http|example.com"},
		{"forwarded trusted hops", fwd, peer, hdr{"Forwarded": {"for=" + client + ";proto=https;host=a.example, for=10.0.0.2;proto=http;host=internal"}}, client + "|https|a.example"},
		{"forwarded all trusted", fwd, peer, hdr{"Forwarded": {"for=10.0.0.5;proto=https, for=10.0.0.2"}}, "10.0.0.5|https|example.com"},
		{"forwarded multiple lines", fwd, peer, hdr{"Forwarded": {"for=6.6.6.6", "for=" + client + ";by=10.0.0.2", "for=10.0.0.3"}}, client + "|http|example.com"},
		{"forwarded obfuscated", fwd, peer, hdr{"Forwarded": {"for=_hidden;proto=https, for=10.0.0.2"}}, "10.0.0.1|https|example.com"},
		{"forwarded obfuscated port", fwd, peer, hdr{"Forwarded": {`for="198.51.100.7:_p1"`}}, client + "|http|example.com"},
		{"forwarded unknown", fwd, peer, hdr{"Forwarded": {"for=unknown"}}, "10.0.0.1|http|example.com"},
		{"forwarded without for", fwd, peer, hdr{"Forwarded": {"proto=https"}}, "10.0.0.1|https|example.com"},
		{"forwarded garbage node", fwd, peer, hdr{"Forwarded": {"for=garbage;proto=https"}}, "10.0.0.1|http|example.com"},
		{"forwarded duplicate parameter", fwd, peer, hdr{"Forwarded": {"for=" + client + ";for=6.6.6.6"}}, "10.0.0.1|http|example.com"},
		{"forwarded syntax error", fwd, peer, hdr{"Forwarded": {"for"}}, "10.0.0.1|http|example.com"},
		{"forwarded unterminated quote before proxy", fwd, peer, hdr{"Forwarded": {`for="6.6.6.6, for=` + client}}, client + "|http|example.com"},
		{"forwarded quote swallowing proxy IPv6", fwd, peer, hdr{"Forwarded": {`for="x, for="[2001:db8::7]"`}}, "2001:db8::7|http|example.com"},
		{"forwarded escape before proxy", fwd, peer, hdr{"Forwarded": {`for="x\, for=` + client}}, client + "|http|example.com"},
		{"forwarded escaped value", fwd, peer, hdr{"Forwarded": {`for="198.51.100.\7"`}}, "10.0.0.1|http|example.com"},
		{"forwarded bad proto and host ignored", fwd, peer, hdr{"Forwarded": {`for=198.51.100.7;proto=gopher;host="a b"`}}, client + "|http|example.com"},
		{"forwarded preferred over XFF", fwd, peer, hdr{"Forwarded": {"for=" + client}, "X-Forwarded-For": {"6.6.6.6"}, "X-Forwarded-Proto": {"https"}}, client + "|http|example.com"},
		{"malformed forwarded: no fallback", fwd, peer, hdr{"Forwarded": {"garbage"}, "X-Forwarded-For": {"6.6.6.6"}}, "10.0.0.1|http|example.com"},
		{"forwarded absent: XFF", fwd, peer, hdr{"X-Forwarded-For": {client}, "X-Forwarded-Proto": {"https"}}, client + "|https|example.com"},
		{"forwarded off", base, peer, hdr{"Forwarded": {"for=6.6.6.6"}}, "10.0.0.1|http|example.com"},
		{"forwarded more hops than kept", fwd, peer, hdr{"Forwarded": {"for=" + client + strings.Repeat(", for=10.0.0.2", 20)}}, "10.0.0.1|http|example.com"},
		{"forwarded many elements, few trusted", fwd, peer, hdr{"Forwarded": {strings.Repeat("for=6.6.6.6, ", 100) + "for=" + client}}, client + "|http|example.com"},
		{"forwarded host from client hop only", proxy.Config{TrustedProxies: trusted, UseForwarded: true}, peer, hdr{"Forwarded": {"for=" + client + ";host=a.example"}}, client + "|http|example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, tt.cfg)
			r := httptest.NewRequest("GET", "http://example.com/", nil)
			r.RemoteAddr = tt.remote
			for k, vs := range tt.headers {
				r.Header[k] = vs
			}
			w := httptest.NewRecorder()
			app.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := w.Body.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	m := nexios.Must(proxy.New(proxy.Config{TrustedProxies: []string{"private"}}))
	apps := map[string]*nexios.App{}

	app := nexios.New(nexios.Config{})
	app.Use(m)
	app.Get("/x", echo)
	apps["app"] = app

	app = nexios.New(nexios.Config{})
	r := nexios.NewRouter("/api")
	r.Use(m)
	r.Get("/x", echo)
	app.Mount(r)
	apps["router"] = app

	app = nexios.New(nexios.Config{})
	app.Get("/x", echo, nexios.WithMiddleware(m))
	apps["route"] = app

	app = nexios.New(nexios.Config{})
	app.Pre(m)
	app.Get("/x", echo)
	apps["pre"] = app

	for level, app := range apps {
		t.Run(level, func(t *testing.T) {
			t.Parallel()
			path := "/x"
			if level == "router" {
				path = "/api/x"
			}
			spoof := []testclient.RequestOption{
				testclient.Header("X-Forwarded-For", "6.6.6.6, 198.51.100.7"),
				testclient.Header("X-Forwarded-Proto", "https"),
			}
			got := testclient.New(app, testclient.WithRemoteAddr("192.168.1.10:9999")).Get(path, spoof...).Text()
			if got != "198.51.100.7|https|testserver" {
				t.Errorf("trusted peer: %q", got)
			}
			got = testclient.New(app, testclient.WithRemoteAddr("203.0.113.50:9999")).Get(path, spoof...).Text()
			if got != "203.0.113.50|http|testserver" {
				t.Errorf("untrusted peer (hostile): %q", got)
			}
		})
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	app := newApp(t, proxy.Config{TrustedProxies: []string{"0.0.0.0/0"}, Skip: func(*nexios.Request) bool { return true }})
	got := testclient.New(app).Get("/", testclient.Header("X-Forwarded-For", "198.51.100.7")).Text()
	if got != "192.0.2.1|http|testserver" {
		t.Errorf("skipped: %q", got)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, entry := range []string{"", "abc", "10.0.0.256", "10.0.0.0/33", "fe80::1%eth0", "10.0.0.0/8/8", "privat", "10.0.0.1-10.0.0.9"} {
		if _, err := proxy.New(proxy.Config{TrustedProxies: []string{entry}}); err == nil {
			t.Errorf("%q accepted", entry)
		}
	}
	for _, entry := range []string{"10.0.0.1", " 10.0.0.0/8 ", "10.1.2.3/8", "2001:db8::/32", "::ffff:10.0.0.0/104", "LOOPBACK", "private", "linklocal"} {
		if _, err := proxy.New(proxy.Config{TrustedProxies: []string{entry}}); err != nil {
			t.Errorf("%q: %v", entry, err)
		}
	}
}

func TestPresetsAndPrefixes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		trusted []string
		peer    string
		want    bool
	}{
		{[]string{"loopback"}, "127.0.0.1:1", true},
		{[]string{"loopback"}, "[::1]:1", true},
		{[]string{"private"}, "172.31.255.255:1", true},
		{[]string{"private"}, "172.32.0.1:1", false},
		{[]string{"private"}, "[fd00::1]:1", true},
		{[]string{"linklocal"}, "[fe80::1%eth0]:1", true},
		{[]string{"linklocal"}, "169.254.1.1:1", true},
		{[]string{"10.1.2.3/8"}, "10.200.0.1:1", true},
		{[]string{"::ffff:10.0.0.0/104"}, "10.9.9.9:1", true},
		{[]string{"10.0.0.7"}, "10.0.0.8:1", false},
		{[]string{"10.0.0.7"}, "[::ffff:10.0.0.7]:1", true},
		{[]string{"2001:db8::/32"}, "[2001:db8:ffff::1]:1", true},
	} {
		app := newApp(t, proxy.Config{TrustedProxies: tc.trusted})
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		r.Header.Set("X-Forwarded-For", "198.51.100.7")
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		if got := strings.HasPrefix(w.Body.String(), "198.51.100.7|"); got != tc.want {
			t.Errorf("%v trusts %s = %v, want %v", tc.trusted, tc.peer, got, tc.want)
		}
	}
}
