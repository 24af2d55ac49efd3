package db

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/nexios-go/nexios"
)

// DefaultMaxLimit is the largest page size Paginate and Cursor accept
// unless Query.MaxLimit says otherwise.
const DefaultMaxLimit = 100

// Query is a typed query of the model T, built with chained calls and run
// by one of All, First, Count, Exists, Paginate or Cursor. Columns are
// named by column or json name and always qualified with the model's
// alias, so a join never makes them ambiguous. A mistake in the query —
// an unknown column — and a client's bad input — an unknown sort field —
// are both returned by the method that runs it; the client's is a 422
// naming the query parameter.
//
// A Query is not safe for concurrent use; build one per request.
type Query[T any] struct {
	ctx      context.Context
	d        *DB
	m        *model
	err      error
	where    []func(*bun.SelectQuery) *bun.SelectQuery
	rels     []string
	order    []orderTerm
	limit    int
	maxLimit int
	deleted  int // 0 live rows, 1 all rows, 2 deleted rows only
	params   ParamNames
	raw      bool // a Where in SQL may name a joined table
}

// ParamNames are the query parameters a list endpoint reads, named in the
// 422 errors of OrderBy, Paginate and Cursor. The defaults are those of
// PageParams, CursorParams and ListParams.
type ParamNames struct {
	Sort, Order, Page, Limit, Cursor string
}

var defaultParams = ParamNames{Sort: "sort", Order: "order", Page: "page", Limit: "limit", Cursor: "cursor"}

type orderTerm struct {
	col   string // qualified
	field *schema.Field
	desc  bool
}

// Q starts a query of model T on d. Under a context carrying a
// transaction of d (Tx, TxMiddleware) it runs in that transaction.
func Q[T any](ctx context.Context, d *DB) *Query[T] {
	q := &Query[T]{ctx: ctx, d: d, maxLimit: DefaultMaxLimit, params: defaultParams}
	q.m, q.err = d.model(reflect.TypeFor[T]())
	return q
}

func (q *Query[T]) fail(err error) *Query[T] {
	if q.err == nil {
		q.err = err
	}
	return q
}

// Where adds a condition in SQL with ? placeholders for args (bun's
// syntax: ?TableAlias is the model's alias, bun.Ident quotes a name).
// Qualify columns yourself (?TableAlias.email) when the query joins.
func (q *Query[T]) Where(cond string, args ...any) *Query[T] {
	q.raw = true
	return q.where1(cond, args...)
}

// where1 adds a condition the package wrote (on the model's own columns).
func (q *Query[T]) where1(cond string, args ...any) *Query[T] {
	q.where = append(q.where, func(s *bun.SelectQuery) *bun.SelectQuery { return s.Where(cond, args...) })
	return q
}

// Eq keeps rows whose column equals value (IS NULL for a nil value).
func (q *Query[T]) Eq(column string, value any) *Query[T] {
	if q.err != nil {
		return q
	}
	col, _, err := q.m.col(column)
	if err != nil {
		return q.fail(err)
	}
	if isNil(value) {
		return q.where1(col + " IS NULL")
	}
	return q.where1(col+" = ?", deref(value))
}

// Filter is Eq for an optional input: a nil pointer (a query parameter
// the client did not send) adds no condition.
func (q *Query[T]) Filter(column string, value any) *Query[T] {
	if isNil(value) {
		return q
	}
	return q.Eq(column, value)
}

// In keeps rows whose column is one of values (a slice); none match an
// empty slice.
func (q *Query[T]) In(column string, values any) *Query[T] {
	if q.err != nil {
		return q
	}
	col, _, err := q.m.col(column)
	if err != nil {
		return q.fail(err)
	}
	rv := reflect.ValueOf(values)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return q.fail(fmt.Errorf("db: In(%q): want a slice, got %T", column, values))
	}
	if rv.Len() == 0 {
		return q.where1("1 = 0")
	}
	return q.where1(col+" IN (?)", bun.List(values))
}

