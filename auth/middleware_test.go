package auth_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

// headerBackend authenticates "X-User: id[,scope...]", Nexios' custom
// backend acceptance check.
var headerBackend = auth.BackendFunc(func(req *nexios.Request) (nexios.User, error) {
	h := req.Header("X-User")
	switch h {
	case "":
		return nil, nil
	case "inactive":
		return nil, auth.ErrUserInactive
	case "db-down":
		return nil, errors.New("connection refused")
	case "banned":
		return nil, nexios.NewHTTPError(http.StatusForbidden, "account banned")
	}
	parts := strings.Split(h, ",")
	return auth.SimpleUser{ID: parts[0], Permissions: parts[1:]}, nil
})

func user(spec string) testclient.RequestOption { return testclient.Header("X-User", spec) }

// Require at app, router and route level: 401 for anonymous users (with a
// JSON body and a challenge), 403 for a missing scope, 200 otherwise.
func TestRequireLevels(t *testing.T) {
	t.Parallel()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	app := quietApp()
	app.Use(nexios.Must(auth.Middleware(headerBackend, &auth.JWTBackend{JWT: j})))
	ok := func(req *nexios.Request, res *nexios.Response) error { return res.Text("hi " + req.User().Identity()) }
	app.Get("/open", ok)
	app.Get("/route", ok, auth.Required())
	app.Get("/route-admin", ok, nexios.WithMiddleware(auth.Require("admin", "write")))
	api := nexios.NewRouter("/api")
	api.Use(auth.Require())
	api.Get("/items", ok)
	api.Get("/admin", ok, auth.Required("admin"))
	app.Mount(api)
	whole := quietApp()
	whole.Use(nexios.Must(auth.Middleware(headerBackend)), auth.Require("staff"))
	whole.Get("/x", ok)

	c := testclient.New(app)
	cases := []struct {
		path   string
		opt    testclient.RequestOption
		status int
		detail string
	}{
		{"/open", nil, 200, ""},
		{"/route", nil, 401, "Not authenticated"},
		{"/route", user("ada"), 200, ""},
		{"/route-admin", user("ada,admin"), 403, "missing required scope: write"},
		{"/route-admin", user("ada,write,admin"), 200, ""},
		{"/api/items", nil, 401, "Not authenticated"},
		{"/api/items", user("ada"), 200, ""},
		{"/api/admin", user("ada"), 403, "missing required scope: admin"},
		{"/api/admin", user("ada,admin"), 200, ""},
		{"/route", user("inactive"), 401, "user is inactive"},
		{"/route", user("banned"), 403, "account banned"},
	}
	for _, tc := range cases {
		var opts []testclient.RequestOption
		if tc.opt != nil {
			opts = append(opts, tc.opt)
		}
		r := c.Get(tc.path, opts...)
		if tc.status == 200 {
			if r.Status != 200 || !strings.HasPrefix(r.Text(), "hi ") {
				t.Errorf("%s: %d %s", tc.path, r.Status, r.Text())
			}
			continue
		}
		t.Run(tc.path+" "+tc.detail, func(t *testing.T) {
			p := expectProblem(t, r, tc.status, tc.detail)
			if tc.status == 401 && challenge(r) != `Bearer realm="api"` {
				t.Errorf("WWW-Authenticate %q", challenge(r))
			}
			if tc.status == 403 && tc.detail != "account banned" && len(p.RequiredScopes) == 0 {
				t.Errorf("no required_scopes: %+v", p)
			}
		})
	}
	tw := testclient.New(whole)
	expectProblem(t, tw.Get("/x"), 401, "Not authenticated")
	expectProblem(t, tw.Get("/x", user("a")), 403, "missing required scope: staff")
	expectProblem(t, tw.Get("/nowhere", user("a,staff")), 404, "")
}

func TestBearerInsufficientScope(t *testing.T) {
	t.Parallel()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	tok, _ := j.CreateAccessToken("ada", map[string]any{"scope": "read"})
	r := testclient.New(protectedApp(t, &auth.JWTBackend{JWT: j})).Get("/admin", bearer(tok))
	expectProblem(t, r, 403, "missing required scope: admin")
	if ch := challenge(r); ch != `Bearer error="insufficient_scope", scope="admin"` {
		t.Fatalf("WWW-Authenticate %q", ch)
	}
}

