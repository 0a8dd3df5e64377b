package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// runCLI runs an eddy client command against the server and returns what it
// printed to stdout and stderr.
func runCLI(t *testing.T, m *Main, cmd *cobra.Command, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append(args, "--endpoint", m.URL()))
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestClientCommands(t *testing.T) {
	m := MustStartMain(t, Config{})
	MustCreateEcho(t, MustLambda(t, m), "cli", 3)

	out, errOut, err := runCLI(t, m, invokeCommand(), "cli", "--payload", `{"via":"eddy invoke"}`, "--log")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != `{"via":"eddy invoke"}` {
		t.Fatalf("eddy invoke: got %q", out)
	}
	mustContain(t, errOut, "REPORT RequestId:")

	_, errOut, err = runCLI(t, m, invokeCommand(), "cli", "--payload", `{"action":"error","message":"bad"}`)
	if code, ok := err.(exitError); !ok || code != 2 {
		t.Fatalf("eddy invoke of a failing function: got %v, want exit status 2", err)
	}
	mustContain(t, errOut, "function error: Unhandled")

	if _, errOut, err = runCLI(t, m, invokeCommand(), "cli", "--async"); err != nil || !strings.Contains(errOut, "202") {
		t.Fatalf("eddy invoke --async: got %q, %v", errOut, err)
	}

	out, _, err = runCLI(t, m, functionsCommand(), "list")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "cli")
	mustContain(t, out, "provided.al2023")

	out, _, err = runCLI(t, m, functionsCommand(), "get", "cli")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, `"FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:cli"`)

	waitFor(t, 10*time.Second, "eddy logs to show the invocation", func() bool {
		out, _, err := runCLI(t, m, logsCommand(), "cli")
		return err == nil && strings.Contains(out, `REPORT RequestId:`) && strings.Contains(out, "START RequestId:")
	})

	if _, _, err := runCLI(t, m, functionsCommand(), "delete", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, m, functionsCommand(), "get", "cli"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("get after delete: got %v, want ResourceNotFoundException", err)
	}
}

func TestIdleInstancesAreReaped(t *testing.T) {
	m := MustStartMain(t, Config{IdleTimeout: 300 * time.Millisecond})
	c := MustLambda(t, m)
	MustCreateEcho(t, c, "idle", 3)
	MustInvoke(t, c, "idle", `{}`)
	if st := m.Runtime.FunctionStats("us-east-1", "idle"); st.Instances != 1 {
		t.Fatalf("got %d instances after one invoke, want 1", st.Instances)
	}
	waitFor(t, 10*time.Second, "the idle instance to be reaped", func() bool {
		return m.Runtime.FunctionStats("us-east-1", "idle").Instances == 0
	})
	// A new request starts a fresh instance.
	if res := MustInvoke(t, c, "idle", `{"again":1}`); string(res.Payload) != `{"again":1}` {
		t.Fatalf("after reaping: got %s", res.Payload)
	}
}
