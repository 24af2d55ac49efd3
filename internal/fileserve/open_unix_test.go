//go:build unix

package fileserve

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipe checks that a named pipe is refused without waiting for a
// writer, from every way of opening.
func TestNamedPipe(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	pipe := filepath.Join(root, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	dir, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	opens := map[string]func() error{
		"OpenPath": func() error { _, err := OpenPath(pipe); return err },
		"Root":     func() error { _, err := Root(dir).Open("pipe"); return err },
		"os.DirFS": func() error { _, err := FS(os.DirFS(root), false).Open("pipe"); return err },
		// The type checked on an open file: what catches a pipe swapped in
		// after the stat. Opening with O_NONBLOCK must not wait.
		"ready": func() error {
			f, err := os.OpenFile(pipe, os.O_RDONLY|oNonblock, 0)
			if err != nil {
				return err
			}
			_, err = ready(f, "pipe", nil)
			return err
		},
	}
	for name, open := range opens {
		done := make(chan error, 1)
		go func() { done <- open() }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: %v, want ErrNotRegular", name, err)
			}
		case <-time.After(5 * time.Second):
			// Release the blocked open so the test binary can exit.
			if w, err := os.OpenFile(pipe, os.O_RDWR, 0); err == nil {
				w.Close()
			}
			t.Fatalf("%s: opening a named pipe blocked", name)
		}
	}
}
