package main

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"
)

// The scenario runs in a real browser: the page logs in with fetch (refused
// without the CSRF token, accepted with it), the browser keeps the
// HttpOnly cookie (invisible to the script), sends it to the protected
// page, and drops it on logout.
const page = `<!doctype html>
<title>session flow</title>
<pre id="out">pending</pre>
<script>
(async () => {
  const out = [];
  const show = async (r) => out.push(r.status + " " + (await r.text()).trim());
  try {
    const csrf = async () => (await (await fetch("/csrf")).json()).csrf_token;
    const login = (token) => fetch("/login", {method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({username: "ada", password: "correct horse battery staple"})});
    await show(await fetch("/protected"));
    await show(await login(""));
    await show(await login(await csrf()));
    out.push("script sees cookie: " + document.cookie.includes("session_id"));
    await show(await fetch("/protected"));
    await show(await fetch("/logout", {method: "POST", headers: {"X-CSRFToken": await csrf()}}));
    await show(await fetch("/protected"));
  } catch (e) {
    out.push("error: " + e);
  }
  document.getElementById("out").textContent = out.join("\n");
})();
</script>`

func TestBrowserFlow(t *testing.T) {
	t.Parallel()
	browsertest.Binary(t) // skips without Chromium before the app starts
	app, err := newApp(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	mux.Handle("/", app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	dom := browsertest.DumpDOM(t, "http://"+ln.Addr().String()+"/page", 10*time.Second)
	want := strings.Join([]string{
		`401 {"error":"Not authenticated"}`,
		`403 {"error":"CSRF token missing: send it in the X-CSRFToken header or the csrf_token form field"}`,
		`200 {"message":"Logged in","user_id":1}`,
		`script sees cookie: false`,
		`200 {"message":"Hello, ada!"}`,
		`200 {"message":"Logged out"}`,
		`401 {"error":"Not authenticated"}`,
	}, "\n")
	got := string(dom)
	if i := strings.Index(got, `<pre id="out">`); i >= 0 {
		got = got[i+len(`<pre id="out">`):]
		got = got[:strings.Index(got, "</pre>")]
	}
	got = strings.ReplaceAll(got, "&quot;", `"`)
	if got != want {
		t.Fatalf("browser flow:\n%s\nwant:\n%s", got, want)
	}
}

// Login CSRF in a real browser: a page on another site (localhost, while
// the app is 127.0.0.1) auto-submits a login form with the attacker's
// credentials to the app. The browser sends the request (the server sees
// it) and the app refuses it: no session for the attacker's account.
func TestBrowserCrossSiteLogin(t *testing.T) {
	t.Parallel()
	browsertest.Binary(t)
	app, err := newApp(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		status    int
		fetchSite string
		cookie    bool
	}
	var mu sync.Mutex
	var logins []seen
	appSrv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/login" {
			app.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		app.ServeHTTP(rec, r)
		mu.Lock()
		logins = append(logins, seen{rec.status, r.Header.Get("Sec-Fetch-Site"), strings.Contains(rec.Header().Get("Set-Cookie"), "session_id=")})
		mu.Unlock()
	}))
	attack := `<!doctype html><form method="post" action="http://` + appSrv + `/login">
<input name="username" value="ada"><input name="password" value="correct horse battery staple">
<input name="csrf_token" value="guessed"><input name="user_id" value="1"></form><script>document.forms[0].submit()</script>`
	evil := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(attack))
	}))
	_, port, _ := net.SplitHostPort(evil)
	browsertest.DumpDOM(t, "http://localhost:"+port+"/attack", 5*time.Second)

	mu.Lock()
	defer mu.Unlock()
	if len(logins) != 1 {
		t.Fatalf("the app saw %d login requests, want the attack's one", len(logins))
	}
	if l := logins[0]; l.status != http.StatusForbidden || l.cookie || l.fetchSite != "cross-site" {
		t.Fatalf("cross-site login: %+v, want a 403 without a session cookie", l)
	}
}

// serve serves h on a loopback port until the test ends and returns its
// address.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
