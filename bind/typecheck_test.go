package bind

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type typeProbe struct {
	S     string            `json:"s"`
	I     int8              `json:"i"`
	U     uint16            `json:"u"`
	F     float32           `json:"f"`
	B     bool              `json:"b"`
	Q     int               `json:"q,string"`
	N     json.Number       `json:"n"`
	Raw   []byte            `json:"raw"`
	P     *int              `json:"p"`
	T     time.Time         `json:"t"`
	D     Date              `json:"d"`
	Any   any               `json:"any"`
	Arr   [2]int            `json:"arr"`
	List  []typeProbe       `json:"list"`
	Map   map[string]uint8  `json:"map"`
	Inner *typeProbe        `json:"inner"`
	Dur   map[string]string `json:"dur"`
}

// Every value of the wrong JSON type is reported at its path, in one scan.
func TestTypeErrors(t *testing.T) {
	t.Parallel()
	b := New(Options{})
	typ := reflect.TypeFor[typeProbe]()
	cases := []struct{ body, want string }{
		{`{"s":1}`, "s"},
		{`{"i":300}`, "i"},
		{`{"i":1.5,"u":-1,"f":1e39,"b":"yes"}`, "i u f b"},
		{`{"list":[{"s":"a"},{"s":true,"inner":{"arr":[1,"x"]}}]}`, "list[1].s list[1].inner.arr[1]"},
		{`{"map":{"a":1,"b":256}}`, "map[b]"},
		{`{"s":[],"i":{}}`, "s i"},
		{`{"inner":{"inner":{"u":"7"}}}`, "inner.inner.u"},
		{`{"S":5}`, "s"}, // a name in another case is the field's
	}
	for _, tc := range cases {
		var v typeProbe
		err := json.Unmarshal([]byte(tc.body), &v)
		if err == nil {
			t.Fatalf("%s decoded", tc.body)
		}
		errs := b.typeErrors([]byte(tc.body), typ, err)
		var got []string
		for _, e := range errs {
			if e.Rule == "type" {
				got = append(got, e.Field)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: type errors at %q, want %q (%v)", tc.body, got, tc.want, errs)
		}
	}
}

// Values that encoding/json takes are not type errors, whatever the
// kind: quoted numbers, json.Number, base64 bytes, any, types that decode
// themselves.
func TestTypeErrorsAcceptWhatDecodes(t *testing.T) {
	t.Parallel()
	body := []byte(`{"s":"x","i":-128,"u":65535,"f":3.4e38,"b":false,"q":"12","n":1.5e300,"raw":"aGk=",` +
		`"p":null,"t":"2020-01-02T03:04:05Z","d":"2020-01-02","any":[{"x":1}],"arr":[1,2,3],"list":[],"map":{"a":255},` +
		`"inner":{"s":"y"},"dur":{"a":"b"}}`)
	var v typeProbe
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if errs, n, _ := scanJSON(body, reflect.TypeFor[typeProbe](), true, true); n != 0 || len(errs) != 0 {
		t.Fatalf("errors on a valid body: %v", errs)
	}
}

// The scan agrees with encoding/json: a body it decodes has no type
// mismatch in the scan, and a type error in a body the scan is sure of is
// found by the scan, the first one at encoding/json's path.
func FuzzTypeErrors(f *testing.F) {
	for _, s := range []string{`{"s":1}`, `{"i":300}`, `{"list":[{"s":true}]}`, `{"map":{"a":-1}}`, `{"q":"x"}`,
		`{"arr":[1,2,"x"]}`, `{"n":"1"}`, `{"raw":[1,2]}`, `{"inner":{"p":"1"}}`, `{"f":1e400}`, `{"u":1e2}`} {
		f.Add([]byte(s))
	}
	typ := reflect.TypeFor[typeProbe]()
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		var v typeProbe
		err := json.Unmarshal(body, &v)
		errs, n, sure := scanJSON(body, typ, false, true)
		var te *json.UnmarshalTypeError
		switch {
		case err == nil && n != 0:
			t.Fatalf("%s decodes, but the scan reports %v", body, errs)
		case !sure:
			// The binder locates by parts.
		case errors.As(err, &te) && n == 0:
			t.Fatalf("%s: %v, not found by the scan", body, err)
		case errors.As(err, &te):
			first := ""
			for _, e := range errs {
				if e.Rule == "type" && !strings.HasSuffix(e.Message, "not null") {
					first = e.Field
					break
				}
			}
			// encoding/json's path has no indexes or map keys.
			if got := unindexed(first); got != te.Field {
				t.Fatalf("%s: first mismatch at %q, encoding/json says %q", body, first, te.Field)
			}
		}
	})
}

func unindexed(path string) string {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
