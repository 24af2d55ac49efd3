package stores

import (
	"testing"

	"github.com/nexios-go/nexios/websocket"
)

// A notification's payload comes from anyone who may NOTIFY on the
// database: whatever it holds, parsing it returns an envelope or an
// error, never a panic.
func FuzzParsePayload(f *testing.F) {
	env, _ := websocket.Envelope{Group: "room", Type: websocket.MessageText, Data: []byte("hi")}.MarshalBinary()
	for _, s := range []string{"", "i", "r", "r12", "r-1", "r99999999999999999999", "x{}", "i" + string(env),
		`i{"group":"g","to":"c","type":1,"data":""}`, `i{"type":9}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		ref, inline, err := parsePayload(payload)
		if err != nil {
			return
		}
		if inline == nil && ref == 0 {
			t.Fatalf("%q: neither inline data nor a reference", payload)
		}
		if inline != nil {
			var e websocket.Envelope
			_ = e.UnmarshalBinary(inline)
		}
	})
}
