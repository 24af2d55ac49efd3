package db_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/testclient"
)

// seedItems stores n items named item00…, with qty cycling 0..4 (so the
// qty sort has ties).
func seedItems(t testing.TB, d *db.DB, n int) []Item {
	t.Helper()
	var out []Item
	for i := range n {
		it := Item{Name: fmt.Sprintf("item%02d", i), Qty: i % 5}
		if err := db.Create(ctxT(t), d, &it); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

func TestPaginateEnvelope(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		seedItems(t, d, 23)
		for _, tc := range []struct {
			page, limit int
			items       int
			pages       int64
			first       string
			next, prev  bool
		}{
			{1, 10, 10, 3, "item00", true, false},
			{2, 10, 10, 3, "item10", true, true},
			{3, 10, 3, 3, "item20", false, true},
			{4, 10, 0, 3, "", false, true},
			{1, 23, 23, 1, "item00", false, false},
			{1, 100, 23, 1, "item00", false, false},
			{math.MaxInt, 100, 0, 1, "", false, true},
			{math.MaxInt, 1, 0, 23, "", false, true},
		} {
			p, err := db.Q[Item](ctx, d).OrderBy("name", "asc", "name").Paginate(tc.page, tc.limit)
			if err != nil {
				t.Fatalf("page %d limit %d: %v", tc.page, tc.limit, err)
			}
			if p.Total != 23 || p.Page != tc.page || p.Pages != tc.pages || len(p.Items) != tc.items || p.HasNext != tc.next || p.HasPrev != tc.prev {
				t.Fatalf("page %d limit %d: %+v", tc.page, tc.limit, p)
			}
			if tc.items > 0 && p.Items[0].Name != tc.first {
				t.Fatalf("page %d limit %d starts at %s, want %s", tc.page, tc.limit, p.Items[0].Name, tc.first)
			}
		}
		// The envelope is exactly seed 001's.
		p, _ := db.Q[Item](ctx, d).Paginate(1, 5)
		b, _ := json.Marshal(p)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		if len(keys) != 6 || m["items"] == nil || m["has_next"] != true || m["has_prev"] != false || m["pages"] != float64(5) {
			t.Fatalf("envelope %s", b)
		}
		// Empty table: an empty page 1, no pages.
		e, err := db.Q[Item](ctx, d).Eq("name", "none").Paginate(1, 10)
		if err != nil || e.Total != 0 || e.Pages != 0 || e.Items == nil || len(e.Items) != 0 || e.HasNext || e.HasPrev {
			t.Fatalf("empty: %+v %v", e, err)
		}
	})
}

func TestPaginateRejectsBadInput(t *testing.T) {
	t.Parallel()
	d := openSQLite(t)
	ctx := ctxT(t)
	for _, tc := range []struct {
		page, limit int
		param       string
	}{
		{0, 10, "page"}, {-1, 10, "page"}, {math.MinInt, 10, "page"},
		{1, 0, "limit"}, {1, -5, "limit"}, {1, 101, "limit"}, {1, math.MaxInt, "limit"},
	} {
		_, err := db.Q[Item](ctx, d).Paginate(tc.page, tc.limit)
		validationError(t, err, tc.param)
	}
	if _, err := db.Q[Item](ctx, d).MaxLimit(500).Paginate(1, 500); err != nil {
		t.Fatalf("MaxLimit(500): %v", err)
	}
	_, err := db.Q[Item](ctx, d).Params(db.ParamNames{Page: "p"}).Paginate(0, 1)
	validationError(t, err, "p")
}

