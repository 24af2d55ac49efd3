package openapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/openapi"
)

// Routes without a summary get one, and a document without servers lists
// "/", so that linters are quiet by default.
func TestDerivedSummariesAndServers(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/users/{id:int}", plain)
	app.Get("/named", plain, nexios.Name("list_all-users"))
	app.Route([]string{"GET", "POST"}, "/both", plain, nexios.Name("both"))
	r := nexios.NewRouter("/v1", nexios.RouterName("v1"))
	r.Get("/x", plain, nexios.Name("get_x"))
	app.Mount(r)
	app.Get("/given", plain, nexios.Summary("Given"))
	doc := build(t, app, openapi.Config{})
	eq(t, "servers", doc["servers"], `[{"url":"/"}]`)
	for path, want := range map[string]string{
		"/users/{id}.get": "GET /users/{id}", "/named.get": "List all users", "/both.get": "Both (GET)",
		"/both.post": "Both (POST)", "/v1/x.get": "Get x", "/given.get": "Given",
	} {
		p, m, _ := strings.Cut(path, ".")
		eq(t, path, at(t, doc, "paths", p, m, "summary"), `"`+want+`"`)
	}
}

// ErrorSchema sets the schema of every error response at once, for apps
// whose RenderProblem writes their own format.
func TestErrorSchema(t *testing.T) {
	t.Parallel()
	type APIError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	type In struct {
		Name string `json:"name" validate:"required"`
	}
	app := nexios.New(nexios.Config{})
	nexios.Post(app, "/x", func(*nexios.Request, *In) (*struct{}, error) { return nil, nil },
		nexios.Returns[struct{}](http.StatusConflict, "Taken"), auth.Required("admin"))
	cfg := openapi.Config{ErrorSchema: APIError{}, SecuritySchemes: map[string]openapi.SecurityScheme{"jwt": openapi.BearerJWT()}}
	doc := build(t, app, cfg)
	op := at(t, doc, "paths", "/x", "post", "responses").(map[string]any)
	for _, status := range []string{"401", "403", "409", "422", "default"} {
		eq(t, status, at(t, op, status, "content"), `{"application/json":{"schema":{"$ref":"#/components/schemas/APIError"}}}`)
	}
	eq(t, "204", op["204"], `{"description":"No Content"}`)
	eq(t, "APIError", at(t, doc, "components", "schemas", "APIError"),
		`{"type":"object","required":["code","message"],"properties":{"code":{"type":"string"},"message":{"type":"string"}}}`)
	if _, ok := at(t, doc, "components", "schemas").(map[string]any)["Problem"]; ok {
		t.Error("Problem is still a component")
	}
	doc = build(t, app, openapi.Config{ErrorSchema: APIError{}, ErrorMediaType: "application/vnd.api+json"})
	eq(t, "media", at(t, doc, "paths", "/x", "post", "responses", "422", "content"),
		`{"application/vnd.api+json":{"schema":{"$ref":"#/components/schemas/APIError"}}}`)
}

