package openapitest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/testclient"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Audited has one field per validate rule the binder supports that the
// schema translates, on the types it applies to.
type Audited struct {
	ReqString   string            `json:"req_string" validate:"required"`
	ReqInt      int               `json:"req_int" validate:"required"`
	ReqFloat    float64           `json:"req_float" validate:"required"`
	ReqBool     bool              `json:"req_bool" validate:"required"`
	ReqSlice    []string          `json:"req_slice" validate:"required"`
	ReqMap      map[string]int    `json:"req_map" validate:"required"`
	ReqPtr      *string           `json:"req_ptr" validate:"required"`
	MinStr      string            `json:"min_str" validate:"min=3"`
	MaxStr      string            `json:"max_str" validate:"max=3"`
	LenStr      string            `json:"len_str" validate:"len=2"`
	MinInt      int               `json:"min_int" validate:"min=3"`
	MaxInt      int               `json:"max_int" validate:"max=3"`
	GtInt       int               `json:"gt_int" validate:"gt=3"`
	GteInt      int               `json:"gte_int" validate:"gte=3"`
	LtInt       int               `json:"lt_int" validate:"lt=3"`
	LteInt      int               `json:"lte_int" validate:"lte=3"`
	GtFloat     float64           `json:"gt_float" validate:"gt=0.5"`
	LtFloat     float64           `json:"lt_float" validate:"lt=0.5"`
	GtStr       string            `json:"gt_str" validate:"gt=2"`
	LtStr       string            `json:"lt_str" validate:"lt=2"`
	MinSlice    []int             `json:"min_slice" validate:"min=2"`
	MaxSlice    []int             `json:"max_slice" validate:"max=2"`
	MinMap      map[string]string `json:"min_map" validate:"min=2"`
	OneofStr    string            `json:"oneof_str" validate:"oneof=red 'dark blue'"`
	OneofInt    int               `json:"oneof_int" validate:"oneof=1 2"`
	EqInt       int               `json:"eq_int" validate:"eq=7"`
	Unique      []string          `json:"unique" validate:"unique"`
	Email       string            `json:"email" validate:"email"`
	URL         string            `json:"url" validate:"url"`
	HTTPURL     string            `json:"http_url" validate:"http_url"`
	UUID        string            `json:"uuid" validate:"uuid"`
	UUID4       string            `json:"uuid4" validate:"uuid4"`
	IPv4        string            `json:"ipv4" validate:"ipv4"`
	IPv6        string            `json:"ipv6" validate:"ipv6"`
	Hostname    string            `json:"hostname" validate:"hostname"`
	Alpha       string            `json:"alpha" validate:"alpha"`
	Alphanum    string            `json:"alphanum" validate:"alphanum"`
	Numeric     string            `json:"numeric" validate:"numeric"`
	Number      string            `json:"number" validate:"number"`
	Lowercase   string            `json:"lowercase" validate:"lowercase"`
	Uppercase   string            `json:"uppercase" validate:"uppercase"`
	E164        string            `json:"e164" validate:"e164"`
	Date        string            `json:"date" validate:"datetime=2006-01-02"`
	StartsWith  string            `json:"startswith" validate:"startswith=ab"`
	EndsWith    string            `json:"endswith" validate:"endswith=yz"`
	Contains    string            `json:"contains" validate:"contains=mid"`
	Dive        []string          `json:"dive" validate:"max=2,dive,min=2"`
	DiveReq     []string          `json:"dive_req" validate:"dive,required"`
	OmitMin     string            `json:"omit_min" validate:"omitempty,min=3"`
	OmitMinInt  int               `json:"omit_min_int" validate:"omitempty,min=3"`
	PlainString string            `json:"plain_string"`
	PlainInt    int               `json:"plain_int"`
	PlainPtr    *int              `json:"plain_ptr"`
	PlainSlice  []int             `json:"plain_slice"`
}

// absent stands for a field left out of the body.
type absent struct{}

