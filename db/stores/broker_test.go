package stores_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/websocket"
)

// newBroker returns a broker on d, closed when the test ends.
func newBroker(t testing.TB, d *db.DB, cfg stores.BrokerConfig) *stores.Broker {
	t.Helper()
	b, err := stores.NewBroker(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestBrokerConformance(t *testing.T) {
	t.Parallel()
	url, _ := postgresURLs(t, 1)
	storetest.Broker(t, func(t *testing.T, n int) []websocket.Broker {
		bs := make([]websocket.Broker, n)
		for i := range bs {
			// One database handle per instance, as n processes would have.
			d, err := db.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = d.Close() })
			bs[i] = newBroker(t, d, stores.BrokerConfig{})
		}
		return bs
	})
}

// inbox collects the envelopes a subscription receives.
type inbox struct {
	mu  sync.Mutex
	got []websocket.Envelope
}

func (in *inbox) deliver(e websocket.Envelope) {
	in.mu.Lock()
	in.got = append(in.got, e)
	in.mu.Unlock()
}

func (in *inbox) len() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.got)
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// envelopeOfSize returns an envelope whose encoding plus the one-byte
// kind is exactly n bytes: the length NOTIFY limits. Data is base64 in
// the encoding (4 bytes per 3); the group takes up the remainder.
func envelopeOfSize(t *testing.T, n int, fill byte) websocket.Envelope {
	t.Helper()
	env := websocket.Envelope{Group: "g", Type: websocket.MessageBinary, Data: []byte{}}
	b, err := env.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	room := n - len(b) - 1
	env.Data = bytes.Repeat([]byte{fill}, room/4*3)
	env.Group += strings.Repeat("y", room%4)
	if b, _ := env.MarshalBinary(); len(b)+1 != n {
		t.Fatalf("an envelope of %d bytes, want %d", len(b)+1, n)
	}
	return env
}

// Messages of any size cross instances, in order, byte for byte: up to
// 7,999 bytes in the NOTIFY itself, beyond through the payload table.
func TestBrokerLargePayloads(t *testing.T) {
	t.Parallel()
	_, ds := postgresURLs(t, 2)
	pub, sub := newBroker(t, ds[0], stores.BrokerConfig{}), newBroker(t, ds[1], stores.BrokerConfig{})
	in := &inbox{}
	unsub, err := sub.Subscribe(context.Background(), "big", in.deliver)
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	var sent []websocket.Envelope
	for i, n := range []int{100, 7998, 7999, 8000, 8001, 20_000, 100, 1 << 20, 50} {
		env := envelopeOfSize(t, n, byte('a'+i))
		sent = append(sent, env)
		if err := pub.Publish(context.Background(), "big", env); err != nil {
			t.Fatalf("publishing %d bytes: %v", n, err)
		}
	}
	waitFor(t, "every message", func() bool { return in.len() == len(sent) })
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, want := range sent {
		got := in.got[i]
		if got.Group != want.Group || !bytes.Equal(got.Data, want.Data) {
			t.Fatalf("message %d (%d bytes): got group %.20q and %d bytes of data, want %.20q and %d",
				i, len(want.Data), got.Group, len(got.Data), want.Group, len(want.Data))
		}
	}
	if st := pub.Stats(); st.LargePayloads != 4 {
		t.Fatalf("LargePayloads = %d, want 4 (8,000 bytes and over)", st.LargePayloads)
	}
	// The payload rows are swept once their TTL has passed.
	n, err := stores.Sweep(context.Background(), ds[0], time.Nanosecond)
	if err != nil || n < 4 {
		t.Fatalf("Sweep = %d, %v; want the 4 payload rows", n, err)
	}
}