func TestOrderByAllowList(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		seedItems(t, d, 7)
		_, err := db.Q[Item](ctx, d).OrderBy("password", "asc", "name", "qty").All()
		fe := validationError(t, err, "sort")
		if !strings.Contains(fe.Message, "name, qty") {
			t.Fatalf("message %q does not list the allowed values", fe.Message)
		}
		_, err = db.Q[Item](ctx, d).OrderBy("name; DROP TABLE items", "", "name").All()
		validationError(t, err, "sort")
		_, err = db.Q[Item](ctx, d).OrderBy("name", "sideways", "name").All()
		validationError(t, err, "order")
		// Ties on qty are broken by id, in the sort's direction.
		items, err := db.Q[Item](ctx, d).OrderBy("-qty", "", "qty").All()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, fmt.Sprintf("%d:%d", it.Qty, it.ID))
		}
		if strings.Join(got, " ") != "4:5 3:4 2:3 1:7 1:2 0:6 0:1" {
			t.Fatalf("order %v", got)
		}
		// A programming mistake in the allow-list is not the client's.
		_, err = db.Q[Item](ctx, d).OrderBy("name", "", "name", "nope").All()
		if err == nil || strings.Contains(err.Error(), "validation") {
			t.Fatalf("bad allow-list: %v", err)
		}
		// NULLs sort last ascending on both databases.
		price := 1.5
		withPrice := &Item{Name: "priced", Price: &price}
		if err := db.Create(ctx, d, withPrice); err != nil {
			t.Fatal(err)
		}
		first, err := db.Q[Item](ctx, d).OrderBy("price", "asc", "price").First()
		if err != nil || first.ID != withPrice.ID {
			t.Fatalf("NULLS LAST: %+v %v", first, err)
		}
		first, err = db.Q[Item](ctx, d).OrderBy("price", "desc", "price").First()
		if err != nil || first.Price != nil {
			t.Fatalf("NULLS FIRST on desc: %+v %v", first, err)
		}
	})
}

// FuzzPageMath checks Paginate's arithmetic against exact big-integer
// arithmetic for any page, limit and total: never an overflow, never
// page 1's items for a page past the end.
func FuzzPageMath(f *testing.F) {
	for _, s := range [][3]int64{{1, 10, 0}, {1, 10, 23}, {3, 10, 23}, {4, 10, 23}, {math.MaxInt64, 1, 5}, {math.MaxInt64, math.MaxInt64, math.MaxInt64}, {2, math.MaxInt64, math.MaxInt64}, {math.MaxInt64 / 2, 3, math.MaxInt64}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, page, limit, total int64) {
		if page < 1 || limit < 1 || total < 0 {
			return // rejected before the arithmetic (TestPaginateRejectsBadInput)
		}
		pages, offset, past := db.PageMath(total, int(page), int(limit))
		bt, bl, bp := big.NewInt(total), big.NewInt(limit), big.NewInt(page)
		wantPages := new(big.Int).Div(new(big.Int).Add(bt, new(big.Int).Sub(bl, big.NewInt(1))), bl)
		if pages != wantPages.Int64() {
			t.Fatalf("pages(%d, %d) = %d, want %v", total, limit, pages, wantPages)
		}
		wantOffset := new(big.Int).Mul(new(big.Int).Sub(bp, big.NewInt(1)), bl)
		if past != (bp.Cmp(wantPages) > 0) {
			t.Fatalf("past(%d, %d, %d) = %v", page, limit, total, past)
		}
		if !past && (offset < 0 || big.NewInt(offset).Cmp(wantOffset) != 0 || offset > total) {
			t.Fatalf("offset(%d, %d) = %d, want %v", page, limit, offset, wantOffset)
		}
	})
}

