package db_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
)

// The benchmarks compare each facade call with the same query written by
// hand with database/sql through the same driver and pool: get-by-id,
// a list with a join and a count, a paginated search over 10,000 rows,
// and an insert; on a SQLite file and on PostgreSQL. Run them with
//
//	NEXIOS_TEST_POSTGRES_URL=… go test -run '^$' -bench . -benchmem ./db
//
// (PostgreSQL sub-benchmarks are skipped when the variable is unset).

const benchRows = 10_000

// benchDB returns a migrated database of the dialect holding benchRows
// users, each with one post.
func benchDB(b *testing.B, dialect db.Dialect) *db.DB {
	b.Helper()
	var d *db.DB
	if dialect == db.Postgres {
		d = dbtest.Postgres(b, migrations(), testOptions)
	} else {
		var err error
		d, err = db.Open(b.Context(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = d.Close() })
		m, err := d.Migrator(migrations(), testOptions.Migrate...)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Up(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	ctx := b.Context()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < benchRows; start += 1000 {
		users := make([]User, 0, 1000)
		for i := start; i < start+1000; i++ {
			ts := t0.Add(time.Duration(i) * time.Second)
			users = append(users, User{Username: fmt.Sprintf("user%05d", i), Email: fmt.Sprintf("user%05d@example.com", i), Password: "x", IsActive: true,
				Timestamps: db.Timestamps{CreatedAt: ts, UpdatedAt: ts}})
		}
		if _, err := d.Bun().NewInsert().Model(&users).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		posts := make([]Post, 0, 1000)
		for _, u := range users {
			posts = append(posts, Post{Title: "post of " + u.Username, Content: "c", UserID: u.ID, Timestamps: u.Timestamps})
		}
		if _, err := d.Bun().NewInsert().Model(&posts).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	// Settle the database before measuring, so that the first variant
	// measured does not pay for the load: statistics, and on SQLite the
	// WAL checkpoint; on PostgreSQL the visibility map autovacuum would
	// otherwise build during the run.
	settle := []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"}
	if dialect == db.Postgres {
		settle = []string{"VACUUM ANALYZE users", "VACUUM ANALYZE posts", "CHECKPOINT"}
	}
	for _, q := range settle {
		if _, err := d.SQL().ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	return d
}

// benchEach runs the facade and the hand-written variant of a benchmark
// on both dialects.
func benchEach(b *testing.B, facade, handwritten func(b *testing.B, d *db.DB)) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d := benchDB(b, dialect)
			b.Run("facade", func(b *testing.B) { b.ReportAllocs(); facade(b, d) })
			b.Run("database-sql", func(b *testing.B) { b.ReportAllocs(); handwritten(b, d) })
		})
	}
}

