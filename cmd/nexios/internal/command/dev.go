package command

import "github.com/spf13/cobra"

func devCommand(s Streams) *cobra.Command {
	return &cobra.Command{Use: "dev", Short: "Run the app, rebuilding and restarting it on every change"}
}
