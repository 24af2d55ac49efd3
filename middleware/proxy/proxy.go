// Package proxy makes the client information that a trusted reverse proxy
// forwards visible to the app: the client IP (req.ClientIP), the scheme
// (req.Scheme) and, on request, the host (req.Raw().Host).
//
//	app.Use(nexios.Must(proxy.New(proxy.Config{
//		TrustedProxies: []string{"10.0.0.0/8", "loopback"},
//	})))
//
// The forwarding headers (X-Forwarded-For, X-Forwarded-Proto,
// X-Forwarded-Host, X-Real-IP and the RFC 7239 Forwarded header) are read
// only when the connection comes from a trusted proxy; from anyone else
// they are ignored, since any client can send them. X-Forwarded-For is read
// from right to left: each trusted proxy appends the address it received
// the request from, so the first untrusted address is the client, and
// whatever a client wrote to the left of it is never used.
//
// A malformed header is ignored, never an error.
package proxy

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/nexios-go/nexios"
)

// preset returns the ranges of a preset name accepted in
// Config.TrustedProxies, or nil.
func preset(name string) []string {
	switch strings.ToLower(name) {
	case "loopback":
		return []string{"127.0.0.0/8", "::1/128"}
	case "private":
		return []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"}
	case "linklocal":
		return []string{"169.254.0.0/16", "fe80::/10"}
	}
	return nil
}

// Config configures the trusted-proxy middleware. The zero value is valid
// and does nothing: no proxy is trusted.
type Config struct {
	// Skip, when it returns true, leaves the request as it arrived.
	// Default: nil, never skip.
	Skip func(*nexios.Request) bool

	// TrustedProxies lists the proxies whose forwarding headers are
	// believed: IP addresses ("10.0.0.7", "2001:db8::1"), CIDR prefixes
	// ("10.0.0.0/8", "2001:db8::/32") and the presets "loopback"
	// (127.0.0.0/8, ::1), "private" (10.0.0.0/8, 172.16.0.0/12,
	// 192.168.0.0/16, fc00::/7) and "linklocal" (169.254.0.0/16,
	// fe80::/10). An invalid entry makes New fail. Default: none, every
	// forwarding header is ignored.
	TrustedProxies []string

	// UseForwarded reads the RFC 7239 Forwarded header (for=, proto=,
	// host=) instead of the X-Forwarded-* headers when a trusted proxy sends
	// one; the X-Forwarded-* headers are read only when it is absent.
	// Default false: Forwarded is ignored.
	UseForwarded bool

	// UseXRealIP takes the client IP from X-Real-IP when X-Forwarded-For
	// gives none. Default false.
	UseXRealIP bool

	// TrustHost applies the forwarded host (X-Forwarded-Host, or host= in
	// Forwarded) to req.Raw().Host. Default false: several common proxies
	// pass a client's X-Forwarded-Host through unchanged, which would let
	// clients choose the host the app builds absolute URLs (password reset
	// links, redirects) with. Enable it when your proxy sets or strips it.
	TrustHost bool

	// IgnoreProto leaves req.Scheme alone. Default false: X-Forwarded-Proto
	// (or proto= in Forwarded) sets it when it is "http" or "https".
	IgnoreProto bool
}

// resolver holds the parsed configuration.
type resolver struct {
	trusted      []netip.Prefix
	useForwarded bool
	useXRealIP   bool
	useHost      bool
	useProto     bool
}

// New returns the trusted-proxy middleware configured by cfg. It fails on
// an entry of TrustedProxies that is not an IP address, a CIDR prefix or a
// preset name.
func New(cfg Config) (nexios.Middleware, error) {
	rv, err := newResolver(cfg)
	if err != nil {
		return nil, err
	}
	skip := cfg.Skip
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		if len(rv.trusted) == 0 {
			return next
		}
		return func(req *nexios.Request, res *nexios.Response) error {
			if skip == nil || !skip(req) {
				rv.apply(req)
			}
			return next(req, res)
		}
	}, nil
}

func newResolver(cfg Config) (*resolver, error) {
	rv := &resolver{
		useForwarded: cfg.UseForwarded,
		useXRealIP:   cfg.UseXRealIP,
		useHost:      cfg.TrustHost,
		useProto:     !cfg.IgnoreProto,
	}
	for _, entry := range cfg.TrustedProxies {
		if ranges := preset(strings.TrimSpace(entry)); ranges != nil {
			for _, s := range ranges {
				rv.trusted = append(rv.trusted, netip.MustParsePrefix(s))
			}
			continue
		}
		p, err := parseTrusted(entry)
		if err != nil {
			return nil, err
		}
		rv.trusted = append(rv.trusted, p)
	}
	return rv, nil
}

