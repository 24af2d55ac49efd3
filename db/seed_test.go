package db_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/testclient"
)

// The seed 001 users API on the data layer, as a user would write it.

type listUsersIn struct {
	db.ListParams
	IsActive *bool `query:"is_active"`
}

type createUserIn struct {
	Username string `json:"username" validate:"required,min=3"`
	Email    string `json:"email" validate:"required,email"`
	Password string `json:"password" validate:"required,min=8"`
}

type updateUserIn struct {
	ID       int64   `path:"id"`
	Username *string `json:"username" validate:"omitempty,min=3"`
	Email    *string `json:"email" validate:"omitempty,email"`
	IsActive *bool   `json:"is_active"`
}

type userID struct {
	ID int64 `path:"id"`
}

type postsIn struct {
	db.CursorParams
	Sort string `query:"sort"`
}

func seedApp(d *db.DB) *nexios.App {
	app := nexios.New(nexios.Config{})
	nexios.Get(app, "/users", func(req *nexios.Request, in *listUsersIn) (*db.Page[User], error) {
		return db.Q[User](req.Context(), d).
			Filter("is_active", in.IsActive).
			Search(in.Search, "username", "email").
			OrderBy(in.Sort, in.Order, "created_at", "username", "id").
			Paginate(in.Page, in.Limit)
	})
	nexios.Post(app, "/users", func(req *nexios.Request, in *createUserIn) (*User, error) {
		u := &User{Username: in.Username, Email: in.Email, Password: "hashed:" + in.Password, IsActive: true}
		return u, db.Create(req.Context(), d, u)
	}, nexios.Status(http.StatusCreated))
	nexios.Get(app, "/users/{id:int}", func(req *nexios.Request, in *userID) (*User, error) {
		return db.GetOr404[User](req.Context(), d, in.ID)
	})
	nexios.Put(app, "/users/{id:int}", func(req *nexios.Request, in *updateUserIn) (*User, error) {
		u, err := db.GetOr404[User](req.Context(), d, in.ID)
		if err != nil {
			return nil, err
		}
		return u, db.Update(req.Context(), d, u, in)
	})
	nexios.Delete(app, "/users/{id:int}", func(req *nexios.Request, in *userID) (*struct{}, error) {
		return nil, db.DeleteByID[User](req.Context(), d, in.ID)
	})
	nexios.Get(app, "/posts", func(req *nexios.Request, in *postsIn) (*db.CursorPage[Post], error) {
		return db.Q[Post](req.Context(), d).With("Author").OrderBy(in.Sort, "", "created_at", "id").Cursor(in.Cursor, in.Limit)
	})
	return app
}

type problem struct {
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []nexios.FieldError `json:"errors"`
}

