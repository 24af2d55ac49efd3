package auth_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

func TestAPIKeyBackend(t *testing.T) {
	t.Parallel()
	const key = "nx_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
	lookup := auth.StaticAPIKeys(map[string]nexios.User{
		key:        auth.SimpleUser{ID: "svc", Permissions: []string{"admin"}},
		"other-ok": auth.SimpleUser{ID: "other"},
	})
	app := protectedApp(t, &auth.APIKeyBackend{Header: "X-API-Key", Query: "api_key", Cookie: "api_key", Lookup: lookup})
	c := testclient.New(app)
	for name, opt := range map[string]testclient.RequestOption{
		"header": testclient.Header("X-API-Key", key),
		"query":  testclient.Query("api_key", key),
		"cookie": testclient.Cookie(&http.Cookie{Name: "api_key", Value: key}),
	} {
		if r := c.Get("/admin", opt); r.Status != 200 || !strings.Contains(r.Text(), `"id":"svc"`) {
			t.Errorf("%s: %d %s", name, r.Status, r.Text())
		}
	}
	// Near misses are all rejected: a wrong last character, a prefix, an
	// extension, another case, the hash of the key.
	for _, bad := range []string{key[:len(key)-1] + "H", key[:len(key)-1], key + "x", strings.ToUpper(key), auth.HashAPIKey(key), " " + key, strings.Repeat("k", 600)} {
		r := c.Get("/me", testclient.Header("X-API-Key", bad))
		expectProblem(t, r, 401, "invalid credentials")
		if ch := challenge(r); ch != `APIKey realm="api"` {
			t.Errorf("WWW-Authenticate %q", ch)
		}
	}
	expectProblem(t, c.Get("/me"), 401, "Not authenticated")

	// The default header.
	def := testclient.New(protectedApp(t, &auth.APIKeyBackend{Lookup: lookup}))
	if r := def.Get("/me", testclient.Header("X-API-Key", "other-ok")); r.Status != 200 {
		t.Fatalf("default header: %d", r.Status)
	}
}

// StaticAPIKeys compares digests of equal length with every known key, so
// neither the length nor the common prefix of a guess changes the work
// done; this checks the results, the code review the timing.
func TestStaticAPIKeys(t *testing.T) {
	t.Parallel()
	users := map[string]nexios.User{}
	for _, k := range []string{"a", "ab", "abc", "b"} {
		users[k] = auth.SimpleUser{ID: k}
	}
	lookup := auth.StaticAPIKeys(users)
	for _, k := range []string{"a", "ab", "abc", "b"} {
		u, err := lookup(context.Background(), k)
		if err != nil || u == nil || u.Identity() != k {
			t.Errorf("lookup(%q) = %v %v", k, u, err)
		}
	}
	for _, k := range []string{"", "abcd", "c", "A"} {
		if u, _ := lookup(context.Background(), k); u != nil {
			t.Errorf("lookup(%q) found %v", k, u)
		}
	}
	key, hash := auth.GenerateAPIKey("nx_")
	if !strings.HasPrefix(key, "nx_") || len(key) != 3+43 || !auth.VerifyAPIKey(key, hash) || auth.VerifyAPIKey(key+"x", hash) ||
		hash != auth.HashAPIKey(key) {
		t.Fatalf("GenerateAPIKey: %q %q", key, hash)
	}
	other, _ := auth.GenerateAPIKey("nx_")
	if other == key {
		t.Fatal("two keys alike")
	}
}

func TestBasicBackend(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPasswordWith("s3cret", cheap)
	if err != nil {
		t.Fatal(err)
	}
	app := protectedApp(t, &auth.BasicBackend{Realm: "internal", Verify: auth.BasicUsers(map[string]string{"ops": h})})
	c := testclient.New(app)
	basic := func(user, pass string) testclient.RequestOption {
		return testclient.Header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	if r := c.Get("/me", basic("ops", "s3cret")); r.Status != 200 || !strings.Contains(r.Text(), `"id":"ops"`) {
		t.Fatalf("%d %s", r.Status, r.Text())
	}
	for name, opt := range map[string]testclient.RequestOption{
		"wrong password": basic("ops", "nope"),
		"unknown user":   basic("root", "s3cret"),
		"not base64":     testclient.Header("Authorization", "Basic !!!"),
		"no colon":       testclient.Header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("ops"))),
	} {
		r := c.Get("/me", opt)
		p := expectProblem(t, r, 401, "invalid credentials")
		if ch := challenge(r); ch != `Basic realm="internal", charset="UTF-8"` {
			t.Errorf("%s: WWW-Authenticate %q (%+v)", name, ch, p)
		}
	}
	// Without credentials the browser is asked for them.
	if ch := challenge(c.Get("/me")); ch != `Basic realm="internal", charset="UTF-8"` {
		t.Fatalf("WWW-Authenticate %q", ch)
	}
	// A malformed stored hash is a server error, not a wrong password.
	broken := testclient.New(protectedApp(t, &auth.BasicBackend{Verify: auth.BasicUsers(map[string]string{"ops": "plain"})}))
	expectProblem(t, broken.Get("/me", basic("ops", "plain")), 500, "")
}
