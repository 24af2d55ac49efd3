package command

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/cmd/nexios/internal/gen"
	"github.com/nexios-go/nexios/cmd/nexios/internal/resource"
)

func generateCommand(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "generate",
		Aliases: []string{"g"},
		Short:   "Generate code in a project made by nexios new",
	}
	cmd.AddCommand(resourceCommand(s))
	return cmd
}

func resourceCommand(s Streams) *cobra.Command {
	var plural string
	var force bool
	cmd := &cobra.Command{
		Use:   "resource NAME FIELD:TYPE[:MODIFIER…]…",
		Short: "Generate a model, its migration, CRUD handlers, OpenAPI docs and tests",
		Long: `resource writes, in the project of the current directory:

  app/NAME.go          the model (db tags), typed handlers under /api/PLURAL:
                       list (page, limit, search, sort, order), create (201,
                       409 on a unique field), get, replace, patch (404 when
                       missing), delete (204), documented for OpenAPI
  app/NAME_test.go     a test of every route, passing as generated
  migrations/sqlite/NNNNN_create_PLURAL.sql, migrations/postgres/…
                       the table, for both databases

and registers the routes in app/routes.go.

Types: ` + strings.Join(resource.KindNames(), ", ") + ` (string when omitted).
Modifiers: ` + strings.Join(resource.Modifiers, ", ") + `.`,
		Example: `  nexios generate resource post title:string:unique body:text published:bool
  nexios g resource person name email:email:unique born:time:optional --plural people`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := resource.NewSpec(args[0], plural, args[1:])
			if err != nil {
				return err
			}
			root, err := projectRoot()
			if err != nil {
				return err
			}
			return generateResource(root, spec, force, s)
		},
	}
	cmd.Flags().StringVar(&plural, "plural", "", "the plural, when the guess is wrong (person → people is known)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the resource's Go files")
	return cmd
}

// ErrNoProject is returned outside a project made by nexios new.
var ErrNoProject = errors.New("not in a project made by nexios new (no go.mod with app/routes.go and migrations/ above the current directory)")

// projectRoot is the nearest directory at or above the working directory
// with a go.mod, app/routes.go and migrations/.
func projectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isProject(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoProject
		}
		dir = parent
	}
}

func isProject(dir string) bool {
	for _, p := range []string{"go.mod", "app/routes.go", "migrations"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

func generateResource(root string, spec resource.Spec, force bool, s Streams) error {
	files, err := resource.Files(spec)
	if err != nil {
		return err
	}
	if err := gen.Write(root, files, force); err != nil {
		return err
	}
	paths, err := resource.WriteMigration(filepath.Join(root, "migrations"), spec)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(s.Out, "wrote", f.Path)
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintln(s.Out, "wrote", rel)
	}
	routes := filepath.Join(root, "app", "routes.go")
	if err := resource.Register(routes, spec); err != nil {
		if errors.Is(err, resource.ErrNoMarker) {
			fmt.Fprintln(s.Err, "nexios:", err)
			return nil
		}
		return err
	}
	fmt.Fprintf(s.Out, "registered %s in app/routes.go\n\nNext: go test ./...  (the routes are at %s)\n", spec.RegisterCall(), spec.Route())
	return nil
}
