package main

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"
)

// The scenario runs in a real browser: the page logs in with fetch, the
// browser keeps the HttpOnly cookie (invisible to the script), sends it to
// the protected page, and drops it on logout.
const page = `<!doctype html>
<title>session flow</title>
<pre id="out">pending</pre>
<script>
(async () => {
  const out = [];
  const show = async (r) => out.push(r.status + " " + (await r.text()).trim());
  try {
    await show(await fetch("/protected"));
    await show(await fetch("/login", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({user_id: 1})}));
    out.push("script sees cookie: " + document.cookie.includes("session_id"));
    await show(await fetch("/protected"));
    await show(await fetch("/logout", {method: "POST"}));
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
		`200 {"message":"Logged in","user_id":1}`,
		`script sees cookie: false`,
		`200 {"message":"Hello, user!"}`,
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
