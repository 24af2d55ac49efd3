// Command todo-db is a small to-do API on the data layer (package db): a
// model, its first migration generated from it, typed handlers, a list
// with filter + search + ordering + pagination in a few declarative
// lines, 409 on a duplicate title, keyset pagination for a feed. It runs
// on an embedded SQLite file with one command and on PostgreSQL by
// configuration only:
//
//	go run ./examples/todo-db                                   # sqlite:todo.db
//	DATABASE_URL=postgres://postgres@127.0.0.1/todo go run ./examples/todo-db
//
//	curl -s -XPOST localhost:8000/todos -d '{"title":"Buy milk"}' -H 'Content-Type: application/json'
//	curl -s 'localhost:8000/todos?search=MILK&sort=created_at&order=desc&page=1&limit=10'
//	curl -s -XPATCH localhost:8000/todos/1 -d '{"done":true}' -H 'Content-Type: application/json'
//	curl -s 'localhost:8000/todos/feed?limit=2'
//	open http://localhost:8000/docs
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/openapi"
)

// Todo is the model: the table, the JSON and the validation in one
// declaration.
type Todo struct {
	db.BaseModel `bun:"table:todos,alias:t"`
	ID           int64  `bun:",pk,autoincrement" json:"id"`
	Title        string `bun:",unique,notnull" json:"title"`
	Notes        string `bun:",notnull" json:"notes"`
	Done         bool   `bun:",notnull" db:"index" json:"done"`
	db.Timestamps
}

// The handlers' inputs: query parameters, path parameters and bodies,
// bound and validated before the handler runs.
type (
	listIn struct {
		db.PageParams // page, limit
		// Search, sort and order as in db.ListParams, with the sort
		// fields OrderBy allows listed, so the document shows them.
		Search string `query:"search" doc:"Text to look for, case-insensitively."`
		Sort   string `query:"sort" validate:"omitempty,oneof=created_at title id -created_at -title -id" doc:"Field to sort by; -field sorts descending."`
		Order  string `query:"order" validate:"omitempty,oneof=asc desc" doc:"Sort direction."`
		Done   *bool  `query:"done" doc:"Only done (true) or open (false) to-dos."`
	}
	feedIn struct {
		db.CursorParams // cursor, limit
	}
	createIn struct {
		Title string `json:"title" validate:"required,max=200"`
		Notes string `json:"notes" validate:"max=2000"`
	}
	idIn struct {
		ID int64 `path:"id"`
	}
	patchIn struct {
		ID    int64   `path:"id"`
		Title *string `json:"title" validate:"omitempty,max=200"`
		Notes *string `json:"notes" validate:"omitempty,max=2000"`
		Done  *bool   `json:"done"`
	}
)

//go:embed migrations
var migrationFiles embed.FS

// migrations is the migrations directory (sqlite/ and postgres/ hold
// the first migration, written by db.WriteInitialMigration).
func migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return sub
}

func newApp(d *db.DB) *nexios.App {
	app := nexios.New(nexios.Config{Title: "To-do API", Version: "1.0.0"})
	d.Attach(app)
	app.Use(d.TxMiddleware(db.TxConfig{})) // each write request is one transaction

	nexios.Get(app, "/todos", func(req *nexios.Request, in *listIn) (*db.Page[Todo], error) {
		return db.Q[Todo](req.Context(), d).
			Filter("done", in.Done).
			Search(in.Search, "title", "notes").
			OrderBy(in.Sort, in.Order, "created_at", "title", "id").
			Paginate(in.Page, in.Limit)
	}, nexios.Summary("List to-dos"), nexios.Tags("todos"))

	nexios.Get(app, "/todos/feed", func(req *nexios.Request, in *feedIn) (*db.CursorPage[Todo], error) {
		return db.Q[Todo](req.Context(), d).OrderBy("-created_at", "", "created_at").Cursor(in.Cursor, in.Limit)
	}, nexios.Summary("Newest to-dos, by cursor"), nexios.Tags("todos"))

	nexios.Post(app, "/todos", func(req *nexios.Request, in *createIn) (*Todo, error) {
		t := &Todo{Title: in.Title, Notes: in.Notes}
		return t, db.Create(req.Context(), d, t) // 409 naming "title" on a duplicate
	}, nexios.Status(http.StatusCreated), nexios.Summary("Create a to-do"), nexios.Tags("todos"))

	nexios.Get(app, "/todos/{id:int}", func(req *nexios.Request, in *idIn) (*Todo, error) {
		return db.GetOr404[Todo](req.Context(), d, in.ID)
	}, nexios.Summary("Get a to-do"), nexios.Tags("todos"))

	nexios.Patch(app, "/todos/{id:int}", func(req *nexios.Request, in *patchIn) (*Todo, error) {
		t, err := db.GetOr404[Todo](req.Context(), d, in.ID)
		if err != nil {
			return nil, err
		}
		return t, db.Update(req.Context(), d, t, in) // only the fields sent
	}, nexios.Summary("Change a to-do"), nexios.Tags("todos"))

	nexios.Delete(app, "/todos/{id:int}", func(req *nexios.Request, in *idIn) (*struct{}, error) {
		return nil, db.DeleteByID[Todo](req.Context(), d, in.ID)
	}, nexios.Summary("Delete a to-do"), nexios.Tags("todos"))

	app.Get("/healthz", func(req *nexios.Request, res *nexios.Response) error {
		if err := d.Ping(req.Context()); err != nil {
			return nexios.NewHTTPError(http.StatusServiceUnavailable, "database unavailable").Wrap(err)
		}
		return res.JSON(map[string]string{"status": "ok"})
	}, nexios.ExcludeFromSchema())

	if err := openapi.Register(app, openapi.Config{}); err != nil {
		panic(err) // a static configuration: a bug if it fails
	}
	return app
}

// setup opens the database and applies the migrations.
func setup(ctx context.Context, url string) (*db.DB, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	m, err := d.Migrator(migrations())
	if err == nil {
		err = m.Up(ctx)
	}
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return d, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to listen on")
	flag.Parse()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "sqlite:todo.db"
	}
	d, err := setup(context.Background(), url)
	if err != nil {
		slog.Error("database", "error", err)
		os.Exit(1)
	}
	if err := newApp(d).Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
