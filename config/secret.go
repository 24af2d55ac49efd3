package config

import (
	"log/slog"
	"net/url"
	"strings"
)

// Secret is a configuration value that must never be printed: it
// formats, marshals (JSON and text) and logs as "******". Reveal returns
// the value.
type Secret string

const masked = "******"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns a mask, so fmt never prints the value.
func (s Secret) String() string { return mask(string(s)) }

// GoString returns a mask for %#v.
func (s Secret) GoString() string { return mask(string(s)) }

// MarshalText returns a mask, so encoders (JSON, YAML) never write the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(mask(string(s))), nil }

// LogValue returns a mask, so slog never records the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(mask(string(s))) }

// mask hides a value, showing only whether it is set.
func mask(v string) string {
	if v == "" {
		return ""
	}
	return masked
}

// maskURL hides the password of a URL value (postgres://user:pass@host),
// leaving other values as they are.
func maskURL(v string) string {
	if !strings.Contains(v, "://") || !strings.Contains(v, "@") {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return v
	}
	return u.Redacted()
}
