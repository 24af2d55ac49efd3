package config_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/nexios-go/nexios/config"
)

type appConfig struct {
	Addr        string        `env:"ADDR" envDefault:"127.0.0.1:5000" flag:"addr" usage:"listen address"`
	DatabaseURL string        `env:"DATABASE_URL,required" flag:"db"`
	RedisURL    string        `env:"REDIS_URL" validate:"omitempty,url"`
	JWTSecret   config.Secret `env:"JWT_SECRET,required" validate:"min=32"`
	SMTPPass    string        `env:"SMTP_PASSWORD"`
	Debug       bool          `env:"DEBUG" flag:"debug"`
	Workers     int           `env:"WORKERS" envDefault:"4" validate:"min=1,max=64"`
	Timeout     time.Duration `env:"TIMEOUT" envDefault:"15s"`
	Mode        string        `env:"MODE" envDefault:"api" validate:"oneof=api web"`
	Mail        mailConfig    `envPrefix:"MAIL_"`
}

type mailConfig struct {
	From string `env:"FROM,required" validate:"email"`
}

const secret32 = "0123456789abcdef0123456789abcdef"

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAllProblemsAtOnce: three missing and two invalid keys come back in
// one error, each named.
func TestAllProblemsAtOnce(t *testing.T) {
	t.Parallel()
	var cfg appConfig
	err := config.Load(&cfg, config.Dir(t.TempDir()), config.Environ([]string{
		"WORKERS=lots",        // invalid: not an integer
		"TIMEOUT=soon-secret", // invalid: not a duration (the value is never quoted)
		"MODE=batch",          // invalid: not one of api web
		"REDIS_URL=not a url", // invalid too
	}))
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	got := map[string]string{}
	for _, p := range ce.Problems {
		got[p.Key] = p.Message
	}
	want := map[string]string{
		"DATABASE_URL": "is required and not set",
		"JWT_SECRET":   "is required and not set",
		"MAIL_FROM":    "is required and not set",
		"WORKERS":      "cannot be parsed as an integer",
		"MODE":         "must be one of: api, web",
		"REDIS_URL":    "must be a valid URL",
		"TIMEOUT":      "cannot be parsed as a duration (15s, 2m) (invalid value)",
	}
	for k, msg := range want {
		if !strings.Contains(got[k], msg) {
			t.Errorf("%s: %q, want %q", k, got[k], msg)
		}
	}
	if len(ce.Problems) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(ce.Problems), len(want), ce)
	}
	if strings.Contains(err.Error(), "soon-secret") {
		t.Errorf("the unparsable value was printed: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "config: 7 problems: ") {
		t.Errorf("message %q", err)
	}
}