// FuzzPaginate runs Paginate itself on SQLite with fuzzed page and limit:
// a 422 for bad input, else exactly the rows a slice of the table holds.
func FuzzPaginate(f *testing.F) {
	for _, s := range [][2]int{{1, 1}, {1, 100}, {2, 3}, {3, 3}, {4, 3}, {0, 1}, {-1, 1}, {1, 0}, {1, 101}, {math.MaxInt, 1}, {math.MaxInt, 100}, {math.MinInt, math.MinInt}, {math.MaxInt / 3, 3}} {
		f.Add(s[0], s[1])
	}
	d := dbtestSQLite(f)
	all := seedItems(f, d, 8)
	f.Fuzz(func(t *testing.T, page, limit int) {
		p, err := db.Q[Item](t.Context(), d).OrderBy("id", "", "id").Paginate(page, limit)
		if page < 1 || limit < 1 || limit > db.DefaultMaxLimit {
			if err == nil {
				t.Fatalf("page %d limit %d accepted", page, limit)
			}
			return
		}
		if err != nil {
			t.Fatalf("page %d limit %d: %v", page, limit, err)
		}
		var want []Item
		if off := new(big.Int).Mul(big.NewInt(int64(page)-1), big.NewInt(int64(limit))); off.Cmp(big.NewInt(int64(len(all)))) < 0 {
			o := int(off.Int64())
			want = all[o:min(o+limit, len(all))]
		}
		if len(p.Items) != len(want) {
			t.Fatalf("page %d limit %d: %d items, want %d", page, limit, len(p.Items), len(want))
		}
		for i := range want {
			if p.Items[i].ID != want[i].ID {
				t.Fatalf("page %d limit %d: item %d is %d, want %d", page, limit, i, p.Items[i].ID, want[i].ID)
			}
		}
	})
}

func TestLinks(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("/items?search=a+b&page=2&limit=10")
	p := &db.Page[Item]{Page: 2, Pages: 3, Limit: 10, HasNext: true, HasPrev: true}
	want := `</items?limit=10&page=1&search=a+b>; rel="first", </items?limit=10&page=1&search=a+b>; rel="prev", </items?limit=10&page=3&search=a+b>; rel="next", </items?limit=10&page=3&search=a+b>; rel="last"`
	if got := p.Links(u); got != want {
		t.Fatalf("Links:\n%s\nwant\n%s", got, want)
	}
	past := &db.Page[Item]{Page: 9, Pages: 3, Limit: 10, HasPrev: true}
	if got := past.Links(u); !strings.Contains(got, `page=3&search=a+b>; rel="prev"`) {
		t.Fatalf("prev of a page past the end should be the last page: %s", got)
	}
	// SetLinks from a plain handler.
	d := openSQLite(t)
	seedItems(t, d, 25)
	app := nexios.New(nexios.Config{})
	app.Get("/items", func(req *nexios.Request, res *nexios.Response) error {
		p, err := db.Q[Item](req.Context(), d).Paginate(2, 10)
		if err != nil {
			return err
		}
		p.SetLinks(req, res)
		return res.JSON(p)
	})
	res := testclient.New(app).Get("/items?page=2&limit=10")
	if link := res.Header.Get("Link"); !strings.Contains(link, `</items?limit=10&page=3>; rel="next"`) || !strings.Contains(link, `rel="prev"`) {
		t.Fatalf("Link: %q", link)
	}
	empty := &db.Page[Item]{Page: 1, Limit: 10}
	if got := empty.Links(u); strings.Contains(got, "next") || !strings.Contains(got, `page=1&search=a+b>; rel="last"`) {
		t.Fatalf("empty: %s", got)
	}
}

