package db_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/testclient"
)

func TestTxCommitAndRollback(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		boom := errors.New("boom")
		err := d.Tx(ctx, func(ctx context.Context) error {
			if !d.InTx(ctx) {
				t.Error("no transaction in the context")
			}
			if _, ok := db.SQLTx(ctx); !ok {
				t.Error("SQLTx found nothing")
			}
			newUser(&testingCtx{T: t, ctx: ctx}, d, "rolled")
			// The transaction sees its own write.
			if ok, _ := db.Q[User](ctx, d).Eq("username", "rolled").Exists(); !ok {
				t.Error("the transaction does not see its write")
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v", err)
		}
		if count(t, d, "users") != 0 {
			t.Fatal("a failed transaction was committed")
		}
		err = d.Tx(ctx, func(ctx context.Context) error {
			newUser(&testingCtx{T: t, ctx: ctx}, d, "kept")
			// A failing savepoint undoes its own work only.
			inner := d.Tx(ctx, func(ctx context.Context) error {
				newUser(&testingCtx{T: t, ctx: ctx}, d, "inner")
				return boom
			})
			if !errors.Is(inner, boom) {
				t.Errorf("savepoint returned %v", inner)
			}
			// A constraint violation inside a savepoint leaves the outer
			// transaction usable (PostgreSQL would abort it otherwise).
			dup := d.Tx(ctx, func(ctx context.Context) error {
				return db.Create(ctx, d, &User{Username: "kept", Email: "other@example.com"})
			})
			if nexios.StatusOf(dup) != 409 {
				t.Errorf("duplicate in savepoint: %v", dup)
			}
			return d.Tx(ctx, func(ctx context.Context) error {
				newUser(&testingCtx{T: t, ctx: ctx}, d, "nested")
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		names, _ := db.Q[User](ctx, d).OrderBy("username", "", "username").All()
		if len(names) != 2 || names[0].Username != "kept" || names[1].Username != "nested" {
			t.Fatalf("after commit: %+v", names)
		}
		// A panic rolls back and goes on.
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic was swallowed")
				}
			}()
			_ = d.Tx(ctx, func(ctx context.Context) error {
				newUser(&testingCtx{T: t, ctx: ctx}, d, "panicky")
				panic("oops")
			})
		}()
		if ok, _ := db.Q[User](ctx, d).Eq("username", "panicky").Exists(); ok {
			t.Fatal("a panicking transaction was committed")
		}
		// The transaction is usable right after (the connection came back).
		if err := d.Tx(ctx, func(ctx context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

// testingCtx lets the helpers that take a testing.TB use a context of the
// test's choosing (the transaction's).
type testingCtx struct {
	*testing.T
	ctx context.Context
}

func (c *testingCtx) Context() context.Context { return c.ctx }

// TestTxIsolation checks that a transaction's writes stay invisible
// outside it until the commit: on PostgreSQL, and on a SQLite file (an
// in-memory SQLite database is one connection, where a read outside the
// transaction would wait for it).
func TestTxIsolation(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect() == db.SQLite {
			d = fileSQLite(t)
		}
		ctx := ctxT(t)
		_ = d.Tx(ctx, func(txctx context.Context) error {
			newUser(&testingCtx{T: t, ctx: txctx}, d, "hidden")
			if ok, _ := db.Q[User](ctx, d).Eq("username", "hidden").Exists(); ok {
				t.Error("an uncommitted row is visible outside the transaction")
			}
			return nil
		})
		if ok, _ := db.Q[User](ctx, d).Eq("username", "hidden").Exists(); !ok {
			t.Fatal("the committed row is not visible")
		}
	})
}

// app is a small seed-like app on d with the transaction middleware.
func txApp(d *db.DB) *nexios.App {
	app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	app.Use(d.TxMiddleware(db.TxConfig{}))
	create := func(req *nexios.Request) error {
		return db.Create(req.Context(), d, &User{Username: req.Query("name"), Email: req.Query("name") + "@example.com"})
	}
	app.Post("/ok", func(req *nexios.Request, res *nexios.Response) error {
		if err := create(req); err != nil {
			return err
		}
		return res.Status(201).JSON(map[string]string{"ok": "yes"})
	})
	app.Post("/fail", func(req *nexios.Request, res *nexios.Response) error {
		if err := create(req); err != nil {
			return err
		}
		return errors.New("after the write")
	})
	app.Post("/status", func(req *nexios.Request, res *nexios.Response) error {
		if err := create(req); err != nil {
			return err
		}
		return res.Status(http.StatusConflict).JSON(map[string]string{"no": "thanks"})
	})
	app.Post("/panic", func(req *nexios.Request, res *nexios.Response) error {
		if err := create(req); err != nil {
			return err
		}
		panic("handler bug")
	})
	app.Post("/redirect", func(req *nexios.Request, res *nexios.Response) error {
		if err := create(req); err != nil {
			return err
		}
		return res.Redirect("/elsewhere", http.StatusSeeOther)
	})
	app.Post("/deferred", func(req *nexios.Request, res *nexios.Response) error {
		// A deferred foreign key fails at COMMIT, after the handler chose
		// 201: the client must get the failure, not the 201.
		missing := int64(987654)
		if err := db.Create(req.Context(), d, &Item{Name: "orphan", ParentID: &missing}); err != nil {
			return err
		}
		return res.Status(201).JSON(map[string]string{"ok": "yes"})
	})
	nexios.Post(app, "/typed", func(req *nexios.Request, in *struct {
		Name string `json:"name"`
	}) (*User, error) {
		u := &User{Username: in.Name, Email: in.Name + "@example.com"}
		return u, db.Create(req.Context(), d, u)
	}, nexios.Status(201))
	return app
}

func TestTxMiddleware(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		c := testclient.New(txApp(d), testclient.WithoutRedirects())
		for _, tc := range []struct {
			path   string
			name   string
			status int
			kept   bool
		}{
			{"/ok", "committed", 201, true},
			{"/redirect", "redirected", 303, true},
			{"/fail", "failed", 500, false},
			{"/status", "refused", 409, false},
			{"/panic", "panicked", 500, false},
		} {
			res := c.Post(tc.path + "?name=" + tc.name)
			if res.Status != tc.status {
				t.Fatalf("%s: status %d, want %d: %s", tc.path, res.Status, tc.status, res.Text())
			}
			ok, err := db.Q[User](ctxT(t), d).Eq("username", tc.name).Exists()
			if err != nil || ok != tc.kept {
				t.Fatalf("%s: row kept %v (%v), want %v", tc.path, ok, err, tc.kept)
			}
		}
		// A unique violation inside the request is the usual 409.
		res := c.Post("/ok?name=committed")
		if res.Status != 409 {
			t.Fatalf("duplicate: %d %s", res.Status, res.Text())
		}
		// Typed handlers join the transaction too.
		res = c.Post("/typed", testclient.JSON(map[string]string{"name": "typed"}))
		if res.Status != 201 {
			t.Fatalf("typed: %d %s", res.Status, res.Text())
		}
		if ok, _ := db.Q[User](ctxT(t), d).Eq("username", "typed").Exists(); !ok {
			t.Fatal("typed handler's write lost")
		}
		// The commit fails: the client gets the error, not the 201.
		res = c.Post("/deferred")
		if res.Status != 422 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("deferred constraint: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Text())
		}
		if n := count(t, d, "items"); n != 0 {
			t.Fatalf("%d items stored by a failed commit", n)
		}
		// GET requests run without a transaction by default.
		app := nexios.New(nexios.Config{})
		app.Use(d.TxMiddleware(db.TxConfig{}))
		app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
			return res.JSON(d.InTx(req.Context()))
		})
		if got := testclient.New(app).Get("/").Text(); got != "false\n" && got != "false" {
			t.Fatalf("GET in a transaction: %q", got)
		}
	})
}

