// Package jobscmd adds the durable jobs' commands to an app's command
// line: `jobs list|show|retry|cancel` and `worker`, a process that works
// jobs and serves no HTTP:
//
//	cli.Main(app, jobscmd.Jobs(queue))
//
// It is its own package so that only apps that use jobs link River
// through the command line.
package jobscmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/jobs"
)

// Queue is what the commands drive: *jobs.Client, or *jobs.Memory in
// tests.
type Queue interface {
	jobs.Manager
	// Run works jobs until ctx ends, then stops gracefully.
	Run(ctx context.Context) error
}

// Jobs adds `jobs list|show|retry|cancel` and `worker` on q.
func Jobs(q Queue) cli.Option {
	return cli.CommandsFunc(func() []*cobra.Command {
		group := cli.Group("jobs", "List, inspect, retry and cancel durable jobs",
			listCommand(q), showCommand(q), actCommand(q, "retry", "Make a job available to run again at once", q.Retry),
			actCommand(q, "cancel", "Cancel a job for good (a running one has its context cancelled)", q.Cancel))
		return []*cobra.Command{group, workerCommand(q)}
	})
}

func workerCommand(q Queue) *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Work jobs without serving HTTP, until SIGINT or SIGTERM",
		Long: `Work the app's durable jobs in this process, serving no HTTP, until SIGINT
or SIGTERM; then stop gracefully: no new job starts and running ones may finish
within the client's StopTimeout. Run as many workers as the load needs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			text := !jsonLogs(cmd)
			if text {
				fmt.Fprintln(cmd.OutOrStdout(), "Working jobs. Press Ctrl+C to stop.")
			}
			if err := q.Run(cmd.Context()); err != nil {
				return err
			}
			if text {
				fmt.Fprintln(cmd.OutOrStdout(), "Stopped.")
			}
			return nil
		},
	}
}

// jsonLogs reports whether --log-format json was given: output is then
// for machines, and the worker prints no text.
func jsonLogs(cmd *cobra.Command) bool {
	f := cmd.Flag("log-format")
	return f != nil && strings.EqualFold(f.Value.String(), "json")
}

func listCommand(q Queue) *cobra.Command {
	var (
		f      jobs.Filter
		states stateList
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List jobs, newest first",
		Example: "  app jobs list --state discarded,cancelled   # the dead letters\n" +
			"  app jobs list --kind welcome_mail --limit 20 --before 1234",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.States = states
			list, err := q.List(cmd.Context(), f)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), list)
			}
			return writeList(cmd.OutOrStdout(), list, f.Limit)
		},
	}
	fl := cmd.Flags()
	fl.Var(&states, "state", "only jobs in these `STATES` (comma-separated: "+stateNames()+")")
	fl.StringSliceVar(&f.Kinds, "kind", nil, "only jobs of these `KINDS`")
	fl.StringSliceVar(&f.Queues, "queue", nil, "only jobs in these `QUEUES`")
	fl.IntVar(&f.Limit, "limit", 50, "at most `N` jobs")
	fl.Int64Var(&f.BeforeID, "before", 0, "only jobs with an ID below `ID` (the next page)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeList(w io.Writer, list []*jobs.Info, limit int) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(w, "No jobs.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tQUEUE\tSTATE\tATTEMPT\tCREATED\tLAST ERROR")
	for _, j := range list {
		lastErr := "-"
		if n := len(j.Errors); n > 0 {
			lastErr = clip(oneLine(j.Errors[n-1].Error), 60)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.Queue, j.State,
			j.Attempt, j.MaxAttempts, j.CreatedAt.UTC().Format(time.DateTime), lastErr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list) == limit {
		_, err := fmt.Fprintf(w, "More may follow: add --before %d\n", list[len(list)-1].ID)
		return err
	}
	return nil
}

func showCommand(q Queue) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a job: its state, arguments and the error of every failed attempt",
		Args:  idArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := strconv.ParseInt(args[0], 10, 64)
			j, err := q.Get(cmd.Context(), id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), j)
			}
			return writeJob(cmd.OutOrStdout(), j)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeJob(w io.Writer, j *jobs.Info) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("ID", strconv.FormatInt(j.ID, 10))
	row("Kind", j.Kind)
	row("Queue", j.Queue)
	row("State", string(j.State))
	row("Attempt", fmt.Sprintf("%d of %d", j.Attempt, j.MaxAttempts))
	row("Priority", strconv.Itoa(j.Priority))
	if len(j.Tags) > 0 {
		row("Tags", strings.Join(j.Tags, ", "))
	}
	row("Arguments", string(j.RawArgs))
	row("Created", stamp(&j.CreatedAt))
	row("Scheduled", stamp(&j.ScheduledAt))
	row("Attempted", stamp(j.AttemptedAt))
	row("Finalized", stamp(j.FinalizedAt))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range j.Errors {
		fmt.Fprintf(w, "\nAttempt %d failed at %s:\n  %s\n", e.Attempt, stamp(&e.At), strings.ReplaceAll(e.Error, "\n", "\n  "))
		if e.Trace != "" {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(strings.TrimSpace(e.Trace), "\n", "\n  "))
		}
	}
	return nil
}

func actCommand(q Queue, verb, short string, act func(context.Context, int64) (*jobs.Info, error)) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " ID",
		Short: short,
		Args:  idArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := strconv.ParseInt(args[0], 10, 64)
			j, err := act(cmd.Context(), id)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "job %d (%s) is %s\n", j.ID, j.Kind, j.State)
			return err
		},
	}
}

// idArg accepts one job ID; anything else is a usage error.
func idArg(cmd *cobra.Command, args []string) error {
	if err := cobra.ExactArgs(1)(cmd, args); err != nil {
		return err
	}
	if id, err := strconv.ParseInt(args[0], 10, 64); err != nil || id <= 0 {
		return fmt.Errorf("job ID %q: want a positive integer", args[0])
	}
	return nil
}

// stateList is --state: known states only, found when flags are parsed.
type stateList []jobs.State

func (s *stateList) String() string {
	names := make([]string, len(*s))
	for i, st := range *s {
		names[i] = string(st)
	}
	return strings.Join(names, ",")
}

func (s *stateList) Type() string { return "states" }

func (s *stateList) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		st := jobs.State(strings.TrimSpace(strings.ToLower(name)))
		if !isState(st) {
			return fmt.Errorf("unknown state %q (want %s)", name, stateNames())
		}
		*s = append(*s, st)
	}
	return nil
}

func isState(st jobs.State) bool {
	for _, known := range jobs.States() {
		if st == known {
			return true
		}
	}
	return false
}

func stateNames() string {
	var names []string
	for _, st := range jobs.States() {
		names = append(names, string(st))
	}
	return strings.Join(names, ", ")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateTime)
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
