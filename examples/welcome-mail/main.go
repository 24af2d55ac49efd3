// Command welcome-mail is seed 001's welcome e-mail, done durably: POST
// /users creates the user and, in the same database transaction, enqueues
// a job that renders the welcome mail (HTML and text, with a layout) and
// sends it. The job exists only if the user was created; a failed send is
// retried with backoff; an address that cannot work is a dead letter.
// Without SMTP_URL the mail goes to the development inbox.
//
//	go run ./examples/welcome-mail
//	curl -si -X POST http://127.0.0.1:5000/users -H 'Content-Type: application/json' \
//	  -d '{"username":"ada","email":"ada@example.com"}'       # 201
//	open http://127.0.0.1:5000/_nexios/mail                   # the mail
//	curl -s http://127.0.0.1:5000/jobs                        # the job, completed
//
// It runs on a SQLite file by default (-db, or DATABASE_URL), and on
// PostgreSQL with -db postgres://...; SMTP_URL=smtp://user:pass@host:587
// sends real mail.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/jobs/mailjob"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/template"
)

//go:embed templates migrations
var embedded embed.FS

// User is seed 001's user, reduced to what the flow needs.
type User struct {
	db.BaseModel `bun:"table:users,alias:u"`
	ID           int64  `bun:",pk,autoincrement" json:"id"`
	Username     string `bun:",notnull,unique" json:"username"`
	Email        string `bun:",notnull,unique" json:"email"`
	db.Timestamps
}

// UserCreate is the body of POST /users.
type UserCreate struct {
	Username string `json:"username" validate:"required,min=3,max=50"`
	Email    string `json:"email" validate:"required,email,max=254"`
}

// options configure the app; tests give their own database, outbox and
// job settings.
type options struct {
	databaseURL string
	// sender sends the mail; nil reads SMTP_URL (mail.FromEnv), which
	// without it keeps mail for the development inbox.
	sender mail.Sender
	// from is the mails' From (empty: the sender's default, MAIL_FROM).
	from    string
	debug   bool
	baseURL string
	jobs    jobs.Config
}

// newApp opens the database, applies the migrations (the app's and
// River's), and returns the app with its job client attached: jobs start
// with the app and stop before the database closes.
func newApp(ctx context.Context, o options) (*nexios.App, error) {
	d, err := db.Open(ctx, o.databaseURL)
	if err != nil {
		return nil, err
	}
	app, err := build(ctx, d, o)
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	return app, nil
}

func build(ctx context.Context, d *db.DB, o options) (*nexios.App, error) {
	migrations, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return nil, err
	}
	// River's tables are the app's migration 2.
	m, err := d.Migrator(migrations, db.WithGoMigrations(jobs.Migration(d, 2)))
	if err != nil {
		return nil, err
	}
	if err := m.Up(ctx); err != nil {
		return nil, err
	}

	sender := o.sender
	if sender == nil {
		if sender, err = mail.FromEnv(o.debug); err != nil {
			return nil, err
		}
	}
	files, err := fs.Sub(embedded, "templates")
	if err != nil {
		return nil, err
	}
	engine, err := template.New(template.Config{FS: files, Globals: map[string]any{"app": "Nexios Blog"}})
	if err != nil {
		return nil, err
	}

	queue, err := jobs.New(d, o.jobs)
	if err != nil {
		return nil, err
	}
	if err := mailjob.Register(queue, mail.NewTemplates(engine), sender); err != nil {
		return nil, err
	}

	app := nexios.New(nexios.Config{Title: "Welcome mail example", Debug: o.debug})
	d.Attach(app)
	queue.Attach(app) // stops before the database closes: shutdown hooks run last first
	if inbox, ok := sender.(*mail.Memory); ok && o.debug {
		if err := mail.MountInbox(app, inbox, mail.InboxConfig{}); err != nil {
			return nil, err
		}
	}
	routes(app, d, queue, o.from, strings.TrimSuffix(o.baseURL, "/"))
	return app, nil
}

func routes(app *nexios.App, d *db.DB, queue jobQueue, from, baseURL string) {
	nexios.Post(app, "/users", func(req *nexios.Request, in *UserCreate) (*User, error) {
		// A typed address that does not parse is the client's fault: a
		// 422 naming the field, before anything is stored.
		if _, err := mail.ParseAddress(in.Email); err != nil {
			return nil, mail.InputError(err, "body", "email")
		}
		u := &User{Username: in.Username, Email: in.Email}
		err := d.Tx(req.Context(), func(ctx context.Context) error {
			if err := db.Create(ctx, d, u); err != nil {
				return err // a taken username or e-mail: 409, nothing enqueued
			}
			_, err := queue.EnqueueTx(ctx, mail.TemplatedMail{
				From:     from,
				To:       []string{u.Email},
				Template: "mail/welcome",
				Data:     map[string]any{"username": u.Username, "login_url": baseURL + "/login"},
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		return u, nil
	}, nexios.Status(201))

	nexios.Get(app, "/users/{id:int}", func(req *nexios.Request, in *userPath) (*User, error) {
		return db.GetOr404[User](req.Context(), d, in.ID)
	})
	jobRoutes(app, queue)
}

// userPath is the path of GET /users/{id}.
type userPath struct {
	ID int64 `path:"id"`
}

// jobQueue is what the routes use of the job client: enqueue, and list
// for GET /jobs.
type jobQueue interface {
	jobs.Enqueuer
	jobs.Manager
}

// jobList answers GET /jobs: the newest jobs, to watch the queue.
type jobList struct {
	Jobs []jobView `json:"jobs"`
}

type jobView struct {
	ID       int64      `json:"id"`
	Kind     string     `json:"kind"`
	State    jobs.State `json:"state"`
	Attempt  int        `json:"attempt"`
	Errors   []string   `json:"errors,omitempty"`
	Enqueued time.Time  `json:"enqueued_at"`
}

func jobRoutes(app *nexios.App, m jobs.Manager) {
	nexios.Get(app, "/jobs", func(req *nexios.Request, _ *struct{}) (*jobList, error) {
		list, err := m.List(req.Context(), jobs.Filter{Limit: 20})
		if err != nil {
			return nil, err
		}
		out := &jobList{Jobs: []jobView{}}
		for _, j := range list {
			v := jobView{ID: j.ID, Kind: j.Kind, State: j.State, Attempt: j.Attempt, Enqueued: j.CreatedAt}
			for _, e := range j.Errors {
				v.Errors = append(v.Errors, e.Error)
			}
			out.Jobs = append(out.Jobs, v)
		}
		return out, nil
	})
}

func main() {
	def := "sqlite:" + filepath.Join(os.TempDir(), "nexios-welcome-mail.db")
	if env := os.Getenv("DATABASE_URL"); env != "" {
		def = env
	}
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	dbURL := flag.String("db", def, "database URL (sqlite:file.db or postgres://...)")
	debug := flag.Bool("debug", true, "development mode: the mail inbox at /_nexios/mail when SMTP_URL is unset")
	from := flag.String("from", "", "the mails' From (default MAIL_FROM, else Nexios Blog <noreply@blog.example.com>)")
	flag.Parse()
	if *from == "" && os.Getenv("MAIL_FROM") == "" {
		*from = "Nexios Blog <noreply@blog.example.com>"
	}
	app, err := newApp(context.Background(), options{
		databaseURL: *dbURL, from: *from, debug: *debug, baseURL: "http://" + *addr,
	})
	if err != nil {
		slog.Error("start", "error", err)
		os.Exit(1)
	}
	if err := app.Run(*addr); err != nil && !errors.Is(err, context.Canceled) {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
