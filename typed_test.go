package nexios_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-playground/validator/v10"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

type role string

func (role) Enum() []any { return []any{"admin", "user", "guest"} }

type address struct {
	City string `json:"city" validate:"required"`
	Zip  string `json:"zip" validate:"omitempty,len=5"`
}

type createUser struct {
	OrgID    int        `path:"org_id"`
	DryRun   bool       `query:"dry_run"`
	Token    string     `header:"X-Token" validate:"required"`
	Session  string     `cookie:"sid"`
	Username string     `json:"username" validate:"required,min=3,max=50"`
	Email    string     `json:"email" validate:"required,email"`
	Password string     `json:"password" validate:"required,strongpassword"`
	Role     role       `json:"role" default:"user"`
	Age      *int       `json:"age" validate:"omitempty,gte=0"`
	Born     *time.Time `json:"born"`
	Tags     []string   `json:"tags" validate:"max=3"`
	Address  []address  `json:"addresses" validate:"dive"`
}

type userOut struct {
	OrgID    int      `json:"org_id"`
	Username string   `json:"username"`
	Role     role     `json:"role"`
	DryRun   bool     `json:"dry_run"`
	Session  string   `json:"session"`
	Tags     []string `json:"tags"`
}

type listParams struct {
	Page  int    `query:"page" default:"1" validate:"gte=1"`
	Limit int    `query:"limit" default:"10" validate:"gte=1,lte=100"`
	Sort  string `query:"sort_by" default:"created_at"`
	IDs   []int  `query:"id"`
}

type passwordChange struct {
	Old string `json:"old_password" validate:"required"`
	New string `json:"new_password" validate:"required"`
}

// Validate is a Pydantic-style cross-field check.
func (p *passwordChange) Validate() error {
	if p.Old == p.New {
		return &nexios.ValidationError{Errors: []nexios.FieldError{{Location: "body", Field: "new_password", Message: "must differ from the old password", Rule: "different"}}}
	}
	return nil
}

// strongPassword is the seed's password rule: length ≥ 8, upper, lower, digit.
func strongPassword(fl validator.FieldLevel) bool {
	s := fl.Field().String()
	var up, low, digit bool
	for _, r := range s {
		up = up || unicode.IsUpper(r)
		low = low || unicode.IsLower(r)
		digit = digit || unicode.IsDigit(r)
	}
	return len(s) >= 8 && up && low && digit
}

func typedApp(t testing.TB) *nexios.App {
	app := nexios.New(nexios.Config{Logger: quiet})
	if err := app.Validator().RegisterValidation("strongpassword", strongPassword); err != nil {
		t.Fatal(err)
	}
	app.SetValidationMessage("strongpassword", func(validator.FieldError) string {
		return "must have 8+ characters with upper and lower case letters and a digit"
	})
	nexios.Post(app, "/orgs/{org_id:int}/users", func(req *nexios.Request, in *createUser) (*userOut, error) {
		return &userOut{OrgID: in.OrgID, Username: in.Username, Role: in.Role, DryRun: in.DryRun, Session: in.Session, Tags: in.Tags}, nil
	}, nexios.Status(http.StatusCreated), nexios.Summary("Create user"))
	nexios.Get(app, "/users", func(req *nexios.Request, in *listParams) (*map[string]any, error) {
		return &map[string]any{"page": in.Page, "limit": in.Limit, "sort": in.Sort, "ids": in.IDs}, nil
	})
	nexios.Post(app, "/password", func(req *nexios.Request, in *passwordChange) (*struct{}, error) {
		return nil, nil // struct{} output: 204
	})
	nexios.Post(app, "/forgot", func(req *nexios.Request, in *struct{}) (*userOut, error) {
		return nil, nil // documented 204: no body
	}, nexios.Status(http.StatusNoContent))
	nexios.Post(app, "/broken", func(req *nexios.Request, in *struct{}) (*userOut, error) {
		return nil, nil // documented 200 with a body: the handler's mistake
	})
	nexios.Delete(app, "/fail", func(req *nexios.Request, in *struct{}) (*struct{}, error) {
		return nil, nexios.NewHTTPError(409, "conflict")
	})
	return app
}

