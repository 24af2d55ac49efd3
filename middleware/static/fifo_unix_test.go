//go:build unix

package static_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nexios-go/nexios/middleware/static"
)

// TestSpecialFiles checks that a named pipe is not served: opening one
// would block the request until a writer appears.
func TestSpecialFiles(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	if err := syscall.Mkfifo(filepath.Join(tr.root, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	h := static.Handler(static.Config{Root: tr.root})
	done := make(chan int, 1)
	go func() { done <- do(h, "GET", "/pipe").Code }()
	select {
	case code := <-done:
		if code != 404 {
			t.Fatalf("named pipe: %d, want 404", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request for a named pipe blocked")
	}
}

// TestUnreadable checks that a file the server may not read is 403.
func TestUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	tr := newTree(t)
	p := filepath.Join(tr.root, "locked.txt")
	if err := os.WriteFile(p, []byte("locked"), 0o000); err != nil {
		t.Fatal(err)
	}
	if w := do(static.Handler(static.Config{Root: tr.root}), "GET", "/locked.txt"); w.Code != 403 || strings.Contains(w.Body.String(), "locked") {
		t.Fatalf("unreadable file: %d %q", w.Code, w.Body.String())
	}
}
