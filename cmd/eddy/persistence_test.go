package main

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nats-io/nats-server/v2/server"
)

func TestFunctionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir})
	c := MustLambda(t, m)
	MustCreateEcho(t, c, "durable", 3)
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}

	m2 := MustStartMain(t, Config{DataDir: dir})
	c2 := MustLambda(t, m2)
	got, err := c2.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("durable")})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if aws.ToInt32(got.Configuration.Timeout) != 3 {
		t.Fatalf("after restart: got timeout %d, want 3", aws.ToInt32(got.Configuration.Timeout))
	}
	if res := MustInvoke(t, c2, "durable", `{"after":"restart"}`); string(res.Payload) != `{"after":"restart"}` {
		t.Fatalf("after restart: got %s", res.Payload)
	}
}

// MustNATS starts a NATS server with JetStream listening on a random
// loopback port and returns its URL.
func MustNATS(tb testing.TB) string {
	tb.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: tb.TempDir(), NoSigs: true, MaxPayload: 8 << 20,
	})
	if err != nil {
		tb.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10e9) {
		tb.Fatal("nats server not ready")
	}
	tb.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s.ClientURL()
}

func TestTwoNodesShareOneNATS(t *testing.T) {
	url := MustNATS(t)
	a := MustStartMain(t, Config{NATSURL: url})
	b := MustStartMain(t, Config{NATSURL: url})
	ca, cb := MustLambda(t, a), MustLambda(t, b)

	MustCreateEcho(t, ca, "shared", 3)
	// The other node sees it at once (a miss in its cache reads the bucket)…
	if res := MustInvoke(t, cb, "shared", `{"node":"b"}`); string(res.Payload) != `{"node":"b"}` {
		t.Fatalf("node b: got %s", res.Payload)
	}
	if res := MustInvoke(t, ca, "shared", `{"node":"a"}`); string(res.Payload) != `{"node":"a"}` {
		t.Fatalf("node a: got %s", res.Payload)
	}
	// …and an update made on one node is what the other runs next.
	if _, err := cb.UpdateFunctionCode(context.Background(), &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String("shared"), ZipFile: MustEchoZip(t, "2"),
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5e9, "node a to run the new code", func() bool {
		return decode(t, MustInvoke(t, ca, "shared", `{"action":"whoami"}`).Payload)["version"] == "2"
	})
	list, err := ca.ListFunctions(context.Background(), &lambda.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 {
		t.Fatalf("node a lists %v, %v; want the one function", list, err)
	}
	// Both nodes serve invokes concurrently.
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		for _, c := range []*lambda.Client{ca, cb} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("shared"), Payload: []byte(`{"x":1}`)}); err != nil || string(res.Payload) != `{"x":1}` {
					t.Errorf("concurrent invoke: %v %v", res, err)
				}
			}()
		}
	}
	wg.Wait()
}

func TestTwoEddyProcessesShareOneNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the eddy binary")
	}
	url := MustNATS(t)
	bin := MustBuildEddy(t)
	_, urlA := MustServe(t, bin, t.TempDir(), "--nats", url)
	_, urlB := MustServe(t, bin, t.TempDir(), "--nats", url)
	ca := lambda.NewFromConfig(awsConfig(urlA), func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	cb := lambda.NewFromConfig(awsConfig(urlB), func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	MustCreateEcho(t, ca, "across", 3)
	for _, c := range []*lambda.Client{cb, ca} {
		if res := MustInvoke(t, c, "across", `{"p":1}`); string(res.Payload) != `{"p":1}` {
			t.Fatalf("got %s", res.Payload)
		}
	}
	if _, err := cb.DeleteFunction(context.Background(), &lambda.DeleteFunctionInput{FunctionName: aws.String("across")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5e9, "node a to see the delete", func() bool {
		_, err := ca.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("across")})
		return err != nil
	})
}
