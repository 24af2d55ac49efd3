package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/config"
)

// Check is one thing `check` verifies: Run returns nil when it holds,
// and an error that says what is wrong otherwise. Run gets a context with
// the check's deadline (--timeout).
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// DialCheck is a check that target accepts TCP connections: a host:port,
// or a URL whose scheme gives the default port (redis 6379, rediss 6380,
// smtp 25, smtps 465, postgres 5432, mysql 3306, amqp 5672, http 80,
// https 443). Credentials in a URL never appear in its messages. Use it
// for services without a client in the app (an SMTP relay); a check that
// speaks the protocol (a Redis PING) says more.
func DialCheck(name, target string) Check {
	return Check{Name: name, Run: func(ctx context.Context) error {
		addr, err := dialAddress(target)
		if err != nil {
			return err
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) && op.Err != nil {
				return fmt.Errorf("cannot connect to %s: %w", addr, op.Err)
			}
			return fmt.Errorf("cannot connect to %s: %w", addr, err)
		}
		return conn.Close()
	}}
}

var defaultPorts = map[string]string{
	"redis": "6379", "rediss": "6380", "smtp": "25", "smtps": "465", "postgres": "5432", "postgresql": "5432",
	"mysql": "3306", "amqp": "5672", "amqps": "5671", "http": "80", "https": "443", "nats": "4222",
}

// dialAddress turns a check target into host:port, never returning
// credentials in an error.
func dialAddress(target string) (string, error) {
	if target == "" {
		return "", errors.New("no address configured")
	}
	if !strings.Contains(target, "://") {
		if _, _, err := net.SplitHostPort(target); err != nil {
			if strings.Contains(target, "@") { // a DSN with credentials
				return "", errors.New("the address is neither host:port nor a URL (value not shown: it may hold a password)")
			}
			return "", fmt.Errorf("address %q: want host:port or a URL", target)
		}
		return target, nil
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return "", errors.New("the URL does not parse (value not shown: it may hold a password)")
	}
	port := u.Port()
	if port == "" {
		port = defaultPorts[strings.ToLower(u.Scheme)]
		if port == "" {
			return "", fmt.Errorf("URL scheme %q has no default port: give one", u.Scheme)
		}
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

func (p *program) checkCommand() *cobra.Command {
	var timeout time.Duration
	var skip []string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check that the app can run: configuration, secrets, database, migrations, services",
		Long: `Run every check and list each result; exit 1 when any fails, listing every
failure. The checks are: the configuration loads and validates (every problem
listed), no secret is empty, then those the app added — the database answers
(dbcmd.Database), no migration is pending (dbcmd.Migrations, naming them),
Redis, SMTP or anything else (cli.Checks). They run concurrently, each within
--timeout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			checks := p.allChecks()
			for _, name := range skip {
				if !slices.ContainsFunc(checks, func(c Check) bool { return c.Name == name }) {
					return usageError{fmt.Errorf("--skip %s: no such check (have: %s)", name, checkNames(checks))}
				}
			}
			checks = slices.DeleteFunc(checks, func(c Check) bool { return slices.Contains(skip, c.Name) })
			results := runChecks(cmd.Context(), checks, timeout)
			return reportChecks(cmd, results)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", waitTimeout, "time each check may take")
	cmd.Flags().StringSliceVar(&skip, "skip", nil, "skip the named `CHECK`s (repeat, or separate with commas)")
	return cmd
}

// allChecks lists the configuration's checks, then the added ones.
func (p *program) allChecks() []Check {
	var checks []Check
	if p.s.cfg != nil {
		fresh := reflect.New(reflect.TypeOf(p.s.cfg).Elem()).Interface()
		var loadErr error
		var once sync.Once
		load := func() { loadErr = config.Load(fresh, p.s.cfgOpts...) }
		checks = append(checks,
			Check{Name: "config", Run: func(context.Context) error {
				once.Do(load)
				return loadErr
			}},
			Check{Name: "secrets", Run: func(context.Context) error {
				once.Do(load)
				return emptySecrets(fresh, loadErr)
			}},
		)
	}
	return append(checks, p.s.checks...)
}

// emptySecrets names the secrets left empty, leaving out keys the
// configuration's problems already name.
func emptySecrets(cfg any, loadErr error) error {
	reported := map[string]bool{}
	var ce *config.Error
	if errors.As(loadErr, &ce) {
		for _, pr := range ce.Problems {
			reported[pr.Key] = true
		}
	}
	var empty []string
	for _, e := range config.Redacted(cfg) {
		if e.Secret && e.Value == "" && !reported[e.Key] {
			empty = append(empty, e.Key)
		}
	}
	if len(empty) > 0 {
		return fmt.Errorf("%s %s empty", strings.Join(empty, ", "), plural(len(empty), "is", "are"))
	}
	return nil
}

func checkNames(checks []Check) string {
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// checkResult is the outcome of one check.
type checkResult struct {
	name string
	err  error
	took time.Duration
}

// runChecks runs the checks concurrently, each within timeout, and
// returns their results in order.
func runChecks(ctx context.Context, checks []Check, timeout time.Duration) []checkResult {
	results := make([]checkResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			err := safeRun(cctx, c)
			if err != nil && cctx.Err() != nil && ctx.Err() == nil {
				err = fmt.Errorf("no answer within %s: %w", timeout, err)
			}
			results[i] = checkResult{name: c.Name, err: err, took: time.Since(start)}
		})
	}
	wg.Wait()
	return results
}

// safeRun runs a check, turning a panic into its failure.
func safeRun(ctx context.Context, c Check) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	if c.Run == nil {
		return errors.New("the check has no Run function")
	}
	return c.Run(ctx)
}

// reportChecks prints one line per check, a config problem per line, and
// fails when any check failed.
func reportChecks(cmd *cobra.Command, results []checkResult) error {
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	failed := 0
	for _, r := range results {
		if r.err == nil {
			if note := slow(r.took); note != "" {
				fmt.Fprintf(tw, "ok\t%s\t%s\n", r.name, note)
			} else {
				fmt.Fprintf(tw, "ok\t%s\n", r.name)
			}
			continue
		}
		failed++
		var ce *config.Error
		if errors.As(r.err, &ce) {
			fmt.Fprintf(tw, "FAIL\t%s\t%d %s\n", r.name, len(ce.Problems), plural(len(ce.Problems), "problem", "problems"))
			for _, pr := range ce.Problems {
				fmt.Fprintf(tw, "\t\t  %s: %s\n", pr.Key, pr.Message)
			}
			continue
		}
		fmt.Fprintf(tw, "FAIL\t%s\t%s\n", r.name, oneLine(r.err.Error()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d %s failed", failed, len(results), plural(len(results), "check", "checks"))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "All %d %s passed.\n", len(results), plural(len(results), "check", "checks"))
	return nil
}

// slow notes a check that took a second or more.
func slow(d time.Duration) string {
	if d < time.Second {
		return ""
	}
	return "(took " + d.Round(100*time.Millisecond).String() + ")"
}

// oneLine keeps a multi-line error (errors.Join) on one table row.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }
