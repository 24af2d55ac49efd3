package db

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

// dialectFS presents the migrations of one dialect as one flat directory:
// the shared *.sql files, with those of the dialect's subdirectory added
// and replacing shared files of the same version.
func dialectFS(fsys fs.FS, d Dialect) (fs.FS, error) {
	if fsys == nil {
		return &flatFS{names: map[string]string{}}, nil // Go migrations only
	}
	files := map[int64]string{} // version → path in fsys
	add := func(dir string, override bool) error {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			if dir != "." && os.IsNotExist(err) {
				return nil
			}
			return fmt.Errorf("db: read migrations %s: %w", dir, err)
		}
		for _, e := range entries {
			if e.IsDir() || path.Ext(e.Name()) != ".sql" {
				continue
			}
			v, err := goose.NumericComponent(e.Name())
			if err != nil {
				continue // not a migration (a README, a helper)
			}
			if prev, ok := files[v]; ok && !override {
				return fmt.Errorf("db: migrations %s and %s have the same version %d", prev, e.Name(), v)
			}
			files[v] = path.Join(dir, e.Name())
		}
		return nil
	}
	if err := add(".", false); err != nil {
		return nil, err
	}
	if err := add(string(d), true); err != nil {
		return nil, err
	}
	// Two files of the dialect with one version would both land in the
	// map; goose reports duplicate versions, so keep names distinct.
	m := &flatFS{fsys: fsys, names: map[string]string{}}
	for _, p := range files {
		base := path.Base(p)
		if other, ok := m.names[base]; ok {
			return nil, fmt.Errorf("db: migrations %s and %s have the same file name", other, p)
		}
		m.names[base] = p
	}
	return m, nil
}

// flatFS is a directory of files picked from another file system.
type flatFS struct {
	fsys  fs.FS
	names map[string]string // name in the flat directory → path in fsys
}

func (f *flatFS) Open(name string) (fs.File, error) {
	if p, ok := f.names[name]; ok {
		return f.fsys.Open(p)
	}
	if name == "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid} // ReadDir below serves it
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadDir lists the flat directory, sorted by name.
func (f *flatFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	var out []fs.DirEntry
	for base, p := range f.names {
		info, err := fs.Stat(f.fsys, p)
		if err != nil {
			return nil, err
		}
		out = append(out, renamedEntry{fs.FileInfoToDirEntry(info), base})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

type renamedEntry struct {
	fs.DirEntry
	name string
}

func (e renamedEntry) Name() string { return e.name }

// CreateMigration writes an empty SQL migration named name into dir (into
// dir/<dialect> when dialect is not ""), numbered one above the highest
// version in dir and its dialect subdirectories, and returns its path.
func CreateMigration(dir, name string, dialect Dialect) (string, error) {
	if name = sanitizeName(name); name == "" {
		return "", fmt.Errorf("db: create migration: empty name")
	}
	next, err := nextVersion(dir)
	if err != nil {
		return "", err
	}
	target := dir
	if dialect != "" {
		target = filepath.Join(dir, string(dialect))
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return "", fmt.Errorf("db: create migration: %w", err)
	}
	p := filepath.Join(target, fmt.Sprintf("%05d_%s.sql", next, name))
	body := "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n"
	if err := writeNew(p, body); err != nil {
		return "", err
	}
	return p, nil
}

// nextVersion is one above the highest migration version in dir and its
// dialect subdirectories.
func nextVersion(dir string) (int64, error) {
	var highest int64
	for _, sub := range []string{"", string(SQLite), string(Postgres)} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return 0, fmt.Errorf("db: read migrations: %w", err)
		}
		for _, e := range entries {
			if v, err := goose.NumericComponent(e.Name()); err == nil && !e.IsDir() {
				highest = max(highest, v)
			}
		}
	}
	return highest + 1, nil
}

func writeNew(p, body string) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("db: create migration: %w", err)
	}
	if _, err := f.WriteString(body); err != nil {
		_ = f.Close()
		return fmt.Errorf("db: create migration: %w", err)
	}
	return f.Close()
}

// sanitizeName makes a migration name safe for a file name: lower case
// letters, digits and underscores.
func sanitizeName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

// schema describes the user schema of the database — tables, columns,
// indexes and constraints, without the migration table — as sorted
// lines, for RoundTrip.
func (d *DB) schema(ctx context.Context, versionTable string) ([]string, error) {
	var q string
	switch d.dialect {
	case SQLite:
		q = `SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master
WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> ?`
	default:
		q = `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> ?0
UNION ALL
SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> ?0
UNION ALL
SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ': ' || pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = current_schema() AND c.conrelid <> 0 AND c.conrelid::regclass::text <> ?0
UNION ALL
SELECT 'sequence ' || sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema() AND sequence_name NOT LIKE ?0 || '%'
UNION ALL
SELECT 'view ' || table_name || ': ' || view_definition FROM information_schema.views WHERE table_schema = current_schema()
UNION ALL
SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()
UNION ALL
SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')`
	}
	var lines []string
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := d.w.NewRaw(q, versionTable).Scan(ctx, &lines); err != nil {
		return nil, fmt.Errorf("db: read schema: %w", err)
	}
	slices.Sort(lines)
	return lines, nil
}

// diffSchema describes how b differs from a, or "".
func diffSchema(a, b []string) string {
	var gone, added []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			gone = append(gone, l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			added = append(added, l)
		}
	}
	if len(gone) == 0 && len(added) == 0 {
		return ""
	}
	var parts []string
	if len(gone) > 0 {
		parts = append(parts, "missing: "+strings.Join(gone, "; "))
	}
	if len(added) > 0 {
		parts = append(parts, "left over: "+strings.Join(added, "; "))
	}
	return strings.Join(parts, "; ")
}

func mkdirFor(p string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("db: create migration: %w", err)
	}
	return nil
}
