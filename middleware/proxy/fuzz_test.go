package proxy

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// FuzzForwarded feeds arbitrary values to every header parser. They must
// never panic; a client IP must be empty or a canonical IP address, a
// scheme http or https, a host a valid host[:port]. And whatever a client
// sends, an element or entry that the trusted proxy appends after it
// decides the client IP.
func FuzzForwarded(f *testing.F) {
	for _, s := range []string{
		"", "for=192.0.2.60;proto=http;by=203.0.113.43", `for="[2001:db8:cafe::17]:4711"`,
		"for=192.0.2.43, for=198.51.100.17", `for="_gazonk"`, "for=unknown", `for="x`,
		`for="x\`, `for="a,b";proto=https`, "For=1.2.3.4;FOR=5.6.7.8", ";;,,;", "garbage",
		"192.0.2.1, 10.0.0.2", "[2001:db8::1]:80", "::ffff:1.2.3.4", "fe80::1%eth0",
		"host=example.com:8080", `host="[::1]:80"`, "1.2.3.4:99999", "\xff\x00\"",
	} {
		f.Add(s)
	}
	rv, err := newResolver(Config{
		TrustedProxies: []string{"10.0.0.0/8", "2001:db8:1::/48"},
		UseForwarded:   true, UseXRealIP: true, TrustHost: true,
	})
	if err != nil {
		f.Fatal(err)
	}
	plain, err := newResolver(Config{TrustedProxies: []string{"10.0.0.0/8"}, TrustHost: true})
	if err != nil {
		f.Fatal(err)
	}
	const peer = "10.0.0.1:5555"

	f.Fuzz(func(t *testing.T, v string) {
		for _, h := range []http.Header{
			{"Forwarded": {v}},
			{"Forwarded": {v, v}},
			{"X-Forwarded-For": {v}, "X-Forwarded-Proto": {v}, "X-Forwarded-Host": {v}},
			{"X-Real-Ip": {v}},
		} {
			for _, r := range []*resolver{rv, plain} {
				checkResult(t, r.resolve(peer, h))
				checkResult(t, r.resolve(v, h))
			}
		}
		if !headerValue(v) {
			return // not something a client can send
		}
		for _, p := range []struct{ elem, want string }{
			{"for=203.0.113.9", "203.0.113.9"},
			{`for="203.0.113.9:8080";proto=https`, "203.0.113.9"},
			{`for="[2001:db8::9]:80"`, "2001:db8::9"},
			{`for="[2001:db8::9]";host="a.example"`, "2001:db8::9"},
		} {
			for _, h := range []http.Header{
				{"Forwarded": {v + ", " + p.elem}},
				{"Forwarded": {v + "," + p.elem}},
				{"Forwarded": {v, p.elem}},
			} {
				if got := rv.resolve(peer, h).clientIP; got != p.want {
					t.Fatalf("%q: client IP %q, want %q", h["Forwarded"], got, p.want)
				}
			}
		}
		for _, h := range []http.Header{
			{"X-Forwarded-For": {v + ", 203.0.113.9"}},
			{"X-Forwarded-For": {v, "203.0.113.9"}},
			{"X-Forwarded-For": {v + ", 203.0.113.9, 10.0.0.2"}},
		} {
			if got := plain.resolve(peer, h).clientIP; got != "203.0.113.9" {
				t.Fatalf("%q: client IP %q", h["X-Forwarded-For"], got)
			}
		}
	})
}

func checkResult(t *testing.T, res result) {
	t.Helper()
	if res.clientIP != "" {
		a, err := netip.ParseAddr(res.clientIP)
		if err != nil || a.Zone() != "" || a.Is4In6() || a.String() != res.clientIP {
			t.Fatalf("client IP %q is not a canonical address", res.clientIP)
		}
	}
	if res.scheme != "" && res.scheme != "http" && res.scheme != "https" {
		t.Fatalf("scheme %q", res.scheme)
	}
	if res.host != "" && (!validHost(res.host) || strings.ContainsAny(res.host, " \t/@\\\"\r\n")) {
		t.Fatalf("host %q", res.host)
	}
}

// headerValue reports whether v can be sent as a header value: no control
// characters other than tab.
func headerValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
