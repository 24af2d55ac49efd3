package auth

import (
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
)

// Key is a key of a JWT issuer or verifier, pinned to one algorithm: a
// token is only ever verified with a key of the algorithm its header
// names, so an RSA public key can never be used as an HMAC secret (the
// HS/RS confusion attack) and "none" is never accepted. Build keys with
// HS256Key, RS256Key, RS256PublicKey, EdDSAKey or EdDSAPublicKey.
type Key struct {
	id     string
	alg    string
	sign   any // []byte, *rsa.PrivateKey, ed25519.PrivateKey; nil: verify only
	verify any // []byte, *rsa.PublicKey, ed25519.PublicKey
}

// HS256Key is an HMAC-SHA256 secret of at least 32 bytes. It signs and
// verifies.
func HS256Key(secret []byte) Key {
	s := append([]byte(nil), secret...)
	return Key{alg: "HS256", sign: s, verify: s}
}

// RS256Key is an RSA private key (2048 bits or more), for an issuer that
// signs with RS256. It also verifies.
func RS256Key(k *rsa.PrivateKey) Key {
	if k == nil {
		return Key{alg: "RS256"}
	}
	return Key{alg: "RS256", sign: k, verify: &k.PublicKey}
}

// RS256PublicKey is an RSA public key that verifies RS256 tokens (a
// service that trusts another's tokens).
func RS256PublicKey(k *rsa.PublicKey) Key {
	if k == nil {
		return Key{alg: "RS256"}
	}
	return Key{alg: "RS256", verify: k}
}

// EdDSAKey is an Ed25519 private key. It signs and verifies.
func EdDSAKey(k ed25519.PrivateKey) Key {
	if len(k) != ed25519.PrivateKeySize {
		return Key{alg: "EdDSA"}
	}
	return Key{alg: "EdDSA", sign: k, verify: k.Public().(ed25519.PublicKey)}
}

// EdDSAPublicKey is an Ed25519 public key that verifies EdDSA tokens.
func EdDSAPublicKey(k ed25519.PublicKey) Key { return Key{alg: "EdDSA", verify: k} }

// WithID returns the key with a key id: tokens it signs carry it in their
// "kid" header, and tokens with a kid are verified with that key only.
// Give ids to keys when rotating them.
func (k Key) WithID(id string) Key {
	k.id = id
	return k
}

// ID returns the key id ("" when none).
func (k Key) ID() string { return k.id }

// Algorithm returns the algorithm the key is pinned to ("HS256", "RS256",
// "EdDSA").
func (k Key) Algorithm() string { return k.alg }

// CanSign reports whether the key holds private material (an HMAC secret
// or a private key).
func (k Key) CanSign() bool { return k.sign != nil }

// check reports a key that cannot be used safely.
func (k Key) check() error {
	switch k.alg {
	case "HS256":
		if s, _ := k.verify.([]byte); len(s) < 32 {
			return fmt.Errorf("HS256 secret has %d bytes; at least 32 are needed", len(s))
		}
	case "RS256":
		if pub, _ := k.verify.(*rsa.PublicKey); pub == nil || pub.N == nil {
			return errors.New("RS256 key is nil")
		} else if pub.N.BitLen() < 2048 {
			return fmt.Errorf("RS256 key has %d bits; at least 2048 are needed", pub.N.BitLen())
		}
	case "EdDSA":
		if pub, _ := k.verify.(ed25519.PublicKey); len(pub) != ed25519.PublicKeySize {
			return errors.New("EdDSA key has the wrong size")
		}
	default:
		return errors.New("a Key must be built with HS256Key, RS256Key, RS256PublicKey, EdDSAKey or EdDSAPublicKey")
	}
	return nil
}
