package mail

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Message is an e-mail to send. It is a plain value that encodes to JSON
// (attachments as base64), so a durable job can carry it.
//
// Addresses are "user@example.com" or "Name <user@example.com>" (RFC
// 5322). From may be empty when the Sender has a default From.
type Message struct {
	From    string   `json:"from,omitempty"`
	To      []string `json:"to,omitempty"`
	Cc      []string `json:"cc,omitempty"`
	Bcc     []string `json:"bcc,omitempty"`
	ReplyTo string   `json:"reply_to,omitempty"`
	// Subject is a single line: runs of white space (new lines included)
	// are folded into one space.
	Subject string `json:"subject,omitempty"`
	// Text is the plain-text body and HTML the HTML body; with both, the
	// message is multipart/alternative and clients choose.
	Text string `json:"text,omitempty"`
	HTML string `json:"html,omitempty"`
	// Headers are extra header fields (List-Unsubscribe, X-Campaign...).
	// Names are checked; the structural and address fields (From, To,
	// Subject, Content-Type, MIME-Version...) are set through the fields
	// above and are refused here.
	Headers map[string]string `json:"headers,omitempty"`
	// Attachments are files attached to the message or, Inline, embedded
	// for the HTML body to show as <img src="cid:ContentID">.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file in a Message.
type Attachment struct {
	// Filename is the file name shown to the recipient.
	Filename string `json:"filename"`
	// ContentType defaults to the type of Filename's extension, else
	// application/octet-stream.
	ContentType string `json:"content_type,omitempty"`
	// Data is the file's content.
	Data []byte `json:"data"`
	// Inline embeds the file for the HTML body instead of attaching it.
	Inline bool `json:"inline,omitempty"`
	// ContentID names an inline file for cid: references; default
	// Filename.
	ContentID string `json:"content_id,omitempty"`
}

// Attach adds a file attachment and returns m.
func (m *Message) Attach(filename string, data []byte) *Message {
	m.Attachments = append(m.Attachments, Attachment{Filename: filename, Data: data})
	return m
}

// Embed adds an inline file that the HTML body shows with
// <img src="cid:NAME">, where NAME is the returned content ID (filename).
func (m *Message) Embed(filename string, data []byte) string {
	m.Attachments = append(m.Attachments, Attachment{Filename: filename, Data: data, Inline: true, ContentID: filename})
	return filename
}

// ParseAddress parses one address, "user@example.com" or
// "Name <user@example.com>", as a Sender would: use it to check an address
// from a client before storing it. The error is an *AddressError (field
// "address"), which InputError turns into a 422.
func ParseAddress(s string) (*mail.Address, error) {
	return parseAddress("address", s)
}

// maxAddressLen bounds an address (RFC 5321 limits a path to 256 octets;
// display names make headers longer, so allow more).
const maxAddressLen = 998

func parseAddress(field, s string) (*mail.Address, error) {
	bad := func(reason error) error { return &AddressError{Field: field, Address: s, Err: reason} }
	if strings.TrimSpace(s) == "" {
		return nil, bad(errors.New("empty"))
	}
	if len(s) > maxAddressLen {
		return nil, bad(fmt.Errorf("longer than %d bytes", maxAddressLen))
	}
	if !utf8.ValidString(s) {
		return nil, bad(errors.New("not valid UTF-8"))
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return nil, bad(errors.New("contains a control character"))
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, bad(err)
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || domain == "" {
		return nil, bad(errors.New("missing local part or domain"))
	}
	// Local parts that need quoting ("john doe"@x) are legal but rare and
	// mishandled by many servers: refuse them rather than guess.
	if strings.ContainsAny(local, " \t<>\"(),;:\\[]@") || strings.ContainsAny(domain, " \t<>\"(),;\\@") {
		return nil, bad(errors.New("malformed address"))
	}
	if strings.ContainsFunc(a.Name, unicode.IsControl) {
		return nil, bad(errors.New("display name contains a control character"))
	}
	return a, nil
}

// checked is a Message whose addresses are parsed and whose fields are
// normalised, ready to build.
type checked struct {
	from    *mail.Address
	to      []*mail.Address
	cc      []*mail.Address
	bcc     []*mail.Address
	replyTo *mail.Address
	subject string
	headers map[string]string
}

// Validate checks the message as a Sender would, with defaultFrom used
// when From is empty: every address, the recipients, the extra headers and
// the attachments. All invalid addresses are reported (errors.Join of
// *AddressError); errors.Is(err, ErrInvalidAddress) matches.
func (m *Message) Validate(defaultFrom string) error {
	_, err := m.check(defaultFrom)
	return err
}

func (m *Message) check(defaultFrom string) (*checked, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil message", ErrInvalidMessage)
	}
	c := &checked{subject: strings.Join(strings.Fields(m.Subject), " ")}
	var errs []error
	from := m.From
	if strings.TrimSpace(from) == "" {
		from = defaultFrom
	}
	if strings.TrimSpace(from) == "" {
		errs = append(errs, ErrNoSender)
	} else if a, err := parseAddress("from", from); err != nil {
		errs = append(errs, err)
	} else {
		c.from = a
	}
	list := func(field string, in []string) []*mail.Address {
		out := make([]*mail.Address, 0, len(in))
		for _, s := range in {
			a, err := parseAddress(field, s)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, a)
		}
		return out
	}
	c.to, c.cc, c.bcc = list("to", m.To), list("cc", m.Cc), list("bcc", m.Bcc)
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		errs = append(errs, ErrNoRecipients)
	}
	if strings.TrimSpace(m.ReplyTo) != "" {
		if a, err := parseAddress("reply_to", m.ReplyTo); err != nil {
			errs = append(errs, err)
		} else {
			c.replyTo = a
		}
	}
	if h, err := checkHeaders(m.Headers); err != nil {
		errs = append(errs, err)
	} else {
		c.headers = h
	}
	for i, a := range m.Attachments {
		if err := checkAttachment(a); err != nil {
			errs = append(errs, fmt.Errorf("%w: attachment %d: %w", ErrInvalidMessage, i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// reservedHeaders are set from Message fields or by the MIME writer.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true, "Subject": true,
	"Sender": true, "Content-Type": true, "Content-Transfer-Encoding": true, "Content-Disposition": true,
	"Mime-Version": true, "Date": true, "Message-Id": true,
}

func checkHeaders(in map[string]string) (map[string]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(in))
	for name, value := range in {
		canon := canonicalHeader(name)
		switch {
		case !validHeaderName(name):
			return nil, fmt.Errorf("%w: header name %q", ErrInvalidMessage, name)
		case reservedHeaders[canon]:
			return nil, fmt.Errorf("%w: header %q is set from the message's fields", ErrInvalidMessage, name)
		case strings.ContainsAny(value, "\r\n\x00"):
			return nil, fmt.Errorf("%w: header %q: value contains a line break", ErrInvalidMessage, name)
		}
		out[canon] = value
	}
	return out, nil
}

// validHeaderName: RFC 5322 field names are printable ASCII but ':'.
func validHeaderName(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// canonicalHeader turns "x-campaign-id" into "X-Campaign-Id".
func canonicalHeader(s string) string {
	b := []byte(strings.ToLower(s))
	upper := true
	for i, c := range b {
		if upper && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		upper = c == '-'
	}
	return string(b)
}

func checkAttachment(a Attachment) error {
	if strings.TrimSpace(a.Filename) == "" {
		return errors.New("empty filename")
	}
	if strings.ContainsFunc(a.Filename, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' }) {
		return fmt.Errorf("filename %q contains a control character, quote or slash", a.Filename)
	}
	if a.ContentType != "" && strings.ContainsAny(a.ContentType, "\r\n\"") {
		return fmt.Errorf("content type %q", a.ContentType)
	}
	if a.Inline && strings.ContainsAny(a.ContentID, "<>\r\n\" ") {
		return fmt.Errorf("content ID %q", a.ContentID)
	}
	return nil
}
