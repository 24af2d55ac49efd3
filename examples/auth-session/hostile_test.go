package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios/testclient"
)

// The example is safe to copy (issue 18 §14). Each test ran against the
// example before the fix and failed.

// A user id alone does not log anyone in: a password is required.
func TestLoginNeedsPassword(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	csrf := csrfToken(t, c)
	for _, body := range []any{
		map[string]int{"user_id": 1},
		map[string]string{"username": "ada"},
		map[string]string{"username": "ada", "password": "wrong"},
		map[string]string{"username": "nobody", "password": "correct horse battery staple"},
	} {
		r := c.Post("/login", testclient.JSON(body), testclient.Header("X-CSRFToken", csrf))
		if r.Status != 401 && r.Status != 422 {
			t.Errorf("%v: %d %s", body, r.Status, r.Text())
		}
		if r.Cookie("session_id") != nil {
			t.Errorf("%v: a session cookie was set", body)
		}
	}
	if r := c.Get("/protected"); r.Status != 401 {
		t.Fatalf("after failed logins: %d", r.Status)
	}
}

// Login CSRF: a form on another site posting the attacker's credentials
// must not log the victim's browser in (it would then act as the
// attacker, unknowingly).
func TestCrossSiteLoginRefused(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	form := url.Values{"username": {"ada"}, "password": {"correct horse battery staple"}, "user_id": {"1"}}
	for name, headers := range map[string][]testclient.RequestOption{
		"Sec-Fetch-Site cross-site": {testclient.Header("Sec-Fetch-Site", "cross-site")},
		"foreign Origin":            {testclient.Header("Origin", "https://evil.example")},
		"same-site but no token":    {testclient.Header("Sec-Fetch-Site", "same-origin")},
	} {
		r := c.Post("/login", append(headers, testclient.Form(form))...)
		if r.Status != 403 || r.Cookie("session_id") != nil {
			t.Errorf("%s: %d %s (session cookie %v)", name, r.Status, r.Text(), r.Cookie("session_id"))
		}
	}
	if r := c.Get("/protected"); r.Status != 401 {
		t.Fatalf("after cross-site logins: %d", r.Status)
	}
}

// 50 simultaneous wrong passwords against a limit of 5: at most 5 reach
// the password check.
func TestConcurrentWrongPasswords(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	csrf := csrfToken(t, c)
	counts := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Go(func() {
			<-start
			r := c.Post("/login", testclient.Header("X-CSRFToken", csrf),
				testclient.JSON(map[string]string{"username": "ada", "password": fmt.Sprint("guess", i)}))
			mu.Lock()
			counts[r.Status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if counts[401] > 5 || counts[401]+counts[429] != 50 {
		t.Fatalf("50 concurrent wrong passwords, limit 5: %v", counts)
	}
}

// The login page's form carries a CSRF token and posts as a browser
// would; the token seen before login is replaced at login.
func TestLoginForm(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, testclient.WithoutRedirects())
	page := c.Get("/login")
	i := strings.Index(page.Text(), `name="csrf_token" value="`)
	if page.Status != 200 || i < 0 {
		t.Fatalf("login page: %d %s", page.Status, page.Text())
	}
	token := page.Text()[i+len(`name="csrf_token" value="`):]
	token = token[:strings.IndexByte(token, '"')]
	r := c.Post("/login", testclient.Header("Sec-Fetch-Site", "same-origin"), testclient.Form(url.Values{
		"csrf_token": {token}, "username": {"ada"}, "password": {"correct horse battery staple"},
	}))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/protected" || r.Cookie("session_id") == nil {
		t.Fatalf("form login: %d %v %s", r.Status, r.Header, r.Text())
	}
	if r := c.Get("/protected"); r.Status != 200 || !strings.Contains(r.Text(), "Hello, ada!") {
		t.Fatalf("after the form login: %d %s", r.Status, r.Text())
	}
	// The pre-login token no longer works; a fresh one does.
	if r := c.Post("/logout", testclient.Header("X-CSRFToken", token)); r.Status != 403 {
		t.Fatalf("logout with the pre-login CSRF token: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/logout", testclient.Header("X-CSRFToken", csrfToken(t, c))); r.Status != 200 {
		t.Fatalf("logout: %d %s", r.Status, r.Text())
	}
}
