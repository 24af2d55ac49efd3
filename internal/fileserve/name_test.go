package fileserve

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	accepted := []string{"a.txt", "docs/a.txt", "café.txt", "100%.txt", "a..b", "a/b..", "%41"}
	for _, name := range accepted {
		if got, err := Check(name, false); err != nil || got != name {
			t.Errorf("Check(%q) = %q, %v", name, got, err)
		}
	}
	refused := map[string]string{
		"":                  "empty name",
		"a\x00b":            "NUL byte",
		"\xff":              "invalid UTF-8",
		`a\b`:               "backslash",
		"..%2fx":            "percent-encoded separator or dot",
		"%2e%2e/x":          "percent-encoded separator or dot",
		"a%5Cb":             "percent-encoded separator or dot",
		"a%00":              "percent-encoded separator or dot",
		"/etc/passwd":       "absolute path",
		"C:/x":              "absolute path",
		"c:x":               "absolute path",
		"..":                "parent directory reference",
		"a/../b":            "parent directory reference",
		".":                 "empty or '.' segment",
		"a/./b":             "empty or '.' segment",
		"a//b":              "empty or '.' segment",
		"a/":                "empty or '.' segment",
		".env":              "dotfile",
		".git/config":       "dotfile",
		"docs/.hidden":      "dotfile",
		".well-known/x":     "dotfile",
		"a/.htpasswd":       "dotfile",
		"../.env":           "parent directory reference",
		"docs/../.env":      "parent directory reference",
		"./.env":            "empty or '.' segment",
		".%2e/secret.txt":   "percent-encoded separator or dot",
		"docs%2f..%2fx":     "percent-encoded separator or dot",
		"x/%2E%2E/y":        "percent-encoded separator or dot",
		"a/\\..\\secret":    "backslash",
		"\\\\server\\share": "backslash",
	}
	for name, reason := range refused {
		_, err := Check(name, false)
		var ne *NameError
		if !errors.As(err, &ne) || ne.Reason != reason || !errors.Is(err, ErrRefused) {
			t.Errorf("Check(%q) = %v, want refused for %q", name, err, reason)
		}
	}
	for _, name := range []string{".env", ".well-known/security.txt", "docs/.hidden"} {
		if got, err := Check(name, true); err != nil || got != name {
			t.Errorf("Check(%q, allowDot) = %q, %v", name, got, err)
		}
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"a//b": "a/b", "./a/./b/": "a/b", ".env": ".env"} {
		if got, err := Clean(in); err != nil || got != want {
			t.Errorf("Clean(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "./", "..", "a/../b", "/a", `a\b`, "%2e%2e"} {
		if got, err := Clean(in); err == nil {
			t.Errorf("Clean(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzCheckName checks that a name the serving policy accepts is a plain
// relative path: valid for fs.FS, no dot segment unless allowed, nothing
// a later decoding or another OS could turn into a separator.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"a.txt", "docs/a.txt", "../x", "..%2fx", "%252e", ".env", "a//b", "C:x", `a\b`, "\x00", "a/./b", "%2F"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, name string, allowDot bool) {
		got, err := Check(name, allowDot)
		if err != nil {
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("Check(%q): %v does not match ErrRefused", name, err)
			}
			return
		}
		if got != name || !fs.ValidPath(got) || got == "." || !utf8.ValidString(got) ||
			strings.ContainsAny(got, "\\\x00") || HasEncodedSpecial(got) || HasDrive(got) {
			t.Fatalf("Check(%q) accepted %q", name, got)
		}
		for seg := range strings.SplitSeq(got, "/") {
			if seg == ".." || !allowDot && strings.HasPrefix(seg, ".") {
				t.Fatalf("Check(%q, %v) accepted segment %q", name, allowDot, seg)
			}
		}
		if clean, err := Clean(name); err != nil || clean != got {
			t.Fatalf("Check accepted %q but Clean gives %q, %v", name, clean, err)
		}
	})
}

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	cases := []struct{ kind, name, want string }{
		{"inline", "a.txt", `inline; filename="a.txt"`},
		{"attachment", "", "attachment"},
		{"attachment", "../../etc/passwd", `attachment; filename="passwd"`},
		{"attachment", "résumé.pdf", `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`},
		{"attachment", "a\r\nb", `attachment; filename="a__b"`},
	}
	for _, tc := range cases {
		if got := ContentDisposition(tc.kind, tc.name); got != tc.want {
			t.Errorf("ContentDisposition(%q, %q) = %q, want %q", tc.kind, tc.name, got, tc.want)
		}
	}
}
