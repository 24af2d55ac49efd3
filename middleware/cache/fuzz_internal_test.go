package cache

import (
	"net/http"
	"testing"
)

// Cache-Control and Vary come from clients and handlers: parsing them
// never panics, never yields a negative lifetime, and Vary names are
// canonical, sorted and unique.
func FuzzHeaders(f *testing.F) {
	for _, s := range []string{"public, max-age=60", `max-age="10", s-maxage=0`, "no-store,,=,", "max-age=-1",
		"max-age=99999999999999999999", "Accept-Language, accept-language,*", "", ","} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cc := parseCacheControl([]string{s})
		for _, d := range []string{"max-age", "s-maxage"} {
			if v, _ := cc.seconds(d); v < 0 {
				t.Fatalf("%s of %q = %v", d, s, v)
			}
		}
		names := varyNames([]string{s})
		for i, n := range names {
			if n != http.CanonicalHeaderKey(n) || i > 0 && names[i-1] >= n {
				t.Fatalf("varyNames(%q) = %q", s, names)
			}
		}
	})
}
