package db

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Table marks a struct as a model and names its table and alias with a
// bun tag; embed it first:
//
//	type User struct {
//		db.BaseModel `bun:"table:users,alias:u"`
//		ID       int64  `bun:",pk,autoincrement" json:"id"`
//		Email    string `bun:",unique,notnull" json:"email" validate:"required,email"`
//		db.Timestamps
//	}
//
// Column options are bun's (pk, autoincrement, notnull, unique,
// unique:group, default:…, type:…, nullzero, rel:belongs-to/has-many …);
// the db tag adds indexes and plain foreign keys. See docs/database.md.
type BaseModel = schema.BaseModel

// Timestamps adds created_at and updated_at columns to a model. The
// package sets both on Create and updated_at on every Update, Save and
// UpdateWhere — patch updates included — in UTC, to the microsecond
// (the precision both databases keep).
type Timestamps struct {
	CreatedAt time.Time `bun:",nullzero,notnull,default:current_timestamp" json:"created_at"`
	UpdatedAt time.Time `bun:",nullzero,notnull,default:current_timestamp" json:"updated_at"`
}

// touch stamps t for a write made at now; created is true for inserts.
func (t *Timestamps) touch(now time.Time, created bool) {
	if created && t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	t.UpdatedAt = now
}

// stamped is implemented by models that embed Timestamps.
type stamped interface {
	touch(now time.Time, created bool)
}

// SoftDelete adds a deleted_at column: Delete then marks the row instead
// of removing it, and queries skip marked rows unless asked
// (Query.WithDeleted, Query.OnlyDeleted). ForceDelete removes the row.
type SoftDelete struct {
	DeletedAt *time.Time `bun:",soft_delete,nullzero" json:"deleted_at,omitempty"`
}

// now is the timestamp of a write: UTC, microseconds, so that what the
// struct holds is what either database stores.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// model is what the package knows about one model type.
type model struct {
	table   *schema.Table
	pk      *schema.Field // nil when the primary key is composite or missing
	stamped bool
	alias   string // quoted alias, e.g. "u"
	byWire  map[string]*schema.Field
	indexes []Index
	fks     []foreignKey

	byPKOnce sync.Once
	byPK     string // see selectByPK

	// insertHooks: the model has bun hooks an insert must run, so Create
	// leaves the insert to bun.
	insertHooks bool
}

// Index is an index the db tag declares: `db:"index"` on a field, or
// `db:"index:name"` on each field of a composite index (in field order);
// `db:"unique_index"` / `db:"unique_index:name"` likewise for unique ones.
type Index struct {
	Name    string
	Columns []string
	Unique  bool
}

// foreignKey is a `db:"fk:table.column"` declaration on a field that has
// no relation field.
type foreignKey struct {
	column, refTable, refColumn, onDelete string
}

// model returns (and caches) the metadata of model type t.
func (d *DB) model(t reflect.Type) (*model, error) {
	if v, ok := d.models.Load(t); ok {
		return v.(*model), nil
	}
	m, err := buildModel(d, t)
	if err != nil {
		return nil, err
	}
	v, _ := d.models.LoadOrStore(t, m)
	return v.(*model), nil
}

func buildModel(d *DB, t reflect.Type) (m *model, err error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("db: model %s is not a struct", t)
	}
	defer func() {
		// bun panics on a malformed model (a relation to a missing
		// column); that is a programming error, reported as one.
		if r := recover(); r != nil {
			err = fmt.Errorf("db: model %s: %v", t, r)
		}
	}()
	table := d.w.Table(t)
	m = &model{
		table:   table,
		stamped: reflect.PointerTo(t).Implements(reflect.TypeFor[stamped]()),
		alias:   string(table.SQLAlias),
		byWire:  map[string]*schema.Field{},
	}
	if len(table.PKs) == 1 {
		m.pk = table.PKs[0]
	}
	ptr := reflect.PointerTo(t)
	for _, hook := range []reflect.Type{reflect.TypeFor[bun.BeforeInsertHook](), reflect.TypeFor[bun.AfterInsertHook](),
		reflect.TypeFor[bun.BeforeAppendModelHook]()} {
		m.insertHooks = m.insertHooks || ptr.Implements(hook)
	}
	for _, f := range table.Fields {
		m.byWire[f.Name] = f
		if tag, ok := f.StructField.Tag.Lookup("json"); ok {
			if name, _, _ := strings.Cut(tag, ","); name != "" && name != "-" {
				if _, taken := m.byWire[name]; !taken {
					m.byWire[name] = f
				}
			}
		}
	}
	if err := m.parseDBTags(); err != nil {
		return nil, fmt.Errorf("db: model %s: %w", t, err)
	}
	return m, nil
}

// parseDBTags reads the indexes and foreign keys of the db tags.
func (m *model) parseDBTags() error {
	byName := map[string]int{}
	for _, f := range m.table.Fields {
		tag, ok := f.StructField.Tag.Lookup("db")
		if !ok {
			continue
		}
		var fk *foreignKey
		for opt := range strings.SplitSeq(tag, ",") {
			key, val, _ := strings.Cut(strings.TrimSpace(opt), ":")
			switch key {
			case "":
			case "index", "unique_index":
				unique := key == "unique_index"
				name := val
				if name == "" {
					name = m.table.Name + "_" + f.Name + "_idx"
					if unique {
						name = m.table.Name + "_" + f.Name + "_uidx"
					}
				}
				i, seen := byName[name]
				if !seen {
					i = len(m.indexes)
					byName[name] = i
					m.indexes = append(m.indexes, Index{Name: name, Unique: unique})
				}
				if m.indexes[i].Unique != unique {
					return fmt.Errorf("index %s is declared both unique and not", name)
				}
				m.indexes[i].Columns = append(m.indexes[i].Columns, f.Name)
			case "fk":
				ref, col, ok := strings.Cut(val, ".")
				if !ok || ref == "" || col == "" {
					return fmt.Errorf("field %s: db tag fk:%s: want fk:table.column", f.GoName, val)
				}
				fk = &foreignKey{column: f.Name, refTable: ref, refColumn: col}
			case "on_delete":
				if fk == nil {
					return fmt.Errorf("field %s: db tag on_delete without fk", f.GoName)
				}
				fk.onDelete = strings.ToUpper(val)
				switch fk.onDelete {
				case "CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT", "NO ACTION":
				default:
					return fmt.Errorf("field %s: db tag on_delete:%s: want cascade, restrict, set null, set default or no action", f.GoName, val)
				}
			default:
				return fmt.Errorf("field %s: unknown db tag option %q", f.GoName, key)
			}
		}
		if fk != nil {
			m.fks = append(m.fks, *fk)
		}
	}
	return nil
}

// field returns the field a client or caller names: a column name or a
// json name.
func (m *model) field(name string) (*schema.Field, bool) {
	f, ok := m.byWire[name]
	return f, ok
}

// col returns the qualified column of the field named name, or an error
// naming the model (a programming error, not a client's).
func (m *model) col(name string) (string, *schema.Field, error) {
	f, ok := m.field(name)
	if !ok {
		return "", nil, fmt.Errorf("db: %s has no column %q", m.table.TypeName, name)
	}
	return m.alias + "." + string(f.SQLName), f, nil
}
