package nexios_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

// itemView is a class-based view with hooks, middleware and per-method
// documentation.
type itemView struct{}

func (v *itemView) Get(req *nexios.Request, res *nexios.Response) error {
	return res.JSON(map[string]string{"id": req.Path("id")})
}

func (v *itemView) Delete(req *nexios.Request, res *nexios.Response) error {
	if req.Path("id") == "0" {
		return nexios.NewHTTPError(http.StatusNotFound, "no item 0")
	}
	return res.NoContent()
}

func (v *itemView) Before(req *nexios.Request, res *nexios.Response) error {
	if req.Header("X-Block") != "" {
		return nexios.NewHTTPError(http.StatusForbidden, "blocked")
	}
	res.Header().Set("X-Before", "1")
	return nil
}

func (v *itemView) After(req *nexios.Request, res *nexios.Response, err error) error {
	res.Header().Set("X-After", "1")
	if errors.Is(err, errTeapot) {
		return nexios.NewHTTPError(http.StatusTeapot, "")
	}
	return err
}

func (v *itemView) Middleware() []nexios.Middleware {
	return []nexios.Middleware{func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			res.Header().Set("X-View-Middleware", req.Method())
			return next(req, res)
		}
	}}
}

func (v *itemView) RouteOptions(method string) []nexios.RouteOption {
	return []nexios.RouteOption{nexios.Summary(strings.ToLower(method) + " an item")}
}

var errTeapot = errors.New("teapot")

type teapotView struct{}

func (teapotView) Post(*nexios.Request, *nexios.Response) error { return errTeapot }
func (teapotView) After(_ *nexios.Request, _ *nexios.Response, err error) error {
	return nexios.NewHTTPError(http.StatusTeapot, err.Error())
}

func TestView(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet})
	routes := app.View("/items/{id:int}", &itemView{}, nexios.Name("item"), nexios.Tags("items"))
	app.View("/teapot", teapotView{})
	c := testclient.New(app)
	for _, tc := range []struct {
		method, path, header string
		status               int
		allow                string
		marks                string // X-Before, X-After, X-View-Middleware
	}{
		// After runs once the method has returned: its headers reach the
		// client only when the method left the response to the error.
		{"GET", "/items/7", "", 200, "", "1,,GET"},
		{"HEAD", "/items/7", "", 200, "", "1,,HEAD"},
		{"DELETE", "/items/7", "", 204, "", "1,,DELETE"},
		{"DELETE", "/items/0", "", 404, "", "1,1,DELETE"},
		{"GET", "/items/7", "yes", 403, "", ",1,GET"},
		{"POST", "/items/7", "", 405, "GET, HEAD, DELETE, OPTIONS", ",,"},
		{"OPTIONS", "/items/7", "", 204, "GET, HEAD, DELETE, OPTIONS", ",,OPTIONS"},
		{"POST", "/teapot", "", 418, "", ",,"},
	} {
		var opts []testclient.RequestOption
		if tc.header != "" {
			opts = append(opts, testclient.Header("X-Block", tc.header))
		}
		r := c.Do(tc.method, tc.path, opts...)
		if r.Status != tc.status || r.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d Allow %q, want %d %q (%s)", tc.method, tc.path, r.Status, r.Header.Get("Allow"), tc.status, tc.allow, r.Text())
		}
		marks := r.Header.Get("X-Before") + "," + r.Header.Get("X-After") + "," + r.Header.Get("X-View-Middleware")
		if marks != tc.marks {
			t.Errorf("%s %s: before,after,middleware = %q, want %q", tc.method, tc.path, marks, tc.marks)
		}
	}
	if len(routes) != 2 || routes[0].Name() != "item" || routes[1].Name() != "" {
		t.Fatalf("routes %v", routes)
	}
	for _, rt := range routes {
		want := strings.ToLower(rt.Methods()[0]) + " an item"
		if rt.Doc().Summary != want || rt.Tags()[0] != "items" {
			t.Errorf("%v: summary %q tags %v", rt.Methods(), rt.Doc().Summary, rt.Tags())
		}
	}
	if u, err := app.URLFor("item", map[string]any{"id": 3}); err != nil || u != "/items/3" {
		t.Errorf("URLFor = %q, %v", u, err)
	}
	if v := mustPanic(t, func() { app.View("/none", struct{}{}) }); !strings.Contains(v.(error).Error(), "no handler method") {
		t.Errorf("panic %v", v)
	}
}
