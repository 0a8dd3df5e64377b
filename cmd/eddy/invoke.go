package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/spf13/cobra"
)

func invokeCommand() *cobra.Command {
	var c clientFlags
	var payload string
	var async, showLog bool
	cmd := &cobra.Command{
		Use:   "invoke NAME",
		Short: "Invoke a function and print its response",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := readPayload(payload)
			if err != nil {
				return err
			}
			in := &lambda.InvokeInput{FunctionName: aws.String(args[0]), Payload: body}
			if async {
				in.InvocationType = types.InvocationTypeEvent
			}
			if showLog && !async {
				in.LogType = types.LogTypeTail
			}
			out, err := c.lambda().Invoke(cmd.Context(), in)
			if err != nil {
				return err
			}
			if async {
				fmt.Fprintf(cmd.ErrOrStderr(), "accepted (%d)\n", out.StatusCode)
				return nil
			}
			if showLog && out.LogResult != nil {
				text, _ := base64.StdEncoding.DecodeString(*out.LogResult)
				fmt.Fprint(cmd.ErrOrStderr(), string(text))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", out.Payload)
			if out.FunctionError != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "function error: %s\n", *out.FunctionError)
				return exitError(2)
			}
			return nil
		},
	}
	c.add(cmd)
	cmd.Flags().StringVar(&payload, "payload", "", "event JSON, or @FILE to read it from a file")
	cmd.Flags().BoolVar(&async, "async", false, "invoke asynchronously (InvocationType Event)")
	cmd.Flags().BoolVar(&showLog, "log", false, "print the invocation's log tail to stderr")
	return cmd
}

func readPayload(p string) ([]byte, error) {
	if name, ok := strings.CutPrefix(p, "@"); ok {
		return os.ReadFile(name)
	}
	if p == "" {
		return nil, nil
	}
	return []byte(p), nil
}
