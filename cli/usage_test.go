package cli_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/config"
)

func TestHelpEverywhere(t *testing.T) {
	t.Parallel()
	var cfg struct {
		Port int `env:"PORT"`
	}
	app := nexios.New(nexios.Config{Title: "Help me"})
	user := &cobra.Command{Use: "seed", Short: "Load demo data", RunE: func(*cobra.Command, []string) error { return nil }}
	o := opts(cli.Config(&cfg, config.Environ(nil)), cli.Commands(user))
	root := cli.Command(app, append([]cli.Option{cli.Name("app")}, o...)...)
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(root, nil)
	names := map[string]bool{}
	for _, p := range paths {
		names[strings.Join(p, " ")] = true
		r := run(t, app, o, append(p, "--help")...)
		if r.err != nil || !strings.Contains(r.out, "Usage:") || !strings.Contains(r.out, "--log-format") {
			t.Errorf("%v --help: err %v\n%s", p, r.err, r.out)
		}
	}
	for _, want := range []string{"", "serve", "routes", "openapi", "config", "check", "ping", "seed"} {
		if !names[want] {
			t.Errorf("no %q command (have %v)", want, names)
		}
	}
	// Capabilities the app did not pass are absent, not broken.
	for _, absent := range []string{"migrate", "jobs", "worker"} {
		if names[absent] {
			t.Errorf("%q exists without its option", absent)
		}
	}
	if r := run(t, app, o, "--help"); !strings.Contains(r.out, "Help me") || !strings.Contains(r.out, "Without a command, app serves the app") {
		t.Errorf("root help:\n%s", r.out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"rutes"}, `unknown command "rutes" for "app"; did you mean routes?`},
		{[]string{"routes", "--nope"}, "unknown flag: --nope"},
		{[]string{"routes", "extra"}, `unknown command "extra" for "app routes"`},
		{[]string{"check", "--timeout", "soon"}, `invalid argument "soon"`},
		{[]string{"--log-level", "loud", "routes"}, `--log-level "loud"`},
	}
	for _, c := range cases {
		r := run(t, app, nil, c.args...)
		if r.code != 2 || r.err == nil || !strings.Contains(r.err.Error(), c.msg) {
			t.Errorf("%v: code %d, err %v", c.args, r.code, r.err)
		}
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	if cli.ExitCode(nil) != 0 || cli.ExitCode(errors.New("x")) != 1 {
		t.Error("ExitCode of nil or a plain error")
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Version: "2.0.0"})
	if r := run(t, app, nil, "--version"); r.err != nil || !strings.Contains(r.out, "2.0.0") {
		t.Errorf("default version: %v %q", r.err, r.out)
	}
	if r := run(t, app, opts(cli.Version("v9 (abc123)")), "--version"); !strings.Contains(r.out, "v9 (abc123)") {
		t.Errorf("cli.Version: %q", r.out)
	}
}

func TestUserCommandSharesTheLogger(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	user := &cobra.Command{Use: "hello", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		app.Logger().Info("from the user command")
		return nil
	}}
	r := run(t, app, opts(cli.Commands(user)), "hello", "--log-format", "json")
	if r.err != nil || !strings.Contains(r.errOut, `"msg":"from the user command"`) {
		t.Errorf("err %v, stderr %q", r.err, r.errOut)
	}
	// A command's own persistent pre-run does not skip the logger.
	var preRan bool
	app2 := nexios.New(nexios.Config{})
	own := &cobra.Command{Use: "own", Args: cobra.NoArgs,
		PersistentPreRun: func(*cobra.Command, []string) { preRan = true },
		RunE: func(*cobra.Command, []string) error {
			app2.Logger().Info("from a command with its own pre-run")
			return nil
		}}
	r = run(t, app2, opts(cli.Commands(own)), "own", "--log-format", "json")
	if r.err != nil || !preRan || !strings.Contains(r.errOut, `"msg":"from a command with its own pre-run"`) {
		t.Errorf("err %v, pre-run %v, stderr %q", r.err, preRan, r.errOut)
	}
	// Argument validators of user commands give usage errors too.
	if r := run(t, app, opts(cli.Commands(&cobra.Command{Use: "x", Args: cobra.NoArgs, Run: func(*cobra.Command, []string) {}})), "x", "y"); r.code != 2 {
		t.Errorf("user command with a bad argument: code %d", r.code)
	}
}

// --log-format on an app that already served a request is an error, not
// a panic: its logger can no longer change.
func TestLogFormatAfterServing(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/", ok)
	if r := run(t, app, nil, "ping", "/"); r.err != nil {
		t.Fatal(r.err)
	}
	r := run(t, app, nil, "routes", "--log-format", "json")
	if r.code != 1 || !strings.Contains(r.err.Error(), "--log-format: nexios: SetLogger called after the app started serving") {
		t.Errorf("code %d, err %v", r.code, r.err)
	}
}
