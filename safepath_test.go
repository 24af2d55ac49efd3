package nexios_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nexios-go/nexios"
)

// jail is a root directory inside a base directory that also holds a
// secret, with symbolic links pointing in and out of the root:
//
//	base/secret.txt
//	base/root/hello.txt
//	base/root/docs/a.txt
//	base/root/escape      → ../secret.txt
//	base/root/escapedir   → ..
//	base/root/abs         → <base>/secret.txt
//	base/root/inside      → hello.txt
//	base/root/insidedir   → docs
//	base/root/dangling    → ../missing.txt
type jail struct{ base, root string }

func newJail(t testing.TB) jail {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "docs"), 0o755))
	must(os.WriteFile(filepath.Join(base, "secret.txt"), []byte("SECRET"), 0o600))
	must(os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello"), 0o644))
	must(os.WriteFile(filepath.Join(root, "docs", "a.txt"), []byte("a"), 0o644))
	links := map[string]string{
		"escape":    "../secret.txt",
		"escapedir": "..",
		"abs":       filepath.Join(base, "secret.txt"),
		"inside":    "hello.txt",
		"insidedir": "docs",
		"dangling":  "../missing.txt",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skipf("symbolic links unavailable: %v", err)
		}
	}
	return jail{base: base, root: root}
}

func TestSafeJoin(t *testing.T) {
	t.Parallel()
	j := newJail(t)
	ok := []struct{ name, want string }{
		{"hello.txt", "hello.txt"},
		{"docs/a.txt", "docs/a.txt"},
		{"docs//a.txt", "docs/a.txt"},
		{"./docs/./a.txt", "docs/a.txt"},
		{"new/file.txt", "new/file.txt"}, // may not exist yet
		{"inside", "inside"},
		{"insidedir/a.txt", "insidedir/a.txt"},
		{"100%.txt", "100%.txt"},
		{"café.txt", "café.txt"},
	}
	for _, tc := range ok {
		got, err := nexios.SafeJoin(j.root, tc.name)
		if err != nil {
			t.Errorf("SafeJoin(%q): %v", tc.name, err)
			continue
		}
		if want := filepath.Join(j.root, filepath.FromSlash(tc.want)); got != want {
			t.Errorf("SafeJoin(%q) = %q, want %q", tc.name, got, want)
		}
	}
	refused := []string{
		"", ".", "./", "..", "../secret.txt", "docs/../../secret.txt", "docs/../hello.txt",
		"/etc/passwd", filepath.Join(j.base, "secret.txt"), `C:\x`, "C:x", "c:/x",
		`..\secret.txt`, `docs\a.txt`,
		"..%2fsecret.txt", "..%2Fsecret.txt", "%2e%2e/secret.txt", "..%5csecret.txt", "%5C",
		"a\x00b", "\xff\xfe",
		"escape", "escapedir/secret.txt", "abs", "dangling", "escapedir",
	}
	for _, name := range refused {
		got, err := nexios.SafeJoin(j.root, name)
		if err == nil {
			t.Errorf("SafeJoin(%q) = %q, want an error", name, got)
			continue
		}
		if !errors.Is(err, nexios.ErrUnsafePath) {
			t.Errorf("SafeJoin(%q): %v does not match ErrUnsafePath", name, err)
		}
		if nexios.StatusOf(err) != 400 {
			t.Errorf("SafeJoin(%q): status %d, want 400", name, nexios.StatusOf(err))
		}
	}
}

func TestSafeJoinMissingRoot(t *testing.T) {
	t.Parallel()
	_, err := nexios.SafeJoin(filepath.Join(t.TempDir(), "nope"), "a.txt")
	if err == nil || errors.Is(err, nexios.ErrUnsafePath) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing root: %v, want a not-exist error", err)
	}
}

