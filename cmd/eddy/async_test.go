package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lines returns the non-empty lines of a file ("" if it does not exist).
func lines(path string) []string {
	data, _ := os.ReadFile(path)
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// invokeEvent sends an Event invoke and returns the request id of the 202.
func invokeEvent(ctx context.Context, c *lambda.Client, name, payload string) (string, error) {
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name),
		InvocationType: types.InvocationTypeEvent, Payload: []byte(payload)})
	if err != nil {
		return "", err
	}
	if out.StatusCode != 202 {
		return "", fmt.Errorf("got status %d, want 202", out.StatusCode)
	}
	id, _ := middleware.GetRequestIDMetadata(out.ResultMetadata)
	return id, nil
}

func TestAsyncEventsRun(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes func(t *testing.T) []*Main
	}{
		{"embedded", func(t *testing.T) []*Main { return []*Main{MustStartMain(t, Config{})} }},
		{"two nodes on one NATS", func(t *testing.T) []*Main {
			url := MustNATS(t)
			return []*Main{MustStartMain(t, Config{NATSURL: url}), MustStartMain(t, Config{NATSURL: url})}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes := tc.nodes(t)
			c := MustLambda(t, nodes[0])
			MustCreateEcho(t, c, "async", 5)
			file := filepath.Join(t.TempDir(), "ran")
			var ids []string
			for i := 0; i < 40; i++ {
				node := nodes[i%len(nodes)]
				id, err := invokeEvent(context.Background(), MustLambda(t, node), "async", `{"action":"append","path":"`+file+`"}`)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			waitFor(t, 60*time.Second, "every event to run", func() bool { return len(lines(file)) >= len(ids) })
			ran := map[string]int{}
			for _, l := range lines(file) {
				ran[l]++
			}
			for _, id := range ids {
				if ran[id] != 1 {
					t.Errorf("event %s ran %d times, want once", id, ran[id])
				}
			}
		})
	}
}

// TestAsyncEventsSurviveKill9 kills eddy with SIGKILL in the middle of a
// burst of Event invokes and restarts it on the same data directory: every
// event that got a 202 must run at least once.
func TestAsyncEventsSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the eddy binary")
	}
	bin := MustBuildEddy(t)
	data := t.TempDir()
	file := filepath.Join(t.TempDir(), "ran")
	cmd, url := MustServe(t, bin, data, "--async-ack-wait", "2s")
	c := lambda.NewFromConfig(awsConfig(url), func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	MustCreateEcho(t, c, "crash", 10)
	payload := `{"action":"append","path":"` + file + `"}`

	var mu sync.Mutex
	var accepted []string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				id, err := invokeEvent(ctx, c, "crash", payload)
				if err != nil {
					return // eddy is gone
				}
				mu.Lock()
				accepted = append(accepted, id)
				n := len(accepted)
				mu.Unlock()
				if n >= 2000 {
					return
				}
			}
		}()
	}
	waitFor(t, 20*time.Second, "a few hundred accepted events", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(accepted) >= 300
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()
	mu.Lock()
	ids := append([]string(nil), accepted...)
	mu.Unlock()
	t.Logf("%d events accepted before the kill; %d had run", len(ids), len(lines(file)))

	_, _ = MustServe(t, bin, data, "--async-ack-wait", "2s")
	waitFor(t, 90*time.Second, "every accepted event to run after the restart", func() bool {
		ran := map[string]bool{}
		for _, l := range lines(file) {
			ran[l] = true
		}
		for _, id := range ids {
			if !ran[id] {
				return false
			}
		}
		return true
	})
}
