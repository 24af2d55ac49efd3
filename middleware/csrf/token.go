package csrf

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"unsafe"

	"github.com/nexios-go/nexios"
)

const (
	tokenLen   = 32                     // random bytes in a token
	encodedLen = (tokenLen*8 + 5) / 6   // 43: unpadded base64url of a token
	maskedLen  = (2*tokenLen*8 + 5) / 6 // 86: a masked token (pad + token XOR pad)
)

// requestKey holds the request's CSRF state: *csrf, or *issued once a
// token was created.
var requestKey = nexios.NewKey[any]("csrf")

// b64 is unpadded base64url that rejects non-canonical encodings.
var b64 = base64.RawURLEncoding.Strict()

// issued records a token created during this request, for Token.
type issued struct {
	m     *csrf
	token [tokenLen]byte
}

// prepareToken loads the client's token into token, or issues a new one
// (a cookie or a store entry). It reports whether the client already had
// a token: only then can an unsafe request carry a matching one.
func (m *csrf) prepareToken(req *nexios.Request, res *nexios.Response, token *[tokenLen]byte) (bool, error) {
	if enc, ok := m.load(req); ok && decode(enc, token[:]) {
		requestKey.Set(req, m) // a pointer: no allocation
		return true, nil
	}
	if err := m.issue(req, res, token); err != nil {
		return false, err
	}
	return false, nil
}

// load returns the client's encoded token from the store or the cookie.
func (m *csrf) load(req *nexios.Request) (string, bool) {
	if m.store != nil {
		return m.store.Get(req)
	}
	v := cookieValue(req.Headers(), m.cookieName)
	return v, v != ""
}

// issue creates a new token, hands it to the client and records it for
// Token.
func (m *csrf) issue(req *nexios.Request, res *nexios.Response, token *[tokenLen]byte) error {
	_, _ = rand.Read(token[:]) // never fails (crypto/rand, Go 1.24+)
	enc := b64.EncodeToString(token[:])
	if m.store != nil {
		if err := m.store.Set(req, res, enc); err != nil {
			return err
		}
	} else {
		err := res.SetCookie(&http.Cookie{
			Name:     m.cookieName,
			Value:    enc,
			Path:     m.cookiePath,
			Domain:   m.cookieDomain,
			MaxAge:   m.cookieMaxAge,
			Secure:   m.cookieSecure || req.Scheme() == "https",
			HttpOnly: false, // scripts read it to send the X-CSRFToken header
			SameSite: m.sameSite,
		})
		if err != nil {
			return err
		}
	}
	requestKey.Set(req, &issued{m: m, token: *token})
	return nil
}

// verifyToken checks the token an unsafe request carries.
func (m *csrf) verifyToken(req *nexios.Request, token *[tokenLen]byte, have bool) error {
	if !have {
		what := "no CSRF cookie (" + m.cookieName + ") was sent: load a page that sets it first"
		if m.store != nil {
			what = "no CSRF token was issued to this session"
		}
		return m.reject(req, ErrNoToken, "CSRF token missing: "+what)
	}
	var sent string
	if v := req.Headers()[m.header]; len(v) > 0 { // m.header is canonical
		sent = v[0]
	}
	if sent == "" {
		switch req.ContentType() {
		case "application/x-www-form-urlencoded", "multipart/form-data":
			sent = req.FormValue(m.field)
		}
	}
	if sent == "" {
		return m.reject(req, ErrTokenMissing, "CSRF token missing: send it in the "+m.headerName+" header or the "+m.field+" form field")
	}
	var got [tokenLen]byte
	if !unmask(sent, &got) || subtle.ConstantTimeCompare(got[:], token[:]) != 1 {
		return m.reject(req, ErrTokenInvalid, "CSRF token incorrect")
	}
	return nil
}

// unmask decodes a submitted token: the plain cookie value (43
// characters) or a masked token from Token (86 characters).
func unmask(s string, out *[tokenLen]byte) bool {
	switch len(s) {
	case encodedLen:
		return decode(s, out[:])
	case maskedLen:
		var buf [2 * tokenLen]byte
		if !decode(s, buf[:]) {
			return false
		}
		for i := range tokenLen {
			out[i] = buf[i] ^ buf[tokenLen+i]
		}
		return true
	}
	return false
}

// decode decodes base64url s into dst, which it must fill exactly.
func decode(s string, dst []byte) bool {
	if len(s) != b64.EncodedLen(len(dst)) {
		return false
	}
	// Decode only reads src: viewing the string's bytes avoids a copy.
	n, err := b64.Decode(dst, unsafe.Slice(unsafe.StringData(s), len(s)))
	return err == nil && n == len(dst)
}

// Token returns a token for the current request, to embed in a form
// (<input type="hidden" name="csrf_token" value="...">) or a meta tag.
// It is masked with a fresh random pad on every call, so the page does
// not repeat a secret that compression could leak (BREACH). It returns ""
// when no TokenMode middleware ran for the request.
func Token(req *nexios.Request) string {
	var token [tokenLen]byte
	v, _ := requestKey.Get(req)
	switch s := v.(type) {
	case *issued:
		token = s.token
	case *csrf:
		enc, ok := s.load(req)
		if !ok || !decode(enc, token[:]) {
			return ""
		}
	default:
		return ""
	}
	var buf [2 * tokenLen]byte
	_, _ = rand.Read(buf[:tokenLen])
	for i := range tokenLen {
		buf[tokenLen+i] = buf[i] ^ token[i]
	}
	return b64.EncodeToString(buf[:])
}

// Rotate issues a new token to the client, replacing the old one: call it
// at login (when the session is renewed) so that a token seen before
// authentication cannot be used after it. Token returns the new token
// afterwards.
func Rotate(req *nexios.Request, res *nexios.Response) error {
	v, _ := requestKey.Get(req)
	var m *csrf
	switch s := v.(type) {
	case *issued:
		m = s.m
	case *csrf:
		m = s
	default:
		return errors.New("csrf: Rotate needs the TokenMode middleware on this route")
	}
	var token [tokenLen]byte
	return m.issue(req, res, &token)
}

// cookieValue returns the value of the first cookie called name that has
// a token's length, without allocating. Cookies of other lengths (stale
// or planted garbage) are passed over.
func cookieValue(h http.Header, name string) string {
	for _, line := range h["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || k != name {
				continue
			}
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if len(v) == encodedLen {
				return v
			}
		}
	}
	return ""
}
