package mail_test

import (
	"bytes"
	stdmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/mail"
)

// FuzzParseAddress: an accepted address is a single, bare-able mailbox
// that goes into a message and comes back out unchanged.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"a@b.c", "Ada <ada@example.com>", `"x y"@z.w`, "a@b.c, d@e.f", "a@b\r\nBcc: x@y",
		"=?utf-8?q?J=C3=B6rg?= <j@x.de>", "José <jose@exämple.com>", "<a@[127.0.0.1]>", "a@b (c)", "@", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(a.Address, " \r\n\t<>") || !strings.Contains(a.Address, "@") {
			t.Fatalf("accepted %q as address %q", s, a.Address)
		}
		env, err := (&mail.Message{From: "app@example.com", To: []string{s}, Subject: "x"}).Build("", time.Unix(0, 0))
		if err != nil {
			t.Fatalf("ParseAddress accepted %q but building failed: %v", s, err)
		}
		if len(env.Recipients) != 1 || env.Recipients[0] != a.Address {
			t.Fatalf("recipients %q for %q", env.Recipients, s)
		}
		checkHeaders(t, env.Raw)
	})
}

// FuzzMessage: whatever the subject, bodies, header value and file name,
// the built message parses and no header is injected.
func FuzzMessage(f *testing.F) {
	f.Add("Hello", "text", "<p>html</p>", "v", "a.txt")
	f.Add("Hi\r\nBcc: evil@x.y", "line\r\n.\r\nQUIT", "<script>x</script>", "a\r\nX-Evil: 1", "e\"vil.txt")
	f.Add("=?utf-8?b?QmNjOiBldmls?=", "\x00\xff", "", "ünï", "ü.pdf")
	f.Fuzz(func(t *testing.T, subject, text, html, value, filename string) {
		m := &mail.Message{From: "app@example.com", To: []string{"a@example.com"}, Subject: subject, Text: text, HTML: html,
			Headers: map[string]string{"X-Tag": value}}
		m.Attach(filename, []byte(text))
		env, err := m.Build("", time.Unix(0, 0))
		if err != nil {
			return // refused: fine, as long as it did not panic
		}
		checkHeaders(t, env.Raw)
	})
}

// checkHeaders fails unless raw parses and has only the headers a
// message built by this package has.
func checkHeaders(t *testing.T, raw []byte) {
	t.Helper()
	pm, err := stdmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("built message does not parse: %v\n%q", err, raw)
	}
	allowed := map[string]bool{"From": true, "To": true, "Subject": true, "Date": true, "Message-Id": true,
		"Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true, "X-Tag": true}
	for k := range pm.Header {
		if !allowed[k] {
			t.Fatalf("unexpected header %q in\n%q", k, raw)
		}
	}
	if len(pm.Header["To"]) != 1 || len(pm.Header["From"]) != 1 {
		t.Fatalf("To/From repeated: %q", pm.Header)
	}
}

// FuzzHTMLToText: any input converts without a panic to text that ends in
// one newline and keeps no tag of the input's markup.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>a<br>b</p>", "<a href='https://x'>y</a>", "<pre>  x\n y</pre>", "<script>1<2</script>z",
		"<ul><li>a<li>b</ul>", "<<>>&amp;&#0;", "<title>t</title><style>p{}</style>", "<img alt=x>", "<a href=x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := mail.HTMLToText(s)
		if !strings.HasSuffix(out, "\n") || strings.HasSuffix(out, "\n\n\n") {
			t.Fatalf("HTMLToText(%q) = %q", s, out)
		}
	})
}

// FuzzParseURL: no panic, and an accepted URL gives a config NewSMTP
// takes or refuses with an error.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"smtp://h:25", "smtps://u:p@h?timeout=1s", "smtp://[::1]:0", "smtp://h?starttls=", "smtp://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := mail.ParseURL(s)
		if err != nil {
			return
		}
		_, _ = mail.NewSMTP(cfg)
	})
}
