package bind_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/bind"
)

// A body that a proxy and the handler could read differently is refused:
// a key sent twice in one object, or a name that matches a field only
// when case is ignored. LaxJSON restores encoding/json's reading.
func TestStrictJSON(t *testing.T) {
	t.Parallel()
	type addr struct {
		City string `json:"city"`
	}
	type in struct {
		Name   string            `json:"name"`
		Role   string            `json:"role"`
		Kind   string            `json:"kind"`
		Addr   addr              `json:"addr"`
		List   []addr            `json:"list"`
		Labels map[string]string `json:"labels"`
		Extra  any               `json:"extra"`
		Note   string
		Inner  struct{ Depth int }
	}
	many := func(dup bool) string {
		var b strings.Builder
		b.WriteString(`{"labels":{`)
		for i := range 40 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"k` + strconv.Itoa(i) + `":"v"`)
		}
		if dup {
			b.WriteString(`,"k30":"again"`)
		}
		b.WriteString(`}}`)
		return b.String()
	}
	cases := []struct {
		name, body, strict string // strict: the errors by default
		lax                string // the errors with LaxJSON
	}{
		{"valid", `{"name":"ann","addr":{"city":"x"},"list":[{"city":"y"}],"labels":{"a":"b"}}`, "", ""},
		{"duplicate", `{"role":"user","role":"admin"}`, "body:role:duplicate", ""},
		{"duplicate unknown key", `{"zz":1,"zz":2}`, "body:zz:duplicate", ""},
		{"duplicate escaped", `{"role":"user","r\u006fle":"admin"}`, "body:role:duplicate", ""},
		{"duplicate nested", `{"addr":{"city":"a","city":"b"}}`, "body:addr.city:duplicate", ""},
		{"duplicate in array", `{"list":[{"city":"a"},{"city":"a","city":"b"}]}`, "body:list[1].city:duplicate", ""},
		{"duplicate in map", `{"labels":{"a":"1","a":"2"}}`, "body:labels[a]:duplicate", ""},
		{"duplicate in any", `{"extra":{"x":{"y":1,"y":2}}}`, "body:extra[x][y]:duplicate", ""},
		{"duplicate in a big object", many(true), "body:labels[k30]:duplicate", ""},
		{"big object", many(false), "", ""},
		{"same key in two objects", `{"addr":{"city":"a"},"list":[{"city":"a"}],"labels":{"city":"a"}}`, "", ""},
		{"case", `{"NAME":"ann"}`, "body:NAME:case", ""},
		{"case nested", `{"addr":{"City":"x"}}`, "body:addr.City:case", ""},
		{"case and exact", `{"name":"a","Name":"b"}`, "body:Name:case body:name:duplicate", ""},
		{"untagged field in any case", `{"note":"a","inner":{"DEPTH":1}}`, "", ""},
		{"untagged field twice", `{"Note":"a","note":"b"}`, "body:Note:duplicate", ""},
		{"kelvin sign", `{"\u212aind":"x"}`, "body:\u212aind:case", ""},
		{"long s", `{"role":"r","name":"n","kind":"k","\u017fomething":1}`, "", ""},
		{"null still refused when lax", `{"Name":null}`, "body:Name:case body:name:type", "body:name:type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, lax := range []bool{false, true} {
				want := tc.strict
				if lax {
					want = tc.lax
				}
				var v in
				err := bind.New(bind.Options{LaxJSON: lax}).Bind(&fakeSource{ct: "application/json", body: tc.body}, &v)
				if want == "" {
					if err != nil {
						t.Errorf("lax=%v: %v", lax, err)
					}
					continue
				}
				if got := errList(t, err); got != want {
					t.Errorf("lax=%v: errors %s, want %s", lax, got, want)
				}
			}
		})
	}
}

// DecodeJSON, which WebSocket messages and raw bodies go through, checks
// the same.
func TestStrictDecodeJSON(t *testing.T) {
	t.Parallel()
	var v struct {
		Role string `json:"role"`
	}
	err := bind.New(bind.Options{}).DecodeJSON([]byte(`{"role":"user","role":"admin"}`), &v)
	if got := errList(t, err); got != "body:role:duplicate" {
		t.Fatalf("errors %s", got)
	}
	var m map[string]int
	err = bind.New(bind.Options{}).DecodeJSON([]byte(`{"a":1,"a":"x"}`), &m)
	if got := errList(t, err); !strings.Contains(got, "body:[a]:duplicate") {
		t.Fatalf("errors %s", got)
	}
}
