package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/testclient"
)

// The main endpoints through the whole app (routing, rate limit, auth,
// binding, validation, the data layer, JSON), on a SQLite file and on
// PostgreSQL, with 10,000 posts in the table:
//
//	NEXIOS_TEST_POSTGRES_URL=… go test -run '^$' -bench . -benchmem ./blog-api
//
// (PostgreSQL is skipped when the variable is unset). Figures are in
// bench/RESULTS.md.

const benchPosts = 10_000

var benchTopics = []string{"golang", "rust", "postgres", "redis", "Straße", "Σίσυφος", "testing", "http", "sqlite", "jobs"}

// benchApp is the blog on d with benchPosts posts by one user, and that
// user's bearer token.
func benchApp(b *testing.B, d *db.DB) (*nexios.App, string) {
	b.Helper()
	cfg := Config{Addr: "127.0.0.1:0", JWTSecret: testSecret, UploadDir: b.TempDir(), RequestRate: 1 << 30, MailFrom: "Blog <blog@example.com>"}
	bl, err := build(b.Context(), d, cfg, slog.New(slog.DiscardHandler), wiring{hash: fastHash})
	if err != nil {
		b.Fatal(err)
	}
	app := bl.app
	if err := app.Startup(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
	})
	// Plain client: the benchmarks time the app, not the document checks
	// (which the tests run through openapitest.Client).
	c := testclient.New(app)
	if r := c.Post("/api/v1/users", testclient.JSON(map[string]string{"username": "ann", "email": "ann@example.com", "password": goodPassword})); r.Status != http.StatusCreated {
		b.Fatalf("sign-up: %d %s", r.Status, r.Text())
	}
	var tokens struct {
		Access string `json:"access_token"`
	}
	if err := c.Post("/api/v1/auth/login", testclient.JSON(map[string]string{"username": "ann", "password": goodPassword})).JSON(&tokens); err != nil || tokens.Access == "" {
		b.Fatalf("login: %v", err)
	}
	me, err := db.Q[User](b.Context(), d).Eq("username", "ann").First()
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < benchPosts; start += 1000 {
		posts := make([]Post, 0, 1000)
		for i := start; i < start+1000; i++ {
			ts := t0.Add(time.Duration(i) * time.Minute)
			posts = append(posts, Post{
				Title:   fmt.Sprintf("Post %05d on %s", i, benchTopics[i%len(benchTopics)]),
				Content: "Some words about " + benchTopics[(i/10)%len(benchTopics)] + ".", UserID: me.ID, Published: i%2 == 0,
				Timestamps: db.Timestamps{CreatedAt: ts, UpdatedAt: ts},
			})
		}
		if _, err := d.Bun().NewInsert().Model(&posts).Exec(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	settle := []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"}
	if d.Dialect() == db.Postgres {
		settle = []string{"VACUUM ANALYZE posts", "VACUUM ANALYZE users", "CHECKPOINT"}
	}
	for _, q := range settle {
		if _, err := d.SQL().ExecContext(b.Context(), q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	return app, tokens.Access
}

// serve runs one request through the app and checks its status.
func serve(b *testing.B, app http.Handler, method, target string, body []byte, token string, want int) {
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(method, target, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	if w.Code != want {
		b.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
	}
}

func BenchmarkEndpoints(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			var d *db.DB
			if dialect == db.Postgres {
				d = dbtest.Postgres(b, migrationFS(b))
			} else {
				var err error
				if d, err = db.Open(b.Context(), "sqlite:"+filepath.Join(b.TempDir(), "blog.db")); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = d.Close() })
			}
			app, token := benchApp(b, d)
			b.Run("get", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					i++
					serve(b, app, "GET", fmt.Sprintf("/api/v1/posts/%d", 1+i%benchPosts), nil, "", http.StatusOK)
				}
			})
			b.Run("list-search-page", func(b *testing.B) {
				// 1,000 of the 10,000 posts match "rust" (title or
				// content, case-insensitively); page 3 of 20, with the
				// total and each post's author.
				b.ReportAllocs()
				for b.Loop() {
					serve(b, app, "GET", "/api/v1/posts?search=RUST&page=3&limit=20", nil, "", http.StatusOK)
				}
			})
			b.Run("create", func(b *testing.B) {
				body := []byte(`{"title":"A benchmark post","content":"Written in a loop.","published":true}`)
				b.ReportAllocs()
				for b.Loop() {
					serve(b, app, "POST", "/api/v1/posts", body, token, http.StatusCreated)
				}
			})
		})
	}
}
