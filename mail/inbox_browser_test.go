package mail_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"
)

// hostile is mail HTML that tries to run script three ways: an inline
// script, an event handler and a script reaching into the page that
// frames it.
const hostile = `<!doctype html><html><head><title>t</title></head><body>
<p id="ok">hello from the mail</p>
<script>document.body.setAttribute("data-pwned", "script");
try { parent.document.body.setAttribute("data-pwned", "parent"); } catch (e) {}</script>
<img src="data:," onerror="document.body.setAttribute('data-pwned2', 'onerror')">
</body></html>`

// pwned matches a <body> that a script marked.
var pwned = regexp.MustCompile(`<body[^>]*data-pwned`)

// TestInboxInChromium loads the inbox in headless Chromium: the pages
// render, and the mail's scripts run neither in the preview opened on its
// own nor in the page that frames it. A control page without the inbox's
// headers proves that scripts do run in this browser set-up, so the test
// can fail.
func TestInboxInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Binary(t) // skips without Chromium
	app, _, sent := inboxApp(t, hostile)
	mux := http.NewServeMux()
	mux.Handle("/", app)
	mux.HandleFunc("/control", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(hostile))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	budget := 500 * time.Millisecond

	control := browsertest.DumpDOM(t, srv.URL+"/control", budget)
	if !pwned.MatchString(control) || !strings.Contains(control, `data-pwned2="onerror"`) {
		t.Fatalf("control page: scripts did not run, so this test proves nothing:\n%s", control)
	}

	base := srv.URL + "/_nexios/mail/" + sent.ID
	preview := browsertest.DumpDOM(t, base+"/html", budget)
	if !strings.Contains(preview, `id="ok"`) {
		t.Fatalf("preview did not render:\n%s", preview)
	}
	if pwned.MatchString(preview) {
		t.Fatalf("the mail's script ran in the preview:\n%s", preview)
	}

	detail := browsertest.DumpDOM(t, base, budget)
	if !strings.Contains(detail, `<iframe id="preview"`) || !strings.Contains(detail, "Welcome &lt;script&gt;") {
		t.Fatalf("detail page:\n%s", detail)
	}
	if pwned.MatchString(detail) {
		t.Fatalf("the mail's script reached the inbox page:\n%s", detail)
	}

	list := browsertest.DumpDOM(t, srv.URL+"/_nexios/mail/", budget)
	if !strings.Contains(list, `class="subject"`) || strings.Contains(list, "<script>alert") {
		t.Fatalf("list page:\n%s", list)
	}
}
