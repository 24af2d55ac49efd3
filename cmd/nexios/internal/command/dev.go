package command

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/cmd/nexios/internal/devserver"
)

func devCommand(s Streams) *cobra.Command {
	var cfg devserver.Config
	var buildFlags string
	cmd := &cobra.Command{
		Use:   "dev [-- APP ARGS…]",
		Short: "Run the app, rebuilding and restarting it on every change",
		Long: `dev builds the app of the current directory and runs it behind a small
proxy at --addr. On every change of a Go file (or go.mod, or an embedded file)
it rebuilds, stops the app (SIGTERM, then SIGKILL after --stop-timeout) and
starts the new build; requests made meanwhile wait for it.

While the build is broken the browser shows the compiler's output, and the
page reloads by itself when the app is back (a script is added to HTML
pages). Changes under the --live directories (web/templates, web/static)
reload the page without a rebuild: the app gets NEXIOS_DEV=1 and reads them
from disk. The app listens on the private address in $ADDR (and $PORT).`,
		Example: `  nexios dev
  nexios dev --addr 127.0.0.1:3000 -- -debug`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Args, cfg.Output = args, s.Err
			if buildFlags != "" {
				cfg.BuildFlags = strings.Fields(buildFlags)
			}
			srv, err := devserver.New(cfg)
			if err != nil {
				return err
			}
			return srv.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8000", "address the browser talks to")
	f.StringVar(&cfg.Dir, "dir", ".", "the project's root")
	f.StringVar(&cfg.Package, "package", ".", "the main package to build")
	f.StringVar(&buildFlags, "build-flags", "", `go build flags (default "-ldflags=-s -w -gcflags=MODULE/...=-N -l", and -tags=nexios_sqlite while DATABASE_URL is SQLite)`)
	f.StringSliceVar(&cfg.Live, "live", []string{"web/templates", "web/static"}, "directories reloaded without a rebuild")
	f.StringSliceVar(&cfg.Ignore, "ignore", nil, "more directory names not to watch")
	f.DurationVar(&cfg.Debounce, "debounce", 50*time.Millisecond, "quiet time that ends a burst of changes")
	f.DurationVar(&cfg.StopTimeout, "stop-timeout", 5*time.Second, "how long the app may take to stop before it is killed")
	return cmd
}
