package nexios_test

import (
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/benchtest"
	"github.com/nexios-go/nexios/testclient"
)

type tenant struct{ name string }

// TestKeyScopes checks the three scopes of a key and Resolve's order:
// request, then route, then app.
func TestKeyScopes(t *testing.T) {
	t.Parallel()
	key := nexios.NewKey[*tenant]("tenant")
	other := nexios.NewKey[*tenant]("tenant") // same name, another key
	app := nexios.New(nexios.Config{Logger: quiet})
	key.SetApp(app, &tenant{"app"})
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Header("X-Tenant") != "" {
				key.Set(req, &tenant{req.Header("X-Tenant")})
			}
			return next(req, res)
		}
	})
	h := func(req *nexios.Request, res *nexios.Response) error {
		got, _ := key.Resolve(req)
		_, inOther := other.Resolve(req)
		fromRoute, _ := key.Route(req.Route())
		name := ""
		if fromRoute != nil {
			name = fromRoute.name
		}
		return res.JSON(map[string]any{"resolved": got.name, "other": inOther, "route": name})
	}
	app.Get("/plain", h)
	app.Get("/routed", h, key.With(&tenant{"route"}))

	c := testclient.New(app)
	for _, tc := range []struct {
		path, header, want string
	}{
		{"/plain", "", `{"other":false,"resolved":"app","route":""}`},
		{"/routed", "", `{"other":false,"resolved":"route","route":"route"}`},
		{"/routed", "req", `{"other":false,"resolved":"req","route":"route"}`},
		{"/plain", "req", `{"other":false,"resolved":"req","route":""}`},
	} {
		var opts []testclient.RequestOption
		if tc.header != "" {
			opts = append(opts, testclient.Header("X-Tenant", tc.header))
		}
		if r := c.Get(tc.path, opts...); r.Text() != tc.want+"\n" {
			t.Errorf("%s (%q) = %s, want %s", tc.path, tc.header, r.Text(), tc.want)
		}
	}
}

// TestKeyRequestIsolation checks that request values never leak from one
// pooled request to the next.
func TestKeyRequestIsolation(t *testing.T) {
	t.Parallel()
	key := nexios.NewKey[string]("v")
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		if v, ok := key.Get(req); ok {
			return nexios.NewHTTPError(500, "leaked "+v)
		}
		key.Set(req, req.Query("v"))
		key.Set(req, key.Value(req)+"!") // overwrite in place
		if key.Value(req) != req.Query("v")+"!" {
			return nexios.NewHTTPError(500, "set twice")
		}
		key.Delete(req)
		if _, ok := key.Get(req); ok {
			return nexios.NewHTTPError(500, "deleted value still there")
		}
		key.Set(req, "x")
		return res.Text("ok")
	})
	c := testclient.New(app)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 50 {
				if r := c.Get("/?v=" + string(rune('a'+i))); r.Status != 200 {
					t.Errorf("%d %s", r.Status, r.Text())
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestKeyAppConcurrent races app-scope writes against reads.
func TestKeyAppConcurrent(t *testing.T) {
	t.Parallel()
	key := nexios.NewKey[int]("n")
	app := nexios.New(nexios.Config{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key.SetApp(app, i)
			if _, ok := key.App(app); !ok {
				t.Error("value missing after SetApp")
			}
		})
	}
	wg.Wait()
	if _, ok := nexios.NewKey[int]("n").App(app); ok {
		t.Error("a new key sees another key's value")
	}
}

// TestKeyAllocs checks that getting and setting a pointer value in a
// request allocates nothing once the request's slots have grown.
func TestKeyAllocs(t *testing.T) {
	key := nexios.NewKey[*tenant]("t")
	val := &tenant{"x"}
	app := nexios.New(nexios.Config{})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		key.Set(req, val)
		if v, _ := key.Get(req); v != val {
			return nexios.NewHTTPError(500, "lost")
		}
		return nil
	})
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	w, r := benchtest.NewWriter(), httptest.NewRequest("GET", "/", nil)
	app.ServeHTTP(w, r) // warm the pool
	if n := testing.AllocsPerRun(200, func() { w.Reset(); app.ServeHTTP(w, r) }); n != 0 {
		t.Errorf("allocs per request = %v, want 0", n)
	}
}
