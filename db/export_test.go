package db

import "encoding/base64"

// PageMath exposes pageMath to the fuzz test.
var PageMath = pageMath

// SignCursor signs an arbitrary cursor payload with d's key, so the fuzz
// test reaches the decoding behind the signature check.
func SignCursor(d *DB, payload []byte) string {
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(d.sign(payload))
}