// killBackends terminates every session of d's database but the caller's:
// the listening connections and the pools', as a server restart would.
func killBackends(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	err := d.SQL().QueryRowContext(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The listening connection is killed: the broker reconnects, listens to
// its topics again, reports the outage, and messages flow again.
func TestBrokerReconnects(t *testing.T) {
	t.Parallel()
	url, ds := postgresURLs(t, 2)
	var downs atomic.Int64
	var reported atomic.Int64
	sub := newBroker(t, ds[0], stores.BrokerConfig{OnReconnect: func(d time.Duration) {
		downs.Add(1)
		reported.Store(int64(d))
	}})
	pub := newBroker(t, ds[1], stores.BrokerConfig{})
	in := &inbox{}
	if _, err := sub.Subscribe(context.Background(), "room", in.deliver); err != nil {
		t.Fatal(err)
	}
	admin, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if n := killBackends(t, admin); n < 2 {
		t.Fatalf("killed %d sessions, want the two listeners at least", n)
	}
	waitFor(t, "the reconnection", func() bool { return sub.Stats().Outages == 1 && sub.Stats().Connected })
	st := sub.Stats()
	if downs.Load() != 1 || st.LastOutage <= 0 || time.Duration(reported.Load()) != st.LastOutage || st.Downtime != st.LastOutage {
		t.Fatalf("after one outage: OnReconnect %d times (%v), stats %+v", downs.Load(), time.Duration(reported.Load()), st)
	}
	// The topic is listened to again: a message now arrives.
	if err := pub.Publish(context.Background(), "room", websocket.Envelope{Group: "room", Type: websocket.MessageText, Data: []byte("back")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a message after the reconnection", func() bool { return in.len() == 1 })
}

// PostgreSQL is unreachable for a while: Subscribe fails at once with
// ErrBrokerUnavailable, Publish fails, nothing panics; when it is back the
// broker recovers by itself and says how long it was down.
func TestBrokerOutage(t *testing.T) {
	t.Parallel()
	url, ds := postgresURLs(t, 1)
	px, proxied := newProxy(t, url)
	d, err := db.Open(context.Background(), proxied)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	b := newBroker(t, d, stores.BrokerConfig{})
	direct := newBroker(t, ds[0], stores.BrokerConfig{})
	in := &inbox{}
	if _, err := b.Subscribe(context.Background(), "news", in.deliver); err != nil {
		t.Fatal(err)
	}
	cut := time.Now()
	px.cut()
	waitFor(t, "the outage to be noticed", func() bool { return !b.Stats().Connected })
	start := time.Now()
	if _, err := b.Subscribe(context.Background(), "other", in.deliver); !errors.Is(err, stores.ErrBrokerUnavailable) {
		t.Fatalf("Subscribe during the outage: %v, want ErrBrokerUnavailable", err)
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Fatalf("Subscribe during the outage took %v: it must fail at once", time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Publish(ctx, "news", websocket.Envelope{Group: "news", Type: websocket.MessageText, Data: []byte("lost")}); err == nil {
		t.Fatal("Publish during the outage succeeded")
	}
	time.Sleep(300 * time.Millisecond)
	px.restore()
	waitFor(t, "the recovery", func() bool { return b.Stats().Connected })
	if st := b.Stats(); st.Outages != 1 || st.LastOutage < 300*time.Millisecond || st.LastOutage > time.Since(cut) {
		t.Fatalf("stats after a ~300 ms outage: %+v", st)
	}
	if err := direct.Publish(context.Background(), "news", websocket.Envelope{Group: "news", Type: websocket.MessageText, Data: []byte("again")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a message after the outage", func() bool { return in.len() == 1 })
	if _, err := b.Subscribe(context.Background(), "other", in.deliver); err != nil {
		t.Fatalf("Subscribe after the outage: %v", err)
	}
}

func TestBrokerErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := stores.NewBroker(ctx, dbtest.SQLite(t, nil), stores.BrokerConfig{}); err == nil {
		t.Error("a broker on SQLite was created")
	}
	_, ds := postgresURLs(t, 1)
	for _, p := range []string{"Upper", "dash-ed", strings.Repeat("a", 31), "quote\""} {
		if _, err := stores.NewBroker(ctx, ds[0], stores.BrokerConfig{Prefix: p}); err == nil {
			t.Errorf("prefix %q accepted", p)
		}
	}
	b, err := stores.NewBroker(ctx, ds[0], stores.BrokerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe(ctx, "t", nil); err == nil {
		t.Error("Subscribe with a nil function succeeded")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := b.Subscribe(ctx, "t", func(websocket.Envelope) {}); !errors.Is(err, stores.ErrBrokerClosed) {
		t.Fatalf("Subscribe after Close: %v", err)
	}
}

// Unsubscribing the last subscriber and subscribing again at once keeps
// the topic working (UNLISTEN and LISTEN run in order).
func TestBrokerResubscribe(t *testing.T) {
	t.Parallel()
	_, ds := postgresURLs(t, 1)
	b := newBroker(t, ds[0], stores.BrokerConfig{})
	ctx := context.Background()
	for i := range 20 {
		in := &inbox{}
		unsub, err := b.Subscribe(ctx, "flip", in.deliver)
		if err != nil {
			t.Fatal(err)
		}
		msg := fmt.Sprint(i)
		if err := b.Publish(ctx, "flip", websocket.Envelope{Group: "flip", Type: websocket.MessageText, Data: []byte(msg)}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "round "+msg, func() bool { return in.len() == 1 })
		unsub()
	}
	waitFor(t, "no topic left", func() bool { return b.Stats().Topics == 0 })
}
