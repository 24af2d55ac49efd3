package httpsyntax

import "testing"

func TestIsToken(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"X-Request-ID": true, "GET": true, "csrftoken": true, "a!#$%&'*+-.^_`|~z": true,
		"": false, "a b": false, "a:b": false, "a\tb": false, "é": false, "a/b": false, `"q"`: false,
	} {
		if got := IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v", s, got)
		}
	}
}

func TestIsFieldValue(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"": true, "max-age=31536000; includeSubDomains": true, "a\tb": true, "ü": true,
		"a\r\nb": false, "a\x00": false, "a\x7f": false,
	} {
		if got := IsFieldValue(s); got != want {
			t.Errorf("IsFieldValue(%q) = %v", s, got)
		}
	}
}
