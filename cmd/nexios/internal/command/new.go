package command

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/cmd/nexios/internal/localmod"
	"github.com/nexios-go/nexios/cmd/nexios/internal/scaffold"
)

func newCommand(s Streams) *cobra.Command {
	var o scaffold.Options
	var local string
	var noTidy bool
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a project",
		Long: `new writes a project in the directory NAME: an app that builds, passes its
tests and serves with no other service (a SQLite file, jobs on River in it,
mail kept for the development inbox), with settings, health probes (/livez,
/readyz), OpenAPI and its docs at /docs, a first resource (notes) and its
migration, tests, .env.example and a README. Then it runs go mod tidy.

While the Nexios modules are not published, the project's go.mod points at a
local checkout with replace directives: --local PATH, by default the
checkout this tool was built from when it can tell (a tool built with go
build or go install inside a checkout can; use --local off for the
published modules).`,
		Example: `  nexios new blog
  nexios new shop --template web --db postgres --module github.com/acme/shop
  nexios new demo --local ~/src/nexios`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Out, o.Tidy = args[0], s.Out, !noTidy
			c, err := checkout(local)
			if err != nil {
				return err
			}
			o.Checkout = c
			root, err := scaffold.New(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "\nNext:\n  cd %s\n  go test ./...\n  nexios dev      # or: go run .\n", root)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DB, "db", "sqlite", "default database: "+strings.Join(scaffold.Databases, " or "))
	f.StringVar(&o.Template, "template", "api", "api, or web (adds HTML templates and static files)")
	f.StringVar(&o.Module, "module", "", "module path (default NAME)")
	f.StringVar(&o.Dir, "dir", ".", "directory to create the project in")
	f.StringVar(&local, "local", "", `Nexios checkout to point go.mod at ("off": the published modules; default: the checkout the tool was built from)`)
	f.BoolVar(&noTidy, "no-tidy", false, "do not run go mod tidy")
	return cmd
}

// checkout resolves --local: a path, "off", or "" for the checkout the
// tool was built from (none when it cannot tell).
func checkout(local string) (*localmod.Checkout, error) {
	switch local {
	case "off":
		return nil, nil
	case "":
		if local = localmod.Find(); local == "" {
			return nil, nil
		}
	}
	return localmod.Open(local)
}
