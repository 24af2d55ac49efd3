package fileserve

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestPreconditions(t *testing.T) {
	t.Parallel()
	mod := time.Date(2024, 5, 1, 12, 0, 0, 500_000_000, time.UTC) // sub-second part ignored
	const etag = `"v1"`
	at := mod.Format(http.TimeFormat)
	before := mod.Add(-time.Hour).Format(http.TimeFormat)
	after := mod.Add(time.Hour).Format(http.TimeFormat)
	cases := []struct {
		name    string
		method  string
		headers []string
		want    int
	}{
		{"none", "GET", nil, 0},
		{"if-match ok", "GET", []string{"If-Match", `"x", "v1"`}, 0},
		{"if-match star", "GET", []string{"If-Match", "*"}, 0},
		{"if-match other", "GET", []string{"If-Match", `"x"`}, 412},
		{"if-match weak is never strong", "GET", []string{"If-Match", `W/"v1"`}, 412},
		{"if-match malformed", "GET", []string{"If-Match", `v1`}, 412},
		{"if-match wins over if-unmodified-since", "GET", []string{"If-Match", etag, "If-Unmodified-Since", before}, 0},
		{"if-unmodified-since at", "GET", []string{"If-Unmodified-Since", at}, 0},
		{"if-unmodified-since before", "GET", []string{"If-Unmodified-Since", before}, 412},
		{"if-unmodified-since garbage ignored", "GET", []string{"If-Unmodified-Since", "yesterday"}, 0},
		{"if-none-match match", "GET", []string{"If-None-Match", etag}, 304},
		{"if-none-match weak match", "HEAD", []string{"If-None-Match", `W/"v1"`}, 304},
		{"if-none-match list", "GET", []string{"If-None-Match", `"a",  W/"b" ,"v1"`}, 304},
		{"if-none-match star", "GET", []string{"If-None-Match", "*"}, 304},
		{"if-none-match other", "GET", []string{"If-None-Match", `"a"`}, 0},
		{"if-none-match on POST", "POST", []string{"If-None-Match", etag}, 412},
		{"if-none-match wins over if-modified-since", "GET", []string{"If-None-Match", `"a"`, "If-Modified-Since", after}, 0},
		{"if-modified-since at", "GET", []string{"If-Modified-Since", at}, 304},
		{"if-modified-since after", "GET", []string{"If-Modified-Since", after}, 304},
		{"if-modified-since before", "GET", []string{"If-Modified-Since", before}, 0},
		{"if-modified-since on POST ignored", "POST", []string{"If-Modified-Since", after}, 0},
		{"if-match fails before if-none-match", "GET", []string{"If-Match", `"x"`, "If-None-Match", etag}, 412},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(tc.method, "/", nil)
		for i := 0; i < len(tc.headers); i += 2 {
			r.Header.Add(tc.headers[i], tc.headers[i+1])
		}
		if got := Preconditions(r, etag, mod); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	// No usable time: date conditions are ignored.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-Modified-Since", after)
	if got := Preconditions(r, etag, time.Time{}); got != 0 {
		t.Errorf("If-Modified-Since without a modification time: %d", got)
	}
}

func TestIfRange(t *testing.T) {
	t.Parallel()
	mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		value, etag string
		want        bool
	}{
		{"", `"v1"`, true},
		{`"v1"`, `"v1"`, true},
		{`"v2"`, `"v1"`, false},
		{`W/"v1"`, `"v1"`, false},
		{`"v1"`, `W/"v1"`, false},
		{`"v1" junk`, `"v1"`, false},
		{mod.Format(http.TimeFormat), `"v1"`, true},
		{mod.Add(-time.Second).Format(http.TimeFormat), `"v1"`, false},
		{"not a date", `"v1"`, false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.value != "" {
			r.Header.Set("If-Range", tc.value)
		}
		if got := IfRange(r, tc.etag, mod); got != tc.want {
			t.Errorf("If-Range %q against %s: %v, want %v", tc.value, tc.etag, got, tc.want)
		}
	}
}
