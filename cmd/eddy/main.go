// Command eddy runs serverless applications the way AWS runs them, on one
// machine or several: `eddy serve` starts the server; the other subcommands
// are clients of its AWS APIs.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := &cobra.Command{
		Use:           "eddy",
		Short:         "eddy runs serverless applications locally, the way AWS runs them",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(upCommand(), serveCommand(), handlerCommand(), invokeCommand(), functionsCommand(), logsCommand(), benchCommand(),
		deployCommand(), stacksCommand(), validateCommand(), appsCommand(), simCommand())
	if err := root.ExecuteContext(ctx); err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			os.Exit(int(ex))
		}
		fmt.Fprintln(os.Stderr, "eddy:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status and no further message.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
