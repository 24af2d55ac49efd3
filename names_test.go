package nexios_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
)

// TestNameIndex checks the name → route index behind URLFor and the
// duplicate-name check, with routes added before and after their router
// is mounted.
func TestNameIndex(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	noop := func(*nexios.Request, *nexios.Response) error { return nil }
	app.Get("/a/{id:int}", noop, nexios.Name("item"))

	v1 := nexios.NewRouter("/v1", nexios.RouterName("v1"))
	v1.Get("/items/{id:int}", noop, nexios.Name("item")) // before mounting
	admin := nexios.NewRouter("/admin", nexios.RouterName("admin"))
	v1.Mount(admin)
	app.Mount(v1)
	admin.Get("/items/{id:int}", noop, nexios.Name("item")) // after mounting
	v2 := nexios.NewRouter("/v2")                           // unnamed: names stay as given
	v2.Get("/other", noop, nexios.Name("other"))
	app.Mount(v2)

	for name, want := range map[string]string{
		"item":            "/a/7",
		"v1.item":         "/v1/items/7",
		"v1.admin.item":   "/v1/admin/items/7",
		"other":           "/v2/other",
		"admin.item":      "",
		"v1.admin.item.x": "",
	} {
		params := map[string]any{"id": 7}
		if name == "other" {
			params = nil
		}
		got, err := app.URLFor(name, params)
		if want == "" {
			if !errors.Is(err, nexios.ErrRouteNotFound) {
				t.Errorf("URLFor(%q) = %q, %v; want ErrRouteNotFound", name, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("URLFor(%q) = %q, %v; want %q", name, got, err, want)
		}
	}

	// A duplicate full name panics, naming the route that holds it, even
	// when it arrives through a router mounted later.
	late := nexios.NewRouter("/late", nexios.RouterName("v1"))
	late.Get("/x", noop, nexios.Name("item"))
	v := mustPanic(t, func() { app.Mount(late) })
	if re, ok := v.(*nexios.RouteError); !ok || !strings.Contains(re.Error(), `"v1.item"`) || !strings.Contains(re.Error(), "/v1/items/{id:int}") {
		t.Errorf("duplicate name: panic %v", v)
	}
	// The refused route did not take the name over.
	if got, _ := app.URLFor("v1.item", map[string]any{"id": 1}); got != "/v1/items/1" {
		t.Errorf("after the refused duplicate, URLFor(v1.item) = %q", got)
	}
}

// BenchmarkURLFor shows that URLFor does not grow with the number of
// routes.
func BenchmarkURLFor(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			app := nexios.New(nexios.Config{})
			for i := range n {
				app.Get(fmt.Sprintf("/r%d/{id:int}", i), func(*nexios.Request, *nexios.Response) error { return nil }, nexios.Name(fmt.Sprint("r", i)))
			}
			params := map[string]any{"id": 42}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := app.URLFor("r0", params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