func TestSafeFilename(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 300) + ".pdf"
	longUTF8 := strings.Repeat("é", 200) + ".txt"
	cases := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../x", "x"},
		{`C:\x`, "x"},
		{`C:\Users\me\photo.jpg`, "photo.jpg"},
		{"C:x", "x"},
		{"a/b", "b"},
		{"", ""},
		{"..", ""},
		{"/", ""},
		{"...", ""},
		{".htaccess", "htaccess"},
		{"name. . ", "name"},
		{"a\x00b.txt", "a_b.txt"},
		{"a\nb", "a_b"},
		{`we<i>rd:"|?*.txt`, "we_i_rd_____.txt"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"com1.log", "_com1.log"},
		{"console.txt", "console.txt"},
		{"résumé.pdf", "résumé.pdf"},
		{"evil\u202etxt.exe", "evil_txt.exe"},
		{"\xff.bin", "_.bin"},
	}
	for _, tc := range cases {
		if got := nexios.SafeFilename(tc.in); got != tc.want {
			t.Errorf("SafeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{long, longUTF8} {
		got := nexios.SafeFilename(in)
		if len(got) > 255 || !utf8.ValidString(got) || filepath.Ext(got) != filepath.Ext(in) {
			t.Errorf("SafeFilename(%d-byte name) = %q (%d bytes): want ≤ 255 valid bytes with the extension", len(in), got, len(got))
		}
	}
}

// FuzzSafeJoin checks that whatever the name, SafeJoin either refuses it
// or returns a path inside the root that, resolved, stays inside.
func FuzzSafeJoin(f *testing.F) {
	for _, s := range []string{
		"hello.txt", "docs/a.txt", "../secret.txt", "..%2fsecret.txt", "%5c", "/abs", `C:\x`,
		"escape", "escapedir/secret.txt", "insidedir/a.txt", "a\x00b", "docs/../..", "./.", "...",
		"....//", "inside/../escape", "docs/%2e%2e/%2e%2e/secret.txt",
	} {
		f.Add(s)
	}
	j := newJail(f)
	realRoot, err := filepath.EvalSymlinks(j.root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := nexios.SafeJoin(j.root, name)
		if err != nil {
			return
		}
		for elem := range strings.SplitSeq(name, "/") {
			if elem == ".." {
				t.Fatalf("SafeJoin(%q) accepted a parent reference: %q", name, got)
			}
		}
		rel, err := filepath.Rel(j.root, got)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			t.Fatalf("SafeJoin(%q) = %q, outside %q", name, got, j.root)
		}
		if resolved, err := filepath.EvalSymlinks(got); err == nil {
			rel, err := filepath.Rel(realRoot, resolved)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				t.Fatalf("SafeJoin(%q) = %q resolves to %q, outside the root", name, got, resolved)
			}
			if b, err := os.ReadFile(resolved); err == nil && string(b) == "SECRET" {
				t.Fatalf("SafeJoin(%q) reached the secret", name)
			}
		}
	})
}

func FuzzSafeFilename(f *testing.F) {
	for _, s := range []string{"report.pdf", "../../x", `C:\x`, "a/b", "", "CON", strings.Repeat("é", 200), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := nexios.SafeFilename(in)
		if got == "" {
			return
		}
		if strings.ContainsAny(got, "/\\\x00") || got == "." || got == ".." || strings.HasPrefix(got, ".") ||
			len(got) > 255 || !utf8.ValidString(got) {
			t.Fatalf("SafeFilename(%q) = %q: not a safe base name", in, got)
		}
		if again := nexios.SafeFilename(got); again != got {
			t.Fatalf("SafeFilename is not idempotent: %q → %q → %q", in, got, again)
		}
	})
}

func ExampleSafeJoin() {
	root, err := os.MkdirTemp("", "files")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(root)
	for _, name := range []string{"reports/2024.pdf", "../etc/passwd", "..%2fetc%2fpasswd", "/etc/passwd"} {
		p, err := nexios.SafeJoin(root, name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Println(filepath.ToSlash(rel))
	}
	// Output:
	// reports/2024.pdf
	// nexios: unsafe path "../etc/passwd": parent directory reference
	// nexios: unsafe path "..%2fetc%2fpasswd": percent-encoded separator or dot
	// nexios: unsafe path "/etc/passwd": absolute path
}

func ExampleSafeFilename() {
	for _, name := range []string{"../../x", `C:\Users\me\photo.jpg`, "a/b", ".htaccess", "CON.txt", ""} {
		fmt.Printf("%q\n", nexios.SafeFilename(name))
	}
	// Output:
	// "x"
	// "photo.jpg"
	// "b"
	// "htaccess"
	// "_CON.txt"
	// ""
}