// auth.Required documents itself: the API's schemes with the route's
// scopes, 401 and (with scopes) 403.
func TestAuthenticatedRoutes(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/open", plain)
	app.Get("/login", plain, auth.Required())
	app.Delete("/admin", plain, auth.Required("admin", "write"))
	app.Get("/explicit", plain, auth.Required(), nexios.Security("key"))
	schemes := map[string]openapi.SecurityScheme{"jwt": openapi.BearerJWT(), "key": openapi.APIKeyHeader("X-Key")}

	doc := build(t, app, openapi.Config{SecuritySchemes: schemes})
	eq(t, "no default: every scheme", at(t, doc, "paths", "/login", "get", "security"), `[{"jwt":[]},{"key":[]}]`)
	eq(t, "scopes", at(t, doc, "paths", "/admin", "delete", "security"), `[{"jwt":["admin","write"]},{"key":["admin","write"]}]`)
	eq(t, "explicit wins", at(t, doc, "paths", "/explicit", "get", "security"), `[{"key":[]}]`)
	for path, want := range map[string]string{"/open.get": "", "/login.get": "401", "/admin.delete": "401 403"} {
		p, m, _ := strings.Cut(path, ".")
		resps := at(t, doc, "paths", p, m, "responses").(map[string]any)
		var got []string
		for _, s := range []string{"401", "403"} {
			if _, ok := resps[s]; ok {
				got = append(got, s)
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s documents %v, want %q", path, got, want)
		}
	}
	if _, ok := at(t, doc, "paths", "/open", "get").(map[string]any)["security"]; ok {
		t.Error("an open route on an API without default security has security")
	}

	doc = build(t, app, openapi.Config{SecuritySchemes: schemes, DefaultSecurity: []map[string][]string{{"jwt": {}}, {}}})
	eq(t, "default's alternatives, anonymous dropped", at(t, doc, "paths", "/admin", "delete", "security"), `[{"jwt":["admin","write"]}]`)
	if _, ok := at(t, doc, "paths", "/open", "get", "responses").(map[string]any)["401"]; ok {
		t.Error("a route the default lets anonymous users call documents 401")
	}
}

// CheckBindings finds where the document and binding disagree.
func TestCheckBindings(t *testing.T) {
	t.Parallel()
	app, cfg := newTestApp()
	if err := openapi.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	if err := openapi.CheckBindings(app); err != nil {
		t.Errorf("the test app: %v", err)
	}
	if err := openapi.CheckBindings(nil); err == nil {
		t.Error("nil app: no error")
	}

	// Rules the schema cannot express make binding stricter than the
	// document: the checker says where.
	bad := nexios.New(nexios.Config{})
	if err := bad.Validator().RegisterValidation("no_c", func(fl validator.FieldLevel) bool { return fl.Field().String() == "" }); err != nil {
		t.Fatal(err)
	}
	nexios.Post(bad, "/cross", func(*nexios.Request, *Cross) (*struct{}, error) { return nil, nil })
	err := openapi.CheckBindings(bad)
	for _, want := range []string{
		"POST /cross: query a is documented as optional, but binding rejects a request without it",
		`POST /cross: body c: the valid value aaa is rejected`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckBindings = %v, want %q", err, want)
		}
	}

	// A described rule's character classes (allOf patterns) are met by
	// the value the checker sends as valid: a password rule is no
	// mismatch.
	strong := nexios.New(nexios.Config{})
	upperDigit := regexp.MustCompile(`\p{Lu}.*\p{Nd}|\p{Nd}.*\p{Lu}`)
	if err := strong.Validator().RegisterValidation("strong", func(fl validator.FieldLevel) bool {
		v := fl.Field().String()
		return len(v) >= 8 && upperDigit.MatchString(v)
	}); err != nil {
		t.Fatal(err)
	}
	strong.DescribeRule("strong", nexios.RuleSchema{MinLength: 8, Contains: []string{`\p{Lu}`, `\p{Nd}`}})
	nexios.Post(strong, "/strong", func(*nexios.Request, *Strong) (*struct{}, error) { return nil, nil })
	if err := openapi.CheckBindings(strong); err != nil {
		t.Errorf("a described rule: %v", err)
	}
}

// Strong has a custom rule described in JSON Schema.
type Strong struct {
	P string `json:"p" validate:"required,strong"`
}

// Cross has checks no schema shows: a custom rule, and a Validate method
// that wants a.
type Cross struct {
	A string `query:"a"`
	C string `json:"c" validate:"no_c"`
}

func (c *Cross) Validate() error {
	if c.A == "" {
		return &nexios.ValidationError{Errors: []nexios.FieldError{{Location: "query", Field: "a", Message: "is required", Rule: "required"}}}
	}
	return nil
}

