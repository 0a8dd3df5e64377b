package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAWSCLIParameters drives the parameter store with the aws CLI: puts,
// SecureStrings read with and without decryption, a path paged through,
// history, labels, metadata, deletes, and the errors the CLI prints. Each
// CLI run takes a couple of seconds, so it runs few.
func TestAWSCLIParameters(t *testing.T) {
	eachAWSCLI(t, func(t *testing.T, awsPath string) {
		m := MustStartMain(t, Config{})
		cli := newAWSCLI(t, awsPath, m.URL())
		run := func(v any, args ...string) {
			t.Helper()
			out := cli.Run(append([]string{"ssm"}, args...)...)
			if v == nil {
				return
			}
			if err := json.Unmarshal([]byte(out), v); err != nil {
				t.Fatalf("aws ssm %s: output %q: %v", strings.Join(args, " "), out, err)
			}
		}
		type param struct {
			Name, Type, Value, ARN, DataType, Selector string
			Version                                    int64
			Labels                                     []string
			LastModifiedDate                           any
		}
		var put struct {
			Version int64
			Tier    string
		}
		run(&put, "put-parameter", "--name", "/cli/db/url", "--value", "postgres://db", "--type", "String", "--description", "the db")
		if put.Version != 1 || put.Tier != "Standard" {
			t.Fatalf("put-parameter: %+v", put)
		}
		run(&put, "put-parameter", "--name", "/cli/db/url", "--value", "postgres://db2", "--overwrite")
		run(nil, "put-parameter", "--name", "/cli/db/password", "--value", "s3cret!", "--type", "SecureString", "--tags", "Key=team,Value=core")

		var got struct{ Parameter param }
		run(&got, "get-parameter", "--name", "/cli/db/url")
		if got.Parameter.Value != "postgres://db2" || got.Parameter.Version != 2 || got.Parameter.ARN != "arn:aws:ssm:us-east-1:000000000000:parameter/cli/db/url" || got.Parameter.DataType != "text" {
			t.Fatalf("get-parameter: %+v", got.Parameter)
		}
		run(&got, "get-parameter", "--name", "/cli/db/password", "--with-decryption")
		if got.Parameter.Value != "s3cret!" {
			t.Fatalf("get-parameter secure with decryption: %+v", got.Parameter)
		}

		var many struct{ Parameters []param }
		// The CLI pages through, a parameter a page.
		run(&many, "get-parameters-by-path", "--path", "/cli", "--recursive", "--with-decryption", "--page-size", "1")
		if len(many.Parameters) != 2 {
			t.Fatalf("get-parameters-by-path: %+v", many)
		}
		for _, p := range many.Parameters {
			if p.Name == "/cli/db/password" && p.Value != "s3cret!" {
				t.Fatalf("get-parameters-by-path --with-decryption: %+v", p)
			}
		}

		var labeled struct {
			InvalidLabels    []string
			ParameterVersion int64
		}
		run(&labeled, "label-parameter-version", "--name", "/cli/db/url", "--parameter-version", "1", "--labels", "prod", "9bad")
		if labeled.ParameterVersion != 1 || len(labeled.InvalidLabels) != 1 || labeled.InvalidLabels[0] != "9bad" {
			t.Fatalf("label-parameter-version: %+v", labeled)
		}
		var hist struct{ Parameters []param }
		run(&hist, "get-parameter-history", "--name", "/cli/db/url")
		if len(hist.Parameters) != 2 || hist.Parameters[0].Value != "postgres://db" || len(hist.Parameters[0].Labels) != 1 || hist.Parameters[1].Version != 2 {
			t.Fatalf("get-parameter-history: %+v", hist)
		}

		var desc struct {
			Parameters []struct {
				Name, Type, Description, KeyId, Tier, LastModifiedUser string
				Version                                                int64
			}
		}
		run(&desc, "describe-parameters", "--parameter-filters", "Key=Type,Values=SecureString")
		if len(desc.Parameters) != 1 || desc.Parameters[0].KeyId != "alias/aws/ssm" || desc.Parameters[0].Name != "/cli/db/password" {
			t.Fatalf("describe-parameters: %+v", desc)
		}
		// Errors, as the CLI prints them.
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"get-parameter", "--name", "/cli/nope"}, "An error occurred (ParameterNotFound) when calling the GetParameter operation: Parameter /cli/nope not found."},
			{[]string{"put-parameter", "--name", "ssm-thing", "--value", "x", "--type", "String"}, `(ValidationException) when calling the PutParameter operation: Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`},
			{[]string{"get-parameters-by-path", "--path", "/cli", "--parameter-filters", "Key=Name,Values=x"}, "(InvalidFilterKey) when calling the GetParametersByPath operation: The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId]."},
		} {
			code, stderr := cli.Fail(append([]string{"ssm"}, tc.args...)...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("aws ssm %s: exit %d, %q; want %q", strings.Join(tc.args, " "), code, stderr, tc.want)
			}
		}

		var deleted struct{ DeletedParameters, InvalidParameters []string }
		run(&deleted, "delete-parameters", "--names", "/cli/db/url", "/cli/nope")
		if len(deleted.DeletedParameters) != 1 || len(deleted.InvalidParameters) != 1 {
			t.Fatalf("delete-parameters: %+v", deleted)
		}
	})
}