func TestTypedHandlers(t *testing.T) {
	t.Parallel()
	c := testclient.New(typedApp(t))
	good := map[string]any{"username": "ann", "email": "ann@example.com", "password": "Secret123", "tags": []string{"a"}}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	token := testclient.Header("X-Token", "t")
	cases := []struct {
		name   string
		path   string
		opts   []testclient.RequestOption
		status int
		want   []string
	}{
		{"created with defaults", "/orgs/7/users?dry_run=true", []testclient.RequestOption{token, testclient.JSON(good), testclient.Cookie(&http.Cookie{Name: "sid", Value: "s1"})}, 201,
			[]string{`"org_id":7`, `"role":"user"`, `"dry_run":true`, `"session":"s1"`}},
		{"explicit enum", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(with("role", "admin"))}, 201, []string{`"role":"admin"`}},
		{"bad enum", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(with("role", "root"))}, 422,
			[]string{`{"location":"body","field":"role","message":"must be one of: admin, user, guest","rule":"enum"}`}},
		{"missing header", "/orgs/7/users", []testclient.RequestOption{testclient.JSON(good)}, 422,
			[]string{`{"location":"header","field":"X-Token","message":"is required","rule":"required"}`}},
		{"weak password", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(with("password", "password"))}, 422,
			[]string{`"field":"password","message":"must have 8+ characters with upper and lower case letters and a digit","rule":"strongpassword"`}},
		{"many errors", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(map[string]any{"username": "x", "email": "nope", "tags": []string{"1", "2", "3", "4"}})}, 422,
			[]string{`"field":"username"`, `"field":"email"`, `"field":"password"`, `"field":"tags"`, `"detail":"validation failed for 4 fields"`}},
		{"nested path", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(with("addresses", []map[string]any{{"city": "Oslo"}, {"zip": "1"}}))}, 422,
			[]string{`"field":"addresses[1].city"`, `"field":"addresses[1].zip"`}},
		{"wrong scalar type", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(with("age", "old"))}, 422,
			[]string{`{"location":"body","field":"age","message":"must be an integer","rule":"type"}`}},
		{"wrong nested type", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(with("addresses", []any{map[string]any{"city": 5}}))}, 422,
			[]string{`"field":"addresses[0].city","message":"must be a string"`}},
		{"bad date", "/orgs/7/users", []testclient.RequestOption{token, testclient.JSON(with("born", "yesterday"))}, 422, []string{`"field":"born"`}},
		{"not json", "/orgs/7/users", []testclient.RequestOption{token, testclient.Body("application/json", []byte(`{"username":`))}, 400, []string{"malformed JSON"}},
		{"wrong content type", "/orgs/7/users", []testclient.RequestOption{token, testclient.Body("text/plain", []byte(`hi`))}, 415, []string{"unsupported Content-Type"}},
		{"converter mismatch", "/orgs/x/users", []testclient.RequestOption{token, testclient.JSON(good)}, 404, nil},
		{"query defaults", "/users", nil, 200, []string{`"page":1`, `"limit":10`, `"sort":"created_at"`}},
		{"query values", "/users?page=3&limit=50&sort_by=name&id=1&id=2", nil, 200, []string{`"page":3`, `"limit":50`, `"sort":"name"`, `"ids":[1,2]`}},
		{"query bad type", "/users?page=abc", nil, 422, []string{`{"location":"query","field":"page","message":"must be an integer","rule":"type"}`}},
		{"query out of range", "/users?limit=500&page=0", nil, 422, []string{`"field":"page"`, `"field":"limit"`, `"location":"query"`}},
		{"query bad slice item", "/users?id=1&id=x", nil, 422, []string{`"field":"id","message":"item 1 must be an integer"`}},
		{"validatable", "/password", []testclient.RequestOption{testclient.JSON(map[string]string{"old_password": "a", "new_password": "a"})}, 422, []string{`"rule":"different"`}},
		{"nil output", "/password", []testclient.RequestOption{testclient.JSON(map[string]string{"old_password": "a", "new_password": "b"})}, 204, nil},
		{"nil output, Status(204)", "/forgot", nil, 204, nil},
		{"nil output, documented with a body", "/broken", nil, 500, nil},
		{"handler error", "/fail", nil, 409, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := "POST"
			switch tc.path {
			case "/fail":
				method = "DELETE"
			}
			if strings.HasPrefix(tc.path, "/users") {
				method = "GET"
			}
			r := c.Do(method, tc.path, tc.opts...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Text())
			}
			for _, w := range tc.want {
				if !strings.Contains(r.Text(), w) {
					t.Errorf("body %s lacks %s", r.Text(), w)
				}
			}
		})
	}
}

// A JSON body must not set fields that come from headers or the path.
func TestBindIgnoresSmuggledParams(t *testing.T) {
	t.Parallel()
	type in struct {
		Role string `header:"X-Role"`
		ID   int    `path:"id"`
		Name string `json:"name"`
	}
	app := nexios.New(nexios.Config{})
	nexios.Put(app, "/items/{id:int}", func(req *nexios.Request, v *in) (*in, error) { return v, nil })
	r := testclient.New(app).Put("/items/3", testclient.JSON(map[string]any{"Role": "admin", "ID": 99, "name": "x"}))
	var got in
	if err := r.JSON(&got); err != nil || got.Role != "" || got.ID != 3 || got.Name != "x" {
		t.Errorf("got %+v %v (%s)", got, err, r.Text())
	}
}

