package stores

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nexios-go/nexios/db"
)

// querier is what a statement runs on: a pool or a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// base is what every store shares: the database and its dialect.
type base struct {
	d      *db.DB
	sqlite bool
}

func newBase(d *db.DB) base { return base{d: d, sqlite: d.Dialect() == db.SQLite} }

// conn returns what a statement runs on under ctx: the transaction of d
// that ctx carries (a store called inside db.Tx or the transaction
// middleware joins it, as every query of the data layer does; on SQLite
// anything else would wait for the writer connection the transaction
// holds), else the writer pool (write) or the reader pool.
func (b base) conn(ctx context.Context, write bool) querier {
	if b.d.InTx(ctx) {
		if tx, ok := db.SQLTx(ctx); ok {
			return tx
		}
	}
	if write {
		return b.d.SQL()
	}
	return b.d.ReadSQL()
}

// stmt is a statement prepared for one dialect.
type stmt struct {
	text string
	now  bool // the current time is bound as the last argument (SQLite)
}

// pgNow is the current time on the PostgreSQL server in Unix
// microseconds, stable within a statement: every instance counts with the
// server's clock, whatever its own says.
const pgNow = "(extract(epoch from statement_timestamp()) * 1000000)::bigint"

var (
	pgCast      = regexp.MustCompile(`::[a-z0-9]+`)
	placeholder = regexp.MustCompile(`\$([0-9]+)`)
)

// prepare adapts a statement written for PostgreSQL — $1…$n arguments,
// ::type casts, {now} for the current time in Unix microseconds — to the
// store's dialect. On SQLite the casts go, $k becomes ?k and {now} an
// extra argument ?n+1 that args binds to the Go clock (the database is
// in this process: there is no other clock to agree with).
func (b base) prepare(q string, nargs int) stmt {
	if !b.sqlite {
		return stmt{text: strings.ReplaceAll(q, "{now}", pgNow)}
	}
	s := stmt{now: strings.Contains(q, "{now}")}
	q = pgCast.ReplaceAllString(q, "")
	q = placeholder.ReplaceAllString(q, "?$1")
	s.text = strings.ReplaceAll(q, "{now}", "?"+strconv.Itoa(nargs+1))
	return s
}

// args returns the arguments of s: args, plus the time on SQLite.
func (s stmt) args(args ...any) []any {
	if s.now {
		return append(args, time.Now().UnixMicro())
	}
	return args
}

// maxKey is the longest key stored as is; longer keys are hashed, so a
// client-chosen key (a rate-limit key from a header) can never exceed
// PostgreSQL's index entry limit (about 2.7 kB) and fail the statement.
const maxKey = 200

// dbKey returns the stored form of a key: "k" and the key itself, or "h"
// and its SHA-256 when it is longer than maxKey. Keys are bytes (bytea,
// BLOB), so any string — invalid UTF-8, NUL — is a valid key.
func dbKey(key string) []byte {
	if len(key) <= maxKey {
		return append([]byte{'k'}, key...)
	}
	sum := sha256.Sum256([]byte(key))
	return append([]byte{'h'}, sum[:]...)
}

// micros converts a duration to whole microseconds, at least one: a
// positive TTL never rounds to "already expired".
func micros(d time.Duration) int64 { return max(d.Microseconds(), 1) }

// ceilMs returns t in Unix milliseconds, rounded up.
func ceilMs(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}
