// Command cli is a small notes API whose own binary carries its
// operations commands (package cli): it serves the app, lists its routes,
// exports and checks its OpenAPI document, migrates its database, manages
// its durable jobs, runs a worker, prints its configuration with secrets
// masked and checks a deployment.
//
//	go run ./examples/cli                   # serve (the default command)
//	go run ./examples/cli --help
//	go run ./examples/cli routes
//	go run ./examples/cli migrate status
//	go run ./examples/cli check             # fails while a migration is pending, naming it
//	go run ./examples/cli migrate up
//	go run ./examples/cli ping /notes
//	go run ./examples/cli ping -X POST -H 'X-API-Key: dev-token-0123456789' \
//	    -H 'Content-Type: application/json' -d '{"text":"buy milk"}' /notes
//	go run ./examples/cli jobs list
//	go run ./examples/cli worker            # works the jobs, serves no HTTP
//	go run ./examples/cli config            # API_KEY=******
//	go run ./examples/cli openapi --check examples/cli/openapi.json
//
// The configuration comes from the environment and .env files (package
// config): DATABASE_URL (default sqlite:notes.db; postgres://… works too),
// API_KEY (the key that may write notes), NEXIOS_ENV (development by
// default: the app migrates its database at start-up; in production it
// refuses to start with a pending migration), SMTP_URL (checked by
// `check` when set).
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/cli/dbcmd"
	"github.com/nexios-go/nexios/cli/jobscmd"
	"github.com/nexios-go/nexios/config"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/openapi/docsui"
)

// Config is the app's configuration.
type Config struct {
	Addr        string        `env:"ADDR" envDefault:"127.0.0.1:5000"`
	Env         string        `env:"NEXIOS_ENV" envDefault:"development" validate:"oneof=development test staging production"`
	DatabaseURL string        `env:"DATABASE_URL" envDefault:"sqlite:notes.db"`
	APIKey      config.Secret `env:"API_KEY" envDefault:"dev-token-0123456789" validate:"min=16"`
	SMTPURL     string        `env:"SMTP_URL"`
}

// Note is the model.
type Note struct {
	db.BaseModel `bun:"table:notes,alias:n"`
	ID           int64  `bun:",pk,autoincrement" json:"id"`
	Text         string `bun:",notnull" json:"text"`
	Indexed      bool   `bun:",notnull" json:"indexed"`
	db.Timestamps
}

// IndexNote is the job that follows a new note (it would feed a search
// index; here it marks the note indexed).
type IndexNote struct {
	NoteID int64 `json:"note_id"`
}

// Kind names the job's worker.
func (IndexNote) Kind() string { return "index_note" }

type (
	noteIn struct {
		Text string `json:"text" validate:"required,max=500"`
	}
	noteList struct {
		Notes []Note `json:"notes"`
	}
)

//go:embed migrations
var migrationFiles embed.FS

// build opens the database and returns the app with the options of its
// command line: the configuration, the migrations, the jobs and the
// checks of its services.
func build(ctx context.Context, cfg *Config, loadOpts ...config.Option) (*nexios.App, []cli.Option, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, nil, err
	}
	// River's tables are the app's migration 2.
	m, err := d.Migrator(files, db.WithGoMigrations(jobs.Migration(d, 2)))
	if err != nil {
		return nil, nil, err
	}
	queue, err := jobs.New(d, jobs.Config{})
	if err != nil {
		return nil, nil, err
	}
	err = jobs.Register(queue, func(ctx context.Context, j *jobs.Job[IndexNote]) error {
		_, err := db.Bun(ctx, d).NewUpdate().Model((*Note)(nil)).Set("indexed = ?", true).Where("id = ?", j.Args.NoteID).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, nil, err
	}

	app := nexios.New(nexios.Config{Title: "Notes", Version: "1.0.0"})
	d.Attach(app)
	if cfg.Env == "development" {
		app.OnStartup(m.Up) // a developer's database follows the code
	} else {
		app.OnStartup(m.Pending) // production migrates first: `migrate up`
	}
	queue.Attach(app) // after the database: stops before it closes

	keys := auth.StaticAPIKeys(map[string]nexios.User{cfg.APIKey.Reveal(): auth.SimpleUser{ID: "writer", Permissions: []string{"notes:write"}}})
	app.Use(nexios.Must(auth.Middleware(&auth.APIKeyBackend{Lookup: keys})))
	routes(app, d, queue)
	if err := openapi.Register(app, openapi.Config{
		UI:              []openapi.UI{docsui.SwaggerUI("")},
		SecuritySchemes: map[string]openapi.SecurityScheme{"apiKey": openapi.APIKeyHeader("X-API-Key")},
	}); err != nil {
		return nil, nil, err
	}

	opts := []cli.Option{
		cli.Config(cfg, loadOpts...),
		cli.Addr(cfg.Addr),
		dbcmd.Database(d),
		dbcmd.Migrations(m, dbcmd.Dir("examples/cli/migrations")),
		jobscmd.Jobs(queue),
	}
	if cfg.SMTPURL != "" {
		opts = append(opts, cli.Checks(cli.DialCheck("smtp", cfg.SMTPURL)))
	}
	return app, opts, nil
}

func routes(app *nexios.App, d *db.DB, queue jobs.Enqueuer) {
	nexios.Get(app, "/notes", func(req *nexios.Request, _ *struct{}) (*noteList, error) {
		var notes []Note
		err := db.Bun(req.Context(), d).NewSelect().Model(&notes).Order("id").Limit(100).Scan(req.Context())
		return &noteList{Notes: append([]Note{}, notes...)}, err
	}, nexios.Name("list_notes"), nexios.Summary("List the notes"))

	nexios.Post(app, "/notes", func(req *nexios.Request, in *noteIn) (*Note, error) {
		n := &Note{Text: in.Text}
		err := d.Tx(req.Context(), func(ctx context.Context) error {
			if err := db.Create(ctx, d, n); err != nil {
				return err
			}
			_, err := queue.EnqueueTx(ctx, IndexNote{NoteID: n.ID}) // only if the note is stored
			return err
		})
		return n, err
	}, nexios.Name("create_note"), nexios.Summary("Write a note"), nexios.Status(http.StatusCreated), auth.Required("notes:write"))

	app.Get("/healthz", func(req *nexios.Request, res *nexios.Response) error {
		if err := d.Ping(req.Context()); err != nil {
			return nexios.NewHTTPError(http.StatusServiceUnavailable, "database unavailable").Wrap(err)
		}
		return res.JSON(map[string]string{"status": "ok"})
	}, nexios.ExcludeFromSchema())
}

func main() {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, err) // every missing or invalid key at once
		os.Exit(2)
	}
	app, opts, err := build(context.Background(), &cfg)
	if err != nil {
		slog.Error("notes: start", "error", err)
		os.Exit(1)
	}
	cli.Main(app, opts...)
}
