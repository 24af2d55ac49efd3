package db

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Create inserts v and reads back what the database filled in (the
// primary key, defaults). Timestamps are set. A unique violation is a 409
// naming the field(s); see MapError.
func Create[T any](ctx context.Context, d *DB, v *T) error {
	m, err := d.model(reflect.TypeFor[T]())
	if err != nil {
		return err
	}
	if s, ok := any(v).(stamped); ok {
		s.touch(now(), true)
	}
	if m.insertHooks {
		// bun reads back the key and the columns it left to their
		// defaults, and runs the model's hooks.
		_, err = d.w.NewInsert().Model(v).Conn(d.conn(ctx, true)).Exec(ctx)
	} else {
		err = d.insert(ctx, v)
	}
	return d.mapErrorFor(err, opWrite, m.table)
}

// insert runs bun's INSERT of v (a model without insert hooks) and reads
// the row its RETURNING clause sends back (the key, the columns left to
// their defaults) into v. Unlike bun, it closes the result after that row
// instead of stepping it to its end: on modernc's SQLite that last step
// costs a fifth of an insert (≈ 8 µs) and gives nothing; closing still
// reports the statement's errors. The query goes through bun's handle for
// ctx, so that query hooks (tracing) see it; with no arguments, bun sends
// the text as it is.
func (d *DB) insert(ctx context.Context, v any) (err error) {
	query, err := d.w.NewInsert().Model(v).AppendQuery(d.w.QueryGen(), nil)
	if err != nil {
		return err
	}
	var conn bun.IConn = Bun(ctx, d)
	if st := stateFor(ctx, d); st != nil && st.bun.Tx == nil {
		conn = st.tx // a goose Go migration's transaction
	}
	rows, err := conn.QueryContext(ctx, string(query))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	if rows.Next() {
		if err := d.w.ScanRow(ctx, rows, v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// GetOr404 returns the row of T with primary key id, or a 404 problem
// ("User not found") wrapping ErrNotFound. Soft-deleted rows are not
// found.
func GetOr404[T any](ctx context.Context, d *DB, id any) (*T, error) {
	m, err := d.model(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	if m.pk == nil {
		return nil, fmt.Errorf("db: GetOr404: %s needs a single-column primary key", m.table.TypeName)
	}
	sel := m.selectByPK()
	if sel == "" || isNil(id) {
		return Q[T](ctx, d).Eq(m.pk.Name, id).First()
	}
	// The hot path of every detail endpoint: a statement built once per
	// model, short (no alias, no LIMIT) because SQLite parses it on
	// every call, run as a raw query of bun's so that query hooks
	// (tracing) still see it, and scanned by bun's scanner.
	v := new(T)
	if err := d.w.NewRaw(sel, deref(id)).Conn(d.conn(ctx, false)).Scan(ctx, v); err != nil {
		return nil, d.mapErrorFor(err, opRead, m.table)
	}
	return v, nil
}

// selectByPK returns (and builds once) the statement GetOr404 runs:
// every column of the model, the row whose primary key is the one
// placeholder, not soft-deleted. It is "" when bun would add to the
// SELECT what this statement would not: a model with select hooks, or a
// soft-delete column compared with a zero time.
func (m *model) selectByPK() string {
	m.byPKOnce.Do(func() {
		t := m.table
		if m.pk == nil || t.SoftDeleteField != nil && !t.SoftDeleteField.IsPtr && !t.SoftDeleteField.NullZero {
			return
		}
		ptr := reflect.PointerTo(t.Type)
		if ptr.Implements(reflect.TypeFor[bun.BeforeSelectHook]()) || ptr.Implements(reflect.TypeFor[bun.AfterSelectHook]()) {
			return
		}
		var b strings.Builder
		b.WriteString("SELECT ")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(string(f.SQLName))
		}
		b.WriteString(" FROM ")
		b.WriteString(string(t.SQLNameForSelects))
		b.WriteString(" WHERE ")
		b.WriteString(string(m.pk.SQLName))
		b.WriteString(" = ?")
		if f := t.SoftDeleteField; f != nil {
			b.WriteString(" AND ")
			b.WriteString(string(f.SQLName))
			b.WriteString(" IS NULL")
		}
		m.byPK = b.String()
	})
	return m.byPK
}

// Update writes a patch to the row of v (found by primary key) and to v
// itself: each non-nil pointer field of patch sets the model field of the
// same Go (or json) name, each non-pointer field is written as is, and
// nil pointers — fields the client did not send — are left alone; fields
// tagged path, query, header or cookie, or db:"-", are skipped. So a
// typed handler's input with pointer fields is the seed's
// exclude_unset update. updated_at is set. A missing (or soft-deleted)
// row is a 404; a unique violation a 409.
func Update[T any](ctx context.Context, d *DB, v *T, patch any) error {
	m, err := d.model(reflect.TypeFor[T]())
	if err != nil {
		return err
	}
	cols, err := applyPatch(m, reflect.ValueOf(v).Elem(), patch)
	if err != nil {
		return err
	}
	return update(ctx, d, m, v, cols)
}

// Save writes every column of v to its row (found by primary key), with
// updated_at set. created_at is left as stored.
func Save[T any](ctx context.Context, d *DB, v *T) error {
	m, err := d.model(reflect.TypeFor[T]())
	if err != nil {
		return err
	}
	var cols []string
	for _, f := range m.table.DataFields {
		if f.Name != "created_at" || !m.stamped {
			cols = append(cols, f.Name)
		}
	}
	return update(ctx, d, m, v, cols)
}

func update[T any](ctx context.Context, d *DB, m *model, v *T, cols []string) error {
	if m.pk == nil {
		return fmt.Errorf("db: update: %s needs a single-column primary key", m.table.TypeName)
	}
	if s, ok := any(v).(stamped); ok {
		s.touch(now(), false)
		if !containsCol(cols, "updated_at") {
			cols = append(cols, "updated_at")
		}
	}
	if len(cols) == 0 {
		// Nothing to write: still answer 404 for a missing row.
		ok, err := Q[T](ctx, d).Eq(m.pk.Name, reflect.ValueOf(v).Elem().FieldByIndex(m.pk.Index).Interface()).Exists()
		if err == nil && !ok {
			err = notFound(m.table, nil)
		}
		return err
	}
	res, err := d.w.NewUpdate().Model(v).Column(cols...).WherePK().Conn(d.conn(ctx, true)).Returning("*").Exec(ctx)
	if err != nil {
		return d.mapErrorFor(err, opWrite, m.table)
	}
	return affected(res, m)
}

// Delete deletes the row of v (by primary key): it marks it deleted when
// the model embeds SoftDelete, else removes it. A missing row is a 404;
// a row still referenced by a foreign key a 409.
func Delete[T any](ctx context.Context, d *DB, v *T) error {
	m, err := d.model(reflect.TypeFor[T]())
	if err != nil {
		return err
	}
	res, err := d.w.NewDelete().Model(v).WherePK().Conn(d.conn(ctx, true)).Exec(ctx)
	if err != nil {
		return d.mapErrorFor(err, opDelete, m.table)
	}
	return affected(res, m)
}

// ForceDelete removes the row of v even when the model has SoftDelete.
func ForceDelete[T any](ctx context.Context, d *DB, v *T) error {
	m, err := d.model(reflect.TypeFor[T]())
	if err != nil {
		return err
	}
	res, err := d.w.NewDelete().Model(v).WherePK().WhereAllWithDeleted().ForceDelete().Conn(d.conn(ctx, true)).Exec(ctx)
	if err != nil {
		return d.mapErrorFor(err, opDelete, m.table)
	}
	return affected(res, m)
}

// DeleteByID deletes (softly when the model has SoftDelete) the row of T
// with primary key id; see Delete.
func DeleteByID[T any](ctx context.Context, d *DB, id any) error {
	m, err := d.model(reflect.TypeFor[T]())
	if err != nil {
		return err
	}
	if m.pk == nil {
		return fmt.Errorf("db: DeleteByID: %s needs a single-column primary key", m.table.TypeName)
	}
	v := new(T)
	f := reflect.ValueOf(v).Elem().FieldByIndex(m.pk.Index)
	idv := reflect.ValueOf(deref(id))
	if !idv.Type().ConvertibleTo(f.Type()) {
		return fmt.Errorf("db: DeleteByID: id of type %s for key %s", idv.Type(), f.Type())
	}
	f.Set(idv.Convert(f.Type()))
	return Delete(ctx, d, v)
}

// Exec runs a statement in SQL with bun's ? placeholders, in the
// transaction ctx carries if any; errors are mapped like the package's.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := d.w.NewRaw(query, args...).Conn(d.conn(ctx, true)).Exec(ctx)
	return res, d.mapError(err, opWrite)
}

func affected(res sql.Result, m *model) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("db: rows affected: %w", err)
	}
	if n == 0 {
		return notFound(m.table, nil)
	}
	return nil
}

// applyPatch copies patch's set fields into the model value mv and
// returns their columns.
func applyPatch(m *model, mv reflect.Value, patch any) ([]string, error) {
	pv := reflect.ValueOf(patch)
	for pv.Kind() == reflect.Pointer {
		if pv.IsNil() {
			return nil, fmt.Errorf("db: Update: nil patch")
		}
		pv = pv.Elem()
	}
	if pv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("db: Update: patch must be a struct, got %T", patch)
	}
	var cols []string
	err := walkPatch(pv, func(sf reflect.StructField, fv reflect.Value) error {
		f := m.patchTarget(sf)
		if f == nil {
			return fmt.Errorf("db: Update: %s has no field for patch field %s", m.table.TypeName, sf.Name)
		}
		if f.IsPK {
			return nil // the key identifies the row; it is not patched
		}
		if fv.Kind() == reflect.Pointer && !(f.StructField.Type.Kind() == reflect.Pointer && fv.Type() == f.StructField.Type) {
			if fv.IsNil() {
				return nil // not sent
			}
			fv = fv.Elem()
		}
		dst := mv.FieldByIndex(f.Index)
		switch {
		case fv.Type().AssignableTo(dst.Type()):
			dst.Set(fv)
		case dst.Kind() == reflect.Pointer && fv.Type().AssignableTo(dst.Type().Elem()):
			p := reflect.New(dst.Type().Elem())
			p.Elem().Set(fv)
			dst.Set(p)
		case fv.Type().ConvertibleTo(dst.Type()) && fv.Kind() == dst.Kind():
			dst.Set(fv.Convert(dst.Type()))
		default:
			return fmt.Errorf("db: Update: patch field %s (%s) does not fit %s.%s (%s)", sf.Name, fv.Type(), m.table.TypeName, f.GoName, dst.Type())
		}
		cols = append(cols, f.Name)
		return nil
	})
	return cols, err
}

