package devserver

import (
	"os"
	"path/filepath"
	"testing"
)

// The SQLite-only build is chosen from DATABASE_URL as the app's
// configuration reads it.
func TestOnSQLite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		env   []string
		want  bool
	}{
		{"in .env", map[string]string{".env": "DATABASE_URL=sqlite:app.db\n"}, nil, true},
		{"in .env.local over .env", map[string]string{".env": "DATABASE_URL=postgres://db/app\n", ".env.local": "DATABASE_URL=sqlite::memory:\n"}, nil, true},
		{"the environment over .env", map[string]string{".env": "DATABASE_URL=sqlite:app.db\n"}, []string{"DATABASE_URL=postgres://db/app"}, false},
		{"from a secret file", map[string]string{"url": "sqlite:app.db"}, []string{"DATABASE_URL_FILE=url"}, true},
		{"PostgreSQL", map[string]string{".env": "DATABASE_URL=postgres://db/app\n"}, nil, false},
		{"unset", nil, nil, false},
		{"a broken .env", map[string]string{".env": "DATABASE_URL=sqlite:app.db\n'oops\n"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// The machine's own must not leak in (restored afterwards).
			t.Setenv("DATABASE_URL", "")
			os.Unsetenv("DATABASE_URL")
			t.Setenv("DATABASE_URL_FILE", "")
			os.Unsetenv("DATABASE_URL_FILE")
			env := tc.env
			for i, kv := range env {
				if kv == "DATABASE_URL_FILE=url" {
					env[i] = "DATABASE_URL_FILE=" + filepath.Join(dir, "url")
				}
			}
			if got := onSQLite(dir, env); got != tc.want {
				t.Errorf("onSQLite = %v, want %v", got, tc.want)
			}
		})
	}
}
