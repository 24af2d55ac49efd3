package cli_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/config"
)

// AppConfig has every kind of secret: a Secret, a tagged string, a
// string whose key names a secret, and a URL with a password.
type AppConfig struct {
	Addr        string        `env:"ADDR" envDefault:"127.0.0.1:5000"`
	Env         string        `env:"NEXIOS_ENV" envDefault:"development"`
	DatabaseURL string        `env:"DATABASE_URL,required"`
	JWTSecret   config.Secret `env:"JWT_SECRET" validate:"omitempty,min=32"`
	Signing     string        `env:"SIGNING_KEY" secret:"true"`
	SMTPPass    string        `env:"SMTP_PASSWORD"`
	Workers     int           `env:"WORKERS" envDefault:"4" validate:"min=1"`
	Mode        string        `env:"MODE" envDefault:"api" validate:"oneof=api web"`
	Timeout     time.Duration `env:"TIMEOUT" envDefault:"5s"`
}

const (
	jwtSecret  = "jwt-secret-value-that-is-long-enough-0123"
	signingKey = "signing-key-value-9876"
	smtpPass   = "smtp-pass-value-5555"
	dbPass     = "db-pass-value-4444"
)

// goodEnv is an environment in which AppConfig loads.
func goodEnv() []string {
	return []string{
		"DATABASE_URL=postgres://app:" + dbPass + "@db.internal:5432/app",
		"JWT_SECRET=" + jwtSecret, "SIGNING_KEY=" + signingKey, "SMTP_PASSWORD=" + smtpPass,
		"NEXIOS_ENV=production",
	}
}

func loadConfig(t *testing.T, env []string) (*AppConfig, []config.Option) {
	t.Helper()
	lo := []config.Option{config.Environ(env), config.Dir(t.TempDir())}
	var cfg AppConfig
	if err := config.Load(&cfg, lo...); err != nil {
		t.Fatal(err)
	}
	return &cfg, lo
}

// contains reports whether out holds want, runs of white space counted
// as one space (table columns vary with their contents).
func contains(out, want string) bool {
	return strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " "))
}

func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	for _, s := range []string{jwtSecret, signingKey, smtpPass, dbPass} {
		if strings.Contains(text, s) {
			t.Errorf("%s shows the secret %q:\n%s", where, s, text)
		}
	}
}

func TestConfigCommandMasksSecrets(t *testing.T) {
	t.Parallel()
	cfg, lo := loadConfig(t, goodEnv())
	app := nexios.New(nexios.Config{})
	r := run(t, app, opts(cli.Config(cfg, lo...)), "config")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{
		"ADDR=127.0.0.1:5000\n", "DATABASE_URL=postgres://app:xxxxx@db.internal:5432/app\n",
		"JWT_SECRET=******\n", "SIGNING_KEY=******\n", "SMTP_PASSWORD=******\n", "WORKERS=4\n",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("config lacks %q:\n%s", want, r.out)
		}
	}
	assertNoSecret(t, "config", r.out)
	r = run(t, app, opts(cli.Config(cfg, lo...)), "config", "--json")
	if r.err != nil || !strings.Contains(r.out, `"JWT_SECRET": "******"`) {
		t.Errorf("config --json: %v\n%s", r.err, r.out)
	}
	assertNoSecret(t, "config --json", r.out)

	// Without cli.Config there is no config command.
	if r := run(t, app, nil, "config"); r.code != 2 {
		t.Errorf("config without cli.Config: code %d", r.code)
	}
}

// The environment name printed at start-up comes from the configuration.
func TestServeNeverLogsSecrets(t *testing.T) {
	t.Parallel()
	cfg, lo := loadConfig(t, goodEnv())
	app := nexios.New(nexios.Config{Title: "Secretive"})
	app.Get("/fail", func(*nexios.Request, *nexios.Response) error {
		return errors.New("the handler failed")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := cli.Command(app, cli.Name("app"), cli.Config(cfg, lo...))
	var out, errOut syncBuffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "text", "--log-level", "debug"})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	base := waitFor(t, &out, listenRE)[1]
	get(t, base+"/fail")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(environment: production)") {
		t.Errorf("environment not taken from the configuration:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "level=ERROR") {
		t.Errorf("no error logged:\n%s", errOut.String())
	}
	assertNoSecret(t, "serve's output", out.String()+errOut.String())
}

