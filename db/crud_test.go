package db_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/nexios-go/nexios/db"
)

func TestCreateAndGet(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		before := time.Now().Add(-time.Second)
		u := newUser(t, d, "ada")
		if u.ID == 0 {
			t.Fatal("Create did not read back the id")
		}
		if u.CreatedAt.Before(before) || !u.UpdatedAt.Equal(u.CreatedAt) {
			t.Fatalf("timestamps: created %v updated %v", u.CreatedAt, u.UpdatedAt)
		}
		got, err := db.GetOr404[User](ctx, d, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Username != "ada" || got.Email != "ada@example.com" || !got.IsActive || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Fatalf("got %+v, want %+v", got, u)
		}
		_, err = db.GetOr404[User](ctx, d, u.ID+1000)
		he := httpError(t, err, 404)
		if !errors.Is(err, db.ErrNotFound) || he.Detail != "User not found" {
			t.Fatalf("404: %v (detail %q)", err, he.Detail)
		}
	})
}

func TestDefaultsReadBack(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		// is_active has DEFAULT true; bun omits a zero bool with a default,
		// so the database's default applies and is read back.
		u := &User{Username: "def", Email: "def@example.com"}
		if err := db.Create(ctxT(t), d, u); err != nil {
			t.Fatal(err)
		}
		if !u.IsActive {
			t.Fatal("default true not read back")
		}
	})
}

// patch is a seed-001 UserUpdate: pointer fields are "not sent" when nil.
type patch struct {
	ID       int64   `path:"id"`
	Username *string `json:"username"`
	Email    *string `json:"email"`
	IsActive *bool   `json:"is_active"`
}

func TestUpdatePatchWritesOnlySetFields(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		u := newUser(t, d, "grace")
		// Someone else changes the email meanwhile; our stale copy must
		// not write it back.
		if _, err := d.Exec(ctx, "UPDATE users SET email = ? WHERE id = ?", "new@example.com", u.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
		name := "hopper"
		if err := db.Update(ctx, d, u, &patch{ID: 999, Username: &name}); err != nil {
			t.Fatal(err)
		}
		if u.Username != "hopper" || u.ID == 999 {
			t.Fatalf("model after patch: %+v", u)
		}
		got, err := db.GetOr404[User](ctx, d, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Username != "hopper" || got.Email != "new@example.com" {
			t.Fatalf("stored %q %q: the patch wrote an unset field", got.Username, got.Email)
		}
		if !got.UpdatedAt.After(got.CreatedAt) {
			t.Fatalf("updated_at %v not after created_at %v", got.UpdatedAt, got.CreatedAt)
		}
		// An empty patch still maintains updated_at.
		prev := got.UpdatedAt
		time.Sleep(2 * time.Millisecond)
		if err := db.Update(ctx, d, got, &patch{}); err != nil {
			t.Fatal(err)
		}
		again, _ := db.GetOr404[User](ctx, d, u.ID)
		if !again.UpdatedAt.After(prev) {
			t.Fatal("an empty patch did not move updated_at")
		}
		// Save writes everything, updated_at included.
		again.IsActive = false
		time.Sleep(2 * time.Millisecond)
		if err := db.Save(ctx, d, again); err != nil {
			t.Fatal(err)
		}
		saved, _ := db.GetOr404[User](ctx, d, u.ID)
		if saved.IsActive || !saved.UpdatedAt.After(again.CreatedAt) || !saved.CreatedAt.Equal(u.CreatedAt) {
			t.Fatalf("after Save: %+v", saved)
		}
		// A missing row is a 404.
		ghost := &User{ID: u.ID + 1000}
		httpError(t, db.Update(ctx, d, ghost, &patch{Username: &name}), 404)
		httpError(t, db.Save(ctx, d, ghost), 404)
	})
}

func TestUpdatePatchMistakes(t *testing.T) {
	t.Parallel()
	d := openSQLite(t)
	u := newUser(t, d, "m")
	type wrong struct{ Nope *string }
	s := "x"
	if err := db.Update(ctxT(t), d, u, &wrong{Nope: &s}); err == nil {
		t.Fatal("a patch field the model lacks was accepted")
	}
	type badType struct{ Username *int }
	n := 3
	if err := db.Update(ctxT(t), d, u, badType{Username: &n}); err == nil {
		t.Fatal("a patch field of another type was accepted")
	}
}

func TestSoftDelete(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		u := newUser(t, d, "sd")
		p := newPost(t, d, u, "soft")
		if err := db.Delete(ctx, d, p); err != nil {
			t.Fatal(err)
		}
		if p.DeletedAt == nil {
			t.Fatal("deleted_at not set on the model")
		}
		httpError(t, db.Delete(ctx, d, p), 404)
		_, err := db.GetOr404[Post](ctx, d, p.ID)
		httpError(t, err, 404)
		n, err := db.Q[Post](ctx, d).WithDeleted().Count()
		if err != nil || n != 1 {
			t.Fatalf("WithDeleted count %d, %v", n, err)
		}
		del, err := db.Q[Post](ctx, d).OnlyDeleted().All()
		if err != nil || len(del) != 1 || del[0].DeletedAt == nil {
			t.Fatalf("OnlyDeleted: %+v, %v", del, err)
		}
		if count(t, d, "posts") != 1 {
			t.Fatal("soft delete removed the row")
		}
		// Patching a deleted row is a 404 too.
		title := "t"
		type pp struct{ Title *string }
		httpError(t, db.Update(ctx, d, p, pp{Title: &title}), 404)
		if err := db.ForceDelete(ctx, d, p); err != nil {
			t.Fatal(err)
		}
		if count(t, d, "posts") != 0 {
			t.Fatal("ForceDelete left the row")
		}
		// A model without SoftDelete is removed.
		if err := db.DeleteByID[User](ctx, d, u.ID); err != nil {
			t.Fatal(err)
		}
		if count(t, d, "users") != 0 {
			t.Fatal("hard delete left the row")
		}
		httpError(t, db.DeleteByID[User](ctx, d, u.ID), 404)
	})
}

