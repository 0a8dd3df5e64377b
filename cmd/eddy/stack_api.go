package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
)

// describeStack returns a stack by name or id.
func describeStack(ctx context.Context, cfn *cloudformation.Client, stack string) (*types.Stack, error) {
	out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return nil, err
	}
	if len(out.Stacks) == 0 {
		return nil, fmt.Errorf("stack %s: %w", stack, errNoStack)
	}
	return &out.Stacks[0], nil
}

// errNoStack is a DescribeStacks answer without the stack asked for.
var errNoStack = errors.New("does not exist")

// writeOutputs prints outputs as a table headed "Outputs:", or nothing.
// An AWS address of an API or a function URL, as a template's Outputs
// write it.
var awsInvokeURL = regexp.MustCompile(`^https://([a-z0-9]+)\.(execute-api|lambda-url)\.[a-z0-9-]+\.(?:amazonaws\.com|on\.aws)(/.*)?$`)

// eddyURL returns the address on eddy (at endpoint) of an API's or a
// function URL's AWS address, or "" for any other value.
func eddyURL(endpoint, value string) string {
	m := awsInvokeURL.FindStringSubmatch(value)
	if m == nil || endpoint == "" {
		return ""
	}
	prefix := "/_api/"
	if m[2] == "lambda-url" {
		prefix = "/_url/"
	}
	path := m[3]
	if path == "" {
		path = "/"
	}
	return strings.TrimRight(endpoint, "/") + prefix + m[1] + path
}

// writeOutputs prints a stack's outputs; an API's or function URL's AWS
// address is followed by where it answers on eddy at endpoint.
func writeOutputs(out io.Writer, endpoint string, outputs []types.Output) {
	if len(outputs) == 0 {
		return
	}
	fmt.Fprintln(out, "Outputs:")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tDESCRIPTION")
	for _, o := range outputs {
		v := aws.ToString(o.OutputValue)
		fmt.Fprintf(tw, "%s\t%s\t%s\n", aws.ToString(o.OutputKey), v, aws.ToString(o.Description))
		if u := eddyURL(endpoint, v); u != "" {
			fmt.Fprintf(tw, "\t%s\t(on eddy)\n", u)
		}
	}
	tw.Flush()
}

// isNotFound reports whether err says a stack does not exist.
func isNotFound(err error) bool {
	if errors.Is(err, errNoStack) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist")
}

// apiMessage shortens an API error to the service's code and message,
// which is what a user needs to read.
func apiMessage(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
