package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

var (
	eddyBinOnce sync.Once
	eddyBin     string
	eddyBinErr  error
)

// MustBuildEddy builds the eddy binary once per test run.
func MustBuildEddy(tb testing.TB) string {
	tb.Helper()
	eddyBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "eddy-bin-")
		if err != nil {
			eddyBinErr = err
			return
		}
		eddyBin = filepath.Join(dir, "eddy")
		if out, err := exec.Command("go", "build", "-o", eddyBin, ".").CombinedOutput(); err != nil {
			eddyBinErr = fmt.Errorf("build eddy: %v\n%s", err, out)
		}
	})
	if eddyBinErr != nil {
		tb.Fatal(eddyBinErr)
	}
	return eddyBin
}

// MustServe starts `eddy serve` as a child process on a free port and
// returns it with its URL.
func MustServe(tb testing.TB, bin, dataDir string, args ...string) (*exec.Cmd, string) {
	tb.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--port", "0", "--data", dataDir}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`address=(http://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-urls:
		return cmd, u
	case <-time.After(30 * time.Second):
		tb.Fatal("eddy serve did not report its address")
	}
	return nil, ""
}

func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the eddy binary")
	}
	bin := MustBuildEddy(t)
	cmd, url := MustServe(t, bin, t.TempDir())
	c := lambda.NewFromConfig(awsConfig(url), func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	MustCreateEcho(t, c, "slow", 10)
	pid := decode(t, MustInvoke(t, c, "slow", `{"action":"whoami"}`).Payload)["pid"].(float64)

	// An invocation under way when SIGTERM arrives still completes.
	done := make(chan *lambda.InvokeOutput, 1)
	errs := make(chan error, 1)
	marker := filepath.Join(t.TempDir(), "started")
	go func() {
		out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("slow"),
			Payload: []byte(`{"action":"sleep","ms":1500,"touch":"` + marker + `"}`)})
		if err != nil {
			errs <- err
			return
		}
		done <- out
	}()
	waitFor(t, 5*time.Second, "the slow invocation to start", func() bool {
		_, err := os.Stat(marker)
		return err == nil
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case out := <-done:
		if out.FunctionError != nil || string(out.Payload) != `{"slept":1500}` {
			t.Fatalf("in-flight invocation: got %s %v", out.Payload, out.FunctionError)
		}
	case err := <-errs:
		t.Fatalf("in-flight invocation failed: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("in-flight invocation did not complete")
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("eddy exited with %v, want status 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("eddy did not exit after SIGTERM")
	}
	// The instance process is gone.
	waitFor(t, 5*time.Second, "the function instance to stop", func() bool {
		return syscall.Kill(int(pid), 0) != nil
	})
}
