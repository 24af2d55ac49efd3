package bind_test

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/bind"
)

type Pagination struct {
	Page  int `query:"page" default:"1" validate:"gte=1"`
	Limit int `query:"limit" default:"20" validate:"gte=1,lte=100"`
}

type Audit struct {
	Note string `json:"note" validate:"omitempty,min=3"`
}

type Owner struct {
	Name string `json:"name" validate:"required"`
}

type listInput struct {
	Pagination
	*Audit
	Sort  string   `query:"sort" validate:"oneof=name date"`
	Color color    `query:"color"`
	Owner Owner    `json:"owner"`
	Tags  []string `json:"tags" validate:"required,dive,min=2"`
}

// errList renders a binding error as "location:field:rule" items.
func errList(t *testing.T, err error) string {
	t.Helper()
	var ve *bind.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a *ValidationError, got %v", err)
	}
	var got []string
	for _, fe := range ve.Errors {
		got = append(got, fe.Location+":"+fe.Field+":"+fe.Rule)
	}
	return strings.Join(got, " ")
}

// Fields of an embedded struct are reported where the client sent them,
// under their wire names; a value that does not parse gets its type error
// only, not a rule error about the zero value left behind.
func TestEmbeddedErrorLocations(t *testing.T) {
	t.Parallel()
	b := bind.New(bind.Options{})
	cases := []struct {
		name  string
		query url.Values
		body  string
		want  string
	}{
		{"rule on an embedded query field", url.Values{"page": {"0"}}, `{"owner":{"name":"a"},"tags":["ab"]}`, "query:page:gte"},
		{"two embedded query fields", url.Values{"page": {"0"}, "limit": {"500"}}, `{"owner":{"name":"a"},"tags":["ab"]}`, "query:page:gte query:limit:lte"},
		{"type error, no rule error", url.Values{"page": {"abc"}}, `{"owner":{"name":"a"},"tags":["ab"]}`, "query:page:type"},
		{"embedded pointer body field", nil, `{"note":"x","owner":{"name":"a"},"tags":["ab"]}`, "body:note:min"},
		{"nested and dive", nil, `{"owner":{},"tags":["a"]}`, "body:owner.name:required body:tags[0]:min"},
		{"enum param", url.Values{"color": {"blue"}}, `{"owner":{"name":"a"},"tags":["ab"]}`, "query:color:enum"},
		{"oneof param", url.Values{"sort": {"size"}}, `{"owner":{"name":"a"},"tags":["ab"]}`, "query:sort:oneof"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := tc.query
			if q == nil {
				q = url.Values{}
			}
			if q.Get("sort") == "" {
				q.Set("sort", "name")
			}
			var in listInput
			err := b.Bind(&fakeSource{query: q, header: http.Header{}, ct: "application/json", body: tc.body}, &in)
			if got := errList(t, err); got != tc.want {
				t.Errorf("errors %s, want %s", got, tc.want)
			}
		})
	}
	var in listInput
	err := b.Bind(&fakeSource{query: url.Values{"sort": {"date"}, "page": {"3"}}, header: http.Header{}, ct: "application/json",
		body: `{"note":"hello","owner":{"name":"a"},"tags":["ab"]}`}, &in)
	if err != nil || in.Page != 3 || in.Limit != 20 || in.Audit == nil || in.Note != "hello" {
		t.Fatalf("valid input: %v %+v", err, in)
	}
}

// A JSON null for a value that cannot be null is refused, as the API
// documentation says, instead of passing for the zero value.
func TestNullForNonNullable(t *testing.T) {
	t.Parallel()
	type item struct {
		N int `json:"n"`
	}
	type in struct {
		Name  string          `json:"name"`
		Age   int             `json:"age" default:"7"`
		Nick  *string         `json:"nick"`
		Tags  []string        `json:"tags"`
		Meta  map[string]int  `json:"meta"`
		Items []item          `json:"items"`
		Day   bind.Date       `json:"day"`
		Maybe *bind.Date      `json:"maybe"`
		Any   any             `json:"any"`
		Opt   map[string]*int `json:"opt"`
	}
	b := bind.New(bind.Options{})
	cases := map[string]string{
		`{"name":null}`:          "body:name:type",
		`{"age":null}`:           "body:age:type",
		`{"items":[{"n":null}]}`: "body:items[0].n:type",
		`{"meta":{"a":null}}`:    "body:meta[a]:type",
		`{"day":null}`:           "body:day:type",
		`{"NAME":null,"age":null,"day":"2020-01-02"}`:                                                 "body:NAME:case body:name:type body:age:type",
		`{"nick":null,"tags":null,"meta":null,"items":null,"maybe":null,"any":null,"opt":{"a":null}}`: "",
		`{"name":"null"}`: "",
	}
	for body, want := range cases {
		var v in
		err := b.Bind(&fakeSource{ct: "application/json", body: body}, &v)
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", body, err)
			}
			continue
		}
		if got := errList(t, err); got != want {
			t.Errorf("%s: errors %s, want %s", body, got, want)
		}
	}
}

