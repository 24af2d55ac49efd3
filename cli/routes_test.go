package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/middleware/cors"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/middleware/requestid"
	"github.com/nexios-go/nexios/websocket"
)

func ok(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") }

// timing is a plain function used as middleware.
func timing(next nexios.HandlerFunc) nexios.HandlerFunc { return next }

// routedApp has app-wide, router and route middleware, auth, a
// WebSocket route and a mount.
func routedApp(t *testing.T) *nexios.App {
	t.Helper()
	app := nexios.New(nexios.Config{Title: "Shop"})
	app.Use(nexios.Must(requestid.New(requestid.Config{})), nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"https://shop.example"}})))
	api := nexios.NewRouter("/api", nexios.RouterName("api"))
	api.Use(nexios.Must(ratelimit.New(ratelimit.Config{Limit: 10, Window: time.Minute})))
	api.Get("/items", ok, nexios.Name("items"), nexios.Summary("List the items"))
	api.Post("/items", ok, nexios.Name("create_item"), auth.Required("items:write"), nexios.WithMiddleware(timing))
	api.Delete("/items/{id:int}", ok, auth.Required())
	app.Mount(api)
	websocket.Route(app, "/ws/chat/{room}", websocket.Handler(func(*websocket.Conn) error { return nil }))
	app.Get("/", ok)
	return app
}

func TestRoutesTable(t *testing.T) {
	t.Parallel()
	r := run(t, routedApp(t), nil, "routes")
	if r.err != nil {
		t.Fatalf("routes: %v\n%s", r.err, r.errOut)
	}
	want := []string{
		"Every route: requestid, cors",
		"METHOD PATTERN NAME SUMMARY MIDDLEWARE AUTH",
		"GET / - - - -",
		"GET /api/items api.items List the items ratelimit -",
		"POST /api/items api.create_item - ratelimit, auth.Require, cli_test.timing auth:items:write",
		"DELETE /api/items/{id:int} - - ratelimit, auth.Require auth",
		"WS /ws/chat/{room} - - - -",
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != len(want)+1 { // and the blank line below "Every route"
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want)+1, r.out)
	}
	lines = append(lines[:1], lines[2:]...)
	for i, w := range want {
		if got := strings.Join(strings.Fields(lines[i]), " "); got != w {
			t.Errorf("line %d = %q, want %q", i, got, w)
		}
	}
}

func TestRoutesJSON(t *testing.T) {
	t.Parallel()
	r := run(t, routedApp(t), nil, "routes", "--json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got []cli.RouteInfo
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	byKey := map[string]cli.RouteInfo{}
	for _, ri := range got {
		byKey[strings.Join(ri.Methods, ",")+" "+ri.Pattern] = ri
	}
	post := byKey["POST /api/items"]
	if want := []string{"requestid", "cors", "ratelimit", "auth.Require", "cli_test.timing"}; strings.Join(post.Middleware, " ") != strings.Join(want, " ") {
		t.Errorf("POST middleware = %v, want %v", post.Middleware, want)
	}
	if !post.Authenticated || strings.Join(post.Scopes, ",") != "items:write" || post.Name != "api.create_item" {
		t.Errorf("POST route = %+v", post)
	}
	ws := byKey["GET /ws/chat/{room}"]
	if !ws.WebSocket || ws.Authenticated {
		t.Errorf("WebSocket route = %+v", ws)
	}
	if root := byKey["GET /"]; root.WebSocket || root.Authenticated || len(root.Middleware) != 2 {
		t.Errorf("root route = %+v", root)
	}
}

func TestRoutesEmptyApp(t *testing.T) {
	t.Parallel()
	r := run(t, nexios.New(nexios.Config{}), nil, "routes")
	if r.err != nil || strings.TrimSpace(r.out) != "No routes." {
		t.Errorf("out %q err %v", r.out, r.err)
	}
}

func TestMiddlewareName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mw   nexios.Middleware
		want string
	}{
		{nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"*"}})), "cors"},
		{nexios.Must(ratelimit.New(ratelimit.Config{Limit: 1, Window: time.Second})), "ratelimit"},
		{nexios.Must(requestid.New(requestid.Config{})), "requestid"},
		{auth.Require("x"), "auth.Require"}, // inlined here: named from its source file
		{timing, "cli_test.timing"},
		{nil, "nil"},
	}
	for _, c := range cases {
		if got := cli.MiddlewareName(c.mw); got != c.want {
			t.Errorf("MiddlewareName = %q, want %q", got, c.want)
		}
	}
}
