package websocket_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nexios-go/nexios/websocket"
)

func TestMemoryBroker(t *testing.T) {
	t.Parallel()
	b := websocket.NewMemoryBroker()
	ctx := context.Background()
	var got1, got2 []string
	off1, err := b.Subscribe(ctx, "t", func(e websocket.Envelope) { got1 = append(got1, string(e.Data)) })
	if err != nil {
		t.Fatal(err)
	}
	off2, _ := b.Subscribe(ctx, "t", func(e websocket.Envelope) { got2 = append(got2, string(e.Data)) })
	_ = b.Publish(ctx, "t", websocket.Envelope{Group: "g", Type: websocket.MessageText, Data: []byte("a")})
	_ = b.Publish(ctx, "other", websocket.Envelope{Group: "g", Type: websocket.MessageText, Data: []byte("x")})
	off1()
	off1() // idempotent
	_ = b.Publish(ctx, "t", websocket.Envelope{Group: "g", Type: websocket.MessageText, Data: []byte("b")})
	if len(got1) != 1 || len(got2) != 2 || got2[1] != "b" {
		t.Errorf("deliveries: %v %v", got1, got2)
	}
	off2()
	if b.Topics() != 0 {
		t.Errorf("%d topics left", b.Topics())
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Publish(cancelled, "t", websocket.Envelope{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish with a cancelled context: %v", err)
	}
	if _, err := b.Subscribe(ctx, "t", nil); err == nil {
		t.Error("Subscribe accepted a nil function")
	}
}

func TestEnvelopeEncoding(t *testing.T) {
	t.Parallel()
	in := websocket.Envelope{Group: "room:1", Except: []string{"a", "b"}, Type: websocket.MessageBinary, Data: []byte{0, 1, 255}}
	b, err := in.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out websocket.Envelope
	if err := out.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if out.Group != in.Group || len(out.Except) != 2 || out.Type != in.Type || string(out.Data) != string(in.Data) {
		t.Errorf("round trip: %+v", out)
	}
	for _, bad := range []string{``, `{`, `{"type":3,"group":"g"}`, `{"type":1}`, `{"type":1,"group":"g","to":"x"}`, `{"type":1,"group":"g","data":"%%"}`} {
		if err := out.UnmarshalBinary([]byte(bad)); err == nil {
			t.Errorf("%s: decoded", bad)
		}
	}
}

func TestCloseCodeNames(t *testing.T) {
	t.Parallel()
	tests := map[websocket.CloseCode]string{
		websocket.CloseNormal:        "1000 (normal closure)",
		websocket.CloseMessageTooBig: "1009 (message too big)",
		4000:                         "4000",
	}
	for code, want := range tests {
		if got := code.String(); got != want {
			t.Errorf("%d: %q, want %q", int(code), got, want)
		}
	}
	if websocket.MessageText.String() != "text" || websocket.MessageBinary.String() != "binary" {
		t.Error("message type names")
	}
	if websocket.CloseStatus(errors.New("x")) != -1 || websocket.CloseStatus(nil) != websocket.CloseNormal {
		t.Error("CloseStatus of plain errors")
	}
}
