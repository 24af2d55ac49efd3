package bind

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type strictProbe struct {
	Name  string            `json:"name"`
	Age   int               `json:"age"`
	Tags  []string          `json:"tags"`
	Inner *strictProbe      `json:"inner"`
	Meta  map[string]string `json:"meta"`
}

// A valid body is checked without allocating: the check runs on every
// JSON request.
func TestCheckJSONAllocs(t *testing.T) {
	body := []byte(`{"name":"ann","age":3,"tags":["a","b"],"inner":{"name":"bob","inner":null},"meta":{"k":"v"}}`)
	typ := reflect.TypeFor[strictProbe]()
	checkJSON(body, typ, true) // fills the type cache
	if n := testing.AllocsPerRun(100, func() {
		if errs := checkJSON(body, typ, true); len(errs) != 0 {
			t.Fatal(errs)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per check, want 0", n)
	}
}

// An object of many keys costs linear time: the keys beyond the first 16
// go in a set.
func BenchmarkCheckJSONWideObject(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`{"meta":{`)
	for i := range 100_000 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`"k`)
		buf.WriteString(strings.Repeat("x", i%7))
		buf.WriteString(string(rune('a' + i%26)))
		buf.WriteString(`":"` + string(rune('a'+i%26)) + `"`)
	}
	buf.WriteString(`}}`)
	body := buf.Bytes()
	typ := reflect.TypeFor[strictProbe]()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		checkJSON(body, typ, true)
	}
}

func BenchmarkCheckJSON(b *testing.B) {
	body := []byte(`{"name":"ann","age":3,"tags":["a","b"],"inner":{"name":"bob","inner":null},"meta":{"k":"v"}}`)
	typ := reflect.TypeFor[strictProbe]()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		checkJSON(body, typ, true)
	}
}

// hasDuplicateKey is the reference: encoding/json's tokenizer, one set of
// keys per open object.
func hasDuplicateKey(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys   map[string]bool
		object bool
		expect bool // next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.expect
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &frame{keys: map[string]bool{}, object: true, expect: true})
				continue
			case '[':
				stack = append(stack, &frame{})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if isKey {
				if top.keys[v] {
					return true
				}
				top.keys[v] = true
				top.expect = false
				continue
			}
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].expect = true
		}
	}
}

// The check never panics or loops on any input, and on valid JSON of
// no known type it finds a duplicate key exactly when encoding/json's
// tokenizer does.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","name":"b"}`, `{"inner":{"inner":{"age":null}}}`, `[{"a":1},{"a":1,"a":2}]`,
		`{"a\"b":1,"a\u0022b":2}`, `{"NAME":1}`, `{"meta":{"x":null}}`, `[}`, `{"a"`, `{"\`, `"\`, `{1:2}`,
	} {
		f.Add([]byte(s))
	}
	typ := reflect.TypeFor[strictProbe]()
	f.Fuzz(func(t *testing.T, body []byte) {
		checkJSON(body, typ, true)
		errs := checkJSON(body, nil, true)
		if !json.Valid(body) {
			return
		}
		dup := false
		for _, e := range errs {
			dup = dup || e.Rule == "duplicate"
		}
		if want := hasDuplicateKey(body); dup != want {
			t.Fatalf("%q: duplicate reported %v, tokenizer says %v (%v)", body, dup, want, errs)
		}
	})
}