// AfterCommit functions run after the outermost commit, in order, and
// never for work that rolled back — a transaction, a savepoint, a panic,
// or a request the transaction middleware rolls back.
func TestAfterCommit(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		var ran []string
		note := func(ctx context.Context, name string) {
			if !db.AfterCommit(ctx, func() { ran = append(ran, name) }) {
				t.Errorf("%s: AfterCommit refused inside a transaction", name)
			}
		}
		boom := errors.New("boom")
		ctx := ctxT(t)
		if db.AfterCommit(ctx, func() { ran = append(ran, "outside") }) {
			t.Error("AfterCommit accepted a context without a transaction")
		}
		_ = d.Tx(ctx, func(ctx context.Context) error { note(ctx, "rolled back"); return boom })
		func() {
			defer func() { _ = recover() }()
			_ = d.Tx(ctx, func(ctx context.Context) error { note(ctx, "panicked"); panic(boom) })
		}()
		check := func(want string) {
			t.Helper()
			if got := strings.Join(ran, ","); got != want {
				t.Fatalf("ran %q, want %q", got, want)
			}
		}
		check("")
		err := d.Tx(ctx, func(ctx context.Context) error {
			note(ctx, "first")
			_ = d.Tx(ctx, func(ctx context.Context) error { note(ctx, "savepoint rolled back"); return boom })
			if err := d.Tx(ctx, func(ctx context.Context) error { note(ctx, "savepoint kept"); return nil }); err != nil {
				return err
			}
			note(ctx, "last")
			check("") // nothing before the commit
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		check("first,savepoint kept,last")

		ran = nil
		app := nexios.New(nexios.Config{})
		app.Use(d.TxMiddleware(db.TxConfig{}))
		app.Post("/{status:int}", func(req *nexios.Request, res *nexios.Response) error {
			note(req.Context(), req.Path("status"))
			status, _ := req.PathInt("status")
			return res.Status(status).Text("done")
		})
		c := testclient.New(app)
		c.Post("/201")
		c.Post("/409")
		check("201")
	})
}
