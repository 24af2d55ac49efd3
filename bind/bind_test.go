package bind_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/bind"
)

// fakeSource is a request for binder tests.
type fakeSource struct {
	path    map[string]string
	query   url.Values
	header  http.Header
	cookies map[string]string
	ct      string
	body    string
	form    url.Values
}

func (f *fakeSource) PathValue(n string) (string, bool) { v, ok := f.path[n]; return v, ok }
func (f *fakeSource) QueryValues() url.Values           { return f.query }
func (f *fakeSource) HeaderValues() http.Header         { return f.header }
func (f *fakeSource) CookieValue(n string) (string, bool) {
	v, ok := f.cookies[n]
	return v, ok
}
func (f *fakeSource) ContentType() string             { return f.ct }
func (f *fakeSource) Body() ([]byte, error)           { return []byte(f.body), nil }
func (f *fakeSource) FormValues() (url.Values, error) { return f.form, nil }

type color string

func (color) Enum() []any { return []any{"red", "green"} }

type Base struct {
	Trace string `header:"X-Trace"`
}

type input struct {
	Base
	ID      int      `path:"id" validate:"gte=1"`
	Page    int      `query:"page" default:"1"`
	Flags   []bool   `query:"flag"`
	Color   color    `json:"color" default:"red"`
	Count   *uint8   `json:"count"`
	Nested  inner    `json:"nested"`
	Ignored string   `json:"-"`
	Names   []string `json:"names" validate:"omitempty,dive,min=2"`
}

type inner struct {
	Level int    `json:"level" default:"3" validate:"lte=5"`
	Note  string `json:"note"`
}

