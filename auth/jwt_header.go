package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Header errors, causes of ErrTokenInvalid.
var (
	// errCritical: the header has "crit". RFC 7515 §4.1.11 says a
	// recipient must reject a JWS whose crit lists an extension it does
	// not understand; this verifier understands none (and a malformed
	// crit must be rejected too), so any crit is refused.
	errCritical = errors.New(`critical header extensions ("crit") are not supported`)
	// errDuplicateHeader: a header parameter appears twice. RFC 7515 §4
	// lets a recipient reject such a header; accepting it would let two
	// parsers disagree on which value counts (a parser differential).
	errDuplicateHeader = errors.New("duplicate header parameter")
	// errHeaderShape: the header is not a JSON object.
	errHeaderShape = errors.New("the header is not a JSON object")
)

// checkHeader checks the protected header of a compact JWS (the text
// before the first dot of token) beyond what the jwt library does: one
// JSON object, no parameter twice, no "crit". It runs before the
// signature is checked, so it must hold against any input.
func checkHeader(token string) error {
	seg, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errHeaderShape
	}
	seen := make(map[string]bool, 4)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("header: %w", err)
		}
		name, ok := t.(string)
		if !ok {
			return errHeaderShape
		}
		if seen[name] {
			return fmt.Errorf("%w: %q", errDuplicateHeader, name)
		}
		seen[name] = true
		if name == "crit" {
			return errCritical
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("header: %w", err)
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return errHeaderShape
	}
	if _, err := dec.Token(); err != io.EOF {
		return errHeaderShape // something after the object
	}
	return nil
}
