package session

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSessionState(t *testing.T) {
	t.Parallel()
	s := newSession("", nil, time.Unix(100, 0))
	if !s.IsNew() || s.ID() != "" || s.snapshot().Modified {
		t.Fatal("fresh session state")
	}
	s.Set("user_id", 7)
	s.Set("name", "ann")
	s.Set("admin", true)
	s.AddFlash("saved")
	s.AddFlash("again")
	if n, ok := s.GetInt("user_id"); !ok || n != 7 || s.GetString("name") != "ann" || !s.GetBool("admin") {
		t.Error("typed getters")
	}
	// After a JSON round trip numbers are float64 and flash lists []any.
	b, _ := json.Marshal(s.snapshot().Values)
	var vals map[string]any
	json.Unmarshal(b, &vals)
	s2 := newSession("abc", vals, time.Unix(100, 0))
	if n, ok := s2.GetInt("user_id"); !ok || n != 7 {
		t.Errorf("GetInt after JSON: %v %v", n, ok)
	}
	if f := s2.Flashes(); len(f) != 2 || f[0] != "saved" || s2.Flashes() != nil {
		t.Errorf("flashes %v", f)
	}
	s2.Regenerate()
	st := s2.snapshot()
	if !st.Regenerate || !st.Modified || st.ID != "abc" {
		t.Errorf("regenerate state %+v", st)
	}
	s2.saved("def")
	if s2.ID() != "def" || s2.snapshot().Modified {
		t.Error("saved")
	}
	s2.Destroy()
	if st := s2.snapshot(); !st.Destroyed || len(st.Values) != 0 {
		t.Errorf("destroy %+v", st)
	}
	s2.Delete("missing")
	s2.Clear()
}
