package db_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
)

func TestUniqueViolationIs409NamingTheField(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		newUser(t, d, "dup")
		err := db.Create(ctx, d, &User{Username: "other", Email: "dup@example.com", Password: "x"})
		he := httpError(t, err, 409)
		if len(he.Errors) != 1 || he.Errors[0] != (nexios.FieldError{Location: "body", Field: "email", Message: "already exists", Rule: "unique"}) {
			t.Fatalf("errors %+v", he.Errors)
		}
		var ce *db.ConstraintError
		if !errors.As(err, &ce) || ce.Kind != db.Unique || ce.Table != "users" {
			t.Fatalf("ConstraintError %+v", ce)
		}
		if strings.Contains(strings.ToLower(he.Detail), "constraint") || strings.Contains(he.Detail, "users") {
			t.Fatalf("driver text in the client's detail: %q", he.Detail)
		}
		// Composite unique: both fields named.
		u := newUser(t, d, "author")
		newPost(t, d, u, "same")
		err = db.Create(ctx, d, &Post{Title: "same", Content: "c", UserID: u.ID})
		he = httpError(t, err, 409)
		var fields []string
		for _, e := range he.Errors {
			fields = append(fields, e.Field)
		}
		if strings.Join(fields, ",") != "title,user_id" {
			t.Fatalf("composite unique fields %v", fields)
		}
		// Update into a taken value: 409 as well.
		other := newUser(t, d, "free")
		taken := "dup@example.com"
		type emailPatch struct{ Email *string }
		httpError(t, db.Update(ctx, d, other, emailPatch{&taken}), 409)
	})
}

// TestConcurrentDuplicateInserts is the must-hold race: 50 goroutines
// insert the same email at once; exactly one wins and the 49 others get a
// 409 unique violation, never a 500 (SQLITE_BUSY, a lost write).
func TestConcurrentDuplicateInserts(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) { raceDuplicates(t, d) })
}

func raceDuplicates(t *testing.T, d *db.DB) {
	t.Helper()
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = db.Create(ctxT(t), d, &User{Username: fmt.Sprintf("racer%d", i), Email: "race@example.com", Password: "x"})
		}()
	}
	close(start)
	wg.Wait()
	ok, conflicts := 0, 0
	for _, err := range errs {
		var ce *db.ConstraintError
		switch {
		case err == nil:
			ok++
		case nexios.StatusOf(err) == 409 && errors.As(err, &ce) && ce.Kind == db.Unique:
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Fatalf("%d inserted and %d conflicts, want 1 and %d", ok, conflicts, n-1)
	}
	if c := count(t, d, "users"); c != 1 {
		t.Fatalf("%d rows stored", c)
	}
}

func TestForeignKeyViolations(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		// A post of a user that does not exist: 422.
		err := db.Create(ctx, d, &Post{Title: "orphan", Content: "c", UserID: 424242})
		he := httpError(t, err, 422)
		var ce *db.ConstraintError
		if !errors.As(err, &ce) || ce.Kind != db.ForeignKey {
			t.Fatalf("ConstraintError %+v", ce)
		}
		if d.Dialect() == db.Postgres && (len(he.Errors) != 1 || he.Errors[0].Field != "user_id") {
			t.Fatalf("errors %+v", he.Errors) // SQLite does not say which key failed
		}
		// Deleting a user that posts still reference (ON DELETE RESTRICT): 409.
		u := newUser(t, d, "parent")
		newPost(t, d, u, "child")
		err = db.Delete(ctx, d, u)
		httpError(t, err, 409)
		if !errors.As(err, &ce) || ce.Kind != db.ForeignKey {
			t.Fatalf("delete: %v", err)
		}
	})
}

func TestNotNullAndCheckViolationsAre422(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		_, err := d.Exec(ctx, "INSERT INTO items (name, qty) VALUES (?, NULL)", "x")
		he := httpError(t, err, 422)
		var ce *db.ConstraintError
		if !errors.As(err, &ce) || ce.Kind != db.NotNull || len(he.Errors) != 1 || he.Errors[0].Field != "qty" || he.Errors[0].Rule != "not_null" {
			t.Fatalf("not null: %+v %+v", ce, he.Errors)
		}
		err = db.Create(ctx, d, &Item{Name: "neg", Qty: -1})
		httpError(t, err, 422)
		if !errors.As(err, &ce) || ce.Kind != db.Check || ce.Constraint != "items_qty_nonnegative" {
			t.Fatalf("check: %+v", ce)
		}
	})
}

func TestMapErrorLeavesOtherErrorsAlone(t *testing.T) {
	t.Parallel()
	d := openSQLite(t)
	_, err := d.Exec(ctxT(t), "SELECT * FROM no_such_table")
	if err == nil || nexios.StatusOf(err) != 500 {
		t.Fatalf("a syntax/schema error must stay a 500, got %v (%d)", err, nexios.StatusOf(err))
	}
	if d.MapError(nil) != nil {
		t.Fatal("MapError(nil) != nil")
	}
	e := errors.New("plain")
	if !errors.Is(d.MapError(e), e) {
		t.Fatal("MapError changed an unrelated error")
	}
}
