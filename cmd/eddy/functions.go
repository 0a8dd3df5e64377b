package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"
)

func functionsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "functions", Short: "List, show and delete functions"}

	var lc clientFlags
	list := &cobra.Command{
		Use: "list", Short: "List functions", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tRUNTIME\tHANDLER\tMEMORY\tTIMEOUT\tLAST MODIFIED")
			p := lambda.NewListFunctionsPaginator(lc.lambda(), &lambda.ListFunctionsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(cmd.Context())
				if err != nil {
					return err
				}
				for _, f := range page.Functions {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", aws.ToString(f.FunctionName), f.Runtime,
						aws.ToString(f.Handler), aws.ToInt32(f.MemorySize), aws.ToInt32(f.Timeout), aws.ToString(f.LastModified))
				}
			}
			return tw.Flush()
		},
	}
	lc.add(list)

	var gc clientFlags
	get := &cobra.Command{
		Use: "get NAME", Short: "Show a function's configuration as JSON", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := gc.lambda().GetFunction(cmd.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(args[0])})
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"Configuration": out.Configuration, "Code": out.Code, "Tags": out.Tags})
		},
	}
	gc.add(get)

	var dc clientFlags
	del := &cobra.Command{
		Use: "delete NAME", Short: "Delete a function", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := dc.lambda().DeleteFunction(cmd.Context(), &lambda.DeleteFunctionInput{FunctionName: aws.String(args[0])})
			return err
		},
	}
	dc.add(del)
	cmd.AddCommand(list, get, del)
	return cmd
}
