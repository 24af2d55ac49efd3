package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2Params are the cost parameters of argon2id.
type Argon2Params struct {
	// Memory in KiB.
	Memory uint32
	// Iterations (passes over the memory).
	Iterations uint32
	// Parallelism (lanes).
	Parallelism uint8
	// SaltLength and KeyLength in bytes.
	SaltLength uint32
	KeyLength  uint32
}

// DefaultArgon2Params returns the parameters HashPassword uses: OWASP's
// argon2id recommendation (19 MiB, 2 iterations, 1 lane), a 16-byte salt
// and a 32-byte hash. Raise Memory when the server can afford it.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// maxPasswordLen bounds the passwords hashed or verified: hashing cost
// grows with the length, and no human types 4 KB.
const maxPasswordLen = 4096

// Errors of the password functions.
var (
	// ErrPasswordTooLong: over 4096 bytes.
	ErrPasswordTooLong = errors.New("auth: password longer than 4096 bytes")
	// ErrUnknownHash: a stored hash that is neither argon2id (PHC string)
	// nor bcrypt, or whose parameters are out of range.
	ErrUnknownHash = errors.New("auth: unrecognised or unsafe password hash")
)

// HashPassword hashes password with argon2id and DefaultArgon2Params,
// returning a PHC string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
// It runs at once, holding 19 MiB for its run: in a server, hash and
// verify through a Hasher, which bounds how many run together.
func HashPassword(password string) (string, error) {
	return HashPasswordWith(password, DefaultArgon2Params())
}

// HashPasswordWith hashes password with argon2id and the given parameters.
func HashPasswordWith(password string, p Argon2Params) (string, error) {
	if len(password) > maxPasswordLen {
		return "", ErrPasswordTooLong
	}
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLength)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// check bounds parameters, for hashing and for verifying stored hashes (a
// tampered hash must not make verification take gigabytes or hours).
func (p Argon2Params) check() error {
	switch {
	case p.Parallelism < 1:
		return fmt.Errorf("%w: parallelism %d", ErrUnknownHash, p.Parallelism)
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > 1<<20: // 1 GiB
		return fmt.Errorf("%w: memory %d KiB", ErrUnknownHash, p.Memory)
	case p.Iterations < 1 || p.Iterations > 64:
		return fmt.Errorf("%w: %d iterations", ErrUnknownHash, p.Iterations)
	case p.SaltLength < 8 || p.SaltLength > 64:
		return fmt.Errorf("%w: %d-byte salt", ErrUnknownHash, p.SaltLength)
	case p.KeyLength < 16 || p.KeyLength > 128:
		return fmt.Errorf("%w: %d-byte hash", ErrUnknownHash, p.KeyLength)
	}
	return nil
}

// VerifyPassword reports whether password matches hash: an argon2id PHC
// string from HashPassword, or a bcrypt hash ($2a$, $2b$, $2y$) from
// another system. The comparison is constant-time. An error means the
// hash itself is unusable (ErrUnknownHash), not a wrong password. Like
// HashPassword it is unbounded; servers use Hasher.Verify.
func VerifyPassword(password, hash string) (bool, error) {
	if len(password) > maxPasswordLen {
		return false, nil
	}
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		p, salt, key, err := parseArgon2(hash)
		if err != nil {
			return false, err
		}
		got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
		return subtle.ConstantTimeCompare(got, key) == 1, nil
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost > 16 {
			return false, fmt.Errorf("%w: bcrypt cost", ErrUnknownHash)
		}
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("%w: %w", ErrUnknownHash, err)
		}
		return true, nil
	}
	return false, ErrUnknownHash
}

// parseArgon2 reads $argon2id$v=19$m=..,t=..,p=..$salt$hash.
func parseArgon2(hash string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrUnknownHash
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, ErrUnknownHash
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, ErrUnknownHash
			}
			p.Parallelism = uint8(n)
		default:
			return p, nil, nil, ErrUnknownHash
		}
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return p, nil, nil, ErrUnknownHash
	}
	p.SaltLength, p.KeyLength = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return p, nil, nil, err
	}
	return p, salt, key, nil
}

// NeedsRehash reports whether a stored hash should be replaced by
// HashPasswordWith(password, p) after the next successful login: a bcrypt
// hash, or argon2id with weaker parameters than p.
func NeedsRehash(hash string, p Argon2Params) bool {
	if !strings.HasPrefix(hash, "$argon2id$") {
		return true
	}
	have, _, _, err := parseArgon2(hash)
	return err != nil || have.Memory < p.Memory || have.Iterations < p.Iterations ||
		have.Parallelism < p.Parallelism || have.KeyLength < p.KeyLength
}

// PasswordFingerprint returns a short digest of a password hash, for
// SessionBackend.Fingerprint: it changes when the password does, and does
// not reveal the hash.
func PasswordFingerprint(hash string) string {
	sum := sha256.Sum256([]byte("nexios session fingerprint\x00" + hash))
	return hex.EncodeToString(sum[:16])
}