// Search keeps rows where any of columns contains term, ignoring case
// (Unicode included, identically on SQLite and PostgreSQL; see Fold).
// %, _ and \ in term match themselves. A blank term adds no condition.
func (q *Query[T]) Search(term string, columns ...string) *Query[T] {
	if q.err != nil || strings.TrimSpace(term) == "" {
		return q
	}
	if len(columns) == 0 {
		return q.fail(fmt.Errorf("db: Search needs at least one column"))
	}
	pattern := containsPattern(Fold(term))
	conds := make([]string, len(columns))
	args := make([]any, len(columns))
	for i, c := range columns {
		col, f, err := q.m.col(c)
		if err != nil {
			return q.fail(err)
		}
		if f.IndirectType.Kind() != reflect.String {
			return q.fail(fmt.Errorf("db: Search: %s.%s is not text", q.m.table.TypeName, f.Name))
		}
		conds[i] = q.d.fold(col) + ` LIKE ? ESCAPE '` + likeEscape + `'`
		args[i] = pattern
	}
	return q.where1("("+strings.Join(conds, " OR ")+")", args...)
}

// OrderBy sorts by field, one of allowed (json or column names), in order
// "asc" (default) or "desc"; a field written "-name" sorts descending. An
// empty field adds no sort. A field outside allowed or another order is
// the client's mistake: a 422 naming the "sort" (or "order") parameter
// and the allowed values. Rows with equal values keep a stable order: the
// primary key breaks ties.
func (q *Query[T]) OrderBy(field, order string, allowed ...string) *Query[T] {
	if q.err != nil {
		return q
	}
	desc := false
	switch strings.ToLower(order) {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return q.fail(queryError(q.params.Order, "must be one of: asc, desc", "oneof", "asc desc"))
	}
	if field == "" {
		return q
	}
	if name, ok := strings.CutPrefix(field, "-"); ok && order == "" {
		field, desc = name, true
	}
	for _, a := range allowed {
		if _, _, err := q.m.col(a); err != nil {
			return q.fail(fmt.Errorf("db: OrderBy allows %q: %w", a, err))
		}
	}
	if !slices.Contains(allowed, field) {
		return q.fail(queryError(q.params.Sort, "must be one of: "+strings.Join(allowed, ", "), "oneof", strings.Join(allowed, " ")))
	}
	col, f, _ := q.m.col(field)
	q.order = append(q.order, orderTerm{col: col, field: f, desc: desc})
	return q
}

// Limit returns at most n rows (All).
func (q *Query[T]) Limit(n int) *Query[T] {
	q.limit = n
	return q
}

// MaxLimit sets the largest page size Paginate and Cursor accept (default
// DefaultMaxLimit).
func (q *Query[T]) MaxLimit(n int) *Query[T] {
	q.maxLimit = n
	return q
}

// Params renames the query parameters named in 422 errors, for endpoints
// whose parameters are not called sort, order, page, limit and cursor.
// Empty names keep the default.
func (q *Query[T]) Params(p ParamNames) *Query[T] {
	for _, kv := range []struct {
		dst *string
		v   string
	}{
		{&q.params.Sort, p.Sort}, {&q.params.Order, p.Order}, {&q.params.Page, p.Page},
		{&q.params.Limit, p.Limit}, {&q.params.Cursor, p.Cursor},
	} {
		if kv.v != "" {
			*kv.dst = kv.v
		}
	}
	return q
}

// With loads relations eagerly, by the Go name of their field ("Author",
// "Posts", "Author.Profile"): to-one relations in the same query with a
// JOIN, to-many relations with one more query using IN.
func (q *Query[T]) With(relations ...string) *Query[T] {
	if q.err != nil {
		return q
	}
	for _, r := range relations {
		first, _, _ := strings.Cut(r, ".")
		if _, ok := q.m.table.Relations[first]; !ok {
			return q.fail(fmt.Errorf("db: %s has no relation %q", q.m.table.TypeName, first))
		}
		q.rels = append(q.rels, r)
	}
	return q
}

// WithDeleted includes soft-deleted rows.
func (q *Query[T]) WithDeleted() *Query[T] {
	q.deleted = 1
	return q
}

// OnlyDeleted returns soft-deleted rows only.
func (q *Query[T]) OnlyDeleted() *Query[T] {
	q.deleted = 2
	return q
}

// base builds the SELECT into dest with the conditions and relations.
func (q *Query[T]) base(dest any) *bun.SelectQuery {
	s := q.d.w.NewSelect().Model(dest).Conn(q.d.conn(q.ctx, false))
	for _, w := range q.where {
		s = w(s)
	}
	for _, r := range q.rels {
		s = s.Relation(r)
	}
	return q.scope(s)
}

