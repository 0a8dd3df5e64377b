package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3Tables runs the common DynamoDB path through boto3's resource
// API (testdata/boto3_tables.py). CI sets EDDY_REQUIRE_BOTO3=1 so that it
// cannot skip.
func TestBoto3Tables(t *testing.T) {
	skipExternalInShort(t)
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		if os.Getenv("EDDY_REQUIRE_BOTO3") == "1" {
			t.Fatalf("boto3 is not installed: %s", out)
		}
		t.Skip("boto3 is not installed")
	}
	m := MustStartMain(t, Config{})
	cmd := exec.Command("python3", "testdata/boto3_tables.py", m.URL())
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "boto3 tables: ok") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
