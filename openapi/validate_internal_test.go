package openapi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/swaggest/jsonschema-go"
)

func TestApplyValidate(t *testing.T) {
	str, num, flt, strs := reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[float64](), reflect.TypeFor[[]string]()
	tests := []struct {
		tag  string
		typ  reflect.Type
		want string
		req  bool
	}{
		{"required,min=3,max=50", str, `{"maxLength":50,"minLength":3}`, true},
		{"omitempty,len=5", str, `{"maxLength":5,"minLength":5}`, false},
		{"gt=2,lt=10", str, `{"maxLength":9,"minLength":3}`, false},
		{"gte=1,lte=100", num, `{"maximum":100,"minimum":1}`, false},
		{"min=0.5,max=9.5", flt, `{"maximum":9.5,"minimum":0.5}`, false},
		{"gt=0,lt=1", flt, `{"exclusiveMaximum":1,"exclusiveMinimum":0}`, false},
		{"min=1,max=10,unique", strs, `{"maxItems":10,"minItems":1,"uniqueItems":true}`, false},
		{"oneof=admin user 'power user'", str, `{"enum":["admin","user","power user"]}`, false},
		{"oneof=1 2 3", num, `{"enum":[1,2,3]}`, false},
		{"eq=7", num, `{"const":7}`, false},
		{"email", str, `{"format":"email"}`, false},
		{"url", str, `{"format":"uri"}`, false},
		{"http_url", str, `{"format":"uri"}`, false},
		{"uuid4", str, `{"format":"uuid"}`, false},
		{"ipv4", str, `{"format":"ipv4"}`, false},
		{"datetime=2006-01-02", str, `{"format":"date"}`, false},
		{"alphanum", str, `{"pattern":"^[a-zA-Z0-9]+$"}`, false},
		{"startswith=ab.", str, `{"pattern":"^ab\\."}`, false},
		{"email|url", str, `{}`, false},
		{"custom_rule,required_if=Other 1", str, `{}`, false},
		{"-", str, `{}`, false},
		{"gte=1", reflect.TypeFor[time.Time](), `{}`, false},
		{"min=1", reflect.TypeFor[*string](), `{"minLength":1}`, false},
		{"min=1,max=2", reflect.TypeFor[map[string]int](), `{"maxProperties":2,"minProperties":1}`, false},
	}
	for _, tt := range tests {
		var prop, parent jsonschema.Schema
		applyValidate(tt.tag, tt.typ, "f", &prop, &parent, true)
		got, err := json.Marshal(prop)
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(got, tt.want) {
			t.Errorf("%s on %s: %s, want %s", tt.tag, tt.typ, got, tt.want)
		}
		if req := len(parent.Required) == 1; req != tt.req {
			t.Errorf("%s: required = %v, want %v", tt.tag, req, tt.req)
		}
	}
}

func TestApplyValidateDive(t *testing.T) {
	items := jsonschema.Schema{}
	prop := jsonschema.Schema{}
	prop.WithItems(*(&jsonschema.Items{}).WithSchemaOrBool(items.ToSchemaOrBool()))
	var parent jsonschema.Schema
	applyValidate("required,max=10,dive,min=1,email", reflect.TypeFor[[]string](), "emails", &prop, &parent, true)
	got, _ := json.Marshal(prop)
	if want := `{"items":{"format":"email","minLength":1},"maxItems":10}`; !jsonEqual(got, want) {
		t.Errorf("dive: %s, want %s", got, want)
	}
	if len(parent.Required) != 1 || parent.Required[0] != "emails" {
		t.Errorf("required = %v", parent.Required)
	}
}

// In a request, required refuses null for a pointer, slice or map; a
// response keeps it, since encoding/json writes a nil one as null.
func TestApplyValidateRequiredNull(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[*int](), reflect.TypeFor[[]string](), reflect.TypeFor[map[string]int]()} {
		for _, request := range []bool{true, false} {
			var prop, parent jsonschema.Schema
			prop.AddType(jsonschema.Null)
			applyValidate("required", typ, "f", &prop, &parent, request)
			if prop.HasType(jsonschema.Null) == request {
				t.Errorf("required on %s (request %v): null allowed = %v", typ, request, prop.HasType(jsonschema.Null))
			}
			if req := len(parent.Required) == 1; req != request {
				t.Errorf("required on %s (request %v): in the parent's required = %v", typ, request, req)
			}
		}
	}
}

func TestCleanTypeName(t *testing.T) {
	for in, want := range map[string]string{
		"User":                                             "User",
		"Page[github.com/x/models.User]":                   "PageUser",
		"Pair[string,github.com/x/y.Item]":                 "PairStringItem",
		"Page[github.com/x/models.User·3]":                 "PageUser",
		"Wrap[[]*github.com/x/models.User]":                "WrapUser",
		"Map[map[string]github.com/x/models.Thing]":        "MapMapStringThing",
		"list_item":                                        "ListItem",
		"Page[github.com/x/y_test.Item]":                   "PageItem",
		"Nested[github.com/x/a.Page[github.com/x/b.User]]": "NestedPageUser",
	} {
		if got := cleanTypeName(in); got != want {
			t.Errorf("cleanTypeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenAPIPath(t *testing.T) {
	for in, want := range map[string]string{
		"/":                             "/",
		"/users/{id:int}":               "/users/{id}",
		"/api/v1/files/{rest:path}":     "/api/v1/files/{rest}",
		"/a/{x}/b/{y:uuid}/{z:custom1}": "/a/{x}/b/{y}/{z}",
	} {
		if got := openAPIPath(in); got != want {
			t.Errorf("openAPIPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func jsonEqual(got []byte, want string) bool {
	var a, b any
	return json.Unmarshal(got, &a) == nil && json.Unmarshal([]byte(want), &b) == nil && reflect.DeepEqual(a, b)
}
