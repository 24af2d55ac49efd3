package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
)

// run prints errors as "command path: message", with a pointer to the
// help for usage errors, and returns the exit code.
func TestRunPrintsErrorsAndExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"routes"}, 0, ""},
		{[]string{"rutes"}, 2, "app: unknown command \"rutes\" for \"app\"; did you mean routes?\nRun 'app --help' for usage.\n"},
		{[]string{"ping", "/missing"}, 1, "app ping: GET /missing answered 404 Not Found\n"},
		{[]string{"ping", "--bad"}, 2, "app ping: unknown flag: --bad\nRun 'app ping --help' for usage.\n"},
	}
	for _, c := range cases {
		app := nexios.New(nexios.Config{})
		p := newProgram(app, []Option{Name("app")})
		var stderr strings.Builder
		root := p.root()
		root.SetOut(&strings.Builder{})
		code := run(context.Background(), root, c.args, &stderr)
		if code != c.code || stderr.String() != c.stderr {
			t.Errorf("%v: code %d, stderr %q; want %d, %q", c.args, code, stderr.String(), c.code, c.stderr)
		}
	}
}