// A body that a proxy could read differently from the handler (a key
// twice, a name in another case) is a 422 unless the app is lax.
func TestStrictJSONBodies(t *testing.T) {
	t.Parallel()
	type in struct {
		Role string `json:"role"`
	}
	for _, lax := range []bool{false, true} {
		app := nexios.New(nexios.Config{LaxJSON: lax})
		nexios.Post(app, "/x", func(req *nexios.Request, v *in) (*in, error) { return v, nil })
		c := testclient.New(app)
		for body, rule := range map[string]string{`{"role":"user","role":"admin"}`: "duplicate", `{"ROLE":"admin"}`: "case"} {
			r := c.Post("/x", testclient.Body("application/json", []byte(body)))
			switch {
			case !lax && (r.Status != 422 || !strings.Contains(r.Text(), `"rule":"`+rule+`"`)):
				t.Errorf("strict %s: %d %s", body, r.Status, r.Text())
			case lax && (r.Status != 200 || !strings.Contains(r.Text(), `"admin"`)):
				t.Errorf("lax %s: %d %s", body, r.Status, r.Text())
			}
		}
	}
}

func TestBindForm(t *testing.T) {
	t.Parallel()
	type login struct {
		User     string `form:"username" json:"username" validate:"required"`
		Remember bool   `form:"remember" json:"remember"`
	}
	app := nexios.New(nexios.Config{})
	nexios.Post(app, "/login", func(req *nexios.Request, in *login) (*login, error) { return in, nil })
	c := testclient.New(app)
	r := c.Post("/login", testclient.Form(url.Values{"username": {"ann"}, "remember": {"true"}}))
	if r.Status != 200 || r.Text() != "{\"username\":\"ann\",\"remember\":true}\n" {
		t.Errorf("form: %d %s", r.Status, r.Text())
	}
	r = c.Post("/login", testclient.Form(url.Values{"remember": {"maybe"}}))
	if r.Status != 422 || !strings.Contains(r.Text(), `"location":"form","field":"remember"`) {
		t.Errorf("form error: %d %s", r.Status, r.Text())
	}
}

func TestRouteDocRecorded(t *testing.T) {
	t.Parallel()
	app := typedApp(t)
	for _, rt := range app.Routes() {
		if rt.Pattern() != "/orgs/{org_id:int}/users" {
			continue
		}
		d := rt.Doc()
		if d.Input == nil || d.Input.Name() != "createUser" || d.Output.Name() != "userOut" || rt.SuccessStatus() != 201 || d.Summary != "Create user" {
			t.Errorf("doc %+v", d)
		}
		return
	}
	t.Fatal("route not found")
}

func TestBindErrorsAreTyped(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Post("/x", func(req *nexios.Request, res *nexios.Response) error {
		var v struct {
			N int `json:"n" validate:"gte=1"`
		}
		err := req.Bind(&v)
		var ve *nexios.ValidationError
		if !errors.As(err, &ve) || nexios.StatusOf(err) != 422 || ve.Errors[0].Field != "n" {
			return errors.New("not a validation error")
		}
		return res.Text("ok")
	})
	if r := testclient.New(app).Post("/x", testclient.JSON(map[string]int{"n": 0})); r.Text() != "ok" {
		t.Error(r.Text())
	}
}

func TestBindReportsTypeAndRuleErrorsTogether(t *testing.T) {
	t.Parallel()
	type in struct {
		Page  int    `query:"page"`
		Token string `header:"X-Token" validate:"required"`
	}
	app := nexios.New(nexios.Config{})
	nexios.Get(app, "/x", func(*nexios.Request, *in) (*in, error) { return nil, nil })
	r := testclient.New(app).Get("/x?page=abc")
	if r.Status != 422 || !strings.Contains(r.Text(), `"field":"page"`) || !strings.Contains(r.Text(), `"field":"X-Token"`) {
		t.Errorf("%d %s", r.Status, r.Text())
	}
}