// TestSources checks the order: defaults < .env < .env.local <
// .env.{NEXIOS_ENV} < environment < _FILE < flags.
func TestSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, ".env", "ADDR=:1\nDATABASE_URL=sqlite:from-env-file.db\nMAIL_FROM=a@example.com\nNEXIOS_ENV=staging\nWORKERS=2\nTIMEOUT=1s\n")
	write(t, dir, ".env.local", "ADDR=:2\nWORKERS=3\n")
	write(t, dir, ".env.staging", "ADDR=:3 # staging\nDEBUG=true\n")
	secretFile := write(t, dir, "jwt", secret32+"\n")
	var cfg appConfig
	err := config.Load(&cfg, config.Dir(dir),
		config.Environ([]string{"WORKERS=5", "JWT_SECRET_FILE=" + secretFile}),
		config.Args([]string{"-db", "postgres://u:p@db/app", "-debug=false"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":3" || cfg.Workers != 5 || cfg.Timeout != time.Second || cfg.Debug ||
		cfg.DatabaseURL != "postgres://u:p@db/app" || cfg.JWTSecret.Reveal() != secret32 || cfg.Mail.From != "a@example.com" {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestSecretFileProblems(t *testing.T) {
	t.Parallel()
	var cfg appConfig
	err := config.Load(&cfg, config.Dir(t.TempDir()), config.Environ([]string{
		"DATABASE_URL=x", "MAIL_FROM=a@example.com",
		"JWT_SECRET=" + secret32, "JWT_SECRET_FILE=/nonexistent",
	}))
	if err == nil || !strings.Contains(err.Error(), "both JWT_SECRET and JWT_SECRET_FILE are set") {
		t.Errorf("both set: %v", err)
	}
	err = config.Load(&cfg, config.Dir(t.TempDir()), config.Environ([]string{
		"DATABASE_URL=x", "MAIL_FROM=a@example.com", "JWT_SECRET_FILE=/nonexistent/secret",
	}))
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET_FILE: reading the secret file") {
		t.Errorf("unreadable: %v", err)
	}
}

// TestSecretsNeverPrinted: Redacted, Write, fmt, JSON and slog never show
// a secret, and URLs lose their password.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	var cfg appConfig
	err := config.Load(&cfg, config.Dir(t.TempDir()), config.Environ([]string{
		"DATABASE_URL=postgres://app:hunter2@db:5432/app", "MAIL_FROM=a@example.com",
		"JWT_SECRET=" + secret32, "SMTP_PASSWORD=smtp-pass-42",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := config.Write(&out, &cfg); err != nil {
		t.Fatal(err)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("config", "config", config.LogValue(&cfg))
	for _, leak := range []string{secret32, "hunter2", "smtp-pass-42"} {
		if strings.Contains(out.String(), leak) {
			t.Errorf("%q printed:\n%s", leak, out.String())
		}
	}
	if !strings.Contains(out.String(), "DATABASE_URL=postgres://app:xxxxx@db:5432/app") {
		t.Errorf("URL not masked as expected:\n%s", out.String())
	}
	// A Secret stays masked wherever the struct goes.
	var leaky bytes.Buffer
	fmt.Fprintf(&leaky, "%v %+v %#v %s %q\n", cfg, cfg, cfg, cfg.JWTSecret, cfg.JWTSecret)
	slog.New(slog.NewJSONHandler(&leaky, nil)).Info("config", "cfg", cfg, "secret", cfg.JWTSecret)
	slog.New(slog.NewTextHandler(&leaky, nil)).Info("config", "secret", cfg.JWTSecret)
	if strings.Contains(leaky.String(), secret32) {
		t.Errorf("a Secret was printed:\n%s", leaky.String())
	}
	if !strings.Contains(out.String(), "JWT_SECRET=******") || !strings.Contains(out.String(), "WORKERS=4") {
		t.Errorf("dump:\n%s", out.String())
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	env := config.Environ([]string{"DATABASE_URL=x", "MAIL_FROM=a@example.com", "JWT_SECRET=" + secret32})
	var cfg appConfig
	err := config.Load(&cfg, config.Dir(t.TempDir()), env, config.Args([]string{"-h"}), config.Name("blog"))
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(err.Error(), "-addr value") || !strings.Contains(err.Error(), "listen address (ADDR)") {
		t.Errorf("help: %v", err)
	}
	err = config.Load(&cfg, config.Dir(t.TempDir()), env, config.Args([]string{"-nope", "1"}))
	if err == nil || !strings.Contains(err.Error(), "flags: flag provided but not defined: -nope") {
		t.Errorf("unknown flag: %v", err)
	}
	err = config.Load(&cfg, config.Dir(t.TempDir()), env, config.Args([]string{"-debug", "-addr", ":9", "extra"}))
	if err == nil || !strings.Contains(err.Error(), "unexpected arguments: extra") {
		t.Errorf("extra argument: %v", err)
	}
	if err := config.Load(&cfg, config.Dir(t.TempDir()), env, config.Args([]string{"-debug", "-addr", ":9"})); err != nil || !cfg.Debug || cfg.Addr != ":9" {
		t.Errorf("flags: %v %+v", err, cfg)
	}
}

func TestBadDotenv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, ".env", "GOOD=1\nnot a line\n")
	var cfg appConfig
	err := config.Load(&cfg, config.Dir(dir), config.Environ(nil))
	if err == nil || !strings.Contains(err.Error(), ".env: line 2") {
		t.Errorf("err = %v", err)
	}
	if err := config.Load(cfg); err == nil {
		t.Error("a non-pointer was accepted")
	}
}

func TestParseDotenv(t *testing.T) {
	t.Parallel()
	src := "# comment\nexport A=1\nB = two words # trailing\nC='lit $x \\n'\nD=\"line\\nnext \\\"q\\\"\"\nE=\"multi\nline\"\nF=\nG=a#b\n"
	got, err := config.ParseDotenv(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": `lit $x \n`, "D": "line\nnext \"q\"", "E": "multi\nline", "F": "", "G": "a#b"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	for _, bad := range []string{"=1", "1A=2", "A='open", "A=\"open", "A='x' y"} {
		if _, err := config.ParseDotenv(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseDotenv(f *testing.F) {
	for _, s := range []string{"A=1", "export B='x'", "C=\"a\\nb\"", "D=\"open\nclose\"", "# c\n\nE=1 # x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := config.ParseDotenv(strings.NewReader(s))
		if err != nil {
			return
		}
		for k := range vals {
			if k == "" || strings.ContainsAny(k, " =\n") {
				t.Fatalf("bad key %q from %q", k, s)
			}
		}
	})
}

func TestLeadingFlags(t *testing.T) {
	t.Parallel()
	env := config.Environ([]string{"MAIL_FROM=a@example.com", "JWT_SECRET=" + secret32})
	var cfg appConfig
	var rest []string
	err := config.Load(&cfg, config.Dir(t.TempDir()), env,
		config.LeadingFlags([]string{"-db", "sqlite:x.db", "-debug", "migrate", "status", "-v"}, &rest))
	if err != nil || cfg.DatabaseURL != "sqlite:x.db" || !cfg.Debug || fmt.Sprint(rest) != "[migrate status -v]" {
		t.Errorf("%v %+v rest %q", err, cfg, rest)
	}
}

// Custom rules come from a validator the program gives, the one its app
// validates request bodies with; a rule nobody registered is an error
// from Load, not a panic.
func TestCustomRules(t *testing.T) {
	t.Parallel()
	type withRule struct {
		Region string `env:"REGION" validate:"region"`
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	if err := v.RegisterValidation("region", func(fl validator.FieldLevel) bool {
		return strings.HasPrefix(fl.Field().String(), "eu-")
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		opts  []config.Option
		value string
		want  string // "" for no error
	}{
		{"rule passes", []config.Option{config.Validator(v)}, "eu-west-1", ""},
		{"rule fails", []config.Option{config.Validator(v)}, "us-east-1", "REGION"},
		{"rule unknown", nil, "eu-west-1", `config: validate tags: Undefined validation function 'region'`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cfg withRule
			err := config.Load(&cfg, append(tc.opts, config.Environ([]string{"REGION=" + tc.value}), config.Dir(t.TempDir()))...)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
