package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/session"
)

func TestStores(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := kind.new(t, clk.Now)
			created := clk.Now().Add(-time.Minute)
			rec := &session.Record{
				Values:    map[string]any{"user_id": 1, "name": "ada", "tags": []string{"a", "b"}, "nested": map[string]any{"ok": true}},
				CreatedAt: created, LastSeen: clk.Now(),
			}
			token, err := s.Save(bg, "", rec, time.Hour)
			if err != nil || token == "" || !session.ValidID(rec.ID) {
				t.Fatalf("Save new: %q %v, id %q", token, err, rec.ID)
			}
			got, err := s.Load(bg, token)
			if err != nil {
				t.Fatal(err)
			}
			// Values went through JSON.
			want := map[string]any{"user_id": 1.0, "name": "ada", "tags": []any{"a", "b"}, "nested": map[string]any{"ok": true}}
			if !reflect.DeepEqual(got.Values, want) || got.ID != rec.ID ||
				!got.CreatedAt.Equal(created) || !got.LastSeen.Equal(clk.Now()) {
				t.Fatalf("Load = %+v", got)
			}

			// Saving again under the token keeps the id.
			got.Values["name"] = "grace"
			token2, err := s.Save(bg, token, got, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if !kind.stateless && token2 != token {
				t.Fatalf("server-side store changed the token: %q -> %q", token, token2)
			}
			if kind.stateless && token2 == token {
				t.Fatal("two saves of a cookie session produced the same value")
			}
			again, err := s.Load(bg, token2)
			if err != nil || again.Values["name"] != "grace" || again.ID != rec.ID {
				t.Fatalf("Load after update = %+v, %v", again, err)
			}

			// Expiry.
			clk.Advance(time.Hour)
			if _, err := s.Load(bg, token2); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("expired session: %v", err)
			}

			// Delete.
			token3, _ := s.Save(bg, "", &session.Record{Values: map[string]any{"x": 1}}, time.Hour)
			if err := s.Delete(bg, token3); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Load(bg, token3); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("deleted session: %v", err)
			}
			if err := s.Delete(bg, "unknown"); err != nil {
				t.Fatalf("Delete(unknown) = %v", err)
			}

			// Hostile tokens are simply not found.
			for _, tok := range []string{"", "x", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63),
				token3 + "/", "\x00" + token3[1:], strings.Repeat("0", 64) + ".json"} {
				if _, err := s.Load(bg, tok); !errors.Is(err, session.ErrNotFound) {
					t.Errorf("Load(%q) = %v", tok, err)
				}
			}

			if _, err := s.Save(bg, "", &session.Record{}, 0); err == nil {
				t.Error("Save with ttl 0 accepted")
			}
			if !kind.stateless {
				if _, err := s.Save(bg, "../evil", &session.Record{}, time.Hour); err == nil {
					t.Error("Save under a malformed token accepted")
				}
			}
		})
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		id := session.NewID()
		if !session.ValidID(id) || seen[id] {
			t.Fatalf("NewID() = %q (valid %v, repeated %v)", id, session.ValidID(id), seen[id])
		}
		seen[id] = true
	}
}