// counting builds the SELECT a count or an existence check runs: the
// relations are left out — a to-one join matches at most one row and a
// to-many one is a separate query, so neither changes the count — unless
// a condition in SQL may name a joined table.
func (q *Query[T]) counting() *bun.SelectQuery {
	if q.raw {
		return q.base((*T)(nil))
	}
	s := q.d.w.NewSelect().Model((*T)(nil)).Conn(q.d.conn(q.ctx, false))
	for _, w := range q.where {
		s = w(s)
	}
	return q.scope(s)
}

// scope applies the soft-delete scope.
func (q *Query[T]) scope(s *bun.SelectQuery) *bun.SelectQuery {
	switch q.deleted {
	case 1:
		s = s.WhereAllWithDeleted()
	case 2:
		s = s.WhereDeleted()
	}
	return s
}

// ordered adds ORDER BY: the sort terms, then the primary key to break
// ties when stable is set or there are terms.
func (q *Query[T]) ordered(s *bun.SelectQuery, stable bool) *bun.SelectQuery {
	pkSorted := false
	for _, o := range q.order {
		s = s.OrderExpr(o.col + q.d.direction(o.desc, o.field.NotNull))
		pkSorted = pkSorted || o.field == q.m.pk
	}
	if (stable || len(q.order) > 0) && !pkSorted && q.m.pk != nil {
		desc := len(q.order) > 0 && q.order[0].desc
		s = s.OrderExpr(q.m.alias + "." + string(q.m.pk.SQLName) + q.d.direction(desc, true))
	}
	return s
}

// direction is the ORDER BY suffix. NULLs sort last ascending and first
// descending on both databases (SQLite's default is the reverse).
func (d *DB) direction(desc, notNull bool) string {
	switch {
	case d.dialect != SQLite || notNull:
		if desc {
			return " DESC"
		}
		return " ASC"
	case desc:
		return " DESC NULLS FIRST"
	default:
		return " ASC NULLS LAST"
	}
}

// All returns the matching rows (an empty, non-nil slice when none).
func (q *Query[T]) All() ([]T, error) {
	if q.err != nil {
		return nil, q.err
	}
	items := []T{}
	s := q.ordered(q.base(&items), false)
	if q.limit > 0 {
		s = s.Limit(int64(q.limit))
	}
	if err := s.Scan(q.ctx); err != nil {
		return nil, q.d.mapErrorFor(err, opRead, q.m.table)
	}
	return items, nil
}

// First returns the first matching row, or a 404 error wrapping
// ErrNotFound.
func (q *Query[T]) First() (*T, error) {
	if q.err != nil {
		return nil, q.err
	}
	v := new(T)
	if err := q.ordered(q.base(v), false).Limit(1).Scan(q.ctx); err != nil {
		return nil, q.d.mapErrorFor(err, opRead, q.m.table)
	}
	return v, nil
}

// Count returns the number of matching rows.
func (q *Query[T]) Count() (int64, error) {
	if q.err != nil {
		return 0, q.err
	}
	n, err := q.counting().Count(q.ctx)
	if err != nil {
		return 0, q.d.mapErrorFor(err, opRead, q.m.table)
	}
	return n, nil
}

// Exists reports whether a row matches.
func (q *Query[T]) Exists() (bool, error) {
	if q.err != nil {
		return false, q.err
	}
	ok, err := q.counting().Exists(q.ctx)
	if err != nil {
		return false, q.d.mapErrorFor(err, opRead, q.m.table)
	}
	return ok, nil
}

// queryError is a 422 about one query parameter.
func queryError(param, msg, rule, ruleParam string) error {
	return &nexios.ValidationError{Errors: []nexios.FieldError{{
		Location: "query", Field: param, Message: msg, Rule: rule, Param: ruleParam,
	}}}
}

func isNil(v any) bool {
	switch v.(type) {
	case nil:
		return true
	case int64, int, string: // the usual keys and values: no reflection
		return false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// deref returns what a non-nil pointer points to, so that *string and
// string compare alike.
func deref(v any) any {
	switch v.(type) {
	case int64, int, string:
		return v
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	return rv.Interface()
}
