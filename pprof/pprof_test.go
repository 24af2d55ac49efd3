package pprof_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/pprof"
	"github.com/nexios-go/nexios/testclient"
)

func ops(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if req.Header("Authorization") != "Bearer ops" {
			return nexios.NewHTTPError(http.StatusUnauthorized, "operators only")
		}
		return next(req, res)
	}
}

func TestProfilesBehindTheGuard(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	if err := pprof.Register(app, "/internal/pprof", ops); err != nil {
		t.Fatal(err)
	}
	c := testclient.New(app)
	auth := testclient.Header("Authorization", "Bearer ops")
	for _, tc := range []struct {
		path, want string
	}{
		{"/internal/pprof/", "goroutine"},
		{"/internal/pprof/goroutine?debug=1", "goroutine profile"},
		{"/internal/pprof/heap?debug=1", "heap profile"},
		{"/internal/pprof/cmdline", "pprof.test"},
	} {
		if r := c.Get(tc.path); r.Status != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d", tc.path, r.Status)
		}
		r := c.Get(tc.path, auth)
		if r.Status != 200 || !strings.Contains(r.Text(), tc.want) {
			t.Errorf("%s: %d %.200q", tc.path, r.Status, r.Body)
		}
	}
	if r := c.Get("/internal/pprof/nosuch", auth); r.Status != http.StatusNotFound {
		t.Errorf("unknown profile: %d", r.Status)
	}
	if r := c.Get("/internal/pprof/nosuch"); r.Status != http.StatusUnauthorized {
		t.Errorf("unknown profile without credentials: %d", r.Status)
	}
}

func TestRefusesWithoutAGuard(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	if err := pprof.Register(app, "/debug/pprof"); !errors.Is(err, pprof.ErrNoGuard) {
		t.Fatalf("Register without a guard: %v", err)
	}
	if err := pprof.Register(app, "/debug/pprof", pprof.Unguarded); err != nil {
		t.Fatal(err)
	}
	if r := testclient.New(app).Get("/debug/pprof/"); r.Status != 200 {
		t.Errorf("unguarded index: %d", r.Status)
	}
}
