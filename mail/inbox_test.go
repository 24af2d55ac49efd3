package mail_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/testclient"
)

// inboxApp is a debug app with the inbox mounted and one mail in it.
func inboxApp(t *testing.T, html string) (*nexios.App, *mail.Memory, *mail.Sent) {
	t.Helper()
	out := mail.NewMemory(mail.WithDefaultFrom("App <app@example.com>"))
	app := nexios.New(nexios.Config{Debug: true})
	if err := mail.MountInbox(app, out, mail.InboxConfig{}); err != nil {
		t.Fatal(err)
	}
	m := &mail.Message{
		To: []string{"Ada <ada@example.com>"}, Bcc: []string{"audit@example.com"},
		Subject: `Welcome <script>alert(1)</script>`, Text: "Hello Ada\nconfirm: https://app.test/c", HTML: html,
	}
	m.Attach("page.html", []byte("<script>alert(1)</script>"))
	m.Embed("logo.png", []byte("\x89PNG\r\n\x1a\nfake"))
	if err := out.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	return app, out, out.Messages()[0]
}

func TestInboxRefusedOutsideDebug(t *testing.T) {
	t.Parallel()
	out := mail.NewMemory()
	if _, err := mail.NewInbox(out, mail.InboxConfig{}); !errors.Is(err, mail.ErrInboxDisabled) {
		t.Fatalf("NewInbox without Dev: %v", err)
	}
	prod := nexios.New(nexios.Config{})
	if err := mail.MountInbox(prod, out, mail.InboxConfig{Dev: true}); !errors.Is(err, mail.ErrInboxDisabled) {
		t.Fatalf("MountInbox on a production app: %v (Dev must come from the app)", err)
	}
	if res := testclient.New(prod).Get("/_nexios/mail"); res.Status != http.StatusNotFound {
		t.Fatalf("inbox served in production: %d", res.Status)
	}
	forced := nexios.New(nexios.Config{})
	if err := mail.MountInbox(forced, out, mail.InboxConfig{Force: true, Path: "/admin/mail"}); err != nil {
		t.Fatal(err)
	}
	if res := testclient.New(forced).Get("/admin/mail/"); res.Status != http.StatusOK {
		t.Fatalf("forced inbox: %d", res.Status)
	}
}

func TestInboxPages(t *testing.T) {
	t.Parallel()
	app, out, sent := inboxApp(t, `<p>Hi</p><img src="cid:logo.png">`)
	c := testclient.New(app)
	base := "/_nexios/mail/" + sent.ID
	tests := []struct {
		path, contentType string
		status            int
		has, lacks        []string
		csp               string
		disposition       string
	}{
		{path: "/_nexios/mail", status: 200, contentType: "text/html", csp: "default-src 'none'",
			has:   []string{"Welcome &lt;script&gt;alert(1)&lt;/script&gt;", `href="` + base + `"`, "Ada"},
			lacks: []string{"<script>"}},
		{path: base, status: 200, contentType: "text/html", csp: "default-src 'none'",
			has: []string{`<iframe id="preview"`, `sandbox="allow-popups allow-popups-to-escape-sandbox"`, base + "/html",
				"audit@example.com", "page.html", "Download .eml"},
			lacks: []string{"<script>"}},
		{path: base + "?view=text", status: 200, contentType: "text/html", has: []string{`<pre id="text">Hello Ada`}},
		{path: base + "?view=raw", status: 200, contentType: "text/html", has: []string{"Message-ID: &lt;" + sent.Envelope.MessageID}},
		{path: base + "/html", status: 200, contentType: "text/html", csp: "sandbox allow-popups",
			has: []string{`<img src="data:image/png;base64,`}, lacks: []string{"cid:"}},
		{path: base + "/text", status: 200, contentType: "text/plain", has: []string{"confirm: https://app.test/c"}},
		{path: base + "/eml", status: 200, contentType: "message/rfc822", disposition: "attachment",
			has: []string{"Subject: Welcome <script>"}},
		{path: base + "/attachments/0", status: 200, contentType: "application/octet-stream", disposition: "attachment",
			has: []string{"<script>alert(1)</script>"}},
		{path: base + "/attachments/9", status: 404},
		{path: "/_nexios/mail/999", status: 404, has: []string{"No such message"}},
	}
	for _, tt := range tests {
		res := c.Get(tt.path)
		if res.Status != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, res.Status, tt.status)
			continue
		}
		h := res.Header
		if tt.contentType != "" && !strings.HasPrefix(h.Get("Content-Type"), tt.contentType) {
			t.Errorf("GET %s: Content-Type %q", tt.path, h.Get("Content-Type"))
		}
		if tt.csp != "" && !strings.Contains(h.Get("Content-Security-Policy"), tt.csp) {
			t.Errorf("GET %s: CSP %q", tt.path, h.Get("Content-Security-Policy"))
		}
		if tt.status == 200 && (h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store") {
			t.Errorf("GET %s: security headers %v", tt.path, h)
		}
		if !strings.HasPrefix(h.Get("Content-Disposition"), tt.disposition) {
			t.Errorf("GET %s: Content-Disposition %q", tt.path, h.Get("Content-Disposition"))
		}
		for _, s := range tt.has {
			if !strings.Contains(res.Text(), s) {
				t.Errorf("GET %s lacks %q:\n%s", tt.path, s, res.Text())
			}
		}
		for _, s := range tt.lacks {
			if strings.Contains(res.Text(), s) {
				t.Errorf("GET %s has %q", tt.path, s)
			}
		}
	}
	// The download is exactly what SMTP would carry.
	if res := c.Get(base + "/eml"); !bytes.Equal(res.Body, sent.Envelope.Raw) {
		t.Error(".eml differs from the built message")
	}

	// Clearing is a POST that cross-site requests cannot forge.
	if res := c.Post("/_nexios/mail/clear", testclient.Header("Sec-Fetch-Site", "cross-site")); res.Status != http.StatusForbidden || out.Len() != 1 {
		t.Fatalf("cross-site clear: %d, %d kept", res.Status, out.Len())
	}
	if res := c.Post("/_nexios/mail/clear", testclient.Header("Sec-Fetch-Site", "same-origin")); res.Status != http.StatusOK || out.Len() != 0 ||
		!strings.Contains(res.Text(), "No mail yet") {
		t.Fatalf("clear: %d, %d kept", res.Status, out.Len())
	}
}

// TestInboxStandalone serves the inbox with net/http alone.
func TestInboxStandalone(t *testing.T) {
	t.Parallel()
	out := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))
	h, err := mail.NewInbox(out, mail.InboxConfig{Dev: true, Path: "/dev/mail/"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/dev/mail/", http.StripPrefix("/dev/mail", h))
	if err := out.Send(t.Context(), &mail.Message{To: []string{"a@example.com"}, Subject: "Hi"}); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/dev/mail/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `href="/dev/mail/1"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