// Downgrade turns the 3.1 forms into their 3.0 equivalents.
func TestDowngrade(t *testing.T) {
	t.Parallel()
	in := `{"openapi":"3.1.0","jsonSchemaDialect":"x","info":{"title":"T","version":"1","summary":"s","license":{"name":"MIT","identifier":"MIT"}},
	"paths":{"/a":{"get":{"parameters":[{"name":"q","in":"query","schema":{"type":["null","integer"],"exclusiveMinimum":0}}],
	"responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}},
	"components":{"schemas":{"A":{"type":"object","properties":{
		"r":{"$ref":"#/components/schemas/B","default":"x"},"c":{"const":true},"m":{"type":["string","integer"]},
		"e":{"type":"string","examples":["a","b"]},"n":{"type":"integer","not":{"const":0}},"l":{"type":["array","null"],"items":{"type":"string","contentMediaType":"x"}}}},
	"B":{"type":"string","enum":["x"],"$comment":"c"}}}}`
	out, err := openapi.Downgrade([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	eq(t, "doc", got, `{"openapi":"3.0.3","info":{"title":"T","version":"1","license":{"name":"MIT"}},
	"paths":{"/a":{"get":{"parameters":[{"name":"q","in":"query","schema":{"type":"integer","nullable":true,"minimum":0,"exclusiveMinimum":true}}],
	"responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}},
	"components":{"schemas":{"A":{"type":"object","properties":{
		"r":{"allOf":[{"$ref":"#/components/schemas/B"}],"default":"x"},"c":{"enum":[true]},"m":{"anyOf":[{"type":"string"},{"type":"integer"}]},
		"e":{"type":"string","example":"a"},"n":{"type":"integer","not":{"enum":[0]}},"l":{"type":"array","nullable":true,"items":{"type":"string"}}}},
	"B":{"type":"string","enum":["x"]}}}}`)
	if _, err := openapi.Downgrade([]byte("{")); err == nil {
		t.Error("bad JSON: no error")
	}
}

// One wire type, one schema: nexios.FieldError in a route's own error
// body and in the error schema is one component.
func TestFieldErrorOnce(t *testing.T) {
	t.Parallel()
	type QueryError struct {
		Error   string              `json:"error"`
		Details []nexios.FieldError `json:"details"`
	}
	type In struct {
		Page int `query:"page" validate:"gte=1"`
	}
	app := nexios.New(nexios.Config{})
	nexios.Get(app, "/x", func(*nexios.Request, *In) (*struct{}, error) { return nil, nil },
		nexios.Returns[QueryError](http.StatusBadRequest, "Bad query"))
	doc := build(t, app, openapi.Config{})
	var names []string
	for n := range at(t, doc, "components", "schemas").(map[string]any) {
		names = append(names, n)
	}
	slices.Sort(names)
	eq(t, "components", names, `["FieldError","Problem","QueryError"]`)
	eq(t, "details", at(t, doc, "components", "schemas", "QueryError", "properties", "details", "items"), `{"$ref":"#/components/schemas/FieldError"}`)
	eq(t, "errors", at(t, doc, "components", "schemas", "Problem", "properties", "errors", "items"), `{"$ref":"#/components/schemas/FieldError"}`)
	eq(t, "location", at(t, doc, "components", "schemas", "FieldError", "properties", "location", "enum"), `["body","query","path","header","cookie","form"]`)
}

// docView is a view whose methods document themselves.
type docView struct{}

func (docView) Get(_ *nexios.Request, res *nexios.Response) error {
	return res.JSON(map[string]int{"id": 1})
}
func (docView) Delete(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() }
func (docView) RouteOptions(method string) []nexios.RouteOption {
	if method == http.MethodGet {
		return []nexios.RouteOption{nexios.Summary("Get the item")}
	}
	return []nexios.RouteOption{nexios.Summary("Delete the item"), nexios.Status(http.StatusNoContent)}
}

// A view's methods are operations of one path in the document, with the
// options the view and its registration give them; the methods it lacks
// are not.
func TestViewOperations(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.View("/items/{id:int}", docView{}, nexios.Tags("items"))
	doc := build(t, app, openapi.Config{})
	ops := at(t, doc, "paths", "/items/{id}").(map[string]any)
	var methods []string
	for m := range ops {
		if m != "parameters" {
			methods = append(methods, m)
		}
	}
	slices.Sort(methods)
	if strings.Join(methods, " ") != "delete get" {
		t.Fatalf("operations %v, want delete and get", methods)
	}
	eq(t, "get summary", at(t, doc, "paths", "/items/{id}", "get", "summary"), `"Get the item"`)
	eq(t, "delete summary", at(t, doc, "paths", "/items/{id}", "delete", "summary"), `"Delete the item"`)
	eq(t, "tags", at(t, doc, "paths", "/items/{id}", "get", "tags"), `["items"]`)
	if _, ok := at(t, doc, "paths", "/items/{id}", "delete", "responses").(map[string]any)["204"]; !ok {
		t.Error("the DELETE's 204 is not documented")
	}
}
