// Command blog-api is seed 001 of Nexios — a blog's REST API — in Go, the
// program a newcomer runs first:
//
//	go run ./examples/blog-api        # http://127.0.0.1:5000/docs
//
// It runs on an embedded SQLite file with in-process jobs, a development
// mail inbox and in-memory limits; the same binary scales out by
// configuration only: DATABASE_URL=postgres://… and REDIS_URL=redis://…
// (see README.md).
package main

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/cli/dbcmd"
	"github.com/nexios-go/nexios/cli/jobscmd"
	"github.com/nexios-go/nexios/config"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/health"
	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/jobs/mailjob"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/template"
)

// Config is the blog's configuration: flags override the environment,
// which overrides .env files (see docs/configuration.md).
type Config struct {
	Addr        string        `env:"ADDR" envDefault:"127.0.0.1:5000" flag:"addr" usage:"address to listen on"`
	DatabaseURL string        `env:"DATABASE_URL" envDefault:"sqlite:blog.db" flag:"db" usage:"sqlite:FILE or postgres://…"`
	RedisURL    string        `env:"REDIS_URL" flag:"redis" usage:"share limits, revocations and chat rooms through Redis (redis://…)"`
	SMTPURL     string        `env:"SMTP_URL" flag:"smtp" usage:"send mail through SMTP (smtp://user:pass@host:587, smtps://…); default: the development inbox"`
	MailFrom    string        `env:"MAIL_FROM" envDefault:"Nexios Blog <noreply@localhost>" validate:"required"`
	JWTSecret   config.Secret `env:"JWT_SECRET" validate:"omitempty,min=32"`
	UploadDir   string        `env:"UPLOAD_DIR" envDefault:"uploads"`
	RequestRate int           `env:"REQUEST_RATE" envDefault:"100" validate:"min=1" usage:"requests per minute per client on /api/v1"`
	Debug       bool          `env:"DEBUG" flag:"debug" usage:"error details in responses, the mail inbox"`
}

//go:embed migrations templates
var embedded embed.FS

// main loads the configuration (its flags come first: -db, -redis, …),
// builds the app and runs its command line: serve by default, and
// routes, openapi, migrate, jobs, worker, config, check and ping.
func main() {
	var cfg Config
	var commands []string
	if err := config.Load(&cfg, config.LeadingFlags(os.Args[1:], &commands)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		slog.Error("blog-api: database", "error", err)
		os.Exit(1)
	}
	b, err := build(ctx, d, cfg, slog.Default(), wiring{})
	if err != nil {
		slog.Error("blog-api", "error", errors.Join(err, d.Close()))
		os.Exit(1)
	}
	cli.Main(b.app, cli.Args(commands), cli.Config(&cfg), cli.Addr(cfg.Addr),
		dbcmd.Database(d), dbcmd.Migrations(b.migrator, dbcmd.Dir("examples/blog-api/migrations")),
		jobscmd.Jobs(b.jobs))
}

// blog is the built app and what its commands drive.
type blog struct {
	app      *nexios.App
	migrator *db.Migrator
	jobs     *jobs.Client
}

// wiring replaces parts the configuration would build, for tests.
type wiring struct {
	sender mail.Sender       // nil: SMTP from cfg.SMTPURL, else the development inbox
	hash   auth.Argon2Params // zero: the hasher's defaults
}

// build builds the app on d with its job queue, mail and stores. The
// migrations (the app's and the job queue's) are applied when the app
// starts: `serve` migrates, `migrate status` and `check` see what is
// pending.
func build(ctx context.Context, d *db.DB, cfg Config, log *slog.Logger, w wiring) (*blog, error) {
	migrations, _ := fs.Sub(embedded, "migrations")
	m, err := d.Migrator(migrations, db.WithGoMigrations(jobs.Migration(d, 2)))
	if err != nil {
		return nil, err
	}
	shared, err := sharedState(ctx, cfg.RedisURL, log)
	if err != nil {
		return nil, err
	}
	secret := []byte(cfg.JWTSecret.Reveal())
	if len(secret) == 0 {
		secret = []byte(rand.Text() + rand.Text())
		log.Warn("JWT_SECRET is not set: using a random secret; tokens end with the process")
	}
	tokens, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Revocations: shared.revocations})
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewHasher(auth.HasherConfig{Params: w.hash})
	if err != nil {
		return nil, err
	}
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{Store: shared.throttle})
	if err != nil {
		return nil, err
	}

	// Mail: SMTP when configured, else the development inbox.
	sender := w.sender
	switch {
	case sender != nil:
	case cfg.SMTPURL != "":
		if sender, err = mail.Open(cfg.SMTPURL); err != nil {
			return nil, err
		}
	default:
		sender = mail.NewMemory()
	}
	files, _ := fs.Sub(embedded, "templates")
	engine, err := template.New(template.Config{FS: files})
	if err != nil {
		return nil, err
	}
	queue, err := jobs.New(d, jobs.Config{Logger: log})
	if err != nil {
		return nil, err
	}
	if err := mailjob.Register(queue, mail.NewTemplates(engine), sender); err != nil {
		return nil, err
	}

	app, err := newApp(deps{
		db: d, jobs: queue, tokens: tokens, hasher: hasher, throttle: throttle,
		rateLimit: shared.rateLimit, broker: shared.broker,
		uploads: cfg.UploadDir, mailFrom: cfg.MailFrom, debug: cfg.Debug, requestRate: cfg.RequestRate,
	})
	if err != nil {
		return nil, errors.Join(err, shared.close(ctx))
	}
	d.Attach(app)
	app.OnStartup(m.Up)
	app.OnShutdown(shared.close)
	queue.Attach(app) // starts after the migrations; stops before the database closes

	// /livez (the process) and /readyz (database, no pending migration,
	// jobs running, Redis when shared; 503 while draining).
	checks := []health.Check{
		health.Ping("database", d),
		health.Func("migrations", m.Pending),
		health.Started("jobs", queue.Started),
	}
	if shared.ready != nil {
		checks = append(checks, health.Func("redis", shared.ready))
	}
	probes, err := health.New(health.Config{Checks: checks})
	if err != nil {
		return nil, err
	}
	probes.Register(app)
	if inbox, ok := sender.(*mail.Memory); ok {
		// Mail stays in the process: show it, on a loopback address only.
		err := mail.MountInbox(app, inbox, mail.InboxConfig{Force: isLoopback(cfg.Addr)})
		switch {
		case err == nil:
			app.OnStartup(func(context.Context) error {
				log.Info("no SMTP_URL: mail goes to the development inbox", "path", mail.DefaultInboxPath)
				return nil
			})
		case !errors.Is(err, mail.ErrInboxDisabled):
			return nil, err
		}
	}
	return &blog{app: app, migrator: m, jobs: queue}, nil
}

// isLoopback reports whether addr listens on this machine only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
