package ratelimit

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"

	"github.com/nexios-go/nexios"
)

// KeyFunc returns the key a request is counted under: requests with the
// same key share a quota. An error carrying an HTTP status (a
// *nexios.HTTPError) is returned to the client as is; any other error is a
// 500. An empty key is an error (500): it would put every such request in
// one bucket.
type KeyFunc func(req *nexios.Request) (string, error)

// errNoClientIP is returned by ByIP when the request has no client address.
var errNoClientIP = errors.New("ratelimit: the request has no client IP")

// ByIP keys requests by client IP, req.ClientIP(): the peer address, or the
// address a trusted-proxy middleware found in X-Forwarded-For. Behind a
// proxy without that middleware every client shares the proxy's quota;
// with a misconfigured one that trusts everyone, clients choose their own
// key. IPv6 addresses are keyed by their /64 prefix, the block a single
// subscriber usually holds, so a client cannot escape the limit by
// rotating addresses inside it. It is the default KeyFunc.
func ByIP(req *nexios.Request) (string, error) { return byPrefix(req, 32, 64) }

// ByIPPrefix keys requests by the network of the client IP: the first v4
// bits of an IPv4 address (1..32) and v6 bits of an IPv6 one (1..128).
// ByIP is ByIPPrefix(32, 64). Out-of-range values are clamped.
func ByIPPrefix(v4, v6 int) KeyFunc {
	v4, v6 = min(max(v4, 1), 32), min(max(v6, 1), 128)
	return func(req *nexios.Request) (string, error) { return byPrefix(req, v4, v6) }
}

func byPrefix(req *nexios.Request, v4, v6 int) (string, error) {
	ip := req.ClientIP()
	if ip == "" {
		return "", errNoClientIP
	}
	if v4 == 32 && strings.IndexByte(ip, ':') < 0 {
		return ip, nil // a plain IPv4 address: the common case, no parsing
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip, nil // not an IP (a Unix socket path): use it as is
	}
	addr = addr.Unmap().WithZone("")
	bits := v6
	if addr.Is4() {
		bits = v4
	}
	if bits == addr.BitLen() {
		return addr.String(), nil
	}
	p, _ := addr.Prefix(bits)
	return p.String(), nil
}

// ByHeader keys requests by the value of the request header name (an API
// key header such as X-API-Key). A request without it is rejected with 400.
// Only use a header that a gateway has verified, or that identifies a
// quota the client cannot choose freely: a client can send any value.
func ByHeader(name string) KeyFunc {
	name = http.CanonicalHeaderKey(name)
	detail := "missing " + name + " header"
	return func(req *nexios.Request) (string, error) {
		if vs := req.Headers()[name]; len(vs) > 0 && vs[0] != "" {
			return vs[0], nil
		}
		return "", nexios.NewHTTPError(http.StatusBadRequest, detail)
	}
}

// ByUser keys requests by the user that user returns, as "user:<id>", and
// anonymous requests (user returns "") by client IP as "ip:<address>", so
// that the two never share a quota. A nil user reads the user set by the
// authentication middleware: req.User().Identity() when it is
// authenticated. Install the limiter inside (after) the authentication
// middleware.
func ByUser(user func(req *nexios.Request) string) KeyFunc {
	if user == nil {
		user = authenticated
	}
	return func(req *nexios.Request) (string, error) {
		if id := user(req); id != "" {
			return "user:" + id, nil
		}
		ip, err := ByIP(req)
		if err != nil {
			return "", err
		}
		return "ip:" + ip, nil
	}
}

// authenticated returns the identity of the request's authenticated user.
func authenticated(req *nexios.Request) string {
	if u := req.User(); u.IsAuthenticated() {
		return u.Identity()
	}
	return ""
}