func TestCursorPagination(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		seedItems(t, d, 23)
		for _, sort := range []string{"", "qty", "-qty", "name", "-id"} {
			var seen []int64
			cur := ""
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatalf("sort %q: too many pages", sort)
				}
				p, err := db.Q[Item](ctx, d).OrderBy(sort, "", "qty", "name", "id").Cursor(cur, 5)
				if err != nil {
					t.Fatalf("sort %q: %v", sort, err)
				}
				for _, it := range p.Items {
					seen = append(seen, it.ID)
				}
				if !p.HasNext {
					if p.NextCursor != "" {
						t.Fatal("a last page with a cursor")
					}
					break
				}
				cur = p.NextCursor
				if pages == 1 {
					// A row inserted behind the cursor is not seen twice
					// and none ahead of it is skipped.
					if err := db.Create(ctx, d, &Item{Name: "aaa-late", Qty: -0}); err != nil {
						t.Fatal(err)
					}
				}
			}
			all, err := db.Q[Item](ctx, d).OrderBy(sort, "", "qty", "name", "id").All()
			if err != nil {
				t.Fatal(err)
			}
			ids := map[int64]int{}
			for _, id := range seen {
				ids[id]++
				if ids[id] > 1 {
					t.Fatalf("sort %q: row %d seen twice", sort, id)
				}
			}
			for _, it := range all {
				if ids[it.ID] == 0 && it.Name != "aaa-late" {
					t.Fatalf("sort %q: row %d (%s) skipped", sort, it.ID, it.Name)
				}
			}
			if _, err := d.Exec(ctx, "DELETE FROM items WHERE name = 'aaa-late'"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestCursorRejectsBadCursors(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		seedItems(t, d, 6)
		p, err := db.Q[Item](ctx, d).OrderBy("qty", "", "qty").Cursor("", 2)
		if err != nil || p.NextCursor == "" {
			t.Fatalf("first page: %+v %v", p, err)
		}
		payload, sig, _ := strings.Cut(p.NextCursor, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(payload)
		forged := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), `"id":`, `"id":1`, 1))) + "." + sig
		for name, cur := range map[string]string{
			"garbage":   "not-a-cursor",
			"empty sig": payload + ".",
			"bad b64":   "%%%." + sig,
			"forged":    forged,
			"huge":      strings.Repeat("A", 10000) + "." + sig,
		} {
			_, err := db.Q[Item](ctx, d).OrderBy("qty", "", "qty").Cursor(cur, 2)
			fe := validationError(t, err, "cursor")
			if !strings.Contains(fe.Message, "malformed") {
				t.Errorf("%s: message %q", name, fe.Message)
			}
		}
		// A genuine cursor of another query: another sort, a filter, a
		// search — each is refused rather than silently misused.
		for name, q := range map[string]*db.Query[Item]{
			"other sort":   db.Q[Item](ctx, d).OrderBy("name", "", "name"),
			"other order":  db.Q[Item](ctx, d).OrderBy("qty", "desc", "qty"),
			"other filter": db.Q[Item](ctx, d).OrderBy("qty", "", "qty").Eq("name", "item01"),
			"search":       db.Q[Item](ctx, d).OrderBy("qty", "", "qty").Search("item", "name"),
		} {
			_, err := q.Cursor(p.NextCursor, 2)
			fe := validationError(t, err, "cursor")
			if !strings.Contains(fe.Message, "another query") {
				t.Errorf("%s: message %q", name, fe.Message)
			}
		}
		// A cursor signed with another key (another deployment).
		other := openSQLite(t)
		seedItems(t, other, 6)
		op, _ := db.Q[Item](ctx, other).OrderBy("qty", "", "qty").Cursor("", 2)
		_, err = db.Q[Item](ctx, d).OrderBy("qty", "", "qty").Cursor(op.NextCursor, 2)
		validationError(t, err, "cursor")
		// Limits are checked as for Paginate.
		_, err = db.Q[Item](ctx, d).Cursor("", 0)
		validationError(t, err, "limit")
		// A nullable sort column cannot be paged by key: a programming
		// error, not the client's.
		_, err = db.Q[Item](ctx, d).OrderBy("price", "", "price").Cursor("", 2)
		if err == nil || strings.Contains(err.Error(), "validation") {
			t.Fatalf("nullable keyset: %v", err)
		}
	})
}

func TestCursorOverTimestamps(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := ctxT(t)
		u := newUser(t, d, "ts")
		for i := range 7 {
			newPost(t, d, u, fmt.Sprintf("p%d", i))
			time.Sleep(time.Millisecond / 2)
		}
		var titles []string
		cur := ""
		for {
			p, err := db.Q[Post](ctx, d).OrderBy("created_at", "desc", "created_at").Cursor(cur, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				titles = append(titles, it.Title)
			}
			if !p.HasNext {
				break
			}
			cur = p.NextCursor
		}
		if strings.Join(titles, ",") != "p6,p5,p4,p3,p2,p1,p0" {
			t.Fatalf("titles %v", titles)
		}
	})
}
