package redis_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/websocket"
)

// Redis is killed while a broker is subscribed: Publish fails during the
// outage, nothing panics, the broker reconnects and resubscribes by
// itself, reports the outage's length, and messages flow again — between
// both instances. After Close, no goroutine is left.
func TestBrokerSurvivesRedisRestart(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	srv := startServer(t)
	var reported atomic.Int64
	var clients []*redis.Client
	mk := func() *redis.Broker {
		c := srv.Client()
		clients = append(clients, c)
		b, err := redis.NewBroker(bg, c, redis.BrokerConfig{
			OnReconnect: func(d time.Duration) { reported.Store(int64(d)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := mk(), mk()
	got := make(chan string, 10)
	unsub, err := b.Subscribe(bg, "room", func(e websocket.Envelope) { got <- string(e.Data) })
	if err != nil {
		t.Fatal(err)
	}
	env := func(s string) websocket.Envelope {
		return websocket.Envelope{Group: "room", Type: websocket.MessageText, Data: []byte(s)}
	}
	if err := a.Publish(bg, "room", env("before")); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m != "before" {
		t.Fatalf("got %q", m)
	}

	srv.Stop()
	eventually(t, 5*time.Second, "the broker noticing the outage", func() bool { return !b.Stats().Connected })
	if err := a.Publish(bg, "room", env("during")); err == nil {
		t.Fatal("Publish succeeded with Redis down")
	}
	if _, err := b.Subscribe(bg, "other", func(websocket.Envelope) {}); !errors.Is(err, redis.ErrBrokerUnavailable) {
		t.Fatalf("Subscribe during the outage: %v, want ErrBrokerUnavailable", err)
	}
	time.Sleep(300 * time.Millisecond)
	srv.Start()
	eventually(t, 10*time.Second, "the broker reconnecting", func() bool { return b.Stats().Connected && b.Stats().Outages == 1 })
	if d := time.Duration(reported.Load()); d < 300*time.Millisecond || d > 10*time.Second {
		t.Fatalf("OnReconnect reported %v down; the outage lasted over 300ms", d)
	}
	if st := b.Stats(); st.LastOutage <= 0 || st.Downtime != st.LastOutage {
		t.Fatalf("stats after one outage: %+v", st)
	}
	// The subscription is back: publish until the first message arrives
	// (the publisher's pool reconnects on its own).
	eventually(t, 5*time.Second, "a message after the outage", func() bool {
		_ = a.Publish(bg, "room", env("after"))
		select {
		case m := <-got:
			return m == "after"
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})
	unsub()
	if err := a.Close(); err != nil {
		t.Error(err)
	}
	if err := b.Close(); err != nil {
		t.Error(err)
	}
	for _, c := range clients {
		_ = c.Close()
	}
	srv.Stop()
	goleak.VerifyNone(t, leaks)
}
