package nexios_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

type user struct {
	Name   string
	Active bool
}

func TestDependencies(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var log []string
	rec := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	take := func() string { mu.Lock(); defer mu.Unlock(); s := strings.Join(log, ","); log = nil; return s }

	calls := 0
	db := nexios.Depend(func(req *nexios.Request) (string, error) {
		calls++
		rec("open-db")
		req.Defer(func() { rec("close-db") })
		return "db", nil
	})
	currentUser := nexios.Depend(func(req *nexios.Request) (*user, error) {
		conn, err := db.Get(req) // nested
		if err != nil {
			return nil, err
		}
		rec("load-user-from-" + conn)
		req.Defer(func() { rec("release-user") })
		switch req.Header("Authorization") {
		case "Bearer good":
			return &user{Name: "ann", Active: true}, nil
		case "Bearer inactive":
			return nil, nexios.NewHTTPError(401, "User is inactive")
		}
		return nil, nexios.NewHTTPError(401, "Invalid token")
	})
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Header("X-Mw") != "" { // middleware can use dependencies too
				if _, err := db.Get(req); err != nil {
					return err
				}
			}
			return next(req, res)
		}
	})
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		u, err := currentUser.Get(req)
		if err != nil {
			return err
		}
		again, _ := currentUser.Get(req) // cached: same pointer
		if again != u {
			return errors.New("not cached")
		}
		rec("handler")
		return res.JSON(map[string]string{"name": u.Name})
	})
	c := testclient.New(app)
	r := c.Get("/me", testclient.BearerToken("good"))
	if r.Status != 200 || r.Text() != "{\"name\":\"ann\"}\n" {
		t.Fatalf("me: %d %s", r.Status, r.Text())
	}
	if got := take(); got != "open-db,load-user-from-db,handler,release-user,close-db" {
		t.Errorf("order %s", got)
	}
	if calls != 1 {
		t.Errorf("db provider called %d times", calls)
	}
	r = c.Get("/me", testclient.BearerToken("inactive"))
	if r.Status != 401 || !strings.Contains(r.Text(), "User is inactive") {
		t.Errorf("inactive: %d %s", r.Status, r.Text())
	}
	if got := take(); got != "open-db,load-user-from-db,release-user,close-db" {
		t.Errorf("cleanup on error: %s", got)
	}
	c.Get("/me", testclient.Header("X-Mw", "1"), testclient.BearerToken("good"))
	if got := take(); strings.Count(got, "open-db") != 1 {
		t.Errorf("shared between middleware and handler: %s", got)
	}
}

func TestRequiresScopes(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	ran := map[string]int{}
	mark := func(name string) *nexios.Dependency[string] {
		return nexios.Depend(func(req *nexios.Request) (string, error) {
			mu.Lock()
			ran[name]++
			mu.Unlock()
			if req.Query("fail") == name {
				return "", nexios.NewHTTPError(403, name+" refused")
			}
			return name, nil
		})
	}
	appDep, adminDep, routeDep := mark("app"), mark("admin"), mark("route")
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Requires(appDep)
	admin := nexios.NewRouter("/admin")
	admin.Requires(adminDep)
	admin.Get("/panel", text("panel"))
	app.Mount(admin)
	app.Get("/public", text("public"))
	app.Get("/special", text("special"), nexios.Requires(routeDep))
	c := testclient.New(app)
	snapshot := func() string {
		mu.Lock()
		defer mu.Unlock()
		s := fmt.Sprint(ran)
		clear(ran)
		return s
	}
	cases := []struct {
		path   string
		status int
		ran    string
	}{
		{"/public", 200, "map[app:1]"},
		{"/admin/panel", 200, "map[admin:1 app:1]"},
		{"/special", 200, "map[app:1 route:1]"},
		{"/missing", 404, "map[]"}, // app dependencies run for routes only
		{"/admin/panel?fail=admin", 403, "map[admin:1 app:1]"},
		{"/admin/panel?fail=app", 403, "map[app:1]"},
	}
	for _, tc := range cases {
		r := c.Get(tc.path)
		if got := snapshot(); r.Status != tc.status || got != tc.ran {
			t.Errorf("%s: %d ran %s, want %d %s", tc.path, r.Status, got, tc.status, tc.ran)
		}
	}
}

func TestDependencyCycleAndPanickingCleanup(t *testing.T) {
	t.Parallel()
	var a, b *nexios.Dependency[int]
	a = nexios.Depend(func(req *nexios.Request) (int, error) { v, err := b.Get(req); return v + 1, err })
	b = nexios.Depend(func(req *nexios.Request) (int, error) { v, err := a.Get(req); return v + 1, err })
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Get("/cycle", func(req *nexios.Request, res *nexios.Response) error {
		_, err := a.Get(req)
		return err
	})
	cleaned := make(chan string, 2)
	app.Get("/cleanup", func(req *nexios.Request, res *nexios.Response) error {
		req.Defer(func() { cleaned <- "first" })
		req.Defer(func() { panic("cleanup broke") })
		return res.Text("ok")
	})
	c := testclient.New(app)
	if r := c.Get("/cycle"); r.Status != 500 {
		t.Errorf("cycle: %d", r.Status)
	}
	if r := c.Get("/cleanup"); r.Status != 200 || <-cleaned != "first" {
		t.Errorf("cleanup: %d", r.Status)
	}
}
