package session_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/session"
)

// Decoding a cookie the client sent never panics, and accepts only what
// the store encoded.
func FuzzCookieStoreLoad(f *testing.F) {
	s, err := session.NewCookieStore(session.CookieStoreConfig{Keys: []session.KeyPair{session.GenerateKeyPair()}})
	if err != nil {
		f.Fatal(err)
	}
	good, err := s.Save(bg, "", &session.Record{Values: map[string]any{"user_id": 1}}, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good + "A")
	f.Add("")
	f.Add("MTcwMDAwMDAwMHx8")
	f.Add("invalid.signature.here")
	f.Add(strings.Repeat("A", 5000))
	f.Fuzz(func(t *testing.T, token string) {
		rec, err := s.Load(bg, token)
		if err != nil {
			if !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("Load(%q) = %v, want ErrNotFound", token, err)
			}
			return
		}
		if token != good || rec.Values["user_id"] != 1.0 || !session.ValidID(rec.ID) {
			t.Fatalf("Load accepted %q as %+v", token, rec)
		}
	})
}

// Any value survives a cookie-store round trip.
func FuzzCookieStoreRoundTrip(f *testing.F) {
	s, err := session.NewCookieStore(session.CookieStoreConfig{Keys: []session.KeyPair{session.GenerateKeyPair()}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("user", "ada")
	f.Add("", "")
	f.Add("ünïcode", "\x00\xff")
	f.Fuzz(func(t *testing.T, k, v string) {
		token, err := s.Save(bg, "", &session.Record{Values: map[string]any{k: v}}, time.Hour)
		if err != nil {
			return // too large for a cookie
		}
		rec, err := s.Load(bg, token)
		if err != nil {
			t.Fatalf("Load of a fresh cookie: %v", err)
		}
		// encoding/json replaces invalid UTF-8; compare through it.
		if got, ok := rec.Values[viaJSON(k)].(string); !ok || got != viaJSON(v) {
			t.Fatalf("round trip of %q=%q gave %+v", k, v, rec.Values)
		}
	})
}

// A server-side store never turns a hostile token into a file name or
// key: anything but the ids it issued is not found.
func FuzzFileStoreLoad(f *testing.F) {
	dir := f.TempDir()
	s, err := session.NewFileStore(session.FileConfig{Dir: dir, SweepInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	good, err := s.Save(bg, "", &session.Record{Values: map[string]any{"a": 1}}, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("../" + good)
	f.Add(good[:63] + "/")
	f.Add(strings.ToUpper(good))
	f.Add("/etc/passwd")
	f.Fuzz(func(t *testing.T, token string) {
		rec, err := s.Load(bg, token)
		if err == nil && token != good {
			t.Fatalf("Load(%q) found %+v", token, rec)
		}
		if err != nil && !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Load(%q) = %v", token, err)
		}
	})
}

// Whatever Cookie header arrives, the middleware answers the handler's
// response (never a 500), and any cookie it sets is a new session or a
// deletion.
func FuzzMiddlewareCookieHeader(f *testing.F) {
	store, err := session.NewCookieStore(session.CookieStoreConfig{Keys: []session.KeyPair{session.GenerateKeyPair()}})
	if err != nil {
		f.Fatal(err)
	}
	app := testApp(f, session.Config{Store: store}, nil)
	f.Add("session_id=abc")
	f.Add("session_id=" + strings.Repeat("%", 100))
	f.Add(`session_id="quoted"; session_id=second`)
	f.Add("session_id=../../etc/passwd")
	f.Add("=;;=;session_id")
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest(http.MethodGet, "/peek", nil)
		req.Header.Set("Cookie", header)
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("Cookie %q: status %d %s", header, w.Code, w.Body)
		}
		if !strings.Contains(w.Body.String(), `"n":0`) {
			t.Fatalf("Cookie %q: a forged session was loaded: %s", header, w.Body)
		}
	})
}

// viaJSON returns s after a JSON round trip.
func viaJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}
