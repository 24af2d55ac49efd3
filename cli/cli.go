package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/config"
)

// Option configures the command line.
type Option func(*settings)

type settings struct {
	name      string
	version   string
	cfg       any
	cfgOpts   []config.Option
	checks    []Check
	commands  []func() []*cobra.Command
	addr      string
	tlsCert   string
	tlsKey    string
	tlsConfig *tls.Config
	args      []string // nil: os.Args[1:]
}

// DefaultAddr is serve's address unless Addr or --addr says otherwise.
const DefaultAddr = "127.0.0.1:5000"

// Args sets the command line Main runs (default os.Args[1:]): the
// arguments left after the program's own flags (config.LeadingFlags).
func Args(args []string) Option {
	return func(s *settings) { s.args = append([]string{}, args...) }
}

// Name sets the program name shown in help and errors (default: the
// executable's base name).
func Name(name string) Option { return func(s *settings) { s.name = name } }

// Version sets the version --version prints (default: the app's
// Config.Version).
func Version(v string) Option { return func(s *settings) { s.version = v } }

// Config gives the configuration struct the app was built from (a
// pointer) and the options it was loaded with. `config` prints it with
// its secrets masked; `check` loads a fresh copy with the same options
// (config.Load) and fails on every problem, and on secrets left empty.
func Config(ptr any, opts ...config.Option) Option {
	return func(s *settings) { s.cfg, s.cfgOpts = ptr, opts }
}

// Checks adds checks that `check` runs (a Redis ping, an SMTP dial).
func Checks(checks ...Check) Option {
	return func(s *settings) { s.checks = append(s.checks, checks...) }
}

// Commands adds the app's own commands beside the built-in ones. A
// cobra command keeps its flags' values and its context once executed,
// so it belongs to one command line: to build several (tests), use
// CommandsFunc.
func Commands(cmds ...*cobra.Command) Option {
	return CommandsFunc(func() []*cobra.Command { return cmds })
}

// CommandsFunc adds the commands fn builds, anew for each command line,
// so that the option can serve more than one (dbcmd and jobscmd use it).
func CommandsFunc(fn func() []*cobra.Command) Option {
	return func(s *settings) { s.commands = append(s.commands, fn) }
}

// Options groups options into one, for packages that add commands and
// checks together (dbcmd, jobscmd).
func Options(opts ...Option) Option {
	return func(s *settings) {
		for _, o := range opts {
			o(s)
		}
	}
}

// Addr sets serve's default address (--addr overrides it). Default
// DefaultAddr.
func Addr(addr string) Option { return func(s *settings) { s.addr = addr } }

// TLS makes serve use HTTPS with the PEM certificate chain and key in
// these files (--tls-cert and --tls-key override them).
func TLS(certFile, keyFile string) Option {
	return func(s *settings) { s.tlsCert, s.tlsKey = certFile, keyFile }
}

// TLSConfig makes serve use HTTPS with cfg (cloned), which provides the
// certificates: Certificates, GetCertificate (an autocert Manager's
// TLSConfig) or GetConfigForClient. --tls-cert and --tls-key win over it.
func TLSConfig(cfg *tls.Config) Option { return func(s *settings) { s.tlsConfig = cfg } }

// program holds what the commands of one command line share.
type program struct {
	app       *nexios.App
	s         settings
	logFormat string
	logLevel  string
	// setDefault also makes the installed logger slog's default (Main
	// only: a process-wide change tests must not make).
	setDefault bool
}

// Command returns the command line of app: serve (also run when no
// command is given), routes, openapi, config, check, ping, and the
// commands options add. Execute it with ExecuteContext; Main does, and
// turns the result into an exit code. Tests drive it with SetArgs,
// SetOut and SetErr.
func Command(app *nexios.App, opts ...Option) *cobra.Command {
	return newProgram(app, opts).root()
}

func newProgram(app *nexios.App, opts []Option) *program {
	if app == nil {
		panic("cli: nil app")
	}
	p := &program{app: app}
	for _, o := range opts {
		o(&p.s)
	}
	if p.s.name == "" {
		p.s.name = filepath.Base(os.Args[0])
	}
	if p.s.version == "" {
		p.s.version = app.Config().Version
	}
	if p.s.addr == "" {
		p.s.addr = DefaultAddr
	}
	if p.s.cfg != nil {
		if t := reflect.TypeOf(p.s.cfg); t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
			panic(fmt.Sprintf("cli: Config needs a pointer to a struct, got %T", p.s.cfg))
		}
	}
	return p
}

