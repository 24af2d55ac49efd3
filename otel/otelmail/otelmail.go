// Package otelmail traces mail sending: Sender wraps any mail.Sender (the
// SMTP sender, the in-memory one, the one a mail job uses) so that each
// Send is a client span "mail.send" under the caller's span, recording
// failures and whether they are temporary.
//
//	sender := otelmail.Sender(smtpSender, otelmail.Config{})
//	err := mailjob.Register(jobsClient, templates, sender)
//
// Spans carry counts, never addresses or subjects: those are personal
// data, which traces are not the place for. A failure is recorded by its
// kind (mail.ErrAuth, mail.ErrConnect...), SMTP step and reply code, not
// by its text, which may quote a rejected recipient.
package otelmail

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/nexios-go/nexios/mail"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/nexios-go/nexios/otel/otelmail"

// SpanName is the name of the span of one Send.
const SpanName = "mail.send"

// Span attributes.
const (
	AttrRecipients  = attribute.Key("mail.recipients")
	AttrAttachments = attribute.Key("mail.attachments")
	AttrTemporary   = attribute.Key("mail.error.temporary")
	AttrStep        = attribute.Key("mail.smtp.step")
	AttrCode        = attribute.Key("mail.smtp.code")
)

// Config configures Sender.
type Config struct {
	// TracerProvider makes the spans (default: the global one).
	TracerProvider trace.TracerProvider
}

// Sender returns s with a span around each Send.
func Sender(s mail.Sender, cfg Config) mail.Sender {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return &sender{next: s, tracer: tp.Tracer(ScopeName)}
}

type sender struct {
	next   mail.Sender
	tracer trace.Tracer
}

// Send implements mail.Sender.
func (s *sender) Send(ctx context.Context, msg *mail.Message) error {
	attrs := []attribute.KeyValue{}
	if msg != nil {
		attrs = append(attrs,
			AttrRecipients.Int(len(msg.To)+len(msg.Cc)+len(msg.Bcc)),
			AttrAttachments.Int(len(msg.Attachments)),
		)
	}
	ctx, span := s.tracer.Start(ctx, SpanName, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()
	err := s.next.Send(ctx, msg)
	if err != nil {
		kind := Kind(err)
		span.RecordError(errors.New(kind)) // not err: its text may name recipients
		span.SetStatus(codes.Error, kind)
		span.SetAttributes(AttrTemporary.Bool(mail.IsTemporary(err)))
		var se *mail.SendError
		if errors.As(err, &se) {
			span.SetAttributes(AttrStep.String(se.Step), AttrCode.Int(se.Code))
		}
	}
	return err
}

// kinds are the error kinds of package mail, most specific first.
var kinds = []error{
	mail.ErrInvalidAddress, mail.ErrNoRecipients, mail.ErrNoSender, mail.ErrInvalidMessage, mail.ErrTemplate,
	mail.ErrConnect, mail.ErrTLS, mail.ErrAuth, mail.ErrTimeout, mail.ErrCanceled, mail.ErrSenderRejected,
	mail.ErrRecipientRejected, mail.ErrMessageRejected, mail.ErrProtocol,
}

// Kind describes a Send error without its details (addresses, server
// replies quoting them): the mail package's error kind it matches, or
// "mail: send failed".
func Kind(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	var se *mail.SendError
	if errors.As(err, &se) && se.Kind != nil {
		return se.Kind.Error()
	}
	return "mail: send failed"
}
