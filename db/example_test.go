package db_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
)

// Book is the model of the examples.
type Book struct {
	db.BaseModel `bun:"table:books,alias:b"`
	ID           int64  `bun:",pk,autoincrement" json:"id"`
	Title        string `bun:",notnull" json:"title"`
	ISBN         string `bun:",unique,notnull" json:"isbn"`
	Year         int    `bun:",notnull" db:"index" json:"year"`
	db.Timestamps
}

// exampleDB opens an in-memory database with the books table, created by
// a migration generated from the model.
func exampleDB(ctx context.Context) *db.DB {
	files, err := db.GenerateMigration(&Book{})
	if err != nil {
		panic(err)
	}
	d, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		panic(err)
	}
	fsys := fstest.MapFS{"sqlite/00001_init.sql": {Data: []byte(files[db.SQLite])}, "postgres/00001_init.sql": {Data: []byte(files[db.Postgres])}}
	m, err := d.Migrator(fsys)
	if err != nil {
		panic(err)
	}
	if err := m.Up(ctx); err != nil {
		panic(err)
	}
	return d
}

func Example() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()

	for i, title := range []string{"Éléments", "Elements of Style", "Σίσυφος", "100% Go"} {
		if err := db.Create(ctx, d, &Book{Title: title, ISBN: fmt.Sprint("isbn-", i), Year: 2000 + i}); err != nil {
			panic(err)
		}
	}
	page, err := db.Q[Book](ctx, d).
		Search("ÉLÉ", "title").
		OrderBy("-year", "", "year", "title").
		Paginate(1, 10)
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Total, page.Pages, page.HasNext)
	for _, b := range page.Items {
		fmt.Println(b.Title)
	}
	// Output:
	// 1 1 false
	// Éléments
}

func ExampleCreate() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()

	_ = db.Create(ctx, d, &Book{Title: "Dune", ISBN: "978-0441013593", Year: 1965})
	err := db.Create(ctx, d, &Book{Title: "Dune (again)", ISBN: "978-0441013593", Year: 1965})

	var he *nexios.HTTPError
	var ce *db.ConstraintError
	fmt.Println(errors.As(err, &he), he.Status, he.Detail)
	fmt.Printf("%+v\n", he.Errors[0])
	fmt.Println(errors.As(err, &ce), ce.Kind, ce.Columns)
	// Output:
	// true 409 a record with this value already exists
	// {Location:body Field:isbn Message:already exists Rule:unique Param:}
	// true unique [isbn]
}

func ExampleGetOr404() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()

	_, err := db.GetOr404[Book](ctx, d, 42)
	fmt.Println(nexios.StatusOf(err), errors.Is(err, db.ErrNotFound), err.(*nexios.HTTPError).Detail)
	// Output: 404 true Book not found
}

func ExampleUpdate() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()

	b := &Book{Title: "Draft", ISBN: "x-1", Year: 2020}
	_ = db.Create(ctx, d, b)

	// The input of a PATCH handler: nil pointers are fields the client
	// did not send, and are not written.
	type patchBook struct {
		ID    int64   `path:"id"`
		Title *string `json:"title"`
		Year  *int    `json:"year"`
	}
	title := "Final"
	if err := db.Update(ctx, d, b, &patchBook{ID: b.ID, Title: &title}); err != nil {
		panic(err)
	}
	got, _ := db.GetOr404[Book](ctx, d, b.ID)
	fmt.Println(got.Title, got.Year, got.UpdatedAt.After(got.CreatedAt) || got.UpdatedAt.Equal(got.CreatedAt))
	// Output: Final 2020 true
}

func ExampleQuery_OrderBy() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()

	_, err := db.Q[Book](ctx, d).OrderBy("isbn; DROP TABLE books", "", "title", "year").All()
	var ve *nexios.ValidationError
	errors.As(err, &ve)
	fmt.Println(nexios.StatusOf(err), ve.Errors[0].Location, ve.Errors[0].Field, ve.Errors[0].Message)
	// Output: 422 query sort must be one of: title, year
}

func ExampleQuery_Cursor() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()
	for i := range 5 {
		_ = db.Create(ctx, d, &Book{Title: fmt.Sprint("Vol. ", i+1), ISBN: fmt.Sprint(i), Year: 1990 + i})
	}
	cursor := ""
	for {
		page, err := db.Q[Book](ctx, d).OrderBy("year", "desc", "year").Cursor(cursor, 2)
		if err != nil {
			panic(err)
		}
		for _, b := range page.Items {
			fmt.Print(b.Year, " ")
		}
		if !page.HasNext {
			break
		}
		cursor = page.NextCursor
	}
	fmt.Println()
	// Output: 1994 1993 1992 1991 1990
}

func ExampleDB_Tx() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()

	err := d.Tx(ctx, func(ctx context.Context) error {
		if err := db.Create(ctx, d, &Book{Title: "A", ISBN: "a", Year: 1}); err != nil {
			return err
		}
		// Another library writes in the same transaction.
		tx, _ := db.SQLTx(ctx)
		_, err := tx.ExecContext(ctx, "INSERT INTO books (title, isbn, year, created_at, updated_at) VALUES ('B', 'b', 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
		if err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	n, _ := db.Q[Book](ctx, d).Count()
	fmt.Println(err, n)
	// Output: changed my mind 0
}

func ExampleAfterCommit() {
	ctx := context.Background()
	d := exampleDB(ctx)
	defer d.Close()

	addBook := func(title string, fail bool) error {
		return d.Tx(ctx, func(ctx context.Context) error {
			if err := db.Create(ctx, d, &Book{Title: title, ISBN: title, Year: 1}); err != nil {
				return err
			}
			// Announced only if the book is kept.
			db.AfterCommit(ctx, func() { fmt.Println("announce", title) })
			if fail {
				return errors.New("rolled back")
			}
			return nil
		})
	}
	_ = addBook("Kept", false)
	_ = addBook("Dropped", true)
	// Output: announce Kept
}

func ExampleGenerateMigration() {
	files, err := db.GenerateMigration(&Book{})
	if err != nil {
		panic(err)
	}
	fmt.Print(files[db.Postgres])
	// Output:
	// -- Generated by nexios db.GenerateMigration for postgres.
	//
	// -- +goose Up
	// CREATE TABLE "books" ("id" BIGSERIAL NOT NULL, "title" VARCHAR NOT NULL, "isbn" VARCHAR NOT NULL, "year" BIGINT NOT NULL, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, PRIMARY KEY ("id"), UNIQUE ("isbn"));
	// CREATE INDEX "books_year_idx" ON "books" ("year");
	//
	// -- +goose Down
	// DROP TABLE "books";
}

func ExampleDB_Migrator() {
	ctx := context.Background()
	d, _ := db.Open(ctx, "sqlite::memory:")
	defer d.Close()

	// Usually an embed.FS: //go:embed migrations, then fs.Sub(files, "migrations").
	var migrations fs.FS = fstest.MapFS{
		"00001_notes.sql": {Data: []byte("-- +goose Up\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n-- +goose Down\nDROP TABLE notes;\n")},
	}
	m, err := d.Migrator(migrations)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Pending(ctx))
	fmt.Println(m.Up(ctx), m.Pending(ctx))
	fmt.Println(m.RoundTrip(ctx))
	// Output:
	// db: 1 migration(s) pending: 00001_notes.sql
	// <nil> <nil>
	// <nil>
}
