// Package dbcmd adds the data layer's commands to an app's command line:
// `migrate up|down|status|create|redo`, and the "database" (ping) and
// "migrations" (none pending) checks of `check`:
//
//	cli.Main(app, dbcmd.Database(d), dbcmd.Migrations(m))
//
// It is its own package so that only apps that use the data layer link
// it (and their database drivers) through the command line.
package dbcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/db"
)

// Database adds the "database" check to `check`: the database answers a
// ping (every pool).
func Database(d *db.DB) cli.Option {
	return cli.Checks(cli.Check{Name: "database", Run: d.Ping})
}

// Option configures Migrations.
type Option func(*settings)

type settings struct {
	dir string
}

// Dir sets the directory `migrate create` writes new migrations to: the
// source directory the app embeds its migrations from. Default
// "migrations"; --dir overrides it.
func Dir(dir string) Option { return func(s *settings) { s.dir = dir } }

// Migrations adds `migrate` (up, down, status, create, redo) on m, and the
// "migrations" check, which fails naming every migration not applied yet.
func Migrations(m *db.Migrator, opts ...Option) cli.Option {
	s := settings{dir: "migrations"}
	for _, o := range opts {
		o(&s)
	}
	return cli.Options(
		cli.CommandsFunc(func() []*cobra.Command { return []*cobra.Command{migrateCommand(m, s)} }),
		cli.Checks(cli.Check{Name: "migrations", Run: m.Pending}),
	)
}

func migrateCommand(m *db.Migrator, s settings) *cobra.Command {
	return cli.Group("migrate", "Apply, roll back, list and create database migrations",
		upCommand(m), downCommand(m), redoCommand(m), statusCommand(m), createCommand(s))
}

func upCommand(m *db.Migrator) *cobra.Command {
	var to int64
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration (or up to --to VERSION)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return changed(cmd, m, "applied", func(ctx context.Context) error {
				if to > 0 {
					return m.UpTo(ctx, to)
				}
				return m.Up(ctx)
			})
		},
	}
	cmd.Flags().Int64Var(&to, "to", 0, "apply the pending migrations up to and including `VERSION`")
	return cmd
}

func downCommand(m *db.Migrator) *cobra.Command {
	var to int64 = -1
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Roll back the last applied migration (or every one above --to VERSION)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return changed(cmd, m, "rolled back", func(ctx context.Context) error {
				if to >= 0 {
					return m.DownTo(ctx, to)
				}
				if v, err := m.Version(ctx); err != nil || v == 0 {
					return err // none applied: nothing to roll back
				}
				return m.Down(ctx)
			})
		},
	}
	cmd.Flags().Int64Var(&to, "to", -1, "roll back every migration above `VERSION` (0: all of them)")
	return cmd
}

func redoCommand(m *db.Migrator) *cobra.Command {
	return &cobra.Command{
		Use:   "redo",
		Short: "Roll back the last applied migration and apply it again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			before, err := m.Version(cmd.Context())
			if err != nil {
				return err
			}
			if before == 0 {
				return errors.New("no migration is applied: nothing to redo")
			}
			if err := m.Redo(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "redone %d\n", before)
			return nil
		},
	}
}

// changed runs a migration step and prints the migrations whose state it
// changed.
func changed(cmd *cobra.Command, m *db.Migrator, verb string, step func(context.Context) error) error {
	ctx := cmd.Context()
	before, err := m.Status(ctx)
	if err != nil {
		return err
	}
	stepErr := step(ctx)
	after, err := m.Status(ctx)
	if err != nil {
		return errors.Join(stepErr, err)
	}
	was := make(map[int64]bool, len(before))
	for _, s := range before {
		was[s.Version] = s.Applied
	}
	out := cmd.OutOrStdout()
	n := 0
	for _, s := range after {
		if was[s.Version] != s.Applied {
			fmt.Fprintf(out, "%s %s\n", verb, label(s))
			n++
		}
	}
	if stepErr != nil {
		return stepErr
	}
	if n == 0 {
		v, _ := m.Version(ctx)
		fmt.Fprintf(out, "nothing to do: the database is at version %d\n", v)
	}
	return nil
}

// label names a migration: its file, or its version for a Go migration.
func label(s db.MigrationStatus) string {
	if s.Source != "" {
		return s.Source
	}
	return "Go migration " + strconv.FormatInt(s.Version, 10)
}

func statusCommand(m *db.Migrator) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "List every migration and whether it is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := m.Status(cmd.Context())
			if err != nil {
				return err
			}
			return writeStatus(cmd.OutOrStdout(), st)
		},
	}
}

func writeStatus(w io.Writer, st []db.MigrationStatus) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tMIGRATION\tSTATE\tAPPLIED AT")
	pending := 0
	for _, s := range st {
		state, at := "pending", "-"
		if s.Applied {
			state = "applied"
			if !s.AppliedAt.IsZero() {
				at = s.AppliedAt.UTC().Format(time.DateTime)
			}
		} else {
			pending++
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Version, label(s), state, at)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d applied, %d pending\n", len(st)-pending, pending)
	return err
}

func createCommand(s settings) *cobra.Command {
	dir := s.dir
	var dialect dialectFlag
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Write a new, empty SQL migration numbered after the last one",
		Long: `Write NAME as a new goose SQL migration (NNNNN_name.sql, with Up and Down
sections) into the migrations directory, shared by both databases, or into
its sqlite/ or postgres/ subdirectory with --dialect. Rebuild the app to embed
it, then 'migrate up'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := db.CreateMigration(dir, args[0], db.Dialect(dialect))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s\n", p)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", dir, "migrations `DIRECTORY` (the source the app embeds)")
	cmd.Flags().Var(&dialect, "dialect", `write a migration for one database only: "sqlite" or "postgres"`)
	return cmd
}

// dialectFlag is --dialect: a bad value is a usage error, found when the
// flags are parsed.
type dialectFlag string

func (d *dialectFlag) String() string { return string(*d) }
func (d *dialectFlag) Type() string   { return "dialect" }

func (d *dialectFlag) Set(v string) error {
	if v != string(db.SQLite) && v != string(db.Postgres) {
		return fmt.Errorf("want %q or %q", db.SQLite, db.Postgres)
	}
	*d = dialectFlag(v)
	return nil
}
