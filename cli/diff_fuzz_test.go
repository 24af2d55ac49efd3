package cli

import (
	"testing"
)

// FuzzDecodeDocument feeds `openapi --check` files: decoding never
// panics, and a document never differs from itself.
func FuzzDecodeDocument(f *testing.F) {
	for _, seed := range []string{
		`{"openapi":"3.1.0","paths":{"/a":{"get":{}}}}`,
		"openapi: 3.0.3\npaths:\n  /a:\n    get: {}\n",
		"- 1\n- two\n- {three: 3}\n",
		"{not json",
		"? [a, b]\n: c\n",
		"a: &x [1]\nb: *x\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := decodeDocument(raw)
		if err != nil {
			return
		}
		if d := diff(v, v); len(d) != 0 {
			t.Fatalf("a document differs from itself: %v", d)
		}
		for _, x := range diff(v, map[string]any{"x": []any{1.0}}) {
			_ = x.String()
		}
	})
}