func TestCheckListsEveryConfigProblem(t *testing.T) {
	t.Parallel()
	// DATABASE_URL missing; WORKERS, MODE and TIMEOUT invalid; JWT_SECRET
	// too short (its value must not be shown); SIGNING_KEY empty.
	env := []string{"WORKERS=0", "MODE=batch", "TIMEOUT=soon", "JWT_SECRET=short-" + smtpPass, "SMTP_PASSWORD=" + smtpPass}
	lo := []config.Option{config.Environ(env), config.Dir(t.TempDir())}
	var cfg AppConfig
	app := nexios.New(nexios.Config{})
	r := run(t, app, opts(cli.Config(&cfg, lo...)), "check")
	if r.code != 1 {
		t.Fatalf("check: code %d, want 1\n%s", r.code, r.out)
	}
	for _, want := range []string{
		"FAIL  config   ", "5 problems",
		"DATABASE_URL: is required and not set",
		"WORKERS: must be at least 1",
		"MODE: must be one of: api, web",
		"TIMEOUT: cannot be parsed as a duration",
		"JWT_SECRET: must be at least 32 characters",
		"FAIL  secrets  SIGNING_KEY is empty",
	} {
		if !contains(r.out, want) {
			t.Errorf("check output lacks %q:\n%s", want, r.out)
		}
	}
	if r.err.Error() != "2 of 2 checks failed" {
		t.Errorf("error %q", r.err)
	}
	assertNoSecret(t, "check", r.out+r.errOut)
}

func TestCheckRunsAddedChecks(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	cfg, lo := loadConfig(t, goodEnv())
	checks := cli.Checks(
		cli.DialCheck("redis", "redis://:"+dbPass+"@"+ln.Addr().String()+"/0"),
		cli.DialCheck("smtp", "smtp://user:"+smtpPass+"@"+closedAddr),
		cli.Check{Name: "slow", Run: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }},
		cli.Check{Name: "panics", Run: func(context.Context) error { panic("oops") }},
		cli.Check{Name: "fine", Run: func(context.Context) error { return nil }},
	)
	app := nexios.New(nexios.Config{})
	start := time.Now()
	r := run(t, app, opts(cli.Config(cfg, lo...), checks), "check", "--timeout", "200ms")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("checks did not run concurrently within their timeout: %s", took)
	}
	if r.code != 1 || r.err.Error() != "3 of 7 checks failed" {
		t.Fatalf("code %d, err %v\n%s", r.code, r.err, r.out)
	}
	for _, want := range []string{
		"ok    config", "ok    secrets", "ok    redis", "ok    fine",
		"FAIL  smtp     cannot connect to " + closedAddr + ": ",
		"FAIL  slow     no answer within 200ms",
		"FAIL  panics   panic: oops",
	} {
		if !contains(r.out, want) {
			t.Errorf("check output lacks %q:\n%s", want, r.out)
		}
	}
	assertNoSecret(t, "check", r.out)

	r = run(t, app, opts(cli.Config(cfg, lo...), checks), "check", "--skip", "smtp,slow", "--skip", "panics")
	if r.code != 0 || !strings.Contains(r.out, "All 4 checks passed.") {
		t.Errorf("with --skip: code %d\n%s", r.code, r.out)
	}
	if r := run(t, app, opts(checks), "check", "--skip", "nope"); r.code != 2 || !strings.Contains(r.err.Error(), "have: redis, smtp") {
		t.Errorf("--skip of an unknown check: code %d, err %v", r.code, r.err)
	}
}

func TestDialCheckTargets(t *testing.T) {
	t.Parallel()
	cases := []struct{ target, msg string }{
		{"", "no address configured"},
		{"localhost", `address "localhost": want host:port or a URL`},
		{"gopher://x", `URL scheme "gopher" has no default port`},
		{"redis://u:" + dbPass + "@[::1", "the URL does not parse (value not shown"},
		{"app:" + dbPass + "@tcp(db:3306)/app", "neither host:port nor a URL (value not shown"},
	}
	for _, c := range cases {
		err := cli.DialCheck("x", c.target).Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: %v", c.target, err)
		}
		if err != nil && strings.Contains(err.Error(), dbPass) {
			t.Errorf("%q: the error shows the password: %v", c.target, err)
		}
	}
}

// A configuration read from .env files and a secret file is checked from
// the same sources.
func TestCheckReadsTheSameSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "jwt")
	if err := os.WriteFile(secret, []byte(jwtSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dotenv := "DATABASE_URL=sqlite:app.db\nSIGNING_KEY=" + signingKey + "\nSMTP_PASSWORD=" + smtpPass + "\nJWT_SECRET_FILE=" + secret + "\n"
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	lo := []config.Option{config.Environ(nil), config.Dir(dir)}
	var cfg AppConfig
	if err := config.Load(&cfg, lo...); err != nil {
		t.Fatal(err)
	}
	r := run(t, nexios.New(nexios.Config{}), opts(cli.Config(&cfg, lo...)), "check")
	if r.code != 0 || !strings.Contains(r.out, "All 2 checks passed.") {
		t.Errorf("code %d\n%s", r.code, r.out)
	}
}

// DialCheck reaches the test's real Redis by its URL.
func TestDialCheckRedis(t *testing.T) {
	t.Parallel()
	url := os.Getenv("NEXIOS_TEST_REDIS_URL")
	if url == "" {
		t.Skip("NEXIOS_TEST_REDIS_URL is not set; the Redis dial check is not run")
	}
	if err := cli.DialCheck("redis", url).Run(context.Background()); err != nil {
		t.Errorf("dialing Redis at the test URL: %v", err)
	}
}
