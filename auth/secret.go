package auth

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
)

// MinSecretBytes is the shortest secret SecretFromEnv accepts.
const MinSecretBytes = 32

// SecretFromEnv reads a signing secret from the environment variable name.
// When it is unset it returns a random one and logs a warning: the app
// still runs, but tokens and sessions do not survive a restart and are not
// shared between instances. A secret shorter than MinSecretBytes is an
// error.
func SecretFromEnv(name string, logger *slog.Logger) ([]byte, error) {
	v := os.Getenv(name)
	if v == "" {
		if logger == nil {
			logger = slog.Default()
		}
		logger.Warn(name+" is not set; using a random secret: tokens and sessions end when the server restarts",
			"variable", name)
		b := make([]byte, MinSecretBytes)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("auth: generating a secret: %w", err)
		}
		return b, nil
	}
	if len(v) < MinSecretBytes {
		return nil, fmt.Errorf("auth: %s has %d bytes; use at least %d (openssl rand -hex 32)", name, len(v), MinSecretBytes)
	}
	return []byte(v), nil
}