// walkPatch calls fn for each patchable field of the struct pv, through
// embedded structs.
func walkPatch(pv reflect.Value, fn func(reflect.StructField, reflect.Value) error) error {
	t := pv.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			if err := walkPatch(pv.Field(i), fn); err != nil {
				return err
			}
			continue
		}
		if !sf.IsExported() || skipPatchField(sf) {
			continue
		}
		if err := fn(sf, pv.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func skipPatchField(sf reflect.StructField) bool {
	for _, tag := range []string{"path", "query", "header", "cookie"} {
		if _, ok := sf.Tag.Lookup(tag); ok {
			return true
		}
	}
	if tag, ok := sf.Tag.Lookup("db"); ok && strings.TrimSpace(tag) == "-" {
		return true
	}
	if tag, ok := sf.Tag.Lookup("json"); ok && tag == "-" {
		return true
	}
	return false
}

// patchTarget finds the model field a patch field sets: same Go name,
// else same json (or column) name.
func (m *model) patchTarget(sf reflect.StructField) *schema.Field {
	for _, f := range m.table.Fields {
		if f.GoName == sf.Name {
			return f
		}
	}
	if tag, ok := sf.Tag.Lookup("json"); ok {
		if name, _, _ := strings.Cut(tag, ","); name != "" {
			if f, ok := m.field(name); ok {
				return f
			}
		}
	}
	return nil
}

func containsCol(cols []string, c string) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}