func parseTrusted(entry string) (netip.Prefix, error) {
	s := strings.TrimSpace(entry)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("proxy: invalid trusted proxy %q: %w", entry, err)
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("proxy: invalid trusted proxy %q: want an IP address, a CIDR prefix or one of loopback, private, linklocal", entry)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// isTrusted reports whether a (unmapped) is in a trusted range.
func (rv *resolver) isTrusted(a netip.Addr) bool {
	for _, p := range rv.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerKey holds the peer address of a request whose RemoteAddr the
// middleware rewrote.
var peerKey = nexios.NewKey[string]("proxy.peer")

// PeerAddr returns the address of the peer that sent the request (the
// last proxy): the request's RemoteAddr before the middleware replaced it
// with the client's.
func PeerAddr(req *nexios.Request) string {
	if p, ok := peerKey.Get(req); ok {
		return p
	}
	return req.RemoteAddr()
}

// result is what the forwarding headers say about the client; empty
// fields change nothing.
type result struct {
	clientIP, scheme, host string
}

func (rv *resolver) apply(req *nexios.Request) {
	r := req.Raw()
	res := rv.resolve(r.RemoteAddr, r.Header)
	// Rewrite the request itself, as chi's RealIP does, so that every
	// reader — req.ClientIP, req.Scheme, net/http code — sees the client
	// the proxies vouch for. The peer's own address stays available with
	// PeerAddr.
	if res.clientIP != "" {
		peerKey.Set(req, r.RemoteAddr)
		r.RemoteAddr = net.JoinHostPort(res.clientIP, "0")
	}
	if res.scheme != "" {
		r.URL.Scheme = res.scheme
	}
	if res.host != "" {
		r.Host = res.host
	}
}

// resolve reads the forwarding headers of a request from remoteAddr.
func (rv *resolver) resolve(remoteAddr string, h http.Header) result {
	peer, ok := parsePeer(remoteAddr)
	if !ok || !rv.isTrusted(peer) {
		return result{}
	}
	if rv.useForwarded {
		if lines := h["Forwarded"]; len(lines) > 0 {
			return rv.fromForwarded(lines)
		}
	}
	var res result
	res.clientIP = rv.fromXFF(h["X-Forwarded-For"])
	if res.clientIP == "" && rv.useXRealIP {
		if a, raw, ok := parseNode(lastElement(h["X-Real-Ip"])); ok {
			res.clientIP = canonical(raw, a)
		}
	}
	if rv.useProto {
		res.scheme = scheme(lastElement(h["X-Forwarded-Proto"]))
	}
	if rv.useHost {
		if host := lastElement(h["X-Forwarded-Host"]); validHost(host) {
			res.host = host
		}
	}
	return res
}

// fromXFF walks X-Forwarded-For from right to left, skipping trusted
// proxies, and returns the first untrusted address, or the leftmost one
// when every address is trusted. A malformed entry met on the way ends the
// walk with no result.
func (rv *resolver) fromXFF(lines []string) string {
	var last netip.Addr
	var lastRaw string
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for rest != "" {
			var entry string
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				entry, rest = rest[j+1:], rest[:j]
			} else {
				entry, rest = rest, ""
			}
			entry = trimOWS(entry)
			if entry == "" {
				continue // empty list elements are allowed
			}
			a, raw, ok := parseNode(entry)
			if !ok {
				return ""
			}
			if !rv.isTrusted(a) {
				return canonical(raw, a)
			}
			last, lastRaw = a, raw
		}
	}
	if lastRaw == "" {
		return ""
	}
	return canonical(lastRaw, last)
}

// fromForwarded walks the Forwarded elements from right to left like
// fromXFF; proto and host come from the element that names the client.
func (rv *resolver) fromForwarded(lines []string) result {
	var hop element // the leftmost trusted element so far
	haveHop := false
	var ring elementRing
	for i := len(lines) - 1; i >= 0; i-- {
		ring.parse(lines[i])
		for k := 0; k < ring.n; k++ {
			if k >= maxHops {
				return result{} // more trusted hops in one line than we keep
			}
			e := ring.fromRight(k)
			if !e.valid {
				return result{}
			}
			a, raw, ok := parseForwardedNode(e.forNode)
			switch {
			case ok && rv.isTrusted(a):
				hop, haveHop = *e, true
				continue
			case ok:
				return rv.hopResult(e, canonical(raw, a))
			case e.forNode == "" || isUnidentified(e.forNode):
				// "unknown", an obfuscated identifier or no for=: the
				// client's address is not disclosed.
				return rv.hopResult(e, "")
			default:
				return result{}
			}
		}
	}
	if !haveHop {
		return result{}
	}
	a, raw, _ := parseForwardedNode(hop.forNode)
	return rv.hopResult(&hop, canonical(raw, a))
}

func (rv *resolver) hopResult(e *element, clientIP string) result {
	res := result{clientIP: clientIP}
	if rv.useProto {
		res.scheme = scheme(e.proto)
	}
	if rv.useHost && validHost(e.host) {
		res.host = e.host
	}
	return res
}

// lastElement returns the rightmost element of a comma-separated header
// (the one written by the nearest proxy), without surrounding whitespace.
func lastElement(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	s := lines[len(lines)-1]
	if j := strings.LastIndexByte(s, ','); j >= 0 {
		s = s[j+1:]
	}
	return trimOWS(s)
}

// scheme returns "http" or "https" for those values (in any case), else "".
func scheme(s string) string {
	switch {
	case strings.EqualFold(s, "https"):
		return "https"
	case strings.EqualFold(s, "http"):
		return "http"
	}
	return ""
}
