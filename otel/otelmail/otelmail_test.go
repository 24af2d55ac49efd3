package otelmail_test

import (
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/otel/otelmail"
)

func TestSendSpans(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	outbox := mail.NewMemory()
	s := otelmail.Sender(outbox, otelmail.Config{TracerProvider: tp})
	msg := &mail.Message{From: "a@example.com", To: []string{"b@example.com"}, Cc: []string{"c@example.com"}, Subject: "Hi", Text: "Hello"}

	ctx, parent := tp.Tracer("t").Start(t.Context(), "job")
	if err := s.Send(ctx, msg); err != nil {
		t.Fatal(err)
	}
	// A delivery failure the server may fix later: an error span, marked
	// temporary, and the error goes back to the caller.
	failure := &mail.SendError{Kind: mail.ErrConnect, Step: "rcpt", Code: 451, Recipients: []string{"b@example.com"}, Err: errTemp{}, Temporary: true}
	outbox.FailWith(failure)
	if err := s.Send(ctx, msg); err == nil {
		t.Fatal("failure not returned")
	}
	// An invalid message: permanent.
	outbox.FailWith(nil)
	if err := s.Send(ctx, &mail.Message{From: "a@example.com", To: []string{"not an address"}, Text: "x"}); err == nil {
		t.Fatal("invalid message accepted")
	}
	parent.End()

	spans := exp.GetSpans()
	if len(spans) != 4 {
		t.Fatalf("%d spans", len(spans))
	}
	ok, temp, perm := spans[0], spans[1], spans[2]
	for _, sp := range []tracetest.SpanStub{ok, temp, perm} {
		if sp.Name != otelmail.SpanName || sp.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %s parent %s", sp.Name, sp.Parent.SpanID())
		}
	}
	if ok.Status.Code == codes.Error || attrOf(ok, otelmail.AttrRecipients) != "2" {
		t.Errorf("sent span: %v %v", ok.Status, ok.Attributes)
	}
	if temp.Status.Code != codes.Error || attrOf(temp, otelmail.AttrTemporary) != "true" {
		t.Errorf("temporary failure span: %v %v", temp.Status, temp.Attributes)
	}
	if perm.Status.Code != codes.Error || attrOf(perm, otelmail.AttrTemporary) != "false" {
		t.Errorf("permanent failure span: %v %v", perm.Status, perm.Attributes)
	}
}

type errTemp struct{}

func (errTemp) Error() string { return "451 try again later" }

func attrOf(s tracetest.SpanStub, key attribute.Key) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.String()
		}
	}
	return ""
}

// TestNoAddressInSpans: neither attributes nor recorded errors name a
// recipient.
func TestNoAddressInSpans(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	outbox := mail.NewMemory()
	outbox.FailWith(&mail.SendError{Kind: mail.ErrConnect, Step: "rcpt", Code: 550, Recipients: []string{"victim@example.com"}})
	s := otelmail.Sender(outbox, otelmail.Config{TracerProvider: tp})
	_ = s.Send(t.Context(), &mail.Message{From: "a@example.com", To: []string{"victim@example.com"}, Subject: "Secret", Text: "x"})
	for _, sp := range exp.GetSpans() {
		dump := fmt.Sprintf("%v %v %v", sp.Attributes, sp.Events, sp.Status)
		if strings.Contains(dump, "victim") || strings.Contains(dump, "Secret") {
			t.Errorf("span leaks personal data: %s", dump)
		}
		if attrOf(sp, otelmail.AttrCode) != "550" || attrOf(sp, otelmail.AttrStep) != "rcpt" {
			t.Errorf("SMTP step and code missing: %v", sp.Attributes)
		}
	}
}
