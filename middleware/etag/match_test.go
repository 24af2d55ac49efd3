package etag

import "testing"

func TestIfNoneMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		etag   string
		want   bool
	}{
		{"absent", nil, `"a"`, false},
		{"exact strong", []string{`"a"`}, `"a"`, true},
		{"weak request, strong tag", []string{`W/"a"`}, `"a"`, true},
		{"strong request, weak tag", []string{`"a"`}, `W/"a"`, true},
		{"both weak", []string{`W/"a"`}, `W/"a"`, true},
		{"different", []string{`"b"`}, `"a"`, false},
		{"prefix is not a match", []string{`"ab"`}, `"a"`, false},
		{"list", []string{`"x", "y", "a"`}, `"a"`, true},
		{"list with spaces and weak", []string{`  "x" ,W/"a"  ,"z"`}, `"a"`, true},
		{"list without match", []string{`"x", W/"y"`}, `"a"`, false},
		{"several field lines", []string{`"x"`, `"a"`}, `"a"`, true},
		{"comma inside a tag", []string{`"a,b"`}, `"a,b"`, true},
		{"comma inside does not split", []string{`"a,b"`}, `"a"`, false},
		{"star", []string{`*`}, `"a"`, true},
		{"star with spaces", []string{` * `}, `"a"`, true},
		{"unquoted", []string{`a`}, `"a"`, false},
		{"unterminated", []string{`"a`}, `"a"`, false},
		{"malformed after a match is fine", []string{`"a", junk`}, `"a"`, true},
		{"malformed before stops", []string{`junk, "a"`}, `"a"`, false},
		{"lower-case w/ is not weak", []string{`w/"a"`}, `"a"`, false},
		{"malformed etag never matches", []string{`*`}, `a`, false},
		{"empty", []string{``}, `"a"`, false},
		{"empty tag", []string{`""`}, `""`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ifNoneMatch(tt.values, tt.etag); got != tt.want {
				t.Errorf("ifNoneMatch(%q, %q) = %v, want %v", tt.values, tt.etag, got, tt.want)
			}
		})
	}
}

func TestIfNoneMatchAllocs(t *testing.T) {
	values := []string{`"x", W/"y", W/"0123456789abcdef"`}
	if n := testing.AllocsPerRun(100, func() { ifNoneMatch(values, `W/"0123456789abcdef"`) }); n != 0 {
		t.Errorf("ifNoneMatch allocates %v times", n)
	}
}

func FuzzIfNoneMatch(f *testing.F) {
	f.Add(`"a", W/"b"`, `"b"`)
	f.Add(`*`, `W/"x"`)
	f.Fuzz(func(t *testing.T, header, etag string) {
		got := ifNoneMatch([]string{header}, etag)
		if got && opaque(etag) == "" {
			t.Fatalf("malformed tag %q matched %q", etag, header)
		}
	})
}
