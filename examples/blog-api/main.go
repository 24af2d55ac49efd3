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
	"github.com/nexios-go/nexios/config"
	"github.com/nexios-go/nexios/db"
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

func main() {
	var cfg Config
	if err := config.Load(&cfg, config.Args(os.Args[1:])); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	app, err := setup(context.Background(), cfg, slog.Default(), wiring{})
	if err == nil {
		err = app.Run(cfg.Addr)
	}
	if err != nil {
		slog.Error("blog-api stopped", "error", err)
		os.Exit(1)
	}
}

// setup opens the database and applies the migrations (the app's and the
// job queue's), then builds the app with its job queue, mail and stores.
func setup(ctx context.Context, cfg Config, log *slog.Logger, w wiring) (*nexios.App, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	app, err := build(ctx, d, cfg, log, w)
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return app, nil
}

// wiring replaces parts the configuration would build, for tests.
type wiring struct {
	sender mail.Sender       // nil: SMTP from cfg.SMTPURL, else the development inbox
	hash   auth.Argon2Params // zero: the hasher's defaults
}

func build(ctx context.Context, d *db.DB, cfg Config, log *slog.Logger, w wiring) (*nexios.App, error) {
	migrations, _ := fs.Sub(embedded, "migrations")
	if err := d.Migrate(ctx, migrations, db.WithGoMigrations(jobs.Migration(d, 2))); err != nil {
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
	app.OnShutdown(shared.close)
	queue.Attach(app) // stops before the database closes
	if inbox, ok := sender.(*mail.Memory); ok {
		// Mail stays in the process: show it, on a loopback address only.
		if err := mail.MountInbox(app, inbox, mail.InboxConfig{Force: isLoopback(cfg.Addr)}); err != nil && !errors.Is(err, mail.ErrInboxDisabled) {
			return nil, err
		}
	}
	return app, nil
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