// TestValidateTagsAgreeWithSchema sends each value to the server (which
// validates with go-playground) and to the generated schema (validated
// as JSON Schema 2020-12 with formats asserted): both must accept or
// both refuse, the field left out included. The exceptions are listed,
// each with the reason.
func TestValidateTagsAgreeWithSchema(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	nexios.Post(app, "/audit", func(_ *nexios.Request, in *Audited) (*struct{}, error) { return nil, nil })
	b, err := openapi.Build(app, openapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Required   []string
				Properties map[string]json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["Audited"]
	c := testclient.New(app)

	cases := map[string][]any{
		"req_string":   {absent{}, "", "x", nil},
		"req_int":      {absent{}, 0, 5, -1, nil},
		"req_float":    {absent{}, 0, 0.5},
		"req_bool":     {absent{}, false, true},
		"req_slice":    {absent{}, []any{}, []any{"a"}, nil},
		"req_map":      {absent{}, map[string]any{}, map[string]any{"a": 1}, nil},
		"req_ptr":      {absent{}, nil, "", "x"},
		"min_str":      {"ab", "abc", "", "héé"},
		"max_str":      {"abc", "abcd", ""},
		"len_str":      {"ab", "a", "abc"},
		"min_int":      {2, 3},
		"max_int":      {3, 4},
		"gt_int":       {3, 4},
		"gte_int":      {2, 3},
		"lt_int":       {2, 3},
		"lte_int":      {3, 4},
		"gt_float":     {0.5, 0.51},
		"lt_float":     {0.49, 0.5},
		"gt_str":       {"ab", "abc"},
		"lt_str":       {"a", "ab"},
		"min_slice":    {[]any{1}, []any{1, 2}},
		"max_slice":    {[]any{1, 2}, []any{1, 2, 3}},
		"min_map":      {map[string]any{"a": "1"}, map[string]any{"a": "1", "b": "2"}},
		"oneof_str":    {"red", "dark blue", "green"},
		"oneof_int":    {1, 2, 3},
		"eq_int":       {7, 8},
		"unique":       {[]any{"a", "b"}, []any{"a", "a"}},
		"email":        {"ada@example.com", "not an email"},
		"url":          {"https://example.com/x", "not a url"},
		"http_url":     {"https://example.com/x", "nope"},
		"uuid":         {"123e4567-e89b-12d3-a456-426614174000", "123"},
		"uuid4":        {"123e4567-e89b-42d3-a456-426614174000", "123"},
		"ipv4":         {"192.0.2.1", "999.1.1.1"},
		"ipv6":         {"2001:db8::1", "192.0.2.1"},
		"hostname":     {"example.com", "bad host!"},
		"alpha":        {"abc", "ab1"},
		"alphanum":     {"ab1", "ab-1"},
		"numeric":      {"-1.5", "1e3", "x"},
		"number":       {"15", "-1"},
		"lowercase":    {"abc", "aBc"},
		"uppercase":    {"ABC", "AbC"},
		"e164":         {"+14155552671", "4155552671"},
		"date":         {"2024-02-29", "2024-02-30", "29/02/2024"},
		"startswith":   {"abc", "cab"},
		"endswith":     {"xyz", "yzx"},
		"contains":     {"amidb", "ab"},
		"dive":         {[]any{"ab"}, []any{"a"}, []any{"ab", "cd", "ef"}},
		"dive_req":     {[]any{"a"}, []any{""}},
		"omit_min":     {"", "ab", "abc"},
		"omit_min_int": {0, 2, 3},
		"plain_string": {"", "x", nil, 1},
		"plain_int":    {0, nil, "1", 1.5},
		"plain_ptr":    {nil, 1},
		"plain_slice":  {nil, []any{}, []any{1}},
	}
	// Where the schema is knowingly stricter than validation, so that a
	// client that follows the document is never refused.
	stricter := map[string]string{
		"omit_min:":      "omitempty lets the zero value through; a schema cannot say \"empty or at least 3\" without anyOf",
		"omit_min_int:0": "the same, for numbers",
	}
	for _, name := range sortedNames(cases) {
		raw, ok := schema.Properties[name]
		if !ok {
			t.Errorf("%s: not in the schema", name)
			continue
		}
		prop := compile(t, raw)
		// Every field is also checked left out.
		for _, v := range append([]any{absent{}}, cases[name]...) {
			key := fmt.Sprintf("%s:%v", name, v)
			if _, ok := v.(absent); ok {
				key = name + ":absent"
			}
			server := serverAccepts(t, c, name, v)
			var doc bool
			if _, ok := v.(absent); ok {
				doc = !slices.Contains(schema.Required, name)
			} else {
				doc = prop.Validate(jsonValue(v)) == nil
			}
			if server == doc {
				continue
			}
			if _, ok := stricter[key]; ok && server && !doc {
				continue
			}
			t.Errorf("%s: the server %s it, the schema %s it (schema %s)", key, verdict(server), verdict(doc), raw)
		}
	}
}

func verdict(ok bool) string {
	if ok {
		return "accepts"
	}
	return "refuses"
}

// serverAccepts reports whether binding accepts the value for the field:
// no field error names it.
func serverAccepts(t *testing.T, c *testclient.Client, name string, v any) bool {
	t.Helper()
	body := map[string]any{}
	if _, ok := v.(absent); !ok {
		body[name] = v
	}
	r := c.Post("/audit", testclient.JSON(body))
	if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusNoContent {
		t.Fatalf("%s=%v: status %d %s", name, v, r.Status, r.Text())
	}
	var p nexios.Problem
	if err := r.JSON(&p); err != nil && r.Status != http.StatusNoContent {
		t.Fatal(err)
	}
	for _, e := range p.Errors {
		if e.Field == name || len(e.Field) > len(name) && e.Field[:len(name)+1] == name+"[" {
			return false
		}
	}
	return true
}

// jsonValue is v as decoded JSON (numbers as float64).
func jsonValue(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// compile compiles a property schema with format assertion on: a
// validator that checks formats, as the server does.
func compile(t *testing.T, raw json.RawMessage) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("prop.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("prop.json")
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return s
}

func sortedNames(m map[string][]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