// ph is the dialect's n-th placeholder.
func ph(d *db.DB, n int) string {
	if d.Dialect() == db.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

func scanUser(row interface{ Scan(...any) error }, u *User) error {
	return row.Scan(&u.ID, &u.Username, &u.Email, &u.Password, &u.IsActive, &u.CreatedAt, &u.UpdatedAt)
}

func BenchmarkGetByID(b *testing.B) {
	benchEach(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			if _, err := db.GetOr404[User](ctx, d, int64(i%benchRows+1)); err != nil {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		q := "SELECT id, username, email, password, is_active, created_at, updated_at FROM users WHERE id = " + ph(d, 1)
		i := 0
		for b.Loop() {
			i++
			var u User
			if err := scanUser(d.ReadSQL().QueryRowContext(ctx, q, int64(i%benchRows+1)), &u); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListWithJoinAndCount(b *testing.B) {
	benchEach(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		for b.Loop() {
			p, err := db.Q[Post](ctx, d).With("Author").OrderBy("created_at", "desc", "created_at").Paginate(3, 20)
			if err != nil || len(p.Items) != 20 {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		const list = `SELECT p.id, p.title, p.content, p.user_id, p.published, p.created_at, p.updated_at, p.deleted_at,
u.id, u.username, u.email, u.password, u.is_active, u.created_at, u.updated_at
FROM posts p LEFT JOIN users u ON u.id = p.user_id
WHERE p.deleted_at IS NULL ORDER BY p.created_at DESC, p.id DESC LIMIT 20 OFFSET 40`
		for b.Loop() {
			var total int64
			if err := d.ReadSQL().QueryRowContext(ctx, "SELECT count(*) FROM posts WHERE deleted_at IS NULL").Scan(&total); err != nil {
				b.Fatal(err)
			}
			rows, err := d.ReadSQL().QueryContext(ctx, list)
			if err != nil {
				b.Fatal(err)
			}
			items := make([]Post, 0, 20)
			for rows.Next() {
				var p Post
				var a User
				if err := rows.Scan(&p.ID, &p.Title, &p.Content, &p.UserID, &p.Published, &p.CreatedAt, &p.UpdatedAt, &p.DeletedAt,
					&a.ID, &a.Username, &a.Email, &a.Password, &a.IsActive, &a.CreatedAt, &a.UpdatedAt); err != nil {
					b.Fatal(err)
				}
				p.Author = &a
				items = append(items, p)
			}
			if err := rows.Close(); err != nil || len(items) != 20 {
				b.Fatal(err, len(items))
			}
		}
	})
}

func BenchmarkPaginatedSearch(b *testing.B) {
	benchEach(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		for b.Loop() {
			p, err := db.Q[User](ctx, d).Search("USER01", "username", "email").OrderBy("username", "asc", "username").Paginate(2, 20)
			if err != nil || p.Total != 1000 || len(p.Items) != 20 {
				b.Fatal(err, p)
			}
		}
	}, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		fold := func(col string) string { return "nexios_fold(" + col + ")" }
		if d.Dialect() == db.Postgres {
			fold = func(col string) string { return "replace(replace(lower(" + col + "), 'ς', 'σ'), 'ß', 'ss')" }
		}
		where := "(" + fold("username") + " LIKE " + ph(d, 1) + ` ESCAPE '\' OR ` + fold("email") + " LIKE " + ph(d, 2) + ` ESCAPE '\')`
		count := "SELECT count(*) FROM users WHERE " + where
		list := "SELECT id, username, email, password, is_active, created_at, updated_at FROM users WHERE " + where + " ORDER BY username ASC, id ASC LIMIT 20 OFFSET 20"
		for b.Loop() {
			pattern := "%" + db.Fold("USER01") + "%"
			var total int64
			if err := d.ReadSQL().QueryRowContext(ctx, count, pattern, pattern).Scan(&total); err != nil || total != 1000 {
				b.Fatal(err, total)
			}
			rows, err := d.ReadSQL().QueryContext(ctx, list, pattern, pattern)
			if err != nil {
				b.Fatal(err)
			}
			items := make([]User, 0, 20)
			for rows.Next() {
				var u User
				if err := scanUser(rows, &u); err != nil {
					b.Fatal(err)
				}
				items = append(items, u)
			}
			if err := rows.Close(); err != nil || len(items) != 20 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkInsert(b *testing.B) {
	benchEach(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		run := rand.Text()[:8] // -count runs reuse the database: names stay unique
		i := 0
		for b.Loop() {
			i++
			u := &User{Username: fmt.Sprintf("f%s%d", run, i), Email: fmt.Sprintf("f%s%d@example.com", run, i), Password: "x", IsActive: true}
			if err := db.Create(ctx, d, u); err != nil {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		q := fmt.Sprintf("INSERT INTO users (username, email, password, is_active, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
			ph(d, 1), ph(d, 2), ph(d, 3), ph(d, 4), ph(d, 5), ph(d, 6))
		run := rand.Text()[:8]
		i := 0
		for b.Loop() {
			i++
			now := time.Now().UTC()
			var id int64
			if err := d.SQL().QueryRowContext(ctx, q, fmt.Sprintf("r%s%d", run, i), fmt.Sprintf("r%s%d@example.com", run, i), "x", true, now, now).Scan(&id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var _ = sql.ErrNoRows
