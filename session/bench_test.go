package session_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
)

// benchSessionLoad measures a request that loads an existing session and
// reads one value (no save: the session is not modified).
func benchSessionLoad(b *testing.B, store session.Store) {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(session.New(session.Config{Store: store})))
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		id, _ := session.From(req).GetInt("user_id")
		if id != 42 {
			return nexios.NewHTTPError(http.StatusUnauthorized, "")
		}
		return res.Text("ok")
	})
	now := time.Now()
	token, err := store.Save(bg, "", &session.Record{
		Values: map[string]any{"user_id": 42, "name": "ada"}, CreatedAt: now, LastSeen: now,
	}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/me", nil)
	r.AddCookie(&http.Cookie{Name: "session_id", Value: token})
	w := benchtest.NewWriter()
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d", rec.Code)
	}
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

func BenchmarkSessionLoad(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		s := session.NewMemoryStore(session.MemoryConfig{})
		defer s.Close()
		benchSessionLoad(b, s)
	})
	b.Run("cookie", func(b *testing.B) {
		s, err := session.NewCookieStore(session.CookieStoreConfig{Keys: []session.KeyPair{session.GenerateKeyPair()}})
		if err != nil {
			b.Fatal(err)
		}
		benchSessionLoad(b, s)
	})
	b.Run("file", func(b *testing.B) {
		s, err := session.NewFileStore(session.FileConfig{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchSessionLoad(b, s)
	})
}

// BenchmarkSessionSave measures a request that modifies its session (a
// save and a Set-Cookie per request).
func BenchmarkSessionSave(b *testing.B) {
	s := session.NewMemoryStore(session.MemoryConfig{})
	defer s.Close()
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(session.New(session.Config{Store: s})))
	app.Get("/count", func(req *nexios.Request, res *nexios.Response) error {
		n, _ := session.From(req).GetInt("n")
		session.From(req).Set("n", n+1)
		return res.Text("ok")
	})
	now := time.Now()
	token, _ := s.Save(bg, "", &session.Record{Values: map[string]any{"n": 0}, CreatedAt: now, LastSeen: now}, time.Hour)
	r := httptest.NewRequest(http.MethodGet, "/count", nil)
	r.AddCookie(&http.Cookie{Name: "session_id", Value: token})
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}
