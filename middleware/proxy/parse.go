package proxy

import (
	"net/netip"
	"strings"
)

// maxNodeLen bounds an address with port: "[" + 45 + "]:" + 5 is 53.
const maxNodeLen = 64

// parsePeer parses the connection's RemoteAddr ("ip:port", or a bare IP).
func parsePeer(remoteAddr string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(remoteAddr); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// parseNode parses an X-Forwarded-For entry or X-Real-IP value: an IPv4 or
// IPv6 address, optionally bracketed (IPv6) and followed by a port. It
// returns the unmapped address and the address text without the port.
// Zoned addresses are rejected: a zone means nothing to this host.
func parseNode(s string) (netip.Addr, string, bool) {
	return parseNodePort(s, false)
}

// parseForwardedNode parses the node of a Forwarded for= parameter, which
// may also carry an obfuscated port ("_abc").
func parseForwardedNode(s string) (netip.Addr, string, bool) {
	return parseNodePort(s, true)
}

func parseNodePort(s string, obfPort bool) (netip.Addr, string, bool) {
	if s == "" || len(s) > maxNodeLen {
		return netip.Addr{}, "", false
	}
	host := s
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, "", false
		}
		host = s[1:end]
		if rest := s[end+1:]; rest != "" && (rest[0] != ':' || !validNodePort(rest[1:], obfPort)) {
			return netip.Addr{}, "", false
		}
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}, "", false
		}
		return a.Unmap(), host, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Addr{}, "", false
		}
		return a.Unmap(), s, true
	}
	// IPv4 with a port; an IPv6 address with a port must be bracketed.
	if i := strings.LastIndexByte(s, ':'); i > 0 && validNodePort(s[i+1:], obfPort) {
		if a, err := netip.ParseAddr(s[:i]); err == nil && a.Is4() {
			return a, s[:i], true
		}
	}
	return netip.Addr{}, "", false
}

// validNodePort accepts a port number, or an obfuscated port when obf is
// set (RFC 7239 section 6.3).
func validNodePort(s string, obf bool) bool {
	if obf && len(s) > 1 && s[0] == '_' {
		return obfChars(s[1:])
	}
	return validPort(s)
}

// validPort accepts 1 to 5 digits up to 65535.
func validPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= 65535
}

// obfChars reports whether s is made of ALPHA, DIGIT, ".", "_" and "-".
func obfChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isUnidentified reports whether a for= node hides the client: "unknown"
// or an obfuscated identifier ("_hidden"), with or without a port.
func isUnidentified(node string) bool {
	name := node
	if i := strings.IndexByte(node, ':'); i >= 0 {
		name = node[:i]
		if !validNodePort(node[i+1:], true) {
			return false
		}
	}
	if strings.EqualFold(name, "unknown") {
		return true
	}
	return len(name) > 1 && name[0] == '_' && obfChars(name[1:])
}

// canonical returns the address text in its canonical form (lower case,
// compressed IPv6, IPv4-mapped addresses unmapped), reusing raw when it is
// already canonical so that the common case does not allocate.
func canonical(raw string, a netip.Addr) string {
	var buf [64]byte
	b := a.AppendTo(buf[:0])
	if string(b) == raw {
		return raw
	}
	return string(b)
}

// validHost accepts host[:port] where host is a DNS-style name (letters,
// digits, "-", ".", "_"), an IPv4 address or a bracketed IPv6 address.
func validHost(h string) bool {
	if h == "" || len(h) > 253+6 {
		return false
	}
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		a, err := netip.ParseAddr(h[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
		rest := h[end+1:]
		return rest == "" || rest[0] == ':' && validPort(rest[1:])
	}
	name := h
	if i := strings.IndexByte(h, ':'); i >= 0 {
		name = h[:i]
		if !validPort(h[i+1:]) {
			return false
		}
	}
	if name == "" || len(name) > 253 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// trimOWS removes spaces and tabs around s.
func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
