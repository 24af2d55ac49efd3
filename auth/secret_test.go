package auth_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/auth"
)

func TestSecretFromEnv(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))

	t.Setenv("NEXIOS_TEST_SECRET", "")
	a, err := auth.SecretFromEnv("NEXIOS_TEST_SECRET", logger)
	b, _ := auth.SecretFromEnv("NEXIOS_TEST_SECRET", logger)
	if err != nil || len(a) != auth.MinSecretBytes || bytes.Equal(a, b) || !strings.Contains(logs.String(), "NEXIOS_TEST_SECRET is not set") {
		t.Errorf("unset: %x %v %q", a, err, logs.String())
	}

	t.Setenv("NEXIOS_TEST_SECRET", "short")
	if _, err := auth.SecretFromEnv("NEXIOS_TEST_SECRET", logger); err == nil {
		t.Error("short secret accepted")
	}

	long := strings.Repeat("k", 40)
	t.Setenv("NEXIOS_TEST_SECRET", long)
	if s, err := auth.SecretFromEnv("NEXIOS_TEST_SECRET", logger); err != nil || string(s) != long {
		t.Errorf("set: %q %v", s, err)
	}
}
