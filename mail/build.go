package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"path"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Envelope is a message as it goes on the wire: the SMTP envelope and the
// RFC 5322 bytes. The dev inbox, the memory outbox and SMTP all use the
// same bytes, so a downloaded .eml is exactly what a server would receive.
type Envelope struct {
	// From is the envelope sender (MAIL FROM), a bare address.
	From string
	// Recipients are the envelope recipients (RCPT TO): To, Cc and Bcc,
	// bare and without duplicates. Bcc appears nowhere else.
	Recipients []string
	// MessageID is the Message-ID header without angle brackets.
	MessageID string
	// Date is the Date header.
	Date time.Time
	// Raw is the message: headers and MIME body, CRLF line endings.
	Raw []byte
}

// WriteTo writes m as an RFC 5322 message (what SMTP DATA carries) to w,
// with a new Date and Message-ID. m.From must be set.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	env, err := m.Build("", time.Now())
	if err != nil {
		return 0, err
	}
	n, err := w.Write(env.Raw)
	return int64(n), err
}

// Build validates m (using defaultFrom when m.From is empty) and builds
// it with go-mail, dated now: what a Sender sends.
func (m *Message) Build(defaultFrom string, now time.Time) (*Envelope, error) {
	c, err := m.check(defaultFrom)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(c.from)
	if len(c.to) > 0 {
		msg.ToMailAddress(c.to...)
	}
	if len(c.cc) > 0 {
		msg.CcMailAddress(c.cc...)
	}
	if c.replyTo != nil {
		msg.ReplyToMailAddress(c.replyTo)
	}
	msg.Subject(c.subject)
	_, domain, _ := strings.Cut(c.from.Address, "@")
	id := newMessageID(strings.Trim(domain, "[]"))
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(now)
	for name, value := range c.headers {
		msg.SetGenHeader(gomail.Header(name), value)
	}
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	}
	for _, a := range m.Attachments {
		opts := []gomail.FileOption{gomail.WithFileContentType(gomail.ContentType(attachmentType(a)))}
		var err error
		if a.Inline {
			cid := a.ContentID
			if cid == "" {
				cid = a.Filename
			}
			opts = append(opts, gomail.WithFileContentID(cid))
			err = msg.EmbedReader(a.Filename, bytes.NewReader(a.Data), opts...)
		} else {
			err = msg.AttachReader(a.Filename, bytes.NewReader(a.Data), opts...)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: attachment %q: %w", ErrInvalidMessage, a.Filename, err)
		}
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("%w: writing: %w", ErrInvalidMessage, err)
	}
	return &Envelope{
		From:       c.from.Address,
		Recipients: recipients(c),
		MessageID:  id,
		Date:       now,
		Raw:        buf.Bytes(),
	}, nil
}

func recipients(c *checked) []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]*mail.Address{c.to, c.cc, c.bcc} {
		for _, a := range list {
			key := strings.ToLower(a.Address)
			if !seen[key] {
				seen[key] = true
				out = append(out, a.Address)
			}
		}
	}
	return out
}

// attachmentType is the declared type, else the extension's, else a sniff
// of the content.
func attachmentType(a Attachment) string {
	if a.ContentType != "" {
		return a.ContentType
	}
	if t := mime.TypeByExtension(path.Ext(a.Filename)); t != "" {
		return t
	}
	return http.DetectContentType(a.Data)
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newMessageID returns a unique id at the sender's domain, so that the
// Message-ID reveals nothing about the host that sent it.
func newMessageID(domain string) string {
	var b [20]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	if domain == "" {
		domain = "localhost"
	}
	return strings.ToLower(idEncoding.EncodeToString(b[:])) + "@" + domain
}
