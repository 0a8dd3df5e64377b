package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/spf13/cobra"
)

// validateCommand is `eddy validate`.
func validateCommand() *cobra.Command {
	var c clientFlags
	var template string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a template with eddy's CloudFormation and show its parameters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := findTemplate(template)
			if err != nil {
				return err
			}
			body, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			// The body goes as it is: local code paths are valid in a SAM
			// template, and CloudFormation does not read them.
			res, err := c.cloudformation().ValidateTemplate(cmd.Context(), &cloudformation.ValidateTemplateInput{
				TemplateBody: aws.String(string(body)),
			})
			if err != nil {
				return fmt.Errorf("%s: %w", path, apiMessage(err))
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s is valid\n", path)
			if d := aws.ToString(res.Description); d != "" {
				fmt.Fprintf(out, "Description: %s\n", d)
			}
			if len(res.Parameters) > 0 {
				fmt.Fprintln(out, "Parameters:")
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KEY\tDEFAULT\tNOECHO\tDESCRIPTION")
				for _, p := range res.Parameters {
					fmt.Fprintf(tw, "%s\t%s\t%t\t%s\n", aws.ToString(p.ParameterKey), aws.ToString(p.DefaultValue),
						aws.ToBool(p.NoEcho), aws.ToString(p.Description))
				}
				tw.Flush()
			}
			if len(res.Capabilities) > 0 {
				fmt.Fprintf(out, "Capabilities: %v\n", res.Capabilities)
				if r := aws.ToString(res.CapabilitiesReason); r != "" {
					fmt.Fprintf(out, "  %s\n", r)
				}
			}
			if len(res.DeclaredTransforms) > 0 {
				fmt.Fprintf(out, "Transforms: %v\n", res.DeclaredTransforms)
			}
			return nil
		},
	}
	c.add(cmd)
	cmd.Flags().StringVarP(&template, "template", "t", "", "the template (default template.yaml, then template.yml)")
	return cmd
}