func TestSeedUsersAPI(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		c := testclient.New(seedApp(d))
		for i, name := range []string{"émile", "ÉMILE_2", "zoe", "adam"} {
			res := c.Post("/users", testclient.JSON(map[string]string{"username": name, "email": fmt.Sprintf("u%d@example.com", i), "password": "longenough"}))
			if res.Status != 201 || strings.Contains(res.Text(), "password") {
				t.Fatalf("create %s: %d %s", name, res.Status, res.Text())
			}
		}
		res := c.Post("/users", testclient.JSON(map[string]string{"username": "dupe", "email": "u1@example.com", "password": "longenough"}))
		var p problem
		_ = res.JSON(&p)
		if res.Status != 409 || len(p.Errors) != 1 || p.Errors[0].Field != "email" || p.Errors[0].Location != "body" {
			t.Fatalf("duplicate email: %d %s", res.Status, res.Text())
		}
		var page db.Page[User]
		res = c.Get("/users?search=%C3%89mile&sort=username&order=desc&limit=1")
		if res.Status != 200 || res.JSON(&page) != nil {
			t.Fatalf("list: %d %s", res.Status, res.Text())
		}
		if page.Total != 2 || page.Pages != 2 || !page.HasNext || page.Items[0].Username != "émile" {
			t.Fatalf("list page %+v", page)
		}
		if !strings.Contains(res.Text(), `"has_prev":false`) {
			t.Fatalf("envelope %s", res.Text())
		}
		for query, param := range map[string]string{
			"page=0":                    "page",
			"page=-3":                   "page",
			"page=99999999999999999999": "page",
			"limit=1000":                "limit",
			"limit=0":                   "limit",
			"sort=password":             "sort",
			"sort=id%3Bdrop":            "sort",
			"order=sideways":            "order",
		} {
			res := c.Get("/users?" + query)
			var p problem
			_ = res.JSON(&p)
			if res.Status != 422 || len(p.Errors) == 0 || p.Errors[0].Field != param || p.Errors[0].Location != "query" {
				t.Errorf("%s: %d %s", query, res.Status, res.Text())
			}
		}
		res = c.Get("/users?page=9223372036854775807&limit=100")
		if res.Status != 200 || res.JSON(&page) != nil || len(page.Items) != 0 || page.HasNext {
			t.Fatalf("huge page: %d %s", res.Status, res.Text())
		}
		// Get, patch (exclude_unset), delete.
		res = c.Get("/users/1")
		if res.Status != 200 {
			t.Fatalf("get: %d %s", res.Status, res.Text())
		}
		res = c.Put("/users/1", testclient.JSON(map[string]any{"is_active": false}))
		var u User
		if res.Status != 200 || res.JSON(&u) != nil || u.IsActive || u.Username != "émile" {
			t.Fatalf("patch: %d %s", res.Status, res.Text())
		}
		res = c.Put("/users/1", testclient.JSON(map[string]any{"email": "u2@example.com"}))
		if res.Status != 409 {
			t.Fatalf("patch into a taken email: %d %s", res.Status, res.Text())
		}
		if res := c.Get("/users?is_active=false"); !strings.Contains(res.Text(), `"total":1`) {
			t.Fatalf("filter: %s", res.Text())
		}
		if res := c.Delete("/users/4"); res.Status != 204 {
			t.Fatalf("delete: %d %s", res.Status, res.Text())
		}
		for _, path := range []string{"/users/4", "/users/999"} {
			res := c.Get(path)
			_ = res.JSON(&p)
			if res.Status != 404 || p.Detail != "User not found" {
				t.Fatalf("%s: %d %s", path, res.Status, res.Text())
			}
		}
		// Keyset pagination through HTTP, and a bad cursor.
		for i := range 5 {
			if err := db.Create(ctxT(t), d, &Post{Title: fmt.Sprint("p", i), Content: "c", UserID: 1}); err != nil {
				t.Fatal(err)
			}
		}
		var cp db.CursorPage[Post]
		res = c.Get("/posts?limit=2&sort=-created_at")
		if res.Status != 200 || res.JSON(&cp) != nil || len(cp.Items) != 2 || cp.NextCursor == "" || cp.Items[0].Author == nil {
			t.Fatalf("posts: %d %s", res.Status, res.Text())
		}
		res = c.Get("/posts?limit=2&sort=-created_at&cursor=" + cp.NextCursor)
		if res.Status != 200 {
			t.Fatalf("posts page 2: %d %s", res.Status, res.Text())
		}
		for _, q := range []string{"sort=-created_at&cursor=junk", "sort=id&cursor=" + cp.NextCursor} {
			res = c.Get("/posts?limit=2&" + q)
			_ = res.JSON(&p)
			if res.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
				t.Fatalf("%s: %d %s", q, res.Status, res.Text())
			}
		}
	})
}

// TestSeedOpenAPI: the list endpoint's query parameters and response
// envelope are documented from PageParams/ListParams and Page[T], and
// binding refuses what the document forbids (page=0, limit=101,
// order=up).
func TestSeedOpenAPI(t *testing.T) {
	t.Parallel()
	app := seedApp(openSQLite(t))
	if err := openapi.CheckBindings(app); err != nil {
		t.Error(err)
	}
	spec, err := openapi.Document(app, openapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string         `json:"name"`
				In     string         `json:"in"`
				Schema map[string]any `json:"schema"`
			} `json:"parameters"`
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	params := map[string]map[string]any{}
	for _, p := range doc.Paths["/users"]["get"].Parameters {
		if p.In == "query" {
			params[p.Name] = p.Schema
		}
	}
	for _, name := range []string{"page", "limit", "search", "sort", "order", "is_active"} {
		if params[name] == nil {
			t.Errorf("query parameter %s not documented (have %v)", name, params)
		}
	}
	if params["limit"]["maximum"] != float64(100) || params["page"]["minimum"] != float64(1) || params["page"]["default"] != float64(1) {
		t.Errorf("bounds: page %v limit %v", params["page"], params["limit"])
	}
	if !strings.Contains(string(b), `"has_next"`) || !strings.Contains(string(b), `"pages"`) {
		t.Errorf("page envelope not in the document")
	}
	cursorParams := map[string]bool{}
	for _, p := range doc.Paths["/posts"]["get"].Parameters {
		cursorParams[p.Name] = true
	}
	if !cursorParams["cursor"] || !cursorParams["limit"] {
		t.Errorf("cursor parameters: %v", cursorParams)
	}
}
