package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

type problem struct {
	Status int                 `json:"status"`
	Errors []nexios.FieldError `json:"errors"`
}

func TestTodoAPI(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, migrations(), func(t *testing.T, d *db.DB) {
		t.Parallel()
		app := newApp(d)
		c := openapitest.Client(t, app) // checks every exchange against the document
		for _, title := range []string{"Buy milk", "Write the report", "Call Émile", "Plan 100% of the trip"} {
			res := c.Post("/todos", testclient.JSON(map[string]string{"title": title}))
			if res.Status != 201 {
				t.Fatalf("create %q: %d %s", title, res.Status, res.Text())
			}
		}
		// A duplicate title is a 409 naming the field.
		res := c.Post("/todos", testclient.JSON(map[string]string{"title": "Buy milk"}))
		var p problem
		if res.Status != 409 || res.JSON(&p) != nil || len(p.Errors) != 1 || p.Errors[0].Field != "title" {
			t.Fatalf("duplicate: %d %s", res.Status, res.Text())
		}
		// Search folds case (Unicode included); % is literal.
		var page db.Page[Todo]
		for query, want := range map[string]string{"search=%C3%89MILE": "Call Émile", "search=100%25": "Plan 100% of the trip", "search=MILK": "Buy milk"} {
			res = c.Get("/todos?" + query)
			if res.Status != 200 || res.JSON(&page) != nil || page.Total != 1 || page.Items[0].Title != want {
				t.Fatalf("%s: %d %s", query, res.Status, res.Text())
			}
		}
		// Sort, order and pagination.
		res = c.Get("/todos?sort=title&order=desc&page=2&limit=3")
		if res.JSON(&page) != nil || page.Total != 4 || page.Pages != 2 || len(page.Items) != 1 || page.Items[0].Title != "Buy milk" || page.HasNext || !page.HasPrev {
			t.Fatalf("page 2: %s", res.Text())
		}
		// Bad input: a 422 naming the parameter.
		for query, param := range map[string]string{"sort=secret": "sort", "page=0": "page", "limit=500": "limit", "order=up": "order", "done=maybe": "done"} {
			res = c.Get("/todos?" + query)
			if res.Status != 422 || res.JSON(&p) != nil || p.Errors[0].Field != param {
				t.Errorf("%s: %d %s", query, res.Status, res.Text())
			}
		}
		// Patch only what is sent, then filter on it.
		res = c.Patch("/todos/1", testclient.JSON(map[string]bool{"done": true}))
		var todo Todo
		if res.Status != 200 || res.JSON(&todo) != nil || !todo.Done || todo.Title != "Buy milk" {
			t.Fatalf("patch: %d %s", res.Status, res.Text())
		}
		res = c.Get("/todos?done=true")
		if res.JSON(&page) != nil || page.Total != 1 || page.Items[0].ID != 1 {
			t.Fatalf("done filter: %s", res.Text())
		}
		// The feed pages by cursor; a tampered cursor is a 422.
		var feed db.CursorPage[Todo]
		res = c.Get("/todos/feed?limit=3")
		if res.JSON(&feed) != nil || len(feed.Items) != 3 || !feed.HasNext {
			t.Fatalf("feed: %s", res.Text())
		}
		res = c.Get("/todos/feed?limit=3&cursor=" + feed.NextCursor)
		if res.JSON(&feed) != nil || len(feed.Items) != 1 || feed.HasNext {
			t.Fatalf("feed page 2: %s", res.Text())
		}
		// No schema can say a cursor must carry the server's signature:
		// the document accepts a forged one, so this request alone goes
		// through the plain client (the checking one would report the 422).
		res = testclient.New(app).Get("/todos/feed?cursor=AAAA.BBBB")
		if res.Status != 422 || !strings.Contains(res.Text(), `"cursor"`) {
			t.Fatalf("bad cursor: %d %s", res.Status, res.Text())
		}
		// Delete, then 404.
		if res = c.Delete("/todos/1"); res.Status != 204 {
			t.Fatalf("delete: %d %s", res.Status, res.Text())
		}
		if res = c.Get("/todos/1"); res.Status != 404 {
			t.Fatalf("after delete: %d %s", res.Status, res.Text())
		}
		if res = c.Get("/openapi.json"); res.Status != 200 || !strings.Contains(res.Text(), `"has_next"`) {
			t.Fatalf("openapi: %d", res.Status)
		}
	})
}

// TestOpenAPI checks the document the app serves with an independent
// validator, and that it documents every route's input as binding reads
// it.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	openapitest.Check(t, newApp(dbtest.SQLite(t, migrations())))
}

// TestRunsOnASQLiteFile starts the real server on a SQLite file, as
// `go run ./examples/todo-db` does, and shuts it down.
func TestRunsOnASQLiteFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	d, err := setup(ctx, "sqlite:"+filepath.Join(t.TempDir(), "todo.db"))
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(d)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	url := fmt.Sprintf("http://%s/todos", ln.Addr())
	var res *http.Response
	for range 50 {
		res, err = http.Post(url, "application/json", strings.NewReader(`{"title":"from the network"}`))
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("status %d", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := d.Ping(context.Background()); err == nil {
		t.Fatal("the database is still open after shutdown")
	}
}
