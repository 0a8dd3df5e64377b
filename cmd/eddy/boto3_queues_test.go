package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3Queues runs SQS through boto3 (testdata/boto3_queues.py): queues
// standard and FIFO, attributes, tags, message attributes and their MD5s,
// long polling, visibility, batches, redrive and move tasks, purge, and the
// error codes boto3 reports. CI sets EDDY_REQUIRE_BOTO3=1 so that it cannot
// skip.
func TestBoto3Queues(t *testing.T) {
	skipExternalInShort(t)
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		if os.Getenv("EDDY_REQUIRE_BOTO3") == "1" {
			t.Fatalf("boto3 is not installed: %s", out)
		}
		t.Skip("boto3 is not installed")
	}
	m := MustStartMain(t, Config{})
	cmd := exec.Command("python3", "testdata/boto3_queues.py", m.URL())
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "boto3 queues: ok") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
