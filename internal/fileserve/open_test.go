package fileserve

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

const secret = "TOP-SECRET"

// linkTree builds base/secret.txt beside base/root, with links that leave
// root in every way and links that stay inside.
func linkTree(t *testing.T) (base, root string) {
	t.Helper()
	base = t.TempDir()
	root = filepath.Join(base, "root")
	for _, d := range []string{"docs", "sub"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{"../secret.txt": secret, "hello.txt": "hello", "docs/a.txt": "a", "sub/x": "inside x"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"escape":    "../secret.txt",
		"escapedir": "..",
		"abs":       filepath.Join(base, "secret.txt"),
		"inside":    "hello.txt",
		"insidedir": "docs",
		"chain":     "insidedir/a.txt",
		"sub/up2":   "../..",
		// Cleaned as text, "sub/up2/../secret.txt" is "sub/secret.txt",
		// inside; resolved as the kernel does, it is base/../secret.txt.
		"trick":    "sub/up2/../secret.txt",
		"sub/back": "../hello.txt",
		"loop1":    "loop2",
		"loop2":    "loop1",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skipf("symbolic links unavailable: %v", err)
		}
	}
	return base, root
}

func TestTreeLinks(t *testing.T) {
	t.Parallel()
	_, root := linkTree(t)
	dir, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	trees := map[string]*Tree{"os.DirFS": FS(os.DirFS(root), false), "os.Root": Root(dir), "Root.FS": FS(dir.FS(), false)}
	served := map[string]string{"hello.txt": "hello", "inside": "hello", "insidedir/a.txt": "a", "chain": "a", "sub/back": "hello", "sub/x": "inside x"}
	refused := []string{"escape", "escapedir/secret.txt", "abs", "trick", "sub/up2/secret.txt", "escapedir/root/hello.txt"}
	for tname, tree := range trees {
		for name, want := range served {
			f, err := tree.Open(name)
			if err != nil {
				t.Errorf("%s: Open(%q): %v", tname, name, err)
				continue
			}
			b, _ := io.ReadAll(f.Body)
			f.Close()
			if string(b) != want {
				t.Errorf("%s: Open(%q) read %q", tname, name, b)
			}
		}
		for _, name := range refused {
			f, err := tree.Open(name)
			if err == nil {
				b, _ := io.ReadAll(f.Body)
				f.Close()
				t.Errorf("%s: Open(%q) served %q", tname, name, b)
				continue
			}
			if !errors.Is(err, ErrRefused) && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: Open(%q): %v, want a refusal", tname, name, err)
			}
		}
		if _, err := tree.Open("loop1"); err == nil {
			t.Errorf("%s: a link loop opened", tname)
		}
	}
	// The DirFS check itself names the cause.
	var ne *NameError
	if _, err := FS(os.DirFS(root), false).Open("trick"); !errors.As(err, &ne) || ne.Reason != "symbolic link out of the root" {
		t.Errorf("trick: %v", err)
	}
	if _, err := FS(os.DirFS(root), false).Open("abs"); !errors.As(err, &ne) || ne.Reason != "absolute symbolic link" {
		t.Errorf("abs: %v", err)
	}
	// Opted in, os.DirFS follows links wherever they go.
	f, err := FS(os.DirFS(root), true).Open("escape")
	if err != nil {
		t.Fatalf("FollowSymlinks: %v", err)
	}
	defer f.Close()
	if b, _ := io.ReadAll(f.Body); string(b) != secret {
		t.Errorf("FollowSymlinks read %q", b)
	}
}

func TestTreeNotRegular(t *testing.T) {
	t.Parallel()
	_, root := linkTree(t)
	for _, tree := range []*Tree{FS(os.DirFS(root), false), FS(fstest.MapFS{"docs/a": {}}, false)} {
		if _, err := tree.Open("docs"); !errors.Is(err, ErrNotRegular) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a directory: %v", err)
		}
	}
	if _, err := OpenPath(root); !errors.Is(err, ErrNotRegular) {
		t.Errorf("OpenPath(directory): %v", err)
	}
	if _, err := OpenPath(filepath.Join(root, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenPath(missing): %v", err)
	}
}

// noSeekFS hides Seek, like archive/zip's compressed entries.
type noSeekFS struct{ fs.FS }

type noSeekFile struct{ f fs.File }

func (f noSeekFile) Stat() (fs.FileInfo, error) { return f.f.Stat() }
func (f noSeekFile) Read(p []byte) (int, error) { return f.f.Read(p) }
func (f noSeekFile) Close() error               { return f.f.Close() }

func (n noSeekFS) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return noSeekFile{f}, nil
}

func TestReopenSeeker(t *testing.T) {
	t.Parallel()
	const data = "0123456789abcdefghij"
	f, err := FS(noSeekFS{fstest.MapFS{"f": {Data: []byte(data)}}}, false).Open("f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.Body.(*reopenSeeker); !ok {
		t.Fatalf("body is %T", f.Body)
	}
	read := func(off int64, whence int, n int) string {
		t.Helper()
		if _, err := f.Body.Seek(off, whence); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(f.Body, b); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, step := range []struct {
		off    int64
		whence int
		n      int
		want   string
	}{
		{10, io.SeekStart, 3, "abc"},
		{2, io.SeekStart, 2, "23"},   // backwards: reopened
		{1, io.SeekCurrent, 2, "56"}, // forwards: skipped
		{-4, io.SeekEnd, 4, "ghij"},
	} {
		if got := read(step.off, step.whence, step.n); got != step.want {
			t.Errorf("seek %d/%d: read %q, want %q", step.off, step.whence, got, step.want)
		}
	}
	if _, err := f.Body.Seek(-1, io.SeekStart); err == nil {
		t.Error("a negative offset was accepted")
	}
}
