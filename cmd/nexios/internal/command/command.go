// Package command is the nexios tool's command line (cobra): new,
// generate resource, dev and version.
package command

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Streams are where the commands read and write.
type Streams struct {
	Out, Err io.Writer
}

// Execute runs the tool with args (os.Args[1:]) and returns the exit
// code: 0, 1 for a failure, 2 for bad usage.
func Execute(ctx context.Context, args []string, s Streams) int {
	root := Root(s)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(s.Err, "nexios:", err)
		return 1
	}
	return 0
}

// Root returns the root command with every subcommand.
func Root(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "nexios",
		Short: "Start, develop and extend Nexios applications",
		Long: `nexios makes and works on Nexios for Go applications:

  nexios new blog                         a project that builds, tests and serves with no other service
  nexios dev                              rebuild and restart on every change; errors in the browser
  nexios generate resource post title:string body:text
                                          model, migration, handlers, OpenAPI docs and tests

The commands an application needs in production (serve, migrate, routes,
openapi, check…) are built into the application itself.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version(),
	}
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.AddCommand(newCommand(s), generateCommand(s), devCommand(s), versionCommand(s))
	return root
}

// Version is the tool's version: its module version when installed from
// a release, "devel" with the VCS revision when built from a checkout.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
	}
	return v
}

func versionCommand(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the tool's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo()
			goVersion := "unknown"
			if info != nil {
				goVersion = info.GoVersion
			}
			_, err := fmt.Fprintf(s.Out, "nexios %s (%s)\n", Version(), goVersion)
			return err
		},
	}
}
