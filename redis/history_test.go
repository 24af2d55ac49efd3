package redis_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/nexios-go/nexios/redis"
)

func TestHistory(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	h := redis.NewHistory(rdb, redis.HistoryConfig{Prefix: prefix(t), Size: 5})
	pubs, cur, ok, err := h.Since(bg, "room", redis.Position{})
	if err != nil || !ok || len(pubs) != 0 || cur.Offset != 0 {
		t.Fatalf("an empty room: %v %+v %v %v", pubs, cur, ok, err)
	}
	var first redis.Position
	for i := 1; i <= 8; i++ {
		pos, err := h.Append(bg, "room", json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		if pos.Offset != uint64(i) || pos.Epoch == "" || i > 1 && pos.Epoch != first.Epoch {
			t.Fatalf("append %d: %+v", i, pos)
		}
		if i == 1 {
			first = pos
		}
	}
	ep := first.Epoch
	for _, tc := range []struct {
		from      redis.Position
		want      []uint64
		recovered bool
	}{
		{redis.Position{Offset: 5, Epoch: ep}, []uint64{6, 7, 8}, true},
		{redis.Position{Offset: 3, Epoch: ep}, []uint64{4, 5, 6, 7, 8}, true},
		{redis.Position{Offset: 2, Epoch: ep}, []uint64{4, 5, 6, 7, 8}, false}, // 3 fell out (Size 5)
		{redis.Position{Offset: 8, Epoch: ep}, nil, true},
		{redis.Position{Offset: 9, Epoch: ep}, nil, false},
		{redis.Position{Offset: 5, Epoch: "other"}, nil, false},
	} {
		pubs, cur, ok, err := h.Since(bg, "room", tc.from)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, p := range pubs {
			got = append(got, p.Offset)
			if want := fmt.Sprintf(`{"n":%d}`, p.Offset); string(p.Data) != want || p.Epoch != ep {
				t.Fatalf("publication %+v, want data %s", p, want)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || ok != tc.recovered || cur != (redis.Position{Offset: 8, Epoch: ep}) {
			t.Errorf("Since(%+v) = %v %+v recovered %v; want %v recovered %v", tc.from, got, cur, ok, tc.want, tc.recovered)
		}
	}
	if _, err := h.Append(bg, "room", json.RawMessage("not json")); err == nil {
		t.Error("non-JSON data appended")
	}
	// Another room has its own numbering.
	if pos, err := h.Append(bg, "other", json.RawMessage(`1`)); err != nil || pos.Offset != 1 || pos.Epoch == ep {
		t.Errorf("another room: %+v %v", pos, err)
	}
}

// When the room's keys are lost (expired, flushed), numbering starts over
// in a new epoch, and old positions are not recoverable.
func TestHistoryNewEpoch(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	p := prefix(t)
	h := redis.NewHistory(rdb, redis.HistoryConfig{Prefix: p})
	old, _ := h.Append(bg, "r", json.RawMessage(`1`))
	_, _ = h.Append(bg, "r", json.RawMessage(`2`))
	keys, err := rdb.Keys(bg, "{"+p+"r}*").Result()
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys %v %v", keys, err)
	}
	rdb.Del(bg, keys...)
	pos, err := h.Append(bg, "r", json.RawMessage(`3`))
	if err != nil || pos.Offset != 1 || pos.Epoch == old.Epoch {
		t.Fatalf("after losing the history: %+v %v", pos, err)
	}
	if _, _, ok, _ := h.Since(bg, "r", old); ok {
		t.Fatal("a position of the lost epoch was recovered")
	}
}
