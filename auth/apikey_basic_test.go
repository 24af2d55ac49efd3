package auth_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

func basicAuth(user, pass string) testclient.RequestOption {
	return testclient.Header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
}

// countingVerify wraps BasicUsers and counts the verifications.
func countingVerify(t *testing.T, n *atomic.Int32) func(ctx context.Context, u, p string) (nexios.User, error) {
	h, err := auth.HashPasswordWith("s3cret", cheap)
	if err != nil {
		t.Fatal(err)
	}
	verify := mustHasher(t, auth.HasherConfig{Params: cheap}).BasicUsers(map[string]string{"ops": h})
	return func(ctx context.Context, u, p string) (nexios.User, error) {
		n.Add(1)
		return verify(ctx, u, p)
	}
}

// Basic auth is throttled like a login form (issue 18 §5): wrong
// passwords lock the user name with 429 and Retry-After, and concurrent
// guesses cannot slip past the limit.
func TestBasicThrottled(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	app := protectedApp(t, &auth.BasicBackend{Verify: countingVerify(t, &n), Throttle: mustThrottle(t, auth.ThrottleConfig{MaxFailures: 5})})
	c := testclient.New(app)
	rs := make([]*testclient.Response, 50)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range rs {
		wg.Go(func() {
			<-start
			rs[i] = c.Get("/me", basicAuth("ops", "guess"))
		})
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, r := range rs {
		counts[r.Status]++
	}
	if n.Load() > 5 || counts[401] > 5 || counts[401]+counts[429] != 50 {
		t.Fatalf("50 concurrent wrong Basic passwords, limit 5: %d verifications, statuses %v", n.Load(), counts)
	}
	r := c.Get("/me", basicAuth("ops", "s3cret"))
	expectProblem(t, r, http.StatusTooManyRequests, "Too many failed login attempts; try again later")
	if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra <= 0 || ra > 900 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
}

// A verified credential is remembered for CacheTTL: repeating it costs no
// verification; a different password is verified (and throttled); Forget
// and a disabled cache verify every time.
func TestBasicCache(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	b := &auth.BasicBackend{Verify: countingVerify(t, &n), CacheTTL: 200 * time.Millisecond}
	c := testclient.New(protectedApp(t, b))
	for range 10 {
		if r := c.Get("/me", basicAuth("ops", "s3cret")); r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Text())
		}
	}
	if n.Load() != 1 {
		t.Fatalf("10 requests with one credential: %d verifications, want 1", n.Load())
	}
	expectProblem(t, c.Get("/me", basicAuth("ops", "s3cret!")), 401, "invalid credentials")
	if n.Load() != 2 {
		t.Fatalf("a different password was not verified: %d", n.Load())
	}
	b.Forget("ops")
	c.Get("/me", basicAuth("ops", "s3cret"))
	if n.Load() != 3 {
		t.Fatalf("after Forget: %d verifications, want 3", n.Load())
	}
	time.Sleep(250 * time.Millisecond)
	c.Get("/me", basicAuth("ops", "s3cret"))
	if n.Load() != 4 {
		t.Fatalf("after CacheTTL: %d verifications, want 4", n.Load())
	}

	var m atomic.Int32
	nocache := testclient.New(protectedApp(t, &auth.BasicBackend{Verify: countingVerify(t, &m), CacheTTL: -1}))
	for range 3 {
		nocache.Get("/me", basicAuth("ops", "s3cret"))
	}
	if m.Load() != 3 {
		t.Fatalf("without a cache: %d verifications, want 3", m.Load())
	}
}
