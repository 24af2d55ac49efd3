package storetest

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/session"
)

// SessionStore runs the conformance suite for a server-side
// session.Store (memory, file, Redis, SQL: a store whose tokens are ids).
// newStore returns the store under test; it is called once per subtest.
// A cookie store keeps nothing on the server and cannot pass: it cannot
// make a copied cookie unloadable.
//
// It checks: a saved session loads back with its values (through JSON),
// times and id, and saving again keeps the token; a session expires after
// its TTL; a deleted or rotated id cannot be loaded, and a Save under it
// (a request still holding it, on any instance) does not bring it back but
// fails with session.ErrNotFound, also while 50 goroutines save it
// concurrently with the Delete; 100 concurrent new sessions get 100
// distinct ids; hostile tokens are not found and cannot be saved under.
func SessionStore(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s session.Store)
	}{
		{"RoundTrip", sessionRoundTrip},
		{"Expiry", sessionExpiry},
		{"Delete", sessionDelete},
		{"Rotation", sessionRotation},
		{"NoResurrection", sessionNoResurrection},
		{"UniqueIDs", sessionUniqueIDs},
		{"HostileTokens", sessionHostile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

func newRecord(values map[string]any) *session.Record {
	now := time.Now()
	return &session.Record{Values: values, CreatedAt: now.Add(-time.Minute), LastSeen: now}
}

func save(t *testing.T, s session.Store, token string, rec *session.Record, ttl time.Duration, what string) string {
	t.Helper()
	tok, err := s.Save(ctx, token, rec, ttl)
	if err != nil {
		t.Fatalf("%s: Save: %v", what, err)
	}
	return tok
}

func notFound(t *testing.T, s session.Store, token, what string) {
	t.Helper()
	if rec, err := s.Load(ctx, token); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("%s: Load(%.16q…) = %+v, %v; want session.ErrNotFound", what, token, rec, err)
	}
}

func sessionRoundTrip(t *testing.T, s session.Store) {
	rec := newRecord(map[string]any{"user_id": 42, "name": "ada", "tags": []string{"a", "b"}, "nested": map[string]any{"ok": true}})
	tok := save(t, s, "", rec, time.Hour, "new session")
	if tok == "" || rec.ID == "" {
		t.Fatalf("Save of a new session: token %q, id %q; want both set", tok, rec.ID)
	}
	got, err := s.Load(ctx, tok)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := map[string]any{"user_id": 42.0, "name": "ada", "tags": []any{"a", "b"}, "nested": map[string]any{"ok": true}}
	if !reflect.DeepEqual(got.Values, want) {
		t.Fatalf("Load values = %#v, want %#v (JSON round trip)", got.Values, want)
	}
	if got.ID != rec.ID || !got.CreatedAt.Equal(rec.CreatedAt) || !got.LastSeen.Equal(rec.LastSeen) {
		t.Fatalf("Load = id %q created %v seen %v; want %q %v %v", got.ID, got.CreatedAt, got.LastSeen, rec.ID, rec.CreatedAt, rec.LastSeen)
	}
	got.Values["name"] = "grace"
	if tok2 := save(t, s, tok, got, time.Hour, "update"); tok2 != tok {
		t.Fatalf("saving an existing session changed its token")
	}
	again, err := s.Load(ctx, tok)
	if err != nil || again.Values["name"] != "grace" {
		t.Fatalf("Load after update = %+v, %v", again, err)
	}
	if _, err := s.Save(ctx, "", newRecord(nil), 0); err == nil {
		t.Fatal("Save with ttl 0 succeeded")
	}
}

func sessionExpiry(t *testing.T, s session.Store) {
	start := time.Now()
	tok := save(t, s, "", newRecord(map[string]any{"x": 1}), 400*time.Millisecond, "short session")
	long := save(t, s, "", newRecord(map[string]any{"x": 1}), time.Hour, "long session")
	sleepUntil(start.Add(250 * time.Millisecond))
	if _, err := s.Load(ctx, tok); err != nil {
		t.Fatalf("before its TTL: %v", err)
	}
	// Saving renews the TTL.
	rec, _ := s.Load(ctx, long)
	save(t, s, long, rec, 600*time.Millisecond, "renew with a short TTL")
	renewed := time.Now()
	sleepUntil(start.Add(650 * time.Millisecond))
	notFound(t, s, tok, "after its TTL")
	if _, err := s.Load(ctx, long); err != nil && time.Since(renewed) < 500*time.Millisecond {
		t.Fatalf("a session renewed %v ago for 600ms: %v", time.Since(renewed), err)
	}
	sleepUntil(renewed.Add(750 * time.Millisecond))
	notFound(t, s, long, "after the renewed TTL")
}

func sessionDelete(t *testing.T, s session.Store) {
	tok := save(t, s, "", newRecord(map[string]any{"x": 1}), time.Hour, "new")
	other := save(t, s, "", newRecord(map[string]any{"x": 2}), time.Hour, "other")
	must(t, s.Delete(ctx, tok))
	notFound(t, s, tok, "deleted")
	if _, err := s.Load(ctx, other); err != nil {
		t.Fatalf("deleting one session lost another: %v", err)
	}
	must(t, s.Delete(ctx, tok))             // twice
	must(t, s.Delete(ctx, session.NewID())) // unknown
}

// Rotation as the session middleware does it (Regenerate): the old id is
// deleted and the data saved under a new one. The old id stays dead, even
// for a request that still holds it and saves.
func sessionRotation(t *testing.T, s session.Store) {
	old := save(t, s, "", newRecord(map[string]any{"user_id": 1}), time.Hour, "before login")
	rec, err := s.Load(ctx, old)
	must(t, err)
	must(t, s.Delete(ctx, old))
	fresh := save(t, s, "", newRecord(rec.Values), time.Hour, "after login")
	if fresh == old {
		t.Fatal("rotation kept the id")
	}
	notFound(t, s, old, "the rotated id")
	if _, err := s.Save(ctx, old, rec, time.Hour); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Save under the rotated id: %v; want session.ErrNotFound (never resurrected)", err)
	}
	notFound(t, s, old, "the rotated id after a late Save")
	if _, err := s.Load(ctx, fresh); err != nil {
		t.Fatalf("the new id: %v", err)
	}
}

