package db_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
)

// TestSearchUnicode is the must-hold search test: accented and non-Latin
// text is found case-insensitively, identically on both databases, and
// %, _ and \ in a term are literal.
func TestSearchUnicode(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		for _, name := range []string{"Émile Zola", "ÉMILE", "émile", "Straße", "STRASSE", "Σίσυφος", "ΣΊΣΥΦΟΣ", "Жуков", "100% pure", "a_b", `back\slash`, "plain"} {
			if _, err := d.Exec(ctx, "INSERT INTO items (name, qty) VALUES (?, 1)", name); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			term string
			want []string
		}{
			{"émile", []string{"Émile Zola", "ÉMILE", "émile"}},
			{"ÉMILE", []string{"Émile Zola", "ÉMILE", "émile"}},
			{"Émile", []string{"Émile Zola", "ÉMILE", "émile"}},
			{"straße", []string{"Straße", "STRASSE"}},
			{"STRASSE", []string{"Straße", "STRASSE"}},
			{"σίσυφος", []string{"Σίσυφος", "ΣΊΣΥΦΟΣ"}},
			{"ΣΊΣΥΦΟΣ", []string{"Σίσυφος", "ΣΊΣΥΦΟΣ"}},
			{"жук", []string{"Жуков"}},
			{"%", []string{"100% pure"}},
			{"_", []string{"a_b"}},
			{`\`, []string{`back\slash`}},
			{"a%b", nil},
			{"ZOLA", []string{"Émile Zola"}},
			{"   ", []string{"Émile Zola", "ÉMILE", "émile", "Straße", "STRASSE", "Σίσυφος", "ΣΊΣΥΦΟΣ", "Жуков", "100% pure", "a_b", `back\slash`, "plain"}},
		} {
			items, err := db.Q[Item](ctx, d).Search(tc.term, "name").OrderBy("id", "", "id").All()
			if err != nil {
				t.Fatalf("search %q: %v", tc.term, err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("search %q found %q, want %q", tc.term, got, tc.want)
			}
		}
	})
}

// TestFoldAgreesWithDatabase stores every letter of the Latin-1, Latin
// Extended-A/B, Greek and Cyrillic blocks as a row of its own and checks
// that searching for Fold(letter) — what SQLite's function computes —
// finds that row on the database too: a search finds the same rows on
// both databases.
func TestFoldAgreesWithDatabase(t *testing.T) {
	t.Parallel()
	var letters []string
	for _, block := range [][2]rune{{'A', 'z'}, {0xC0, 0x24F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x1E9E, 0x1E9E}} {
		for r := block[0]; r <= block[1]; r++ {
			if unicode.IsLetter(r) {
				letters = append(letters, string(r))
			}
		}
	}
	each(t, func(t *testing.T, d *db.DB) {
		if bad := foldMismatches(t, d, letters); len(bad) > 0 {
			t.Errorf("%s folds %d of %d letters differently from Fold: %q", d.Dialect(), len(bad), len(letters), bad)
		}
	})
	// A PostgreSQL database whose LC_CTYPE is C: lower() folds ASCII
	// only there, so Open switches to ICU's root collation.
	t.Run("postgres-ctype-c", func(t *testing.T) {
		t.Parallel()
		d := ctypeCDatabase(t)
		if bad := foldMismatches(t, d, letters); len(bad) > 0 {
			t.Errorf("ICU folds %d of %d letters differently from Fold: %q", len(bad), len(letters), bad)
		}
	})
}

func foldMismatches(t *testing.T, d *db.DB, letters []string) []string {
	t.Helper()
	ctx := ctxT(t)
	ids := map[string]int64{}
	for _, l := range letters {
		it := &Item{Name: "<" + l + ">"}
		if err := db.Create(ctx, d, it); err != nil {
			t.Fatal(err)
		}
		ids[l] = it.ID
	}
	var mismatches []string
	for _, l := range letters {
		found, err := db.Q[Item](ctx, d).Search("<"+db.Fold(l)+">", "name").All()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(found, func(it Item) bool { return it.ID == ids[l] }) {
			mismatches = append(mismatches, l)
		}
	}
	return mismatches
}

// ctypeCDatabase is a migrated PostgreSQL database created with
// LC_CTYPE C.
func ctypeCDatabase(t *testing.T) *db.DB {
	t.Helper()
	base := dbtest.URL(t)
	ctx := ctxT(t)
	admin, err := db.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("nexios_test_ctype_c_%d", time.Now().UnixNano())
	if _, err := admin.SQL().ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 LC_CTYPE 'C' LC_COLLATE 'C'"); err != nil {
		_ = admin.Close()
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	u.Path = "/" + name
	d, err := db.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = d.Close()
		_, _ = admin.SQL().ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
		_ = admin.Close()
	})
	m, err := d.Migrator(migrations(), testOptions.Migrate...)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFold(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":         "",
		"abc":      "abc",
		"ABC":      "abc",
		"Émile":    "émile",
		"STRAẞE":   "strasse",
		"Straße":   "strasse",
		"ΣΊΣΥΦΟΣ":  "σίσυφοσ",
		"σίσυφος":  "σίσυφοσ",
		"ЖУКОВ":    "жуков",
		"100% _\\": "100% _\\",
	} {
		if got := db.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Émile", "ß", "ΣΊΣΥΦΟΣ", "\xff", "A\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := db.Fold(s)
		if db.Fold(once) != once {
			t.Fatalf("Fold is not idempotent on %q", s)
		}
		if db.Fold(strings.ToUpper(s)) != db.Fold(strings.ToLower(s)) && isSimpleCase(s) {
			t.Fatalf("Fold(upper) != Fold(lower) for %q", s)
		}
	})
}

// isSimpleCase reports whether every rune of s round-trips through
// upper and lower case (not true of ǅ, ı, ſ and friends).
func isSimpleCase(s string) bool {
	for _, r := range s {
		if unicode.ToLower(unicode.ToUpper(r)) != unicode.ToLower(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}
