package curltest

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"TOKEN": "abc", "X": "y"}
	for _, tc := range []struct {
		in      string
		words   []string
		comment string
	}{
		{`curl -s http://h/p`, []string{"curl", "-s", "http://h/p"}, ""},
		{`curl -H 'Content-Type: application/json' -d '{"a":"$X"}' u  # 401 {"e":1}`,
			[]string{"curl", "-H", "Content-Type: application/json", "-d", `{"a":"$X"}`, "u"}, `401 {"e":1}`},
		{`curl -H "Authorization: Bearer $TOKEN" u/${X}z`, []string{"curl", "-H", "Authorization: Bearer abc", "u/yz"}, ""},
		{`curl a#b`, []string{"curl", "a#b"}, ""},
	} {
		words, comment, err := split(tc.in, vars)
		if err != nil || !reflect.DeepEqual(words, tc.words) || comment != tc.comment {
			t.Errorf("split(%s) = %q %q %v", tc.in, words, comment, err)
		}
	}
	if _, _, err := split(`curl 'open`, vars); err == nil {
		t.Error("unterminated quote accepted")
	}
}

func TestExpect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		comment string
		status  int
		body    string
		ok      bool
	}{
		{"", 200, "x", true},
		{"", 422, "x", false},
		{`{"m":1}`, 200, `{"m":1}`, true},
		{`{"m":1}`, 200, `{"m":2}`, false},
		{`401 {"error":"no"}`, 401, `{"error":"no"}`, true},
		{`401 {"error":"no"}`, 200, `{"error":"no"}`, false},
		{`401: revoked at logout`, 401, `{}`, true},
		{`new token; the cookie rotates`, 200, `{}`, true},
	} {
		if err := expect(tc.comment, tc.status, tc.body); (err == nil) != tc.ok {
			t.Errorf("expect(%q, %d, %s) = %v", tc.comment, tc.status, tc.body, err)
		}
	}
}

func TestLines(t *testing.T) {
	t.Parallel()
	src := "// Doc.\n//\n//\tX=$(openssl rand -hex 32) go run .\n//\tT=$(curl -s u | jq -r .t)\n//\tcurl -s u\n// curl in prose\nfunc main() {}\n"
	got := Lines(src)
	want := []string{"T=$(curl -s u | jq -r .t)", "curl -s u"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Lines = %q", got)
	}
}