func TestMemoryStoreSweep(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := session.NewMemoryStore(session.MemoryConfig{Now: clk.Now, SweepInterval: time.Millisecond})
	for i := range 10 {
		_, _ = s.Save(bg, "", &session.Record{}, time.Duration(i+1)*time.Minute)
	}
	clk.Advance(5 * time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for s.Len() != 5 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // the background sweeper runs every millisecond
	}
	if n := s.Len(); n != 5 {
		t.Fatalf("after the sweep: %d sessions, want 5", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_ = s.Close() // idempotent
	clk.Advance(time.Hour)
	if n := s.Sweep(); n != 5 {
		t.Fatalf("manual Sweep removed %d", n)
	}
}

func TestFileStore(t *testing.T) {
	t.Parallel()
	clk := newClock()
	dir := filepath.Join(t.TempDir(), "sessions")
	s, err := session.NewFileStore(session.FileConfig{Dir: dir, Now: clk.Now, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v %v", fi, err)
	}
	token, err := s.Save(bg, "", &session.Record{Values: map[string]any{"a": 1}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, token+".json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file: %v %v", fi, err)
	}

	t.Run("corrupted and oversized files are not found", func(t *testing.T) {
		for _, content := range [][]byte{[]byte("{not json"), []byte(`{"expires":"2999-01-01T00:00:00Z"}`), make([]byte, 2<<20)} {
			id := session.NewID()
			if err := os.WriteFile(filepath.Join(dir, id+".json"), content, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Load(bg, id); !errors.Is(err, session.ErrNotFound) {
				t.Errorf("Load(corrupted %.20q) = %v", content, err)
			}
		}
	})

	t.Run("a symlink out of the directory is not followed", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "secret.json")
		body := `{"expires":"2999-01-01T00:00:00Z","record":{"values":{"stolen":true}}}`
		if err := os.WriteFile(outside, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		id := session.NewID()
		if err := os.Symlink(outside, filepath.Join(dir, id+".json")); err != nil {
			t.Skip("symlinks unavailable:", err)
		}
		if rec, err := s.Load(bg, id); err == nil {
			t.Fatalf("read through a symlink: %+v", rec)
		}
	})

	t.Run("sweep", func(t *testing.T) {
		foreign := filepath.Join(dir, "README")
		_ = os.WriteFile(foreign, []byte("keep me"), 0o600)
		tmp := filepath.Join(dir, ".tmp-leftover")
		_ = os.WriteFile(tmp, []byte("half"), 0o600)
		old := time.Now().Add(-time.Hour)
		_ = os.Chtimes(tmp, old, old)
		live, _ := s.Save(bg, "", &session.Record{}, 3*time.Hour)
		clk.Advance(2 * time.Hour)
		if _, err := s.Sweep(bg); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		want := []string{"README", live + ".json"}
		// The symlink from the previous subtest, if any, is not a regular
		// file: the sweep leaves it alone.
		for _, n := range names {
			if n != "README" && n != live+".json" && !isSymlink(filepath.Join(dir, n)) {
				t.Errorf("sweep left %q (want only %v)", n, want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, token+".json")); !os.IsNotExist(err) {
			t.Errorf("expired session file survived: %v", err)
		}
	})

	if _, err := session.NewFileStore(session.FileConfig{}); err == nil {
		t.Error("NewFileStore without Dir accepted")
	}
}

func isSymlink(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode()&os.ModeSymlink != 0
}

func TestCookieStoreKeys(t *testing.T) {
	t.Parallel()
	k1, k2 := session.GenerateKeyPair(), session.GenerateKeyPair()
	mk := func(name string, keys ...session.KeyPair) *session.CookieStore {
		s, err := session.NewCookieStore(session.CookieStoreConfig{Keys: keys, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	old := mk("", k1)
	token, err := old.Save(bg, "", &session.Record{Values: map[string]any{"v": "old"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rotated := mk("", k2, k1)
	if rec, err := rotated.Load(bg, token); err != nil || rec.Values["v"] != "old" {
		t.Fatalf("rotated store cannot read an old cookie: %v", err)
	}
	fresh, _ := rotated.Save(bg, "", &session.Record{}, time.Hour)
	if _, err := old.Load(bg, fresh); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("old store read a cookie encoded with the new key: %v", err)
	}
	if _, err := mk("", k2).Load(bg, token); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("a retired key still decodes: %v", err)
	}
	if _, err := mk("other", k1).Load(bg, token); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("a store of another name decoded the cookie: %v", err)
	}
	// Too large for a cookie.
	if _, err := old.Save(bg, "", &session.Record{Values: map[string]any{"big": strings.Repeat("x", 5000)}}, time.Hour); err == nil {
		t.Fatal("a 5 KB session was encoded into a cookie")
	}

	// Derived keys: deterministic, independent, and need a long secret.
	secret := []byte("0123456789abcdef0123456789abcdef")
	a, err := session.KeysFromSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := session.KeysFromSecret(secret)
	if !reflect.DeepEqual(a, b) || len(a.HashKey) != 64 || len(a.BlockKey) != 32 || string(a.HashKey[:32]) == string(a.BlockKey) {
		t.Fatalf("KeysFromSecret: %x / %x", a.HashKey, a.BlockKey)
	}
	if _, err := session.KeysFromSecret(secret[:31]); err == nil {
		t.Fatal("a 31-byte secret was accepted")
	}

	bad := []session.CookieStoreConfig{
		{},
		{Keys: []session.KeyPair{{HashKey: make([]byte, 16), BlockKey: make([]byte, 32)}}},
		{Keys: []session.KeyPair{{HashKey: make([]byte, 32), BlockKey: make([]byte, 20)}}},
		{Keys: []session.KeyPair{{HashKey: make([]byte, 32)}}}, // signed only: not allowed
	}
	for i, cfg := range bad {
		if _, err := session.NewCookieStore(cfg); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
}

func TestMemoryDenylist(t *testing.T) {
	t.Parallel()
	clk := newClock()
	d := &session.MemoryDenylist{Now: clk.Now}
	_ = d.Add(bg, "a", clk.Now().Add(time.Minute))
	_ = d.Add(bg, "past", clk.Now().Add(-time.Minute))
	if ok, _ := d.Contains(bg, "a"); !ok {
		t.Fatal("a not denied")
	}
	if ok, _ := d.Contains(bg, "past"); ok {
		t.Fatal("an entry already past its time was kept")
	}
	clk.Advance(2 * time.Minute)
	if ok, _ := d.Contains(bg, "a"); ok {
		t.Fatal("a still denied after its time")
	}
	_ = d.Add(bg, "b", clk.Now().Add(time.Minute)) // sweeps a
	if n := d.Len(); n != 1 {
		t.Fatalf("Len = %d after the sweep", n)
	}
}
