package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/spf13/cobra"
)

func logsCommand() *cobra.Command {
	var c clientFlags
	var follow bool
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "logs NAME",
		Short: "Print a function's logs (/aws/lambda/NAME); -f follows them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			group := args[0]
			if !strings.HasPrefix(group, "/") {
				group = "/aws/lambda/" + group
			}
			client := c.logs()
			ctx := cmd.Context()
			start := time.Now().Add(-since).UnixMilli()
			var token *string
			seen := map[string]bool{}
			for {
				out, err := client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
					LogGroupName: aws.String(group), StartTime: aws.Int64(start), NextToken: token,
				})
				if err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
				for _, e := range out.Events {
					id := aws.ToString(e.EventId)
					if seen[id] {
						continue
					}
					seen[id] = true
					if ts := aws.ToInt64(e.Timestamp); ts > start {
						start = ts
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s %s", aws.ToString(e.LogStreamName), aws.ToString(e.Message))
					if !strings.HasSuffix(aws.ToString(e.Message), "\n") {
						fmt.Fprintln(cmd.OutOrStdout())
					}
				}
				if out.NextToken != nil {
					token = out.NextToken
					continue
				}
				if !follow {
					return nil
				}
				token = nil
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(500 * time.Millisecond):
				}
			}
		},
	}
	c.add(cmd)
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new events")
	cmd.Flags().DurationVar(&since, "since", time.Hour, "how far back to start")
	return cmd
}