func TestQueryBasics(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		a, b := newUser(t, d, "alice"), newUser(t, d, "bob")
		ok, err := db.Q[User](ctx, d).Eq("username", "alice").Exists()
		if err != nil || !ok {
			t.Fatalf("Exists: %v %v", ok, err)
		}
		ok, _ = db.Q[User](ctx, d).Eq("email", "nobody@example.com").Exists()
		if ok {
			t.Fatal("Exists found a missing row")
		}
		var none *string
		n, err := db.Q[User](ctx, d).Filter("username", none).Count()
		if err != nil || n != 2 {
			t.Fatalf("Filter(nil) count %d %v", n, err)
		}
		name := "bob"
		got, err := db.Q[User](ctx, d).Filter("username", &name).First()
		if err != nil || got.ID != b.ID {
			t.Fatalf("Filter(&bob): %+v %v", got, err)
		}
		all, err := db.Q[User](ctx, d).OrderBy("username", "desc", "username").All()
		if err != nil || len(all) != 2 || all[0].ID != b.ID || all[1].ID != a.ID {
			t.Fatalf("OrderBy desc: %+v %v", all, err)
		}
		in, err := db.Q[User](ctx, d).In("id", []int64{a.ID}).All()
		if err != nil || len(in) != 1 {
			t.Fatalf("In: %v %v", in, err)
		}
		empty, err := db.Q[User](ctx, d).In("id", []int64{}).All()
		if err != nil || empty == nil || len(empty) != 0 {
			t.Fatalf("In(empty): %v %v", empty, err)
		}
		lim, err := db.Q[User](ctx, d).OrderBy("id", "", "id").Limit(1).All()
		if err != nil || len(lim) != 1 || lim[0].ID != a.ID {
			t.Fatalf("Limit: %v %v", lim, err)
		}
		w, err := db.Q[User](ctx, d).Where("?TableAlias.username LIKE ?", "a%").All()
		if err != nil || len(w) != 1 {
			t.Fatalf("Where: %v %v", w, err)
		}
		_, err = db.Q[User](ctx, d).Eq("nope", 1).All()
		if err == nil {
			t.Fatal("unknown column accepted")
		}
		_, err = db.Q[User](ctx, d).Search("1", "id").All()
		if err == nil || !strings.Contains(err.Error(), "not text") {
			t.Fatalf("search on a number column: %v", err)
		}
		_, err = db.Q[User](ctx, d).With("Nope").All()
		if err == nil {
			t.Fatal("unknown relation accepted")
		}
		_, err = db.Q[User](ctx, d).Eq("username", "zed").First()
		httpError(t, err, 404)
	})
}

// TestRelationsQualifyColumns is seed 001's list bug: after a JOIN every
// "id" was ambiguous. Filters, search and sorting on a joined query must
// all be qualified.
func TestRelationsQualifyColumns(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		u := newUser(t, d, "writer")
		p1 := newPost(t, d, u, "first post")
		newPost(t, d, u, "second post")
		posts, err := db.Q[Post](ctx, d).With("Author").Eq("id", p1.ID).Search("FIRST", "title").OrderBy("id", "desc", "id", "created_at").All()
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != 1 || posts[0].Author == nil || posts[0].Author.Username != "writer" {
			t.Fatalf("joined: %+v", posts)
		}
		page, err := db.Q[Post](ctx, d).With("Author").OrderBy("created_at", "desc", "created_at").Paginate(1, 10)
		if err != nil || page.Total != 2 || len(page.Items) != 2 || page.Items[0].Author == nil {
			t.Fatalf("paginate joined: %+v %v", page, err)
		}
		// A count leaves the to-one join out, unless a condition in SQL
		// may name the joined table.
		n, err := db.Q[Post](ctx, d).With("Author").Search("post", "title").Count()
		if err != nil || n != 2 {
			t.Fatalf("count with relation: %d %v", n, err)
		}
		n, err = db.Q[Post](ctx, d).With("Author").Where("?.username = ?", bun.Ident("author"), "writer").Count()
		if err != nil || n != 2 {
			t.Fatalf("count with a condition on the joined table: %d %v", n, err)
		}
		ok, err := db.Q[Post](ctx, d).With("Author").Where("?.username = ?", bun.Ident("author"), "nobody").Exists()
		if err != nil || ok {
			t.Fatalf("exists with a condition on the joined table: %v %v", ok, err)
		}
		users, err := db.Q[User](ctx, d).With("Posts").Eq("id", u.ID).All()
		if err != nil || len(users) != 1 || len(users[0].Posts) != 2 {
			t.Fatalf("has-many: %+v %v", users, err)
		}
	})
}