func (p *program) root() *cobra.Command {
	sf := &serveFlags{}
	root := &cobra.Command{
		Use:     p.s.name,
		Short:   p.app.Config().Title,
		Long:    p.app.Config().Title + "\n\nWithout a command, " + p.s.name + " serves the app (see '" + p.s.name + " serve --help').",
		Version: p.s.version,
		Args:    noSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return p.serve(cmd, sf)
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return p.installLogger(cmd)
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		// Suggest "routes" for "rutes".
		SuggestionsMinimumDistance: 2,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&p.logFormat, "log-format", "", `log format: "text" or "json" (installs a slog handler on standard error as the app's logger)`)
	pf.StringVar(&p.logLevel, "log-level", "", `minimum log level: "debug", "info", "warn" or "error" (with --log-format; default info)`)
	sf.register(root, p.s)

	root.AddCommand(p.serveCommand(), p.routesCommand(), p.openapiCommand(), p.pingCommand(), p.checkCommand())
	if p.s.cfg != nil {
		root.AddCommand(p.configCommand())
	}
	for _, build := range p.s.commands {
		root.AddCommand(build()...)
	}
	forEach(root, func(c *cobra.Command) {
		if c.Args != nil {
			c.Args = asUsage(c.Args)
		}
		// cobra runs only the nearest persistent pre-run: a command's own
		// must not skip the logger.
		if c != root && (c.PersistentPreRunE != nil || c.PersistentPreRun != nil) {
			pre, preE := c.PersistentPreRun, c.PersistentPreRunE
			c.PersistentPreRun, c.PersistentPreRunE = nil, func(cmd *cobra.Command, args []string) error {
				if err := p.installLogger(cmd); err != nil {
					return err
				}
				if preE != nil {
					return preE(cmd, args)
				}
				pre(cmd, args)
				return nil
			}
		}
	})
	return root
}

// forEach calls fn for c and each of its descendants.
func forEach(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		forEach(sub, fn)
	}
}

// Main runs the command line of app with the process's arguments and
// exits: 0 on success, 1 when the command failed, 2 on a usage error. It
// cancels the command's context at the first SIGINT or SIGTERM (serve
// shuts down gracefully); a second one kills the process. The logger that
// --log-format installs also becomes slog's default.
func Main(app *nexios.App, opts ...Option) {
	p := newProgram(app, opts)
	p.setDefault = true
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal is not caught: it ends the process
	}()
	args := os.Args[1:]
	if p.s.args != nil {
		args = p.s.args
	}
	code := run(ctx, p.root(), args, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes root with args and returns the exit code, printing an
// error on stderr.
func run(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	if cmd == nil {
		cmd = root
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
	if ExitCode(err) == 2 {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return ExitCode(err)
}

// ExitCode returns the exit code Main uses for the error a command
// returned: 0 for nil, 2 for a usage error (an unknown command or flag,
// wrong arguments), 1 otherwise.
func ExitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// usageError marks a mistake in the command line itself.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// asUsage makes an argument validator's errors usage errors.
func asUsage(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// noSubcommand rejects arguments to a command whose arguments can only
// be subcommands, suggesting near names.
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return errors.New(msg)
}

// Group returns a command that only holds subcommands: without one it
// prints its help; an unknown one is a usage error. dbcmd and jobscmd
// build theirs with it.
func Group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  noSubcommand,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },

		SuggestionsMinimumDistance: 2,
	}
	c.AddCommand(subs...)
	return c
}

// installLogger applies --log-format and --log-level.
func (p *program) installLogger(cmd *cobra.Command) error {
	if p.logFormat == "" && p.logLevel == "" {
		return nil
	}
	var level slog.Level
	switch strings.ToLower(p.logLevel) {
	case "", "info":
		level = slog.LevelInfo
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return usageError{fmt.Errorf(`--log-level %q: want "debug", "info", "warn" or "error"`, p.logLevel)}
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(p.logFormat) {
	case "", "text":
		h = slog.NewTextHandler(cmd.ErrOrStderr(), hopts)
	case "json":
		h = slog.NewJSONHandler(cmd.ErrOrStderr(), hopts)
	default:
		return usageError{fmt.Errorf(`--log-format %q: want "text" or "json"`, p.logFormat)}
	}
	logger := slog.New(h)
	if err := setLogger(p.app, logger); err != nil {
		return err
	}
	if p.setDefault {
		slog.SetDefault(logger)
	}
	return nil
}

// setLogger installs l, reporting an app that already serves (whose
// logger can no longer change) as an error rather than a panic.
func setLogger(app *nexios.App, l *slog.Logger) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("--log-format: %v", v)
		}
	}()
	app.SetLogger(l)
	return nil
}

// jsonLogs reports whether the output is meant for machines: the
// start-up and shutdown lines are then log records, not text.
func (p *program) jsonLogs() bool { return strings.EqualFold(p.logFormat, "json") }
