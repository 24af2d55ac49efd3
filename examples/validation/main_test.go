package main

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

// valid returns a body that passes validation; tests change one field.
func valid() map[string]any {
	return map[string]any{
		"username":  "ada",
		"email":     "ada@example.com",
		"password":  "s3cret-pass",
		"full_name": "Ada Lovelace",
	}
}

func TestCreateUserDefaults(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())
	r := c.Post("/users", testclient.JSON(valid()))
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Text())
	}
	var got map[string]any
	if err := r.JSON(&got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"username": "ada", "email": "ada@example.com", "full_name": "Ada Lovelace", "role": "user", "status": "active"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v (defaults applied, no password, no birth_date)", got, want)
	}

	body := valid()
	body["birth_date"], body["role"], body["status"] = "1990-01-15", "admin", "suspended"
	var u User
	if err := c.Post("/users", testclient.JSON(body)).JSON(&u); err != nil {
		t.Fatal(err)
	}
	if u.BirthDate == nil || u.BirthDate.String() != "1990-01-15" || u.Role != RoleAdmin || u.Status != StatusSuspended {
		t.Errorf("got %+v", u)
	}
}

// problem is the default 422 body: RFC 9457 problem details listing
// every failing field.
type problem struct {
	Type, Title, Detail string
	Status              int
	Errors              []nexios.FieldError
}

func TestCreateUserViolations(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())
	cases := []struct {
		name         string
		field        string
		value        any // nil: leave the field out
		rule, param  string
		messageHints string
	}{
		{"username too short", "username", "ab", "min", "3", "at least 3 characters"},
		{"username too long", "username", strings.Repeat("a", 51), "max", "50", "at most 50 characters"},
		{"username missing", "username", nil, "required", "", "is required"},
		{"bad email", "email", "not-an-email", "email", "", "valid email"},
		{"password too short", "password", "short", "min", "8", "at least 8 characters"},
		{"full_name missing", "full_name", nil, "required", "", "is required"},
		{"unknown role", "role", "superuser", "enum", "", "admin, user, guest"},
		{"unknown status", "status", "deleted", "enum", "", "active, inactive, suspended"},
		{"bad birth_date", "birth_date", "1990-13-45", "type", "", "YYYY-MM-DD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := valid()
			if tc.value == nil {
				delete(body, tc.field)
			} else {
				body[tc.field] = tc.value
			}
			r := c.Post("/users", testclient.JSON(body))
			if r.Status != http.StatusUnprocessableEntity || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d %s: %s", r.Status, r.Header.Get("Content-Type"), r.Text())
			}
			var p problem
			if err := r.JSON(&p); err != nil {
				t.Fatal(err)
			}
			if p.Status != 422 || p.Title != "Unprocessable Entity" || len(p.Errors) == 0 {
				t.Fatalf("problem %+v", p)
			}
			e := p.Errors[0]
			if len(p.Errors) > 1 {
				// A value that does not decode stops encoding/json, so
				// the fields after it may be reported as missing too.
				t.Logf("also reported: %+v", p.Errors[1:])
				if tc.rule != "type" {
					t.Errorf("%d errors, want 1", len(p.Errors))
				}
			}
			if e.Location != "body" || e.Field != tc.field || e.Rule != tc.rule || e.Param != tc.param || !strings.Contains(e.Message, tc.messageHints) {
				t.Errorf("error %+v, want field %q rule %q param %q message ~%q", e, tc.field, tc.rule, tc.param, tc.messageHints)
			}
		})
	}

	// Every failing field at once.
	r := c.Post("/users", testclient.JSON(map[string]any{"username": "ab", "email": "x", "password": "1", "role": "root"}))
	var p problem
	if err := r.JSON(&p); err != nil || r.Status != 422 {
		t.Fatalf("%d %v", r.Status, err)
	}
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field+":"+e.Rule)
	}
	if got := strings.Join(fields, " "); got != "username:min email:email password:min full_name:required role:enum" {
		t.Errorf("errors %s", got)
	}
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())
	for query, want := range map[string][2]int{"": {1, 10}, "?page=3&limit=100": {3, 100}, "?sort_by=name&order=asc&limit=1": {1, 1}} {
		r := c.Get("/users" + query)
		var page UserPage
		if err := r.JSON(&page); err != nil || r.Status != http.StatusOK {
			t.Fatalf("GET /users%s = %d %v", query, r.Status, err)
		}
		if page.Page != want[0] || page.Limit != want[1] || page.Total != 5 || len(page.Items) != 5 ||
			page.Items[0] != (UserSummary{1, "user1"}) || page.Items[4] != (UserSummary{5, "user5"}) {
			t.Errorf("GET /users%s = %+v", query, page)
		}
	}
}

