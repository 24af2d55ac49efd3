package redis

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/websocket"
)

//go:embed history.lua
var historyLua string

var historyScript = goredis.NewScript(historyLua)

// HistoryConfig configures a History.
type HistoryConfig struct {
	// Prefix is put before every room's keys. Default "nexios:history:".
	Prefix string
	// Size is how many recent messages each room keeps. Default 100.
	Size int
	// TTL is how long a room's history outlives its last message.
	// Default 24 hours.
	TTL time.Duration
}

// History keeps a bounded history of each room's messages on Redis
// Streams, numbered by a per-room offset within an epoch (Centrifugo's
// model), so that a client that reconnects — to any instance — can ask
// for what it missed instead of reloading everything. It is opt-in: rooms
// broadcast through History.Broadcast get a history, plain Hub broadcasts
// do not.
//
// Each message a client receives carries its position (see Publication).
// On reconnect the client sends the last offset and epoch it saw;
// Join sends it the messages after that offset and reports whether
// the history covered the gap: not when the epoch changed (the room's
// history expired or Redis lost it) or the client is further behind than
// Size messages — the client must then reload the room's state.
//
// Two concurrent broadcasts to one room may reach clients in the opposite
// order of their offsets; a client keeps the highest offset it saw.
// Around a reconnect, Join keeps order: the replay, then live messages.
type History struct {
	rdb    goredis.UniversalClient
	prefix string
	size   int
	ttl    time.Duration
}

// Position is a place in a room's history.
type Position struct {
	Offset uint64 `json:"offset"`
	Epoch  string `json:"epoch"`
}

// Publication is a history message as clients receive it, JSON-encoded
// in a text message: {"offset":12,"epoch":"…","data":…}.
type Publication struct {
	Offset uint64          `json:"offset"`
	Epoch  string          `json:"epoch"`
	Data   json.RawMessage `json:"data"`
}

// NewHistory returns a History on rdb.
func NewHistory(rdb goredis.UniversalClient, cfg HistoryConfig) *History {
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios:history:"
	}
	if cfg.Size <= 0 {
		cfg.Size = 100
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 24 * time.Hour
	}
	return &History{rdb: rdb, prefix: cfg.Prefix, size: cfg.Size, ttl: cfg.TTL}
}

// keys returns the room's stream and meta keys, in one hash slot.
func (h *History) keys(room string) []string {
	tag := "{" + h.prefix + room + "}"
	return []string{tag + ":s", tag + ":m"}
}

// Append adds data (a JSON value) to room's history and returns its
// position. Broadcast appends and sends.
func (h *History) Append(ctx context.Context, room string, data json.RawMessage) (Position, error) {
	if !json.Valid(data) {
		return Position{}, fmt.Errorf("redis: history: data is not JSON")
	}
	v, err := historyScript.Run(ctx, h.rdb, h.keys(room), "append", []byte(data), h.size,
		h.ttl.Milliseconds(), rand.Text()[:12]).Slice()
	if err != nil {
		return Position{}, fmt.Errorf("redis: history append: %w", err)
	}
	off, _ := v[0].(int64)
	epoch, _ := v[1].(string)
	return Position{Offset: uint64(off), Epoch: epoch}, nil
}

// Broadcast appends v, encoded as JSON, to room's history and broadcasts
// it to the room's members on every instance as a Publication, except
// the connections listed.
func (h *History) Broadcast(ctx context.Context, hub *websocket.Hub, room string, v any, except ...*websocket.Conn) (Position, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Position{}, fmt.Errorf("redis: history: encoding: %w", err)
	}
	pos, err := h.Append(ctx, room, data)
	if err != nil {
		return Position{}, err
	}
	return pos, hub.BroadcastJSON(ctx, room, Publication{Offset: pos.Offset, Epoch: pos.Epoch, Data: data}, except...)
}

// Since returns the publications of room after pos, the room's current
// position, and whether they are all that was missed (false: the client
// must reload).
func (h *History) Since(ctx context.Context, room string, pos Position) ([]Publication, Position, bool, error) {
	v, err := historyScript.Run(ctx, h.rdb, h.keys(room), "since", strconv.FormatUint(pos.Offset, 10), pos.Epoch).Slice()
	if err != nil {
		return nil, Position{}, false, fmt.Errorf("redis: history: %w", err)
	}
	off, _ := v[0].(int64)
	epoch, _ := v[1].(string)
	cur := Position{Offset: uint64(off), Epoch: epoch}
	recovered, _ := v[2].(int64)
	var pubs []Publication
	for i := 3; i+1 < len(v); i += 2 {
		id, _ := v[i].(string)
		data, _ := v[i+1].(string)
		o, err := strconv.ParseUint(strings.TrimSuffix(id, "-1"), 10, 64)
		if err != nil {
			return nil, Position{}, false, fmt.Errorf("redis: history: bad entry id %q", id)
		}
		pubs = append(pubs, Publication{Offset: o, Epoch: epoch, Data: json.RawMessage(data)})
	}
	return pubs, cur, recovered == 1 || epoch == "" && pos.Offset == 0, nil
}

// Join joins ws to room on hub and first sends it, in order, the
// publications it missed since pos (each as a Publication); the room's
// live broadcasts follow, without those the replay already covered, so the
// client sees neither a gap nor a duplicate nor a reordering around its
// reconnect (see websocket.Hub.JoinCatchingUp). complete reports whether
// the history covered the gap: false when the epoch changed or the client
// fell more than Size messages behind, and the client must reload the
// room's state. A zero pos (a first connection) replays nothing.
func (h *History) Join(ctx context.Context, hub *websocket.Hub, ws *websocket.Conn, room string, pos Position) (complete bool, err error) {
	if pos == (Position{}) {
		return true, hub.Join(ws, room)
	}
	err = hub.JoinCatchingUp(ws, room, func() (func(websocket.Message) bool, error) {
		pubs, cur, ok, err := h.Since(ctx, room, pos)
		if err != nil {
			return nil, err
		}
		for _, p := range pubs {
			if err := ws.SendJSON(ctx, p); err != nil {
				return nil, err
			}
		}
		complete = ok
		return func(m websocket.Message) bool { return covered(m.Data, cur) }, nil
	})
	return complete, err
}

// covered reports whether data is a Publication at or before cur: one
// that Since returned, or that the client had.
func covered(data []byte, cur Position) bool {
	var p struct {
		Offset uint64 `json:"offset"`
		Epoch  string `json:"epoch"`
	}
	return json.Unmarshal(data, &p) == nil && p.Epoch == cur.Epoch && p.Epoch != "" && p.Offset <= cur.Offset
}