// A JSON body sent as a form (curl -d without a Content-Type header) or
// without any Content-Type is answered with what to change, not with a
// list of missing fields.
func TestBodyLooksLikeJSON(t *testing.T) {
	t.Parallel()
	type login struct {
		User string `json:"user" validate:"required"`
		Pass string `json:"pass" validate:"required"`
	}
	b := bind.New(bind.Options{})
	for _, ct := range []string{"application/x-www-form-urlencoded", ""} {
		for _, body := range []string{`{"user":"a","pass":"b"}`, ` [1] `} {
			var v login
			src := &fakeSource{ct: ct, body: body, form: url.Values{body: {""}}}
			err := b.Bind(src, &v)
			var re *bind.RequestError
			if !errors.As(err, &re) || re.StatusCode() != http.StatusUnsupportedMediaType ||
				!strings.Contains(re.Error(), "looks like JSON; send Content-Type: application/json") {
				t.Errorf("%q %s: %v", ct, body, err)
			}
		}
	}
	// A real form is still a form.
	var v login
	err := b.Bind(&fakeSource{ct: "application/x-www-form-urlencoded", body: "user=a", form: url.Values{"user": {"a"}}}, &v)
	if got := errList(t, err); got != "form:pass:required" {
		t.Errorf("form: %s", got)
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	type form struct {
		User string `form:"username" json:"user"`
	}
	fields := bind.Describe(reflect.TypeFor[*listInput]())
	var got []string
	for _, f := range fields {
		s := f.In + ":" + f.Name + ":" + f.GoPath
		if f.HasDefault {
			s += "=" + f.Default
		}
		if f.Required {
			s += "!"
		}
		if f.Enum != nil {
			s += "(enum)"
		}
		if f.Text {
			s += "(text)"
		}
		got = append(got, s)
	}
	want := "query:page:Pagination.Page=1(text) query:limit:Pagination.Limit=20(text) body:note:Audit.Note(text) " +
		"query:sort:Sort(text) query:color:Color(enum)(text) body:owner:Owner body:tags:Tags!(text)"
	if strings.Join(got, " ") != want {
		t.Errorf("Describe:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if f := fields[6]; !reflect.DeepEqual(f.Rules, []string{"required", "dive", "min=2"}) || f.IsParam() || !fields[0].IsParam() {
		t.Errorf("rules %v", f.Rules)
	}
	if f := fields[4]; !reflect.DeepEqual(f.Enum, []any{"red", "green"}) {
		t.Errorf("enum %v", f.Enum)
	}
	if f := bind.Describe(reflect.TypeFor[form]()); len(f) != 1 || f[0].Name != "user" || f[0].FormName != "username" {
		t.Errorf("form names: %+v", f)
	}
	if bind.Describe(reflect.TypeFor[int]()) != nil || bind.Describe(nil) != nil {
		t.Error("non-struct described")
	}
	// Changing a description does not change the next one.
	fields[0].Rules[0] = "x"
	if bind.Describe(reflect.TypeFor[listInput]())[0].Rules[0] != "gte=1" {
		t.Error("Describe shares its slices")
	}
}

// A field is required when the value an absent field gets fails its
// rules, not only with validate:"required".
func TestRejectsAbsent(t *testing.T) {
	t.Parallel()
	type in struct {
		Email   string `json:"email" validate:"email"`
		Opt     string `json:"opt" validate:"omitempty,email"`
		Page    int    `query:"page" validate:"gte=1"`
		Def     int    `query:"def" default:"2" validate:"gte=1"`
		BadDef  int    `query:"bad" default:"0" validate:"gte=1"`
		Max     string `json:"max" validate:"max=3"`
		Req     *int   `json:"req" validate:"required"`
		Cross   string `json:"cross" validate:"eqfield=Max"`
		Plain   string `json:"plain"`
		DiveMin []int  `json:"dive_min" validate:"dive,min=2"`
	}
	b := bind.New(bind.Options{})
	var got []string
	for _, f := range b.Describe(reflect.TypeFor[in]()) {
		if f.Required {
			got = append(got, f.Name)
		}
	}
	if strings.Join(got, " ") != "email page bad req" {
		t.Errorf("required: %v", got)
	}
	var pkg []string
	for _, f := range bind.Describe(reflect.TypeFor[in]()) {
		if f.Required {
			pkg = append(pkg, f.Name)
		}
	}
	if strings.Join(pkg, " ") != "req" {
		t.Errorf("package Describe required: %v", pkg)
	}
}

// An anonymous struct has no root name in validator namespaces.
func TestAnonymousStructErrors(t *testing.T) {
	t.Parallel()
	var v struct {
		Pagination
		N []int `json:"n" validate:"dive,gte=1"`
	}
	err := bind.New(bind.Options{}).Bind(&fakeSource{query: url.Values{"page": {"0"}}, header: http.Header{}, ct: "application/json", body: `{"n":[0]}`}, &v)
	if got := errList(t, err); got != "query:page:gte body:n[0]:gte" {
		t.Errorf("errors %s", got)
	}
}