func TestBind(t *testing.T) {
	t.Parallel()
	b := bind.New(bind.Options{})
	base := func() *fakeSource {
		return &fakeSource{path: map[string]string{"id": "4"}, query: url.Values{}, header: http.Header{}, ct: "application/json"}
	}
	cases := []struct {
		name  string
		edit  func(*fakeSource)
		check func(*input) string
		errs  []string // "location:field:rule"
	}{
		{"defaults", func(s *fakeSource) { s.body = `{}` }, func(in *input) string {
			if in.ID != 4 || in.Page != 1 || in.Color != "red" || in.Nested.Level != 3 {
				return "defaults not applied"
			}
			return ""
		}, nil},
		{"values", func(s *fakeSource) {
			s.body = `{"color":"green","count":7,"nested":{"level":2},"Ignored":"x"}`
			s.query = url.Values{"page": {"2"}, "flag": {"true", "false"}}
			s.header.Set("X-Trace", "abc")
		}, func(in *input) string {
			if in.Page != 2 || len(in.Flags) != 2 || in.Color != "green" || *in.Count != 7 || in.Nested.Level != 2 || in.Trace != "abc" || in.Ignored != "" {
				return "values not bound"
			}
			return ""
		}, nil},
		{"empty query value is absent", func(s *fakeSource) { s.query = url.Values{"page": {""}}; s.body = "{}" }, func(in *input) string {
			if in.Page != 1 {
				return "empty value not treated as absent"
			}
			return ""
		}, nil},
		{"errors", func(s *fakeSource) {
			s.path["id"] = "0"
			s.body = `{"color":"blue","nested":{"level":9},"names":["ok","x"]}`
		}, nil, []string{"path:id:gte", "body:nested.level:lte", "body:names[1]:min", "body:color:enum"}},
		{"type errors stop validation", func(s *fakeSource) {
			s.path["id"] = "x"
			s.query = url.Values{"flag": {"true", "nope"}}
			s.body = `{}`
		}, nil, []string{"path:id:type", "query:flag:type"}},
		{"overflow", func(s *fakeSource) { s.body = `{"count":300}` }, nil, []string{"body:count:type"}},
		{"form body", func(s *fakeSource) {
			s.ct = "application/x-www-form-urlencoded"
			s.form = url.Values{"color": {"green"}, "names": {"ab", "cd"}}
		}, func(in *input) string {
			if in.Color != "green" || len(in.Names) != 2 {
				return "form not bound"
			}
			return ""
		}, nil},
		{"query as body without a body", func(s *fakeSource) {
			s.ct = ""
			s.query = url.Values{"color": {"green"}}
		}, func(in *input) string {
			if in.Color != "green" {
				return "query not used for body fields"
			}
			return ""
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := base()
			tc.edit(src)
			var in input
			err := b.Bind(src, &in)
			if tc.errs == nil {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				if msg := tc.check(&in); msg != "" {
					t.Errorf("%s: %+v", msg, in)
				}
				return
			}
			var ve *bind.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			var got []string
			for _, fe := range ve.Errors {
				got = append(got, fe.Location+":"+fe.Field+":"+fe.Rule)
				if fe.Message == "" {
					t.Errorf("empty message for %+v", fe)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.errs, " ") {
				t.Errorf("errors %v, want %v", got, tc.errs)
			}
		})
	}
}

func TestBindRequestErrors(t *testing.T) {
	t.Parallel()
	b := bind.New(bind.Options{})
	cases := []struct {
		ct, body string
		status   int
	}{
		{"application/json", `{"color":`, 400},
		{"application/json", `nope`, 400},
		{"text/csv", `a,b`, 415},
		{"", `raw`, 415},
	}
	for _, tc := range cases {
		var in input
		err := b.Bind(&fakeSource{path: map[string]string{"id": "1"}, ct: tc.ct, body: tc.body, header: http.Header{}}, &in)
		var re *bind.RequestError
		if !errors.As(err, &re) || re.StatusCode() != tc.status {
			t.Errorf("%s %q: %v, want status %d", tc.ct, tc.body, err, tc.status)
		}
	}
	if err := b.Bind(&fakeSource{}, input{}); err == nil {
		t.Error("non-pointer accepted")
	}
}

func FuzzBind(f *testing.F) {
	for _, s := range []string{`{}`, `{"color":"green"}`, `{"count":-1}`, `{"nested":{"level":"x"}}`, `[]`, `{"names":[1]}`, `null`, `{"color":`,
		`{"nested":null,"color":null}`, `{"nested":{"level":null}}`, `{"names":[null]}`, `{"count":null}`} {
		f.Add(s, "4", "1")
	}
	b := bind.New(bind.Options{})
	f.Fuzz(func(t *testing.T, body, id, page string) {
		src := &fakeSource{path: map[string]string{"id": id}, query: url.Values{"page": {page}}, header: http.Header{}, ct: "application/json", body: body}
		var in input
		err := b.Bind(src, &in)
		if err == nil {
			return
		}
		var ve *bind.ValidationError
		var re *bind.RequestError
		if !errors.As(err, &ve) && !errors.As(err, &re) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}

func BenchmarkBind(b *testing.B) {
	type body struct {
		Name  string `json:"name" validate:"required,min=2"`
		Email string `json:"email" validate:"required,email"`
		Age   int    `json:"age" validate:"gte=0,lte=150"`
	}
	bd := bind.New(bind.Options{})
	src := &fakeSource{ct: "application/json", body: `{"name":"Ann","email":"ann@example.com","age":30}`}
	b.ReportAllocs()
	for b.Loop() {
		var v body
		if err := bd.Bind(src, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBindDecodesPastAFailingField(t *testing.T) {
	t.Parallel()
	type in struct {
		Born  *bind.Date `json:"born"`
		Name  string     `json:"name" validate:"required"`
		Age   int        `json:"age"`
		Email string     `json:"email" validate:"required"`
	}
	b := bind.New(bind.Options{})
	var v in
	err := b.Bind(&fakeSource{ct: "application/json", body: `{"born":"yesterday","name":"ann","age":"x","email":""}`}, &v)
	var ve *bind.ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	var got []string
	for _, fe := range ve.Errors {
		got = append(got, fe.Field+":"+fe.Rule)
	}
	// name was sent: no "required" for it; every real problem is reported.
	if strings.Join(got, " ") != "born:type age:type email:required" || v.Name != "ann" {
		t.Errorf("errors %v, value %+v", got, v)
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	var d bind.Date
	if err := d.UnmarshalJSON([]byte(`"1990-01-15"`)); err != nil || d.String() != "1990-01-15" {
		t.Fatalf("%v %v", d, err)
	}
	if d.UnmarshalJSON([]byte(`"15/01/1990"`)) == nil || d.UnmarshalText([]byte("x")) == nil {
		t.Error("bad dates accepted")
	}
	if b, _ := d.MarshalJSON(); string(b) != `"1990-01-15"` || d.JSONSchemaFormat() != "date" {
		t.Errorf("%s", b)
	}
}

// The cost of a body with a type error, against a valid one: locating the
// error must not take several decodes of the body.
func BenchmarkBindTypeError(b *testing.B) {
	type addr struct {
		City string `json:"city" validate:"required"`
		Zip  string `json:"zip"`
	}
	type body struct {
		Name      string   `json:"name" validate:"required"`
		Age       int      `json:"age"`
		Tags      []string `json:"tags"`
		Addresses []addr   `json:"addresses"`
	}
	addrs := strings.Repeat(`{"city":"Paris","zip":"75001"},`, 20)
	for _, bc := range []struct{ name, body string }{
		{"valid", `{"name":"Ann","age":30,"tags":["a","b"],"addresses":[` + addrs + `{"city":"Lyon","zip":"69001"}]}`},
		{"type-error", `{"name":"Ann","age":30,"tags":["a","b"],"addresses":[` + addrs + `{"city":7,"zip":"69001"}]}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bd := bind.New(bind.Options{})
			src := &fakeSource{ct: "application/json", body: bc.body}
			b.ReportAllocs()
			for b.Loop() {
				var v body
				err := bd.Bind(src, &v)
				if (err != nil) != (bc.name != "valid") {
					b.Fatal(err)
				}
			}
		})
	}
}

// A body with a type error costs about what a valid body does: the error
// is located in the scan that follows decoding, not by decoding the body
// again field by field (which took six times the allocations).
func TestTypeErrorCostsOneScan(t *testing.T) {
	type addr struct {
		City string `json:"city" validate:"required"`
	}
	type body struct {
		Name      string `json:"name" validate:"required"`
		Age       int    `json:"age"`
		Addresses []addr `json:"addresses"`
	}
	addrs := strings.Repeat(`{"city":"Paris"},`, 20)
	bd := bind.New(bind.Options{})
	allocs := func(b string, wantErr bool) float64 {
		src := &fakeSource{ct: "application/json", body: b}
		return testing.AllocsPerRun(50, func() {
			var v body
			if err := bd.Bind(src, &v); (err != nil) != wantErr {
				t.Fatal(err)
			}
		})
	}
	valid := allocs(`{"name":"Ann","age":30,"addresses":[`+addrs+`{"city":"Lyon"}]}`, false)
	bad := allocs(`{"name":"Ann","age":"x","addresses":[`+addrs+`{"city":7}]}`, true)
	if bad > valid+20 {
		t.Fatalf("a type error costs %v allocations, a valid body %v: located by decoding again?", bad, valid)
	}
}
