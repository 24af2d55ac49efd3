package cli_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
)

// syncBuffer is a bytes.Buffer safe to write from the command and read
// from the test at the same time.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is what one run of the command line printed and returned.
type result struct {
	out, errOut string
	err         error
	code        int
}

// run executes the command line of app with args, in process.
func run(t *testing.T, app *nexios.App, opts []cli.Option, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return runContext(ctx, t, app, opts, args...)
}

func runContext(ctx context.Context, t *testing.T, app *nexios.App, opts []cli.Option, args ...string) result {
	t.Helper()
	cmd := cli.Command(app, append([]cli.Option{cli.Name("app")}, opts...)...)
	var out, errOut syncBuffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	return result{out: out.String(), errOut: errOut.String(), err: err, code: cli.ExitCode(err)}
}

// opts is a shorthand for a list of options.
func opts(o ...cli.Option) []cli.Option { return o }
