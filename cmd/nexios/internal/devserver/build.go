package devserver

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// builder runs go build into a temporary directory, a new file each time
// so that the running binary is never overwritten.
type builder struct {
	dir   string   // the project
	pkg   string   // the main package, "."
	flags []string // build flags
	// auto: the flags are the default ones, and the build leaves
	// PostgreSQL's drivers out while the app is on SQLite (sqliteTags).
	auto bool
	out  string // the temporary directory
	env  []string
	n    int
}

// build compiles the app and returns the binary's path, or the
// compiler's output and an error.
func (b *builder) build(ctx context.Context) (string, string, error) {
	b.n++
	bin := filepath.Join(b.out, fmt.Sprintf("app-%d", b.n))
	args := append([]string{"build", "-o", bin}, b.flags...)
	if b.auto && onSQLite(b.dir, b.env) { // read at each build: .env may change
		args = append(args, sqliteTags)
	}
	args = append(args, b.pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), b.env...)
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// The compiler and the linker collect no garbage until they
		// hold 2 GiB: the starter's link then takes ≈ 50 ms less for
		// ≈ 25 MB more (it peaks under 400 MB), and a very large
		// project still collects before the machine runs short.
		cmd.Env = append(cmd.Env, "GOGC=off", "GOMEMLIMIT=2GiB")
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", msg, fmt.Errorf("go build: %w", err)
	}
	return bin, "", nil
}
