package db

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/uptrace/bun/schema"
	"modernc.org/sqlite"

	"github.com/nexios-go/nexios"
)

// ErrNotFound is the cause of every "no such row" error of the package:
// errors.Is(err, db.ErrNotFound) holds for them, and they render as 404.
var ErrNotFound = errors.New("db: not found")

// ErrNoPostgres is returned when opening a PostgreSQL URL in a binary
// built with -tags nexios_sqlite, which leaves PostgreSQL's drivers out
// (nexios dev builds so for an app on SQLite).
var ErrNoPostgres = errors.New("db: PostgreSQL support was left out of this build (-tags nexios_sqlite)")

// ConstraintKind classifies a constraint violation.
type ConstraintKind string

// The constraint kinds the package maps.
const (
	Unique     ConstraintKind = "unique"
	ForeignKey ConstraintKind = "foreign_key"
	NotNull    ConstraintKind = "not_null"
	Check      ConstraintKind = "check"
)

// ConstraintError is a write the database refused because it broke a
// constraint. The package returns it wrapped in a *nexios.HTTPError
// (unique → 409, foreign key → 409 on delete and 422 otherwise, not-null
// and check → 422) whose Errors name the fields; errors.As reaches it.
type ConstraintError struct {
	Kind ConstraintKind
	// Table is the table the statement wrote.
	Table string
	// Constraint is the constraint's name, when the database reports it.
	Constraint string
	// Columns are the columns involved, when known.
	Columns []string
	// Err is the driver's error (with its text, for logs).
	Err error
}

// Error describes the violation.
func (e *ConstraintError) Error() string {
	what := string(e.Kind) + " constraint"
	if e.Constraint != "" {
		what += " " + e.Constraint
	}
	if len(e.Columns) > 0 {
		what += " on " + strings.Join(e.Columns, ", ")
	}
	return "db: " + what + " violated: " + e.Err.Error()
}

// Unwrap returns the driver's error.
func (e *ConstraintError) Unwrap() error { return e.Err }

// op is the kind of statement an error came from.
type op int

const (
	opRead op = iota
	opWrite
	opDelete
)

// MapError turns a database error into the error the package would have
// returned for it: sql.ErrNoRows → 404 wrapping ErrNotFound, a constraint
// violation → 409/422 wrapping a *ConstraintError, anything else
// unchanged. Use it on errors of queries run through the escape hatch.
func (d *DB) MapError(err error) error { return d.mapError(err, opWrite) }

func (d *DB) mapError(err error, o op) error {
	return d.mapErrorFor(err, o, nil)
}

// mapErrorFor maps err; table, when known, translates column names into
// the model's wire (json) names.
func (d *DB) mapErrorFor(err error, o op, table *schema.Table) error {
	if err == nil {
		return nil
	}
	var he *nexios.HTTPError
	if errors.As(err, &he) {
		return err // already mapped
	}
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(table, err)
	}
	ce := classify(err, table)
	if ce == nil {
		return err
	}
	return constraintHTTPError(ce, o, table)
}

// notFound is the 404 for a missing row of table.
func notFound(table *schema.Table, cause error) error {
	detail := "not found"
	if table != nil {
		detail = table.TypeName + " not found"
	}
	if cause == nil || errors.Is(cause, sql.ErrNoRows) {
		cause = ErrNotFound
	}
	if !errors.Is(cause, ErrNotFound) {
		cause = fmt.Errorf("%w: %w", ErrNotFound, cause)
	}
	return &nexios.HTTPError{Status: http.StatusNotFound, Detail: detail, Err: cause}
}

// constraintHTTPError renders a violation for a client: the fields at
// fault and what is wrong with them; the driver's text stays in Err.
func constraintHTTPError(ce *ConstraintError, o op, table *schema.Table) error {
	status, msg, detail := http.StatusUnprocessableEntity, "", ""
	switch ce.Kind {
	case Unique:
		status, msg, detail = http.StatusConflict, "already exists", "a record with this value already exists"
	case ForeignKey:
		if o == opDelete {
			status, msg, detail = http.StatusConflict, "is still referenced", "the record is still referenced by other records"
		} else {
			msg, detail = "refers to a record that does not exist", "a referenced record does not exist"
		}
	case NotNull:
		msg, detail = "is required", "a required value is missing"
	case Check:
		msg, detail = "is invalid", "a value is out of the allowed range"
	}
	he := &nexios.HTTPError{Status: status, Detail: detail, Err: ce}
	for _, col := range ce.Columns {
		he.Errors = append(he.Errors, nexios.FieldError{
			Location: "body", Field: wireName(table, col), Message: msg, Rule: string(ce.Kind),
		})
	}
	return he
}

// wireName is the json name of the model field stored in column col, or
// col itself.
func wireName(table *schema.Table, col string) string {
	if table == nil {
		return col
	}
	f, ok := table.FieldMap[col]
	if !ok {
		return col
	}
	if tag, ok := f.StructField.Tag.Lookup("json"); ok {
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			return name
		}
	}
	return col
}

// classify recognises a constraint violation by the driver's typed error
// and its code; only the column names of a SQLite error come from its
// message, whose format SQLite fixes (it is not localised).
func classify(err error, table *schema.Table) *ConstraintError {
	if ce := pgConstraint(err, table); ce != nil {
		return ce
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		const (
			constraintCheck      = 275
			constraintForeignKey = 787
			constraintNotNull    = 1299
			constraintPrimaryKey = 1555
			constraintTrigger    = 1811
			constraintUnique     = 2067
		)
		var kind ConstraintKind
		switch se.Code() {
		case constraintUnique, constraintPrimaryKey:
			kind = Unique
		case constraintForeignKey:
			kind = ForeignKey
		case constraintTrigger:
			// ON DELETE RESTRICT is enforced like a trigger and reported
			// with its code; only the message tells it from a RAISE().
			if !strings.Contains(se.Error(), "FOREIGN KEY constraint failed") {
				return nil
			}
			kind = ForeignKey
		case constraintNotNull:
			kind = NotNull
		case constraintCheck:
			kind = Check
		default:
			return nil
		}
		ce := &ConstraintError{Kind: kind, Err: err}
		ce.Table, ce.Columns, ce.Constraint = sqliteDetail(kind, se.Error())
		return ce
	}
	return nil
}

// sqliteDetail reads the table and columns from SQLite's message
// "UNIQUE constraint failed: users.email, users.name" (NOT NULL likewise;
// CHECK names the constraint; FOREIGN KEY names nothing).
func sqliteDetail(kind ConstraintKind, msg string) (table string, cols []string, constraint string) {
	const marker = "constraint failed: "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return "", nil, ""
	}
	rest := msg[i+len(marker):]
	if j := strings.LastIndex(rest, " ("); j >= 0 {
		rest = rest[:j] // modernc appends " (2067)"
	}
	if kind == Check {
		return "", nil, strings.TrimSpace(rest)
	}
	if kind == ForeignKey {
		return "", nil, ""
	}
	for part := range strings.SplitSeq(rest, ",") {
		t, c, ok := strings.Cut(strings.TrimSpace(part), ".")
		if !ok {
			continue
		}
		table = t
		cols = append(cols, c)
	}
	return table, cols, ""
}
