package main

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/testclient"
)

// The attacks of issue 18, end to end through the example. Each ran
// against the example before the fixes and failed.

// parallel sends n requests at once (released together) and returns the
// responses.
func parallel(n int, send func(i int) *testclient.Response) []*testclient.Response {
	out := make([]*testclient.Response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = send(i)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// statuses counts the responses by status.
func statuses(rs []*testclient.Response) map[int]int {
	m := map[int]int{}
	for _, r := range rs {
		m[r.Status]++
	}
	return m
}

// 50 simultaneous wrong passwords against a limit of 5: at most 5 reach
// the password check (401); the others are refused before it (429).
func TestConcurrentWrongPasswordsThrottled(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	got := statuses(parallel(50, func(int) *testclient.Response { return login(c, "admin", "guess") }))
	if got[401] > 5 || got[401]+got[429] != 50 {
		t.Fatalf("50 concurrent wrong passwords, limit 5: %v (want at most 5 401s, the rest 429)", got)
	}
}

// N concurrent refreshes with one refresh token: exactly one succeeds.
// The others are reuse of a rotated token, which revokes the family.
func TestConcurrentRefreshOneWins(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	r := login(c, "admin", "password")
	ck := r.Cookie(refreshCookie)
	if r.Status != 200 || ck == nil {
		t.Fatalf("login: %d %s", r.Status, r.Text())
	}
	rs := parallel(20, func(int) *testclient.Response {
		return c.Post("/refresh", testclient.Cookie(&http.Cookie{Name: refreshCookie, Value: ck.Value}))
	})
	got := statuses(rs)
	if got[200] != 1 || got[401] != 19 {
		t.Fatalf("20 concurrent refreshes with one token: %v, want one 200 and 19 401s", got)
	}
}

// Reuse of a rotated refresh token is refused and revokes the whole
// family: the token that replaced it stops working too, and so do the
// access tokens of that login.
func TestRefreshReuseRevokesFamily(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	first := login(c, "admin", "password").Cookie(refreshCookie)
	r := c.Post("/refresh", testclient.Cookie(first))
	second := r.Cookie(refreshCookie)
	var m map[string]string
	if r.Status != 200 || second == nil || second.Value == first.Value || r.JSON(&m) != nil {
		t.Fatalf("refresh did not rotate: %d %s %v", r.Status, r.Text(), second)
	}
	access := m["access_token"]
	if r := c.Get("/protected", testclient.BearerToken(access)); r.Status != 200 {
		t.Fatalf("fresh access token: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/refresh", testclient.Cookie(first)); r.Status != 401 {
		t.Fatalf("reused refresh token: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/refresh", testclient.Cookie(second)); r.Status != 401 {
		t.Fatalf("the family's newest refresh token after reuse: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/protected", testclient.BearerToken(access)); r.Status != 401 {
		t.Fatalf("the family's access token after reuse: %d %s", r.Status, r.Text())
	}
}

// Logout ends the access token at once, not at its expiry.
func TestLogoutRevokesAccessToken(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	var out map[string]string
	if err := login(c, "admin", "password").JSON(&out); err != nil {
		t.Fatal(err)
	}
	if r := c.Post("/logout", testclient.BearerToken(out["token"])); r.Status != 200 {
		t.Fatalf("logout: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/protected", testclient.BearerToken(out["token"])); r.Status != 401 {
		t.Fatalf("access token after logout: %d %s", r.Status, r.Text())
	}
}

// Seed 001 sends the refresh token as "Authorization: Bearer"; the
// cookie is for browsers.
func TestRefreshWithBearer(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	ck := login(c, "admin", "password").Cookie(refreshCookie)
	bare := newTestClient(t) // no cookie jar content
	r := bare.Post("/refresh", testclient.BearerToken(ck.Value))
	if r.Status != 200 {
		t.Fatalf("refresh with a bearer refresh token: %d %s", r.Status, r.Text())
	}
}

// 50 concurrent logins (each from its own address, for names that do not
// exist, so that no throttle stops them) must not make the server hold
// 50 argon2id buffers (19 MiB each, ~1 GB): the hasher admits a few at a
// time and answers the rest 503 with Retry-After.
func TestConcurrentLoginsMemoryBounded(t *testing.T) {
	// Not parallel: it measures the process's heap.
	app, err := newApp(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	// Plain clients: the checking client copies and validates every
	// response, which would add its own allocations to the heap measured.
	clients := make([]*testclient.Client, 50)
	for i := range clients {
		clients[i] = testclient.New(app, testclient.WithRemoteAddr(fmt.Sprintf("198.51.100.%d:1234", i+1)))
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	rs := parallel(50, func(i int) *testclient.Response {
		return login(clients[i], fmt.Sprintf("nobody%d", i), "guess")
	})
	close(stop)
	<-sampled
	got := statuses(rs)
	for _, r := range rs {
		if r.Status == 503 && r.Header.Get("Retry-After") == "" {
			t.Fatalf("503 without Retry-After: %s", r.Text())
		}
	}
	if got[401]+got[503] != 50 {
		t.Fatalf("statuses %v, want only 401 and 503", got)
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	const limit = 200 << 20
	t.Logf("heap grew by %d MiB at most; statuses %v", grew>>20, got)
	if grew > limit {
		t.Fatalf("50 concurrent logins grew the heap by %d MiB (limit %d MiB)", grew>>20, limit>>20)
	}
}

// Changing the password revokes every token of the user, on every device;
// the new password works, the old one does not.
func TestChangePasswordRevokesEverything(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	var a, b map[string]string
	ra, rb := login(c, "admin", "password"), login(c, "admin", "password")
	if ra.JSON(&a) != nil || rb.JSON(&b) != nil {
		t.Fatal(ra.Text(), rb.Text())
	}
	refreshA, refreshB := ra.Cookie(refreshCookie), rb.Cookie(refreshCookie)
	change := func(old, new string) *testclient.Response {
		return c.Post("/change-password", testclient.BearerToken(a["token"]),
			testclient.JSON(map[string]string{"old_password": old, "new_password": new}))
	}
	if r := change("nope", "a much better password"); r.Status != 400 {
		t.Fatalf("wrong old password: %d %s", r.Status, r.Text())
	}
	if r := change("password", "a much better password"); r.Status != 200 {
		t.Fatalf("change: %d %s", r.Status, r.Text())
	}
	for name, tok := range map[string]string{"device A": a["token"], "device B": b["token"]} {
		if r := c.Get("/protected", testclient.BearerToken(tok)); r.Status != 401 {
			t.Errorf("%s's access token after the change: %d", name, r.Status)
		}
	}
	for name, ck := range map[string]*http.Cookie{"device A": refreshA, "device B": refreshB} {
		if r := c.Post("/refresh", testclient.Cookie(ck)); r.Status != 401 {
			t.Errorf("%s's refresh token after the change: %d", name, r.Status)
		}
	}
	time.Sleep(2 * time.Millisecond) // tokens issued in the change's millisecond are revoked too
	if r := login(c, "admin", "password"); r.Status != 401 {
		t.Fatalf("old password: %d", r.Status)
	}
	if r := login(c, "admin", "a much better password"); r.Status != 200 {
		t.Fatalf("new password: %d %s", r.Status, r.Text())
	}
}

// A bearer client gets the rotated refresh token in the body (it has no
// cookie to receive it in); the used one is refused.
func TestRefreshBearerRotation(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	first := login(c, "admin", "password").Cookie(refreshCookie).Value
	bare := newTestClient(t)
	var m map[string]string
	r := bare.Post("/refresh", testclient.BearerToken(first))
	if r.Status != 200 || r.JSON(&m) != nil || m["refresh_token"] == "" || m["refresh_token"] == first || r.Cookie(refreshCookie) != nil {
		t.Fatalf("bearer refresh: %d %s", r.Status, r.Text())
	}
	if r := bare.Post("/refresh", testclient.BearerToken(m["refresh_token"])); r.Status != 200 {
		t.Fatalf("the rotated token: %d %s", r.Status, r.Text())
	}
	if r := bare.Post("/refresh", testclient.BearerToken(first)); r.Status != 401 {
		t.Fatalf("the used token: %d %s", r.Status, r.Text())
	}
}
