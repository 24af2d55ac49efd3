package websocket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Envelope is a message on its way to the members of a group or to one
// connection: the unit a Broker carries between instances.
type Envelope struct {
	// Group is the target group of a broadcast, "" for a direct message.
	Group string `json:"group,omitempty"`
	// To is the target connection id of a direct message.
	To string `json:"to,omitempty"`
	// Except lists connection ids that must not receive a broadcast (the
	// sender's, typically).
	Except []string    `json:"except,omitempty"`
	Type   MessageType `json:"type"`
	Data   []byte      `json:"data"`
}

// MarshalBinary encodes the envelope for a broker that crosses process
// boundaries (Redis); UnmarshalBinary decodes it.
func (e Envelope) MarshalBinary() ([]byte, error) { return json.Marshal(e) }

// UnmarshalBinary decodes an envelope encoded with MarshalBinary.
func (e *Envelope) UnmarshalBinary(b []byte) error {
	var v Envelope
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("websocket: decoding envelope: %w", err)
	}
	if v.Type != MessageText && v.Type != MessageBinary {
		return fmt.Errorf("websocket: decoding envelope: unknown message type %d", v.Type)
	}
	if (v.Group == "") == (v.To == "") {
		return errors.New("websocket: decoding envelope: exactly one of group and to must be set")
	}
	*e = v
	return nil
}

// Broker carries envelopes between the hubs of every instance of an app
// that share it. Hubs publish each broadcast to the group's topic and
// subscribe to the topics of the groups that have local members; direct
// messages travel on one topic (DirectTopic) that every hub subscribes to.
//
// The default, MemoryBroker, connects the hubs of one process. A Redis
// implementation (PUBLISH/SUBSCRIBE with Envelope.MarshalBinary) lets
// groups span instances.
type Broker interface {
	// Publish delivers env to every subscriber of topic, on every
	// instance. ctx bounds the call.
	Publish(ctx context.Context, topic string, env Envelope) error
	// Subscribe calls deliver for each envelope published to topic until
	// unsubscribe is called. Deliveries for one subscription are
	// sequential; deliver returns quickly and must not call the broker.
	// ctx bounds the subscription call only.
	Subscribe(ctx context.Context, topic string, deliver func(Envelope)) (unsubscribe func(), err error)
}

// Topics used by hubs.
const (
	// GroupTopicPrefix prefixes a group name to make its topic.
	GroupTopicPrefix = "nexios.ws.group."
	// DirectTopic carries messages to single connections.
	DirectTopic = "nexios.ws.direct"
)

// MemoryBroker is a Broker within one process: Publish calls each
// subscriber's deliver function before it returns. Hubs that share one
// behave as instances of one app sharing a Redis broker would.
type MemoryBroker struct {
	mu     sync.RWMutex
	topics map[string][]*subscription // copied on write: Publish reads without copying
}

type subscription struct {
	deliver func(Envelope)
	off     atomic.Bool
}

// NewMemoryBroker returns an empty in-process broker.
func NewMemoryBroker() *MemoryBroker {
	return &MemoryBroker{topics: make(map[string][]*subscription)}
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(ctx context.Context, topic string, env Envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.RLock()
	subs := b.topics[topic]
	b.mu.RUnlock()
	for _, s := range subs {
		if !s.off.Load() {
			s.deliver(env)
		}
	}
	return nil
}

// Subscribe implements Broker.
func (b *MemoryBroker) Subscribe(ctx context.Context, topic string, deliver func(Envelope)) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if deliver == nil {
		return nil, errors.New("websocket: Subscribe with a nil deliver function")
	}
	s := &subscription{deliver: deliver}
	b.mu.Lock()
	old := b.topics[topic]
	subs := make([]*subscription, len(old), len(old)+1)
	copy(subs, old)
	b.topics[topic] = append(subs, s)
	b.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { b.unsubscribe(topic, s) }) }, nil
}

func (b *MemoryBroker) unsubscribe(topic string, s *subscription) {
	s.off.Store(true)
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.topics[topic]
	subs := make([]*subscription, 0, len(old))
	for _, x := range old {
		if x != s {
			subs = append(subs, x)
		}
	}
	if len(subs) == 0 {
		delete(b.topics, topic)
		return
	}
	b.topics[topic] = subs
}

// Topics returns how many topics have subscribers (for tests and metrics).
func (b *MemoryBroker) Topics() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.topics)
}
