package main

import "github.com/spf13/cobra"

func benchCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure eddy against the floor and its peers"}
	return cmd
}
