package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/spf13/cobra"
)

// stacksCommand is `eddy stacks` and its list, describe and delete.
func stacksCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "stacks", Short: "List, describe and delete stacks"}

	var lc clientFlags
	list := &cobra.Command{
		Use: "list", Short: "List the stacks that are not deleted", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listStacks(cmd.Context(), lc.cloudformation(), cmd.OutOrStdout())
		},
	}
	lc.add(list)

	var dc clientFlags
	describe := &cobra.Command{
		Use: "describe NAME", Short: "Show a stack's status, parameters, outputs and resources", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return describeStackCLI(cmd.Context(), dc.cloudformation(), cmd.OutOrStdout(), args[0])
		},
	}
	dc.add(describe)

	var xc clientFlags
	del := &cobra.Command{
		Use: "delete NAME", Short: "Delete a stack and wait until it is gone", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return deleteStack(cmd.Context(), xc.cloudformation(), cmd.OutOrStdout(), args[0], stackPollInterval)
		},
	}
	xc.add(del)
	cmd.AddCommand(list, describe, del)
	return cmd
}

// listStacks prints every stack but the deleted ones.
func listStacks(ctx context.Context, cfn *cloudformation.Client, out io.Writer) error {
	var filter []types.StackStatus
	for _, s := range types.StackStatusDeleteComplete.Values() {
		if s != types.StackStatusDeleteComplete {
			filter = append(filter, s)
		}
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tLAST UPDATED")
	p := cloudformation.NewListStacksPaginator(cfn, &cloudformation.ListStacksInput{StackStatusFilter: filter})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return apiMessage(err)
		}
		for _, s := range page.StackSummaries {
			if s.StackStatus == types.StackStatusDeleteComplete {
				continue
			}
			at := s.LastUpdatedTime
			if at == nil {
				at = s.CreationTime
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", aws.ToString(s.StackName), s.StackStatus, formatTime(at))
		}
	}
	return tw.Flush()
}

// describeStackCLI prints a stack's status, parameters, outputs and
// resources.
func describeStackCLI(ctx context.Context, cfn *cloudformation.Client, out io.Writer, name string) error {
	st, err := describeStack(ctx, cfn, name)
	if err != nil {
		return apiMessage(err)
	}
	fmt.Fprintf(out, "Stack:   %s\nId:      %s\nStatus:  %s\n", aws.ToString(st.StackName), aws.ToString(st.StackId), st.StackStatus)
	if r := aws.ToString(st.StackStatusReason); r != "" {
		fmt.Fprintf(out, "Reason:  %s\n", r)
	}
	fmt.Fprintf(out, "Created: %s\n", formatTime(st.CreationTime))
	if st.LastUpdatedTime != nil {
		fmt.Fprintf(out, "Updated: %s\n", formatTime(st.LastUpdatedTime))
	}
	if len(st.Parameters) > 0 {
		fmt.Fprintln(out, "Parameters:")
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tVALUE")
		for _, p := range st.Parameters {
			v := aws.ToString(p.ResolvedValue)
			if v == "" {
				v = aws.ToString(p.ParameterValue)
			}
			fmt.Fprintf(tw, "%s\t%s\n", aws.ToString(p.ParameterKey), v)
		}
		tw.Flush()
	}
	writeOutputs(out, aws.ToString(cfn.Options().BaseEndpoint), st.Outputs)
	res, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: st.StackId})
	if err != nil {
		return apiMessage(err)
	}
	if len(res.StackResources) > 0 {
		fmt.Fprintln(out, "Resources:")
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGICAL ID\tTYPE\tPHYSICAL ID\tSTATUS")
		for _, r := range res.StackResources {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", aws.ToString(r.LogicalResourceId), aws.ToString(r.ResourceType),
				aws.ToString(r.PhysicalResourceId), r.ResourceStatus)
		}
		tw.Flush()
	}
	return nil
}

// deleteStack deletes a stack and prints its events until it is deleted.
// The stack is followed by its id, which still names it once deleted.
func deleteStack(ctx context.Context, cfn *cloudformation.Client, out io.Writer, name string, poll time.Duration) error {
	st, err := describeStack(ctx, cfn, name)
	if err != nil {
		return apiMessage(err)
	}
	id := aws.ToString(st.StackId)
	follow := newEventFollower(cfn, id, out)
	if err := follow.prime(ctx); err != nil {
		return apiMessage(err)
	}
	if _, err := cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(id)}); err != nil {
		return apiMessage(err)
	}
	defer follow.done()
	for {
		st, err := describeStack(ctx, cfn, id)
		gone := err != nil && isNotFound(err)
		if err != nil && !gone {
			return apiMessage(err)
		}
		if err := follow.poll(ctx); err != nil && !isNotFound(err) {
			return apiMessage(err)
		}
		switch {
		case gone || st.StackStatus == types.StackStatusDeleteComplete:
			follow.done()
			fmt.Fprintf(out, "Stack %s deleted\n", name)
			return nil
		case st.StackStatus == types.StackStatusDeleteFailed:
			follow.done()
			return stackFailure(out, name, st, follow)
		}
		if err := sleepCtx(ctx, poll); err != nil {
			return err
		}
	}
}

// formatTime prints a time in the local zone, or "-".
func formatTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
