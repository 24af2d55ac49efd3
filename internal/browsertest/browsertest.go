// Package browsertest runs pages in headless Chromium (Debian's chromium
// package) for the project's browser tests.
package browsertest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing Chromium
// from a skip into a failure: CI installs Chromium and sets it, so the
// browser tests cannot silently stop running there.
const RequireEnv = "NEXIOS_TEST_REQUIRE_CHROMIUM"

// Binary returns the path of a Chromium binary, or skips the test with a
// clear message when none is installed (fails it when RequireEnv is set).
func Binary(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("no Chromium binary found, and %s is set", RequireEnv)
	}
	t.Skip("no Chromium binary found (apt-get install chromium)")
	return ""
}

// Flags are the command-line flags every headless run uses: no sandbox
// (tests run as root), no GPU, and no background traffic to the closed
// network. userDataDir is a fresh profile directory.
func Flags(userDataDir string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir=" + userDataDir,
	}
}

// DumpDOM loads url and returns the DOM after the page's scripts ran for
// up to budget of virtual time. It skips the test when no Chromium is
// installed and fails it when Chromium fails or takes over two minutes.
func DumpDOM(t testing.TB, url string, budget time.Duration) string {
	t.Helper()
	bin := Binary(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	args := append(Flags(ProfileDir(t)),
		"--virtual-time-budget="+strconv.FormatInt(budget.Milliseconds(), 10), "--dump-dom", url)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}