// 50 goroutines keep saving a session while it is deleted: afterwards it
// cannot be loaded, and every Save after the delete reported ErrNotFound.
func sessionNoResurrection(t *testing.T, s session.Store) {
	for round := range 3 {
		tok := save(t, s, "", newRecord(map[string]any{"n": 0}), time.Hour, "new")
		var deleted atomic.Bool
		var wrong atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 50 {
			wg.Go(func() {
				<-start
				for j := range 4 {
					after := deleted.Load()
					_, err := s.Save(ctx, tok, newRecord(map[string]any{"n": i*10 + j}), time.Hour)
					switch {
					case err == nil && after:
						wrong.Add(1) // saved after the delete had returned
					case err != nil && !errors.Is(err, session.ErrNotFound):
						wrong.Add(1)
					}
				}
			})
		}
		wg.Go(func() {
			<-start
			if err := s.Delete(ctx, tok); err != nil {
				wrong.Add(1)
			}
			deleted.Store(true)
		})
		close(start)
		wg.Wait()
		if n := wrong.Load(); n != 0 {
			t.Fatalf("round %d: %d saves succeeded after the Delete returned or failed otherwise than ErrNotFound", round, n)
		}
		notFound(t, s, tok, "a session deleted while being saved")
	}
}

func sessionUniqueIDs(t *testing.T, s session.Store) {
	var mu sync.Mutex
	seen := make(map[string]bool)
	var errs atomic.Int32
	together(100, func(i int) {
		tok, err := s.Save(ctx, "", newRecord(map[string]any{"i": i}), time.Hour)
		if err != nil {
			errs.Add(1)
			return
		}
		mu.Lock()
		seen[tok] = true
		mu.Unlock()
	})
	if len(seen) != 100 || errs.Load() != 0 {
		t.Fatalf("100 concurrent new sessions: %d distinct tokens, %d errors", len(seen), errs.Load())
	}
}

func sessionHostile(t *testing.T, s session.Store) {
	tok := save(t, s, "", newRecord(map[string]any{"x": 1}), time.Hour, "new")
	for _, bad := range []string{"", "x", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63),
		tok + "/", tok + "*", "\x00" + tok[1:], tok[:60] + "\r\n\r\n", strings.Repeat("0", 64) + ".json", strings.Repeat("z", 5000)} {
		notFound(t, s, bad, "a hostile token")
		must(t, s.Delete(ctx, bad))
	}
	for _, bad := range []string{"../evil", "*", tok + "x"} {
		if _, err := s.Save(ctx, bad, newRecord(nil), time.Hour); err == nil {
			t.Fatalf("Save under the malformed token %q succeeded", bad)
		}
	}
	if _, err := s.Load(ctx, tok); err != nil {
		t.Fatalf("hostile tokens disturbed a real session: %v", err)
	}
}
