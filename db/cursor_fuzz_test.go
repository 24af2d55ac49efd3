package db_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
)

// FuzzCursor feeds arbitrary cursors to Cursor: a client's garbage is a
// 422 naming the cursor parameter, never a panic or a 500.
func FuzzCursor(f *testing.F) {
	d := dbtestSQLite(f)
	seedItems(f, d, 6)
	first, err := db.Q[Item](f.Context(), d).OrderBy("qty", "", "qty").Cursor("", 2)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{first.NextCursor, "", ".", "a.b", "%%%.%%%", strings.Repeat("A", 5000) + ".x", first.NextCursor + "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cur string) {
		checkCursorResult(t, d, cur)
	})
}

// FuzzSignedCursor signs arbitrary payloads with the database's key, as
// if the key had leaked or the payload format changed: decoding still
// answers 422, never a panic or a 500.
func FuzzSignedCursor(f *testing.F) {
	d := dbtestSQLite(f)
	seedItems(f, d, 6)
	first, _ := db.Q[Item](f.Context(), d).OrderBy("qty", "", "qty").Cursor("", 2)
	payload, _, _ := strings.Cut(first.NextCursor, ".")
	genuine, _ := base64.RawURLEncoding.DecodeString(payload)
	var c map[string]json.RawMessage
	_ = json.Unmarshal(genuine, &c)
	q := string(c["q"])
	for _, s := range []string{string(genuine), `{"q":` + q + `,"v":"x","id":1}`, `{"q":` + q + `,"v":1e999,"id":1}`, `{"q":` + q + `,"v":null,"id":null}`, `{"q":` + q + `,"v":[1],"id":{}}`, `{}`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkCursorResult(t, d, db.SignCursor(d, payload))
	})
}

func checkCursorResult(t *testing.T, d *db.DB, cur string) {
	t.Helper()
	p, err := db.Q[Item](t.Context(), d).OrderBy("qty", "", "qty").Cursor(cur, 2)
	if err == nil {
		if len(p.Items) > 2 {
			t.Fatalf("%d items on a page of 2", len(p.Items))
		}
		return
	}
	var ve *nexios.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Field != "cursor" || ve.Errors[0].Location != "query" {
		t.Fatalf("cursor %q: %v (status %d)", cur, err, nexios.StatusOf(err))
	}
}
