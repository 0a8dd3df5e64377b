package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3Buckets runs S3 through boto3 (testdata/boto3_buckets.py), with
// botocore's default checksums: buckets, objects and their headers, ranges
// and conditions, upload_file and download_file in parts, the
// list_objects_v2 paginator, copies, delete_objects, tagging, presigned
// URLs and the error codes boto3 reports. CI sets EDDY_REQUIRE_BOTO3=1 so
// that it cannot skip.
func TestBoto3Buckets(t *testing.T) {
	skipExternalInShort(t)
	t.Parallel()
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		if os.Getenv("EDDY_REQUIRE_BOTO3") == "1" {
			t.Fatalf("boto3 is not installed: %s", out)
		}
		t.Skip("boto3 is not installed")
	}
	cmd := exec.Command("python3", "testdata/boto3_buckets.py", s3URL(t))
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	if onMoto {
		cmd.Env = append(cmd.Env, "EDDY_ON_MOTO=1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "boto3 buckets: ok") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
