package openapi_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
)

func build(t *testing.T, app *nexios.App, cfg openapi.Config) map[string]any {
	t.Helper()
	b, err := openapi.Build(app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return checkDocument(t, b)
}

// eq compares a decoded JSON value with the JSON text want.
func eq(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want: %v", what, err)
	}
	g, _ := json.Marshal(got)
	var gv any
	_ = json.Unmarshal(g, &gv)
	if !reflect.DeepEqual(gv, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, want)
	}
}

func TestTestAppDocument(t *testing.T) {
	app, cfg := newTestApp()
	doc := build(t, app, cfg)

	eq(t, "info", doc["info"], `{"title":"Test API","version":"2.0.0","description":"Every option."}`)
	eq(t, "servers", doc["servers"], `[{"url":"https://api.example.com","description":"Production"}]`)
	eq(t, "tags", doc["tags"], `[{"name":"users","description":"User accounts"},{"name":"auth","description":"Sessions"},{"name":"api"}]`)
	eq(t, "security", doc["security"], `[{"bearerAuth":[]}]`)
	eq(t, "securitySchemes", at(t, doc, "components", "securitySchemes"), `{
		"bearerAuth": {"type":"http","scheme":"bearer","bearerFormat":"JWT"},
		"apiKey": {"type":"apiKey","in":"header","name":"X-API-Key"},
		"queryKey": {"type":"apiKey","in":"query","name":"api_key"},
		"session": {"type":"apiKey","in":"cookie","name":"sid","description":"Session cookie sid"},
		"basic": {"type":"http","scheme":"basic","description":"For scripts"}}`)

	var paths []string
	for p := range at(t, doc, "paths").(map[string]any) {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	eq(t, "paths", paths, `["/","/api/v1/files/{rest}","/api/v1/items/{item_id}","/api/v1/posts/{slug}",
		"/api/v1/prices/{amount}/{color}/{name}","/api/v1/users","/api/v1/users/{id}",
		"/health","/items/bulk","/login","/multi","/search"]`)

	ops := map[string]string{}
	for p, item := range at(t, doc, "paths").(map[string]any) {
		for m, op := range item.(map[string]any) {
			ops[m+" "+p] = op.(map[string]any)["operationId"].(string)
		}
	}
	eq(t, "operationIds", ops, `{
		"get /": "get_root",
		"get /api/v1/files/{rest}": "get_api_v1_files_rest",
		"get /api/v1/items/{item_id}": "get_api_v1_items_item_id",
		"get /api/v1/posts/{slug}": "get_api_v1_posts_slug",
		"get /api/v1/prices/{amount}/{color}/{name}": "get_api_v1_prices_amount_color_name",
		"get /api/v1/users": "api_v1_list_users",
		"post /api/v1/users": "post_api_v1_users",
		"get /api/v1/users/{id}": "api_v1_get_user",
		"patch /api/v1/users/{id}": "patchUser",
		"delete /api/v1/users/{id}": "delete_api_v1_users_id",
		"get /health": "get_health",
		"post /items/bulk": "post_items_bulk",
		"post /login": "post_login",
		"get /multi": "get_multi",
		"post /multi": "post_multi",
		"get /search": "get_search"}`)

	// Typed GET with query, header and cookie parameters from an input
	// struct with an embedded struct, an enum, a slice and defaults.
	list := at(t, doc, "paths", "/api/v1/users", "get")
	eq(t, "list users", list.(map[string]any)["tags"], `["api","users"]`)
	eq(t, "list users summary", at(t, list, "summary"), `"List users"`)
	eq(t, "list users parameters", at(t, list, "parameters"), `[
		{"name":"page","in":"query","description":"Page number, from 1.","schema":{"type":"integer","default":1,"minimum":1}},
		{"name":"limit","in":"query","schema":{"type":"integer","default":20,"minimum":1,"maximum":100}},
		{"name":"role","in":"query","description":"Only users with this role.","schema":{"$ref":"#/components/schemas/Role"}},
		{"name":"tag","in":"query","schema":{"type":"array","items":{"type":"string"}}},
		{"name":"X-Request-ID","in":"header","schema":{"type":"string","format":"uuid"}},
		{"name":"sid","in":"cookie","schema":{"type":"string"}},
		{"name":"sort","in":"query","schema":{"type":"string","default":"name","enum":["name","created_at"]}}]`)
	eq(t, "list users 200", at(t, list, "responses", "200"), `{"description":"OK",
		"content":{"application/json":{"schema":{"$ref":"#/components/schemas/PageUser"}}}}`)
	eq(t, "list users 422", at(t, list, "responses", "422", "content"),
		`{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}`)
	eq(t, "default response", at(t, list, "responses", "default", "content"),
		`{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}`)

	// Typed POST: JSON body, Status(201), route security with scopes,
	// Returns[struct{}] for an error status.
	create := at(t, doc, "paths", "/api/v1/users", "post")
	eq(t, "create body", at(t, create, "requestBody"), `{"required":true,
		"content":{"application/json":{"schema":{"$ref":"#/components/schemas/CreateUserInput"}}}}`)
	eq(t, "create 201", at(t, create, "responses", "201", "content"),
		`{"application/json":{"schema":{"$ref":"#/components/schemas/User"}}}`)
	eq(t, "create 409", at(t, create, "responses", "409"), `{"description":"Email taken",
		"content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}`)
	eq(t, "create security", at(t, create, "security"), `[{"bearerAuth":["users:write"]}]`)
	if _, ok := at(t, create, "responses").(map[string]any)["200"]; ok {
		t.Error("create documents 200 besides 201")
	}

	// Path parameter from an embedded input struct merged with its
	// converter; a declared 404.
	get := at(t, doc, "paths", "/api/v1/users/{id}", "get")
	eq(t, "get user params", at(t, get, "parameters"), `[{"name":"id","in":"path","required":true,
		"description":"The user's id.","schema":{"type":"integer","format":"int64","minimum":0}}]`)
	eq(t, "get user 404", at(t, get, "responses", "404", "description"), `"User not found"`)

	// Deprecated, explicit operationId, description, required header,
	// optional JSON body holding only the non-parameter fields.
	patch := at(t, doc, "paths", "/api/v1/users/{id}", "patch")
	eq(t, "patch deprecated", at(t, patch, "deprecated"), `true`)
	eq(t, "patch description", at(t, patch, "description"), `"Deprecated: use **PUT**."`)
	eq(t, "patch header", at(t, patch, "parameters").([]any)[1], `{"name":"If-Match","in":"header","required":true,"schema":{"type":"string","minLength":1}}`)
	eq(t, "patch body", at(t, patch, "requestBody"), `{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/UpdateUserInputBody"}}}}`)
	eq(t, "patch body schema", at(t, doc, "components", "schemas", "UpdateUserInputBody"), `{"type":"object","properties":{
		"name":{"type":["null","string"],"minLength":1},"email":{"type":["null","string"],"format":"email"}}}`)

	// Status(204): no body; alternatives of security.
	del := at(t, doc, "paths", "/api/v1/users/{id}", "delete")
	eq(t, "delete 204", at(t, del, "responses", "204"), `{"description":"No Content"}`)
	eq(t, "delete security", at(t, del, "security"), `[{"apiKey":[]},{"session":[]}]`)

	// Converters.
	eq(t, "uuid", at(t, doc, "paths", "/api/v1/items/{item_id}", "get", "parameters"),
		`[{"name":"item_id","in":"path","required":true,"schema":{"type":"string","format":"uuid"}}]`)
	eq(t, "path", at(t, doc, "paths", "/api/v1/files/{rest}", "get", "parameters"),
		`[{"name":"rest","in":"path","required":true,"description":"The rest of the path: may contain slashes.","schema":{"type":"string"}}]`)
	eq(t, "slug", at(t, doc, "paths", "/api/v1/posts/{slug}", "get", "parameters"),
		`[{"name":"slug","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-z0-9]+(?:-[a-z0-9]+)*$"}}]`)
	hex := `{"type":"string"}`
	if _, ok := any(app).(interface {
		Converter(string) (nexios.Converter, bool)
	}); ok {
		hex = `{"type":"string","format":"hex"}` // the core exposes custom converters
	}
	eq(t, "float, custom, str", at(t, doc, "paths", "/api/v1/prices/{amount}/{color}/{name}", "get", "parameters"), `[
		{"name":"amount","in":"path","required":true,"schema":{"type":"number","format":"double","minimum":0}},
		{"name":"color","in":"path","required":true,"schema":`+hex+`},
		{"name":"name","in":"path","required":true,"schema":{"type":"string"}}]`)

	// Public routes on a secured API: an explicit empty list, no 401.
	for _, p := range []string{"/api/v1/files/{rest}", "/api/v1/posts/{slug}", "/health", "/login"} {
		op := at(t, doc, "paths", p).(map[string]any)
		for _, o := range op {
			eq(t, p+" security", at(t, o, "security"), `[]`)
			if _, ok := at(t, o, "responses").(map[string]any)["401"]; ok {
				t.Errorf("%s: public route documents 401", p)
			}
		}
	}
	eq(t, "secured root 401", at(t, doc, "paths", "/", "get", "responses", "401", "description"), `"Missing or invalid credentials."`)

	// Form body, body from RequestBody, GET input read from the query.
	eq(t, "login body", at(t, doc, "paths", "/login", "post", "requestBody"), `{"required":true,"content":{
		"application/x-www-form-urlencoded":{"schema":{"$ref":"#/components/schemas/LoginForm"}},
		"multipart/form-data":{"schema":{"$ref":"#/components/schemas/LoginForm"}}}}`)
	eq(t, "login form", at(t, doc, "components", "schemas", "LoginForm"), `{"type":"object","required":["username","password"],
		"properties":{"username":{"type":"string","minLength":1},"password":{"type":"string","minLength":1},"remember":{"type":"boolean"}}}`)
	eq(t, "bulk body", at(t, doc, "paths", "/items/bulk", "post", "requestBody"), `{"required":true,"content":{
		"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/ItemInput"}}}}}`)
	eq(t, "search params", at(t, doc, "paths", "/search", "get", "parameters"), `[
		{"name":"q","in":"query","required":true,"schema":{"type":"string","minLength":2}},
		{"name":"limit","in":"query","schema":{"type":"integer","default":10}}]`)
	if _, ok := at(t, doc, "paths", "/search", "get").(map[string]any)["requestBody"]; ok {
		t.Error("GET /search has a request body")
	}
	eq(t, "health 503", at(t, doc, "paths", "/health", "get", "responses", "503"), `{"description":"Unhealthy",
		"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Health"}}}}`)

	// Schemas: validate, doc and default tags, nested structs, slices,
	// pointers, time.Time, a Formatted date, enums, generics.
	// A response schema requires what the encoder always writes: fields
	// without omitempty that are not pointers.
	eq(t, "User", at(t, doc, "components", "schemas", "User"), `{"type":"object",
		"required":["id","name","email","role","tags","created_at","score"],"properties":{
		"id":{"type":"integer","format":"int64","description":"The user's id."},
		"name":{"type":"string","minLength":1,"maxLength":100},
		"email":{"type":"string","format":"email","minLength":1},
		"role":{"$ref":"#/components/schemas/Role"},
		"address":{"$ref":"#/components/schemas/Address"},
		"tags":{"type":["array","null"],"maxItems":10,"items":{"type":"string","minLength":1,"maxLength":20}},
		"website":{"type":"string","format":"uri"},
		"created_at":{"type":"string","format":"date-time"},
		"birthday":{"type":["null","string"],"format":"date"},
		"score":{"type":"number","format":"double","exclusiveMinimum":0,"exclusiveMaximum":10},
		"nickname":{"type":["null","string"]}}}`)
	eq(t, "Role", at(t, doc, "components", "schemas", "Role"), `{"type":"string","enum":["admin","user","guest"]}`)
	eq(t, "CreateUserInput.role", at(t, doc, "components", "schemas", "CreateUserInput", "properties", "role"),
		`{"$ref":"#/components/schemas/Role","default":"user"}`)
	eq(t, "Address.required", at(t, doc, "components", "schemas", "Address", "required"), `["street","city"]`)
	eq(t, "PageUser.items", at(t, doc, "components", "schemas", "PageUser", "properties", "items", "items"),
		`{"$ref":"#/components/schemas/User"}`)
	eq(t, "Problem", at(t, doc, "components", "schemas", "Problem", "required"), `["type","title","status"]`)
	eq(t, "Problem.errors", at(t, doc, "components", "schemas", "Problem", "properties", "errors"),
		`{"type":"array","description":"The fields at fault; every invalid field of a 422.","items":{"$ref":"#/components/schemas/FieldError"}}`)
	eq(t, "FieldError", at(t, doc, "components", "schemas", "FieldError", "required"), `["location","field","message","rule"]`)
	// A struct used in request and response bodies is one schema when
	// both come out the same (Address), two when they differ (Item).
	// The uuid rule refuses the "" an absent id gets: id is required.
	eq(t, "ItemInput", at(t, doc, "components", "schemas", "ItemInput"), `{"type":"object","required":["id"],"properties":{
		"id":{"type":"string","format":"uuid"},"price":{"type":"number","format":"double","minimum":0}}}`)
	eq(t, "Item.required", at(t, doc, "components", "schemas", "Item", "required"), `["id","price"]`)
	for _, name := range []string{"Day", "UserPath", "ListUsersInput", "UpdateUserInput"} {
		if _, ok := at(t, doc, "components", "schemas").(map[string]any)[name]; ok {
			t.Errorf("component %s should not exist", name)
		}
	}
}

// Two generations, from the same app and from a second identical app,
// give the same bytes: operationIds and component names are stable.
func TestDeterministic(t *testing.T) {
	app, cfg := newTestApp()
	a, err := openapi.Build(app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := openapi.Build(app, cfg)
	app2, cfg2 := newTestApp()
	c, _ := openapi.Build(app2, cfg2)
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatal("generations differ")
	}
	y, err := openapi.BuildYAML(app, cfg)
	if err != nil || !strings.HasPrefix(string(y), "openapi: 3.1.0") {
		t.Fatalf("YAML: %v\n%.200s", err, y)
	}
}

func TestOperationIDs(t *testing.T) {
	app := nexios.New(nexios.Config{})
	app.Get("/a-b", plain)
	app.Get("/a_b", plain)
	app.Get("/a.b", plain)
	app.Get("/x", plain, nexios.OperationID("get_a_b_2")) // explicit ids win
	r := nexios.NewRouter("/r", nexios.RouterName("r"))
	r.Route([]string{"PUT", "DELETE"}, "/thing", plain, nexios.Name("thing"))
	r.Route([]string{"PROPFIND"}, "/dav", plain) // OpenAPI cannot describe it
	app.Mount(r)
	doc := build(t, app, openapi.Config{})
	eq(t, "a-b", at(t, doc, "paths", "/a-b", "get", "operationId"), `"get_a_b"`)
	eq(t, "a_b", at(t, doc, "paths", "/a_b", "get", "operationId"), `"get_a_b_3"`)
	eq(t, "a.b", at(t, doc, "paths", "/a.b", "get", "operationId"), `"get_a_b_4"`)
	eq(t, "put", at(t, doc, "paths", "/r/thing", "put", "operationId"), `"r_thing_put"`)
	eq(t, "delete", at(t, doc, "paths", "/r/thing", "delete", "operationId"), `"r_thing_delete"`)
	if _, ok := at(t, doc, "paths").(map[string]any)["/r/dav"]; ok {
		t.Error("PROPFIND route documented")
	}
}

func TestDocumentErrors(t *testing.T) {
	type BadPath struct {
		ID int `path:"id"`
	}
	tests := map[string]struct {
		setup func(*nexios.App)
		cfg   openapi.Config
		want  string
	}{
		"duplicate operationId": {func(a *nexios.App) {
			a.Get("/a", plain, nexios.OperationID("x"))
			a.Get("/b", plain, nexios.OperationID("x"))
		}, openapi.Config{}, `operationId "x" is used by GET /a and GET /b`},
		"same OpenAPI path": {func(a *nexios.App) {
			a.Get("/u/{id:int}", plain)
			a.Get("/u/{id:uuid}", plain)
		}, openapi.Config{}, "are the same OpenAPI operation GET /u/{id}"},
		"path field not in pattern": {func(a *nexios.App) {
			a.Get("/u", plain, nexios.Input[BadPath]())
		}, openapi.Config{}, `field ID has path:"id", but the pattern /u has no {id}`},
		"unknown route scheme": {func(a *nexios.App) {
			a.Get("/u", plain, nexios.Security("oauth"))
		}, openapi.Config{}, `names security scheme "oauth"`},
		"unknown default scheme": {func(*nexios.App) {},
			openapi.Config{DefaultSecurity: []map[string][]string{{"jwt": {}}}}, `DefaultSecurity names security scheme "jwt"`},
		"incomplete scheme": {func(*nexios.App) {},
			openapi.Config{SecuritySchemes: map[string]openapi.SecurityScheme{"k": {Type: "apiKey"}}}, `security scheme "k": an "apiKey" scheme needs Name`},
		"bad path": {func(*nexios.App) {}, openapi.Config{Path: "openapi.json"}, `must start with /`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			app := nexios.New(nexios.Config{})
			tt.setup(app)
			_, err := openapi.Build(app, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := openapi.Document(nil, openapi.Config{}); err == nil {
		t.Error("nil app: no error")
	}
}

// Component names stay readable and unique when two packages, or a type
// and an input variant, share a name.
func TestComponentNames(t *testing.T) {
	type Problem struct {
		Code string `json:"code"`
	}
	type Thing struct {
		ID   int    `path:"id"`
		Name string `json:"name"`
	}
	app := nexios.New(nexios.Config{})
	app.Get("/p", plain, nexios.Returns[Problem](200, "A local Problem"))
	app.Put("/t/{id}", plain, nexios.Input[Thing](), nexios.Returns[Thing](200, "The thing"))
	doc := build(t, app, openapi.Config{})
	schemas := at(t, doc, "components", "schemas").(map[string]any)
	var names []string
	for n := range schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	eq(t, "names", names, `["FieldError","OpenapiTestProblem","Problem","Thing","ThingBody"]`)
	eq(t, "Thing", schemas["Thing"], `{"type":"object","required":["ID","name"],"properties":{"ID":{"type":"integer"},"name":{"type":"string"}}}`)
	eq(t, "ThingBody", schemas["ThingBody"], `{"type":"object","properties":{"name":{"type":"string"}}}`)
}
