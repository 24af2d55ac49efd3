package db

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// CursorParams are the query parameters of keyset pagination; embed it
// in a typed handler's input. Cursor checks them (see PageParams).
type CursorParams struct {
	// Cursor is the next_cursor of the previous page; empty for the first.
	Cursor string `query:"cursor" doc:"The next_cursor of the previous page; omit for the first page."`
	// Limit is the number of items per page.
	Limit int `query:"limit" default:"20" validate:"min=1,max=100" doc:"Items per page."`
}

// CursorPage is one page of a keyset-paginated list.
type CursorPage[T any] struct {
	Items []T `json:"items"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
	HasNext    bool   `json:"has_next"`
}

// cursor is what a cursor token carries: the query it belongs to and the
// sort key of the last row of its page.
type cursor struct {
	Query string          `json:"q"`
	Value json.RawMessage `json:"v"`
	ID    json.RawMessage `json:"id"`
}

// Cursor returns the page of limit rows after the one that handed out
// cursor (the first page for ""), in the order of the query's single
// OrderBy (the primary key when there is none), ties broken by the
// primary key. Unlike Paginate it costs the same on every page and never
// skips or repeats a row when rows are inserted meanwhile.
//
// The cursor is opaque and signed (see WithCursorKey): a malformed or
// altered cursor, or one handed out by another query (another sort,
// filter or search), is a 422 naming the "cursor" parameter.
func (q *Query[T]) Cursor(cur string, limit int) (*CursorPage[T], error) {
	if q.err != nil {
		return nil, q.err
	}
	if err := checkPage(q.params, 1, limit, q.maxLimit); err != nil {
		return nil, err
	}
	pk := q.m.pk
	if pk == nil {
		return nil, fmt.Errorf("db: Cursor: %s needs a single-column primary key", q.m.table.TypeName)
	}
	if len(q.order) > 1 {
		return nil, fmt.Errorf("db: Cursor: keyset pagination sorts by one field (and the key), got %d", len(q.order))
	}
	key := orderTerm{col: q.m.alias + "." + string(pk.SQLName), field: pk}
	if len(q.order) == 1 {
		key = q.order[0]
		if !key.field.NotNull {
			return nil, fmt.Errorf("db: Cursor: %s.%s may be NULL; keyset pagination needs a NOT NULL sort column", q.m.table.TypeName, key.field.Name)
		}
	}
	items := []T{}
	s := q.ordered(q.base(&items), true)
	fp := q.fingerprint(s, key)
	if cur != "" {
		c, err := q.d.openCursor(cur, fp)
		if err != nil {
			return nil, q.cursorError(err)
		}
		v, id, err := decodeKey(c, key.field, pk)
		if err != nil {
			return nil, q.cursorError(err)
		}
		op := ">"
		if key.desc {
			op = "<"
		}
		if key.field == pk {
			s = s.Where(key.col+" "+op+" ?", id)
		} else {
			pkCol := q.m.alias + "." + string(pk.SQLName)
			s = s.Where("("+key.col+", "+pkCol+") "+op+" (?, ?)", v, id)
		}
	}
	if err := s.Limit(int64(limit) + 1).Scan(q.ctx); err != nil {
		return nil, q.d.mapErrorFor(err, opRead, q.m.table)
	}
	p := &CursorPage[T]{Items: items}
	if len(items) > limit {
		p.Items, p.HasNext = items[:limit], true
		last := reflect.ValueOf(&p.Items[limit-1]).Elem()
		tok, err := q.d.sealCursor(fp, last.FieldByIndex(key.field.Index).Interface(), last.FieldByIndex(pk.Index).Interface())
		if err != nil {
			return nil, err
		}
		p.NextCursor = tok
	}
	return p, nil
}

// fingerprint identifies the query a cursor belongs to: the table, the
// sort and the conditions (with their values), hashed.
func (q *Query[T]) fingerprint(s *bun.SelectQuery, key orderTerm) string {
	h := sha256.New()
	h.Write([]byte(s.String()))
	h.Write([]byte{0})
	h.Write([]byte(key.col))
	if key.desc {
		h.Write([]byte(" desc"))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// sealCursor encodes and signs a cursor.
func (d *DB) sealCursor(fp string, value, id any) (string, error) {
	v, err := json.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("db: cursor value: %w", err)
	}
	i, err := json.Marshal(id)
	if err != nil {
		return "", fmt.Errorf("db: cursor key: %w", err)
	}
	payload, err := json.Marshal(cursor{Query: fp, Value: v, ID: i})
	if err != nil {
		return "", fmt.Errorf("db: cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(d.sign(payload)), nil
}

func (d *DB) sign(payload []byte) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte("nexios/db cursor\x00"))
	m.Write(payload)
	return m.Sum(nil)[:16]
}

// errForeignCursor is a well-formed cursor of another query.
var errForeignCursor = errors.New("belongs to another query; start again without a cursor")

// openCursor checks a cursor's signature and query.
func (d *DB) openCursor(tok, fp string) (*cursor, error) {
	const malformed = "is malformed or was altered"
	p, sig, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 4096 {
		return nil, errors.New(malformed)
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, d.sign(payload)) {
		return nil, errors.New(malformed)
	}
	var c cursor
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, errors.New(malformed)
	}
	if c.Query != fp {
		return nil, errForeignCursor
	}
	return &c, nil
}

// decodeKey decodes the cursor's values into the Go types of the sort
// and key fields, so they compare as the columns do.
func decodeKey(c *cursor, sortField, pk *schema.Field) (any, any, error) {
	v := reflect.New(sortField.IndirectType)
	id := reflect.New(pk.IndirectType)
	if json.Unmarshal(c.Value, v.Interface()) != nil || json.Unmarshal(c.ID, id.Interface()) != nil {
		return nil, nil, errors.New("is malformed or was altered")
	}
	return v.Elem().Interface(), id.Elem().Interface(), nil
}

func (q *Query[T]) cursorError(err error) error {
	return queryError(q.params.Cursor, err.Error(), "cursor", "")
}
