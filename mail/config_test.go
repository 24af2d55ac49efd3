package mail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/mail"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		want    mail.SMTPConfig
		wantErr string
	}{
		{url: "smtp://localhost:1025", want: mail.SMTPConfig{Host: "localhost", Port: 1025}},
		{url: "smtp://mx.example.com", want: mail.SMTPConfig{Host: "mx.example.com"}},
		{url: "smtp://user%40example.com:p%40ss%3Aw0rd@smtp.example.com:587?starttls=mandatory&auth=login",
			want: mail.SMTPConfig{Host: "smtp.example.com", Port: 587, Username: "user@example.com", Password: "p@ss:w0rd",
				StartTLS: mail.TLSMandatory, Auth: mail.AuthLogin}},
		{url: "smtps://u:p@smtp.example.com?timeout=5s&connect_timeout=2s&helo=app.example.com&from=App%20%3Capp%40example.com%3E",
			want: mail.SMTPConfig{Host: "smtp.example.com", Username: "u", Password: "p", ImplicitTLS: true,
				Timeout: 5 * time.Second, ConnectTimeout: 2 * time.Second, HELO: "app.example.com", From: "App <app@example.com>"}},
		{url: "smtp://[::1]:25?starttls=none&auth=cram-md5", want: mail.SMTPConfig{Host: "::1", Port: 25, StartTLS: mail.TLSNone, Auth: mail.AuthCRAMMD5}},
		{url: "http://example.com", wantErr: "scheme"},
		{url: "smtp://", wantErr: "no host"},
		{url: "smtp://h:99999", wantErr: "port"},
		{url: "smtp://h?starttls=maybe", wantErr: "starttls"},
		{url: "smtps://h?starttls=mandatory", wantErr: "does not apply"},
		{url: "smtp://h?auth=ntlm", wantErr: "auth"},
		{url: "smtp://h?timeout=soon", wantErr: "timeout"},
		{url: "smtp://h?tls_skip_verify=1", wantErr: "unknown option"},
		{url: "smtp://h/path", wantErr: "path"},
		{url: "smtp://u:secret@h:x", wantErr: "port"},
	}
	for _, tt := range tests {
		got, err := mail.ParseURL(tt.url)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseURL(%q) err = %v, want %q", tt.url, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseURL(%q) error shows the password: %v", tt.url, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.url, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseURL(%q) =\n%+v, want\n%+v", tt.url, got, tt.want)
		}
	}
}

func TestSMTPConfigString(t *testing.T) {
	t.Parallel()
	cfg, err := mail.ParseURL("smtps://ada:hunter2@smtp.example.com")
	if err != nil {
		t.Fatal(err)
	}
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); strings.Contains(got, "hunter2") || got != "smtps://ada:xxxxx@smtp.example.com:465" {
		t.Fatalf("String() = %q", got)
	}
}

func TestNewSMTPRejects(t *testing.T) {
	t.Parallel()
	for _, cfg := range []mail.SMTPConfig{
		{},
		{Host: "h", Password: "p"},
		{Host: "h", From: "not an address"},
		{Host: "h", Auth: "XOAUTH2"},
		{Host: "h", Port: 70000},
		{Host: "h", ImplicitTLS: true, StartTLS: mail.TLSNone},
	} {
		if _, err := mail.NewSMTP(cfg); err == nil {
			t.Errorf("NewSMTP(%+v) accepted", cfg)
		}
	}
}

// TestFromEnv is not parallel: it sets environment variables.
func TestFromEnv(t *testing.T) {
	t.Setenv("MAIL_FROM", "App <app@example.com>")
	t.Setenv("SMTP_URL", "")
	if _, err := mail.FromEnv(false); !errors.Is(err, mail.ErrNotConfigured) {
		t.Fatalf("production without SMTP_URL: %v", err)
	}
	s, err := mail.FromEnv(true)
	if err != nil {
		t.Fatal(err)
	}
	if mem, ok := s.(*mail.Memory); !ok || mem.From() != "App <app@example.com>" {
		t.Fatalf("development without SMTP_URL: %T", s)
	}
	t.Setenv("SMTP_URL", "smtp://relay.internal:25")
	s, err = mail.FromEnv(false)
	if err != nil {
		t.Fatal(err)
	}
	if sm, ok := s.(*mail.SMTP); !ok || sm.From() != "App <app@example.com>" || sm.String() != "smtp://relay.internal:25" {
		t.Fatalf("FromEnv = %v", s)
	}
	t.Setenv("SMTP_URL", "smtp://relay.internal?from=other%40example.com")
	if s, _ := mail.FromEnv(false); s.(*mail.SMTP).From() != "other@example.com" {
		t.Fatal("the URL's from option must win over MAIL_FROM")
	}
	t.Setenv("SMTP_URL", "memory:")
	if s, _ := mail.FromEnv(false); s == nil {
		t.Fatal("memory: URL")
	}
	t.Setenv("SMTP_URL", "smtp://h?bogus=1")
	if _, err := mail.FromEnv(true); err == nil {
		t.Fatal("bad SMTP_URL accepted")
	}
}
