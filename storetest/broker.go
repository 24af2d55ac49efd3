package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/websocket"
)

// Broker runs the conformance suite for a websocket.Broker. connect
// returns n brokers that share one backend, as n instances of an app
// would (for a MemoryBroker, the same broker n times; for Redis, n
// brokers on n clients); it is called once per subtest, and the suite
// closes nothing (register closing with t.Cleanup).
//
// It checks: a message published on any instance reaches every
// subscriber of its topic on every instance exactly once, byte for byte,
// and no other topic; a message published right after Subscribe returned
// is delivered (Subscribe returns once the subscription is in effect);
// unsubscribing stops deliveries and may be called twice; one publisher's
// messages arrive in order, also when 10 publish at once; Publish honours
// a cancelled context; Subscribe refuses a nil function.
func Broker(t *testing.T, connect func(t *testing.T, n int) []websocket.Broker) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, connect func(t *testing.T, n int) []websocket.Broker)
	}{
		{"FanOut", brokerFanOut},
		{"SubscribeThenPublish", brokerSubscribeThenPublish},
		{"Unsubscribe", brokerUnsubscribe},
		{"Order", brokerOrder},
		{"ConcurrentPublishers", brokerConcurrent},
		{"Errors", brokerErrors},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, connect)
		})
	}
}

// inbox collects deliveries.
type inbox struct {
	mu   sync.Mutex
	got  []websocket.Envelope
	more chan struct{}
}

func newInbox() *inbox { return &inbox{more: make(chan struct{}, 1)} }

func (b *inbox) deliver(e websocket.Envelope) {
	b.mu.Lock()
	b.got = append(b.got, e)
	b.mu.Unlock()
	select {
	case b.more <- struct{}{}:
	default:
	}
}

// wait returns the deliveries once there are n, failing the test after
// five seconds; it then checks that no more arrive within 100 ms.
func (b *inbox) wait(t *testing.T, n int, what string) []websocket.Envelope {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		b.mu.Lock()
		have := len(b.got)
		b.mu.Unlock()
		if have >= n {
			break
		}
		select {
		case <-b.more:
		case <-deadline:
			t.Fatalf("%s: %d deliveries after 5s, want %d", what, have, n)
		}
	}
	time.Sleep(100 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.got) != n {
		t.Fatalf("%s: %d deliveries, want exactly %d", what, len(b.got), n)
	}
	return slices.Clone(b.got)
}

func subscribe(t *testing.T, b websocket.Broker, topic string, in *inbox) func() {
	t.Helper()
	unsub, err := b.Subscribe(ctx, topic, in.deliver)
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", topic, err)
	}
	t.Cleanup(unsub)
	return unsub
}

func publish(t *testing.T, b websocket.Broker, topic string, env websocket.Envelope) {
	t.Helper()
	if err := b.Publish(ctx, topic, env); err != nil {
		t.Fatalf("Publish(%q): %v", topic, err)
	}
}

func text(group, s string) websocket.Envelope {
	return websocket.Envelope{Group: group, Type: websocket.MessageText, Data: []byte(s)}
}

func sameEnvelope(a, b websocket.Envelope) bool {
	return a.Group == b.Group && a.To == b.To && a.Type == b.Type && bytes.Equal(a.Data, b.Data) &&
		slices.Equal(a.Except, b.Except)
}

// A message from any instance reaches every subscriber on every instance,
// once, intact; other topics get nothing.
func brokerFanOut(t *testing.T, connect func(*testing.T, int) []websocket.Broker) {
	bs := connect(t, 3)
	topic, other := unique("topic"), unique("topic")
	inboxes := make([]*inbox, 0, 6)
	for _, b := range bs {
		for range 2 { // two subscribers per instance
			in := newInbox()
			subscribe(t, b, topic, in)
			inboxes = append(inboxes, in)
		}
	}
	stray := newInbox()
	subscribe(t, bs[1], other, stray)
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	sent := []websocket.Envelope{
		{Group: "room", Except: []string{"c1", "c2"}, Type: websocket.MessageBinary, Data: bin},
		{To: "conn-9", Type: websocket.MessageText, Data: []byte("direct ✓")},
		text("room", ""),
	}
	for i, env := range sent {
		publish(t, bs[i%len(bs)], topic, env)
	}
	for i, in := range inboxes {
		got := in.wait(t, len(sent), fmt.Sprintf("subscriber %d", i))
		for j := range sent {
			if !sameEnvelope(got[j], sent[j]) {
				t.Fatalf("subscriber %d, message %d: got %+v, want %+v", i, j, got[j], sent[j])
			}
		}
	}
	stray.wait(t, 0, "a subscriber of another topic")
}

