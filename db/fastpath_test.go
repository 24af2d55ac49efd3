package db_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
)

// countingHook counts the queries bun's hooks see (as a tracer would).
type countingHook struct{ selects, inserts atomic.Int64 }

func (h *countingHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	switch {
	case strings.HasPrefix(e.Query, "SELECT"):
		h.selects.Add(1)
	case strings.HasPrefix(e.Query, "INSERT"):
		h.inserts.Add(1)
	}
	return ctx
}

func (h *countingHook) AfterQuery(context.Context, *bun.QueryEvent) {}

// GetOr404 runs its own short statement; it must return what the general
// query returns, see transactions, skip soft-deleted rows and pass
// through bun's query hooks — on a SQLite file too, whose reads go to a
// reader pool of their own.
func TestGetOr404MatchesQuery(t *testing.T) {
	t.Parallel()
	each(t, testGetOr404)
	t.Run("sqlite file", func(t *testing.T) {
		t.Parallel()
		testGetOr404(t, fileSQLite(t))
	})
}

func testGetOr404(t *testing.T, d *db.DB) {
	ctx := ctxT(t)
	hook := &countingHook{}
	//lint:ignore SA1019 as oteldb does: the hook joins the handle in place.
	d.Bun().AddQueryHook(hook)
	u := newUser(t, d, "pk")
	p := newPost(t, d, u, "pk post")
	cases := []struct {
		name      string
		get, want func() (any, error)
	}{
		{"user", func() (any, error) { return db.GetOr404[User](ctx, d, u.ID) },
			func() (any, error) { return db.Q[User](ctx, d).Eq("id", u.ID).First() }},
		{"user by pointer id", func() (any, error) { return db.GetOr404[User](ctx, d, &u.ID) },
			func() (any, error) { return db.Q[User](ctx, d).Eq("id", u.ID).First() }},
		{"post", func() (any, error) { return db.GetOr404[Post](ctx, d, p.ID) },
			func() (any, error) { return db.Q[Post](ctx, d).Eq("id", p.ID).First() }},
	}
	for _, c := range cases {
		before := hook.selects.Load()
		got, err := c.get()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if hook.selects.Load() != before+1 {
			t.Errorf("%s: the query hook saw %d SELECTs, want 1", c.name, hook.selects.Load()-before)
		}
		want, err := c.want()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: GetOr404 %+v, the query %+v", c.name, got, want)
		}
	}

	_, err := db.GetOr404[User](ctx, d, u.ID+1000)
	httpError(t, err, 404)
	_, err = db.GetOr404[User](ctx, d, (*int64)(nil))
	httpError(t, err, 404)

	// A row written in a transaction is found in it.
	err = d.Tx(ctx, func(ctx context.Context) error {
		v := newUserCtx(t, ctx, d, "in-tx")
		got, err := db.GetOr404[User](ctx, d, v.ID)
		if err != nil || got.Username != "in-tx" {
			t.Errorf("in the transaction: %+v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := db.Delete(ctx, d, p); err != nil {
		t.Fatal(err)
	}
	_, err = db.GetOr404[Post](ctx, d, p.ID)
	httpError(t, err, 404)
}

func newUserCtx(t *testing.T, ctx context.Context, d *db.DB, name string) *User {
	t.Helper()
	u := &User{Username: name, Email: name + "@example.com", Password: "x", IsActive: true}
	if err := db.Create(ctx, d, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// Create reads the RETURNING row and closes the statement without
// stepping it to its end: the errors that come at its end must still be
// reported — a deferred foreign key checked when the statement commits
// on its own (no transaction) — and nothing must be left behind.
func TestCreateReportsErrorsAtStatementEnd(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		hook := &countingHook{}
		//lint:ignore SA1019 as oteldb does: the hook joins the handle in place.
		d.Bun().AddQueryHook(hook)
		missing := int64(987654)
		err := db.Create(ctx, d, &Item{Name: "orphan", ParentID: &missing})
		he, ok := errors.AsType[*nexios.HTTPError](err)
		if !ok || he.Status != 409 && he.Status != 422 {
			t.Fatalf("a deferred foreign-key violation: %v, want a 409 or 422", err)
		}
		if n := count(t, d, "items"); n != 0 {
			t.Fatalf("%d items stored after the violation", n)
		}
		fine := &Item{Name: "fine", Qty: 2}
		if err := db.Create(ctx, d, fine); err != nil || fine.ID == 0 {
			t.Fatalf("Create: id %d, %v", fine.ID, err)
		}
		if hook.inserts.Load() != 2 {
			t.Errorf("the query hook saw %d INSERTs, want 2", hook.inserts.Load())
		}
	})
}

// tag has a primary key the application chooses: bun's INSERT for it
// has no RETURNING clause, and Create must run it all the same.
type tag struct {
	db.BaseModel `bun:"table:tags"`
	Name         string `bun:",pk"`
	Note         string `bun:",notnull"`
}

func TestCreateWithoutReturning(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		if _, err := d.Exec(ctx, `CREATE TABLE tags (name VARCHAR(40) PRIMARY KEY, note VARCHAR(40) NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(ctx, d, &tag{Name: "go", Note: "a language"}); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetOr404[tag](ctx, d, "go")
		if err != nil || got.Note != "a language" {
			t.Fatalf("GetOr404 by a string key: %+v, %v", got, err)
		}
		httpError(t, db.Create(ctx, d, &tag{Name: "go", Note: "again"}), 409)
		_, err = db.GetOr404[tag](ctx, d, "rust")
		httpError(t, err, 404)
	})
}