// TestTypedSuccessResponse checks where a typed handler's success status
// and headers come from: its Status option or its output, never its
// documentation.
func TestTypedSuccessResponse(t *testing.T) {
	t.Parallel()
	type item struct {
		ID int `json:"id"`
	}
	type created struct {
		ID       int          `json:"id"`
		Status   int          `json:"-" status:""`
		Location string       `json:"-" header:"Location"`
		Count    int          `json:"-" header:"X-Count"`
		Cookie   *http.Cookie `json:"-" header:"Set-Cookie"`
	}
	type echo struct { // one type as In and Out: its header field is input
		Token string `header:"X-Token" json:"token"`
	}
	app := nexios.New(nexios.Config{Logger: quiet})
	routes := map[string]*nexios.Route{
		"status": nexios.Post(app, "/status", func(*nexios.Request, *struct{}) (*item, error) { return &item{1}, nil },
			nexios.Status(201)),
		"returns": nexios.Post(app, "/returns", func(*nexios.Request, *struct{}) (*item, error) { return &item{2}, nil },
			nexios.Returns[item](201, "documented only")),
		"empty": nexios.Delete(app, "/empty", func(*nexios.Request, *struct{}) (*struct{}, error) { return &struct{}{}, nil }),
		"output": nexios.Post(app, "/output", func(req *nexios.Request, _ *struct{}) (*created, error) {
			return &created{ID: 3, Status: 202, Location: "/items/3", Count: 7,
				Cookie: &http.Cookie{Name: "refresh", Value: "r1", HttpOnly: true, SameSite: http.SameSiteStrictMode}}, nil
		}),
		"response": nexios.Post(app, "/response", func(req *nexios.Request, _ *struct{}) (*item, error) {
			if err := req.Response().SetCookie(&http.Cookie{Name: "c", Value: "v"}); err != nil {
				return nil, err
			}
			return &item{4}, nil
		}),
		"echo": nexios.Post(app, "/echo", func(_ *nexios.Request, in *echo) (*echo, error) { return in, nil }),
	}
	c := testclient.New(app)
	for _, tc := range []struct {
		path, route string
		status      int
		documented  int
		body        string
		headers     map[string]string
	}{
		{"/status", "status", 201, 201, `{"id":1}`, nil},
		{"/returns", "returns", 200, 200, `{"id":2}`, nil},
		{"/empty", "empty", 204, 204, ``, nil},
		{"/output", "output", 202, 200, `{"id":3}`, map[string]string{"Location": "/items/3", "X-Count": "7",
			"Set-Cookie": "refresh=r1; Path=/; HttpOnly; SameSite=Strict"}},
		{"/response", "response", 200, 200, `{"id":4}`, map[string]string{"Set-Cookie": "c=v; Path=/; SameSite=Lax"}},
		{"/echo", "echo", 200, 200, `{"token":"t"}`, map[string]string{"X-Token": ""}},
	} {
		method := "POST"
		if tc.path == "/empty" {
			method = "DELETE"
		}
		r := c.Do(method, tc.path, testclient.Header("X-Token", "t"))
		if r.Status != tc.status || strings.TrimSpace(r.Text()) != tc.body {
			t.Errorf("%s = %d %q, want %d %q", tc.path, r.Status, r.Text(), tc.status, tc.body)
		}
		for k, v := range tc.headers {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", tc.path, k, got, v)
			}
		}
		if got := routes[tc.route].SuccessStatus(); got != tc.documented {
			t.Errorf("%s: SuccessStatus = %d, want %d", tc.path, got, tc.documented)
		}
	}
	if got := nexios.OutputHeaders(reflect.TypeFor[created]()); strings.Join(got, ",") != "Location,X-Count,Set-Cookie" {
		t.Errorf("OutputHeaders = %v", got)
	}
}

// TestTypedOutputMisdeclared checks that an output whose metadata fields
// are declared wrongly is refused at registration.
func TestTypedOutputMisdeclared(t *testing.T) {
	t.Parallel()
	type statusInBody struct {
		Status int `json:"status" status:""`
	}
	type badHeader struct {
		When []int `json:"-" header:"X-When"`
	}
	type badCookie struct {
		C *http.Cookie `json:"-" header:"X-Cookie"`
	}
	app := nexios.New(nexios.Config{})
	for name, register := range map[string]func(){
		"status in body": func() {
			nexios.Get(app, "/a", func(*nexios.Request, *struct{}) (*statusInBody, error) { return nil, nil })
		},
		"header type": func() {
			nexios.Get(app, "/b", func(*nexios.Request, *struct{}) (*badHeader, error) { return nil, nil })
		},
		"cookie header": func() {
			nexios.Get(app, "/c", func(*nexios.Request, *struct{}) (*badCookie, error) { return nil, nil })
		},
	} {
		if v := mustPanic(t, register); !strings.Contains(fmt.Sprint(v), "typed output") {
			t.Errorf("%s: panic %v", name, v)
		}
	}
	if len(app.Routes()) != 0 {
		t.Errorf("misdeclared routes were registered: %d", len(app.Routes()))
	}
}