func TestListUsersQueryErrors(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())
	cases := map[string][]nexios.FieldError{
		"page=0":           {{Location: "query", Field: "page", Rule: "gte", Param: "1", Message: "must be greater than or equal to 1"}},
		"limit=0":          {{Location: "query", Field: "limit", Rule: "gte", Param: "1", Message: "must be greater than or equal to 1"}},
		"limit=101":        {{Location: "query", Field: "limit", Rule: "lte", Param: "100", Message: "must be less than or equal to 100"}},
		"page=abc":         {{Location: "query", Field: "page", Rule: "type", Message: "must be an integer"}},
		"page=-1&limit=-1": {{Location: "query", Field: "page", Rule: "gte", Param: "1", Message: "must be greater than or equal to 1"}, {Location: "query", Field: "limit", Rule: "gte", Param: "1", Message: "must be greater than or equal to 1"}},
	}
	for q, want := range cases {
		r := c.Get("/users?" + q)
		if r.Status != http.StatusUnprocessableEntity || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET /users?%s = %d %s", q, r.Status, r.Header.Get("Content-Type"))
		}
		var got QueryError
		if err := r.JSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.Error != "Invalid query parameters" || !reflect.DeepEqual(got.Details, want) {
			t.Errorf("GET /users?%s = %+v, want details %+v", q, got, want)
		}
	}
}

// TestOpenAPI checks that the served document is valid OpenAPI 3.1 and
// describes both routes as they behave.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())
	r := c.Get("/openapi.json")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /openapi.json = %d", r.Status)
	}
	openapitest.Check(t, newApp())

	var d struct {
		Paths map[string]map[string]struct {
			Summary     string
			Parameters  []map[string]any
			RequestBody struct {
				Content map[string]struct{ Schema map[string]any }
			}
			Responses map[string]struct {
				Content map[string]struct{ Schema map[string]any }
			}
		}
		Components struct{ Schemas map[string]map[string]any }
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatal(err)
	}
	jsonEq := func(what string, got any, want string) {
		t.Helper()
		var w, g any
		_ = json.Unmarshal([]byte(want), &w)
		b, _ := json.Marshal(got)
		_ = json.Unmarshal(b, &g)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %s\nwant %s", what, b, want)
		}
	}

	post, get := d.Paths["/users"]["post"], d.Paths["/users"]["get"]
	if post.Summary != "Create a user" || get.Summary != "List users" {
		t.Errorf("summaries %q, %q", post.Summary, get.Summary)
	}
	jsonEq("POST body", post.RequestBody.Content["application/json"].Schema, `{"$ref":"#/components/schemas/UserCreate"}`)
	jsonEq("UserCreate", d.Components.Schemas["UserCreate"], `{"type":"object",
		"required":["username","email","password","full_name"],
		"properties":{
			"username":{"type":"string","minLength":3,"maxLength":50,"description":"3 to 50 characters."},
			"email":{"type":"string","format":"email","minLength":1},
			"password":{"type":"string","minLength":8,"description":"At least 8 characters. Never echoed back."},
			"full_name":{"type":"string","minLength":1},
			"birth_date":{"type":["null","string"],"format":"date","description":"Optional, as YYYY-MM-DD."},
			"role":{"$ref":"#/components/schemas/UserRole","default":"user"},
			"status":{"$ref":"#/components/schemas/UserStatus","default":"active"}}}`)
	jsonEq("UserRole", d.Components.Schemas["UserRole"], `{"type":"string","enum":["admin","user","guest"]}`)
	jsonEq("UserStatus", d.Components.Schemas["UserStatus"], `{"type":"string","enum":["active","inactive","suspended"]}`)
	jsonEq("POST 200", post.Responses["200"].Content["application/json"].Schema, `{"$ref":"#/components/schemas/User"}`)
	jsonEq("POST 422", post.Responses["422"].Content["application/problem+json"].Schema, `{"$ref":"#/components/schemas/Problem"}`)

	jsonEq("GET parameters", get.Parameters, `[
		{"name":"page","in":"query","description":"Page number, from 1.","schema":{"type":"integer","default":1,"minimum":1}},
		{"name":"limit","in":"query","description":"Users per page, 1 to 100.","schema":{"type":"integer","default":10,"minimum":1,"maximum":100}},
		{"name":"sort_by","in":"query","schema":{"type":"string","default":"created_at"}},
		{"name":"order","in":"query","schema":{"type":"string","default":"desc"}}]`)
	jsonEq("GET 200", get.Responses["200"].Content["application/json"].Schema, `{"$ref":"#/components/schemas/UserPage"}`)
	jsonEq("GET 422", get.Responses["422"].Content["application/json"].Schema, `{"$ref":"#/components/schemas/QueryError"}`)

	if r := c.Get("/docs"); r.Status != http.StatusOK || !strings.Contains(r.Text(), "swagger-ui") {
		t.Errorf("GET /docs = %d", r.Status)
	}
	if r := c.Get("/redoc"); r.Status != http.StatusOK || !strings.Contains(r.Text(), "<redoc") {
		t.Errorf("GET /redoc = %d", r.Status)
	}
}
