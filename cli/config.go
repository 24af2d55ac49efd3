package cli

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/config"
)

func (p *program) configCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the configuration, secrets masked",
		Long: `Print the configuration the app runs with as KEY=value lines, sorted by key.
Secrets never appear: fields of type config.Secret, fields tagged
secret:"true" and keys that name a secret (…PASSWORD, …TOKEN, …SECRET) show
"******" when set, and URLs lose their password. 'check' validates the
configuration.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !asJSON {
				return config.Write(cmd.OutOrStdout(), p.s.cfg)
			}
			entries := config.Redacted(p.s.cfg)
			m := make(map[string]string, len(entries))
			for _, e := range entries {
				m[e.Key] = e.Value
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(m)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object of keys and values")
	return cmd
}