// Subscribe returns once the subscription is in effect: a message
// published at once, from another instance, arrives.
func brokerSubscribeThenPublish(t *testing.T, connect func(*testing.T, int) []websocket.Broker) {
	bs := connect(t, 2)
	for i := range 20 {
		topic := unique("now")
		in := newInbox()
		subscribe(t, bs[0], topic, in)
		publish(t, bs[1], topic, text("g", fmt.Sprint(i)))
		in.wait(t, 1, fmt.Sprintf("round %d: published right after Subscribe", i))
	}
}

func brokerUnsubscribe(t *testing.T, connect func(*testing.T, int) []websocket.Broker) {
	bs := connect(t, 2)
	topic := unique("unsub")
	gone, stays := newInbox(), newInbox()
	unsub := subscribe(t, bs[0], topic, gone)
	subscribe(t, bs[0], topic, stays)
	publish(t, bs[1], topic, text("g", "1"))
	gone.wait(t, 1, "before unsubscribing")
	unsub()
	unsub() // twice: no effect
	publish(t, bs[1], topic, text("g", "2"))
	stays.wait(t, 2, "the other subscriber of the topic")
	gone.wait(t, 1, "after unsubscribing")
}

// One publisher's messages arrive in the order published.
func brokerOrder(t *testing.T, connect func(*testing.T, int) []websocket.Broker) {
	bs := connect(t, 2)
	topic := unique("order")
	in := newInbox()
	subscribe(t, bs[1], topic, in)
	for i := range 200 {
		publish(t, bs[0], topic, text("g", fmt.Sprint(i)))
	}
	for i, e := range in.wait(t, 200, "200 messages") {
		if string(e.Data) != fmt.Sprint(i) {
			t.Fatalf("message %d arrived as number %d: out of order", i, i)
		}
	}
}

// 10 publishers on 2 instances at once: every message arrives once, each
// publisher's in order.
func brokerConcurrent(t *testing.T, connect func(*testing.T, int) []websocket.Broker) {
	bs := connect(t, 2)
	topic := unique("conc")
	in := newInbox()
	subscribe(t, bs[0], topic, in)
	var failed sync.Map
	together(10, func(p int) {
		for i := range 30 {
			if err := bs[p%2].Publish(ctx, topic, text("g", fmt.Sprintf("%d:%d", p, i))); err != nil {
				failed.Store(p, err)
			}
		}
	})
	failed.Range(func(k, v any) bool {
		t.Fatalf("publisher %v: %v", k, v)
		return false
	})
	next := make(map[int]int)
	for _, e := range in.wait(t, 300, "10 × 30 concurrent messages") {
		var p, i int
		if _, err := fmt.Sscanf(string(e.Data), "%d:%d", &p, &i); err != nil {
			t.Fatalf("unexpected message %q", e.Data)
		}
		if i != next[p] {
			t.Fatalf("publisher %d: message %d arrived when %d was due", p, i, next[p])
		}
		next[p]++
	}
}

func brokerErrors(t *testing.T, connect func(*testing.T, int) []websocket.Broker) {
	b := connect(t, 1)[0]
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Publish(cancelled, unique("t"), text("g", "x")); err == nil {
		t.Fatal("Publish with a cancelled context succeeded")
	}
	if _, err := b.Subscribe(ctx, unique("t"), nil); err == nil {
		t.Fatal("Subscribe with a nil function succeeded")
	}
}
