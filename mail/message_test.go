package mail_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	stdmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/testclient"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mod    func(*mail.Message)
		from   string // default From
		want   error
		fields []string // fields of the *AddressError(s)
	}{
		{name: "valid", mod: func(*mail.Message) {}},
		{name: "default From", mod: func(m *mail.Message) { m.From = "" }, from: "app@example.com"},
		{name: "no From at all", mod: func(m *mail.Message) { m.From = "" }, want: mail.ErrNoSender},
		{name: "no recipients", mod: func(m *mail.Message) { m.To, m.Bcc = nil, nil }, want: mail.ErrNoRecipients},
		{name: "bad To", mod: func(m *mail.Message) { m.To = []string{"alice"} }, want: mail.ErrInvalidAddress, fields: []string{"to"}},
		{name: "two bad", mod: func(m *mail.Message) { m.Cc = []string{"a@"}; m.ReplyTo = "@b" }, want: mail.ErrInvalidAddress, fields: []string{"cc", "reply_to"}},
		{name: "list in one entry", mod: func(m *mail.Message) { m.To = []string{"a@b.c, d@e.f"} }, want: mail.ErrInvalidAddress, fields: []string{"to"}},
		{name: "header injection in address", mod: func(m *mail.Message) { m.To = []string{"a@b.c\r\nBcc: x@y.z"} }, want: mail.ErrInvalidAddress, fields: []string{"to"}},
		{name: "quoted local part", mod: func(m *mail.Message) { m.To = []string{`"john doe"@example.com`} }, want: mail.ErrInvalidAddress, fields: []string{"to"}},
		{name: "bad From", mod: func(m *mail.Message) { m.From = "Nexios" }, want: mail.ErrInvalidAddress, fields: []string{"from"}},
		{name: "bad default From", mod: func(m *mail.Message) { m.From = "" }, from: "nope", want: mail.ErrInvalidAddress, fields: []string{"from"}},
		{name: "reserved header", mod: func(m *mail.Message) { m.Headers = map[string]string{"bcc": "x@y.z"} }, want: mail.ErrInvalidMessage},
		{name: "header name with colon", mod: func(m *mail.Message) { m.Headers = map[string]string{"X-A:b": "1"} }, want: mail.ErrInvalidMessage},
		{name: "header value with newline", mod: func(m *mail.Message) { m.Headers = map[string]string{"X-Tag": "a\r\nBcc: x@y.z"} }, want: mail.ErrInvalidMessage},
		{name: "attachment without name", mod: func(m *mail.Message) { m.Attach("", []byte("x")) }, want: mail.ErrInvalidMessage},
		{name: "attachment name with quote", mod: func(m *mail.Message) { m.Attach(`a".txt`, []byte("x")) }, want: mail.ErrInvalidMessage},
		{name: "nice headers", mod: func(m *mail.Message) { m.Headers = map[string]string{"list-unsubscribe": "<https://x.test/u>"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := welcome()
			tt.mod(m)
			err := m.Validate(tt.from)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if mail.IsTemporary(err) {
				t.Errorf("an invalid message is temporary: %v", err)
			}
			var got []string
			for _, e := range flatten(err) {
				if ae, ok := e.(*mail.AddressError); ok {
					got = append(got, ae.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("address errors on %v, want %v (%v)", got, tt.fields, err)
			}
		})
	}
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestEnvelope parses the built message back with the standard library:
// headers, the alternative bodies and the attachment bytes survive.
func TestEnvelope(t *testing.T) {
	t.Parallel()
	m := welcome()
	m.Cc = []string{"bob@example.com", "ALICE@example.com"} // duplicate of To, other case
	m.ReplyTo = "support@example.com"
	m.Subject = "  Welcome,\r\n\tO'Brien  & Co — ünïcode "
	m.Headers = map[string]string{"X-Campaign": "welcome-1"}
	pdf := []byte("%PDF-1.4\x00\x01\x02binary\r\n.\r\n")
	m.Attach("terms.pdf", pdf)
	cid := m.Embed("logo.png", []byte("\x89PNG fake"))
	m.HTML = `<img src="cid:` + cid + `"><p>Hi</p>`
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	env, err := m.Build("", now)
	if err != nil {
		t.Fatal(err)
	}
	if env.From != "noreply@example.com" || strings.Join(env.Recipients, ",") != "alice@example.com,bob@example.com,audit@example.com" {
		t.Errorf("envelope %q → %q", env.From, env.Recipients)
	}
	if !bytes.Contains(env.Raw, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(env.Raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("raw message does not use CRLF line endings only")
	}
	pm, err := stdmail.ReadMessage(bytes.NewReader(env.Raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(pm.Header.Get("Subject"))
	checks := map[string]string{
		"subject":    subject,
		"reply-to":   pm.Header.Get("Reply-To"),
		"x-campaign": pm.Header.Get("X-Campaign"),
		"message-id": pm.Header.Get("Message-Id"),
		"bcc":        pm.Header.Get("Bcc"),
		"user-agent": pm.Header.Get("User-Agent") + pm.Header.Get("X-Mailer"),
	}
	want := map[string]string{
		"subject":    "Welcome, O'Brien & Co — ünïcode",
		"reply-to":   "<support@example.com>",
		"x-campaign": "welcome-1",
		"message-id": "<" + env.MessageID + ">",
		"bcc":        "",
		"user-agent": "",
	}
	for k, w := range want {
		if checks[k] != w {
			t.Errorf("%s = %q, want %q", k, checks[k], w)
		}
	}
	if !strings.HasSuffix(env.MessageID, "@example.com") {
		t.Errorf("Message-ID %q not at the sender's domain", env.MessageID)
	}
	if d, err := pm.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date %v %v", d, err)
	}
	parts := walkParts(t, pm.Header.Get("Content-Type"), pm.Body)
	if got := parts["text/plain"]; string(got) != "Hello Alice" {
		t.Errorf("text part %q", got)
	}
	if got := parts["text/html"]; !bytes.Contains(got, []byte(`cid:logo.png`)) {
		t.Errorf("html part %q", got)
	}
	if got := parts["application/pdf"]; !bytes.Equal(got, pdf) {
		t.Errorf("attachment %q, want %q", got, pdf)
	}
	if got := parts["image/png"]; string(got) != "\x89PNG fake" {
		t.Errorf("inline image %q", got)
	}
}

// walkParts decodes every leaf part of a MIME tree, by content type.
func walkParts(t *testing.T, contentType string, body io.Reader) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(body)
		out[mt] = b
		return out
	}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var rd io.Reader = p
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "base64":
			rd = base64.NewDecoder(base64.StdEncoding, p)
		case "quoted-printable":
			rd = quotedprintable.NewReader(p)
		}
		for k, v := range walkParts(t, p.Header.Get("Content-Type"), rd) {
			out[k] = v
		}
	}
}

func TestMessageJSONRoundTrip(t *testing.T) {
	t.Parallel()
	m := welcome()
	m.Attach("a.bin", []byte{0, 1, 2, 255})
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back mail.Message
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Subject != m.Subject || !bytes.Equal(back.Attachments[0].Data, m.Attachments[0].Data) || back.Bcc[0] != m.Bcc[0] {
		t.Fatalf("round trip lost data: %s", b)
	}
}

// TestInputError: an address from the client is a 422 problem naming the
// client's field; any other error is left alone.
func TestInputError(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Post("/signup", func(req *nexios.Request, res *nexios.Response) error {
		var in struct {
			Email string `json:"email"`
		}
		if err := req.Bind(&in); err != nil {
			return err
		}
		if _, err := mail.ParseAddress(in.Email); err != nil {
			return mail.InputError(err, "body", "email")
		}
		return res.JSON(map[string]string{"ok": in.Email})
	})
	c := testclient.New(app)
	res := c.Post("/signup", testclient.JSON(map[string]string{"email": "not-an-address"}))
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", res.Status, res.Text())
	}
	var problem struct {
		Errors []struct{ Location, Field, Message string }
	}
	if err := res.JSON(&problem); err != nil || len(problem.Errors) != 1 || problem.Errors[0].Field != "email" || problem.Errors[0].Location != "body" {
		t.Fatalf("problem %s (%v)", res.Text(), err)
	}
	if res := c.Post("/signup", testclient.JSON(map[string]string{"email": "ada@example.com"})); res.Status != http.StatusOK {
		t.Fatalf("valid address: %d %s", res.Status, res.Text())
	}
	other := errors.New("boom")
	if got := mail.InputError(other, "body", "email"); got != other {
		t.Fatalf("InputError changed a non-address error: %v", got)
	}
}
