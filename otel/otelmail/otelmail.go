// Package otelmail traces mail sending: Sender wraps any mail.Sender (the
// SMTP sender, the in-memory one, the one a mail job uses) so that each
// Send is a client span "mail.send" under the caller's span, recording
// failures and whether they are temporary.
//
//	sender := otelmail.Sender(smtpSender, otelmail.Config{})
//	err := mailjob.Register(jobsClient, templates, sender)
//
// Spans carry counts, never addresses or subjects: those are personal
// data, which traces are not the place for.
package otelmail

import (
	"context"

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
		span.RecordError(err)
		span.SetStatus(codes.Error, "mail not sent")
		span.SetAttributes(AttrTemporary.Bool(mail.IsTemporary(err)))
	}
	return err
}