// Backends are tried in order; a rejected credential does not stop
// another backend from succeeding; a failing backend fails the request.
func TestBackendOrder(t *testing.T) {
	t.Parallel()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	keys := &auth.APIKeyBackend{Lookup: auth.StaticAPIKeys(map[string]nexios.User{"k-1": auth.SimpleUser{ID: "svc"}})}
	app := protectedApp(t, &auth.JWTBackend{JWT: j}, keys, headerBackend)
	c := testclient.New(app)
	tok, _ := j.CreateAccessToken("ada", nil)

	r := c.Get("/me", bearer(tok), testclient.Header("X-API-Key", "k-1"))
	if !strings.Contains(r.Text(), `"id":"ada"`) {
		t.Fatalf("first backend should win: %s", r.Text())
	}
	r = c.Get("/me", bearer("expired.or.bad"), testclient.Header("X-API-Key", "k-1"))
	if !strings.Contains(r.Text(), `"id":"svc"`) {
		t.Fatalf("a bad token must not hide a good API key: %d %s", r.Status, r.Text())
	}
	// Both rejected: the first failure explains, every backend challenges.
	r = c.Get("/me", bearer("bad"), testclient.Header("X-API-Key", "nope"))
	expectProblem(t, r, 401, "malformed token")
	if ch := challenge(r); ch != `Bearer realm="api", error="invalid_token", error_description="malformed token" | APIKey realm="api"` {
		t.Fatalf("WWW-Authenticate %q", ch)
	}
	// A backend that cannot authenticate (a database down) is a 500, not
	// an anonymous request.
	r = c.Get("/public", user("db-down"))
	expectProblem(t, r, 500, "")

	// InfoOf without the middleware.
	bare := quietApp()
	bare.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		info := auth.InfoOf(req)
		return res.JSON(info.Backend == nil && info.Failure == nil)
	})
	if got := testclient.New(bare).Get("/").Text(); got != "true\n" {
		t.Fatalf("InfoOf without middleware: %s", got)
	}
}

func TestInfoAndCurrent(t *testing.T) {
	t.Parallel()
	type seen struct {
		Backend string `json:"backend"`
		Failure string `json:"failure"`
		User    string `json:"user"`
	}
	current := nexios.Depend(auth.Current[auth.SimpleUser])
	app := quietApp()
	app.Use(nexios.Must(auth.Middleware(headerBackend)))
	app.Get("/info", func(req *nexios.Request, res *nexios.Response) error {
		info := auth.InfoOf(req)
		var s seen
		if info.Backend != nil {
			s.Backend = "header"
		}
		if info.Failure != nil {
			s.Failure = info.Failure.Error()
		}
		return res.JSON(s)
	})
	app.Get("/current", func(req *nexios.Request, res *nexios.Response) error {
		u, err := current.Get(req)
		if err != nil {
			return err
		}
		return res.Text(u.ID)
	})
	app.Get("/wrong-type", func(req *nexios.Request, res *nexios.Response) error {
		_, err := auth.Current[*auth.SimpleUser](req)
		return err
	})
	c := testclient.New(app)
	if got := c.Get("/info", user("a")).Text(); got != `{"backend":"header","failure":"","user":""}`+"\n" {
		t.Fatalf("info: %s", got)
	}
	if got := c.Get("/info", user("inactive")).Text(); got != `{"backend":"","failure":"user is inactive","user":""}`+"\n" {
		t.Fatalf("info: %s", got)
	}
	if r := c.Get("/current", user("ada")); r.Text() != "ada" {
		t.Fatalf("current: %s", r.Text())
	}
	expectProblem(t, c.Get("/current"), 401, "Not authenticated")
	expectProblem(t, c.Get("/wrong-type", user("ada")), 500, "")
}

// Without the authentication middleware, Require still refuses anonymous
// requests (with a default Bearer challenge) and honours users set by
// other middleware.
func TestRequireWithoutMiddleware(t *testing.T) {
	t.Parallel()
	app := quietApp()
	app.Get("/x", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") }, auth.Required())
	r := testclient.New(app).Get("/x")
	expectProblem(t, r, 401, "Not authenticated")
	if challenge(r) != `Bearer realm="api"` {
		t.Fatalf("WWW-Authenticate %q", challenge(r))
	}
	own := quietApp()
	own.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			nexios.UserKey.Set(req, auth.SimpleUser{ID: "me"})
			return next(req, res)
		}
	})
	own.Get("/x", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") }, auth.Required())
	if r := testclient.New(own).Get("/x"); r.Status != 200 {
		t.Fatalf("%d", r.Status)
	}
}

func TestMiddlewareConfigErrors(t *testing.T) {
	t.Parallel()
	cases := map[string][]auth.Backend{
		"none":              nil,
		"nil":               {nil},
		"jwt without JWT":   {&auth.JWTBackend{}},
		"session w/o Load":  {&auth.SessionBackend{}},
		"apikey w/o Lookup": {&auth.APIKeyBackend{}},
		"basic w/o Verify":  {&auth.BasicBackend{}},
	}
	for name, bs := range cases {
		if _, err := auth.Middleware(bs...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	u := auth.SimpleUser{ID: "1", Permissions: []string{"a", "b"}}
	if !u.IsAuthenticated() || u.DisplayName() != "1" || !auth.HasScopes(u, "a", "b") || auth.HasScopes(u, "c") {
		t.Fatal("SimpleUser")
	}
	if auth.HasScopes(nexios.Anonymous{}) || auth.HasScopes(nil) {
		t.Fatal("anonymous users hold no scopes, not even none")
	}
	if (auth.SimpleUser{ID: "1", Name: "Ada"}).DisplayName() != "Ada" {
		t.Fatal("DisplayName")
	}
}
