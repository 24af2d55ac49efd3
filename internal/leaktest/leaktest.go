// Package leaktest finds goroutines a test leaves behind. It is the small
// part of go.uber.org/goleak the kernel's tests need, kept internal so that
// a test-only library does not become a requirement of every module that
// depends on the kernel.
package leaktest

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// settle is how long goroutines that are ending are given to end.
const settle = 3 * time.Second

// Check snapshots the running goroutines and returns a function that
// fails t when goroutines started since are still running:
//
//	defer leaktest.Check(t)()
func Check(t testing.TB) func() {
	t.Helper()
	before := ids(goroutines())
	return func() {
		t.Helper()
		if leaked := wait(func(g goroutine) bool { return !slices.Contains(before, g.id) }); len(leaked) > 0 {
			t.Errorf("leaktest: %d goroutines leaked:\n\n%s", len(leaked), join(leaked))
		}
	}
}

// VerifyTestMain runs the package's tests and then fails the run when a
// goroutine is left: call it from TestMain.
func VerifyTestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := wait(func(goroutine) bool { return true }); len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leaktest: %d goroutines leaked after the tests:\n\n%s\n", len(leaked), join(leaked))
			code = 1
		}
	}
	os.Exit(code)
}

type goroutine struct {
	id    string
	stack string
}

// wait returns the goroutines that match and are not the runtime's or the
// test framework's, giving them time to end.
func wait(match func(goroutine) bool) []goroutine {
	deadline := time.Now().Add(settle)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		var leaked []goroutine
		for _, g := range goroutines() {
			if match(g) && !system(g) {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(delay)
	}
}

// goroutines lists every goroutine but the caller's.
func goroutines() []goroutine {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutine
	for i, block := range strings.Split(string(buf), "\n\n") {
		if i == 0 {
			continue // the caller
		}
		head, _, _ := strings.Cut(block, "\n")
		id, _, _ := strings.Cut(strings.TrimPrefix(head, "goroutine "), " ")
		out = append(out, goroutine{id: id, stack: block})
	}
	return out
}

func ids(gs []goroutine) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.id
	}
	return out
}

// system reports goroutines that belong to the runtime or the test
// framework, not to the code under test.
func system(g goroutine) bool {
	for _, fn := range []string{
		"testing.(*T).Run(", "testing.RunTests(", "testing.(*M).", "testing.tRunner(",
		"testing.runFuzzing(", "testing.(*F).Fuzz(", "os/signal.signal_recv(", "os/signal.loop(",
		"runtime.ensureSigM(", "runtime/trace.", "testing.(*T).Parallel(", "testing.(*testState).waitParallel(",
	} {
		if strings.Contains(g.stack, fn) {
			return true
		}
	}
	return false
}

func join(gs []goroutine) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.stack
	}
	return strings.Join(parts, "\n\n")
}
