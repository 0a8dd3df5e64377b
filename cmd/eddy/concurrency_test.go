package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func TestReservedConcurrencyThrottles(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "capped", 10)
	put := func(n int32) {
		t.Helper()
		if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{
			FunctionName: aws.String("capped"), ReservedConcurrentExecutions: aws.Int32(n)}); err != nil {
			t.Fatal(err)
		}
	}

	// Reserved concurrency 0 throttles every invoke, with Lambda's reason.
	put(0)
	status, h, doc := rawLambda(t, m, "POST", "/2015-03-31/functions/capped/invocations", `{}`, nil)
	if status != 429 || h.Get("X-Amzn-ErrorType") != "TooManyRequestsException" || doc["Reason"] != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Fatalf("concurrency 0: got %d %s %v", status, h.Get("X-Amzn-ErrorType"), doc)
	}
	_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("capped")})
	mustFailWith(t, err, "TooManyRequestsException", 429)

	// An event is accepted, waits while throttled, and runs once allowed.
	ran := t.TempDir() + "/ran"
	id, err := invokeEvent(ctx, c, "capped", `{"action":"append","path":"`+ran+`"}`)
	if err != nil {
		t.Fatal(err)
	}
	put(1)
	waitFor(t, 20*time.Second, "the throttled event to run", func() bool {
		got := lines(ran)
		return len(got) == 1 && got[0] == id
	})

	// Reserved concurrency 1: while one invoke runs, a second is throttled.
	// The event's instance may hold the one slot for a moment after its
	// line was written: wait until an invoke gets through.
	waitFor(t, 10*time.Second, "the event's concurrency to be released", func() bool {
		_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("capped"), Payload: []byte(`{}`)})
		return err == nil
	})
	marker := t.TempDir() + "/started"
	done := make(chan error, 1)
	go func() {
		_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("capped"),
			Payload: []byte(`{"action":"sleep","ms":1500,"touch":"` + marker + `"}`)})
		done <- err
	}()
	waitFor(t, 10*time.Second, "the first invoke to start", func() bool { return fileExists(marker) })
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("capped"), Payload: []byte(`{}`)})
	mustFailWith(t, err, "TooManyRequestsException", 429)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if res := MustInvoke(t, c, "capped", `{"after":1}`); string(res.Payload) != `{"after":1}` {
		t.Fatalf("after the first finished: got %s", res.Payload)
	}

	// Without reserved concurrency, parallel invokes all run.
	if _, err := c.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("capped")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("capped"), Payload: []byte(`{"action":"sleep","ms":300}`)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestNodeInstanceCap(t *testing.T) {
	m := MustStartMain(t, Config{NodeMaxInstances: 1})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "first", 10)
	MustCreateEcho(t, c, "second", 10)
	MustInvoke(t, c, "first", `{}`)
	// The idle instance of "first" makes room for "second".
	if res := MustInvoke(t, c, "second", `{"b":1}`); string(res.Payload) != `{"b":1}` {
		t.Fatalf("second: got %s", res.Payload)
	}
	// While "second" is busy, "first" cannot get an instance: throttled.
	marker := t.TempDir() + "/started"
	done := make(chan error, 1)
	go func() {
		_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("second"),
			Payload: []byte(`{"action":"sleep","ms":1000,"touch":"` + marker + `"}`)})
		done <- err
	}()
	waitFor(t, 10*time.Second, "second to be busy", func() bool { return fileExists(marker) })
	status, _, doc := rawLambda(t, m, "POST", "/2015-03-31/functions/first/invocations", `{}`, nil)
	if status != 429 || doc["Reason"] != "ConcurrentInvocationLimitExceeded" {
		t.Fatalf("over the node's cap: got %d %v", status, doc)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if res := MustInvoke(t, c, "first", `{"a":1}`); string(res.Payload) != `{"a":1}` {
		t.Fatalf("first after: got %s", res.Payload)
	}
}

func TestAliasRoutingAndVersions(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "routed", 5)
	v1, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("routed")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("routed"), ZipFile: MustEchoZip(t, "2")}); err != nil {
		t.Fatal(err)
	}
	v2, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("routed")})
	if err != nil {
		t.Fatal(err)
	}
	// A version runs its own code, and says so in X-Amz-Executed-Version.
	for _, v := range []*lambda.PublishVersionOutput{v1, v2} {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("routed"), Qualifier: v.Version, Payload: []byte(`{"action":"whoami"}`)})
		if err != nil {
			t.Fatal(err)
		}
		who := decode(t, out.Payload)
		if who["version"] != aws.ToString(v.Version) || aws.ToString(out.ExecutedVersion) != aws.ToString(v.Version) {
			t.Fatalf("version %s: ran build %v, executed version %s", aws.ToString(v.Version), who["version"], aws.ToString(out.ExecutedVersion))
		}
		if who["functionArn"] != aws.ToString(v.FunctionArn) {
			t.Fatalf("invoked ARN: got %v, want %s", who["functionArn"], aws.ToString(v.FunctionArn))
		}
	}
	// An alias sends 30% of invocations to version 2.
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("routed"), Name: aws.String("live"),
		FunctionVersion: v1.Version, RoutingConfig: &types.AliasRoutingConfiguration{
			AdditionalVersionWeights: map[string]float64{aws.ToString(v2.Version): 0.3}}}); err != nil {
		t.Fatal(err)
	}
	const n = 400
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("routed:live"), Payload: []byte(`{"action":"whoami"}`)})
		if err != nil {
			t.Fatal(err)
		}
		who := decode(t, out.Payload)
		if who["version"] != aws.ToString(out.ExecutedVersion) {
			t.Fatalf("alias: ran build %v but executed version says %s", who["version"], aws.ToString(out.ExecutedVersion))
		}
		if !strings.HasSuffix(who["functionArn"].(string), ":live") {
			t.Fatalf("invoked through the alias, the function saw ARN %v", who["functionArn"])
		}
		counts[aws.ToString(out.ExecutedVersion)]++
	}
	// 30% of 400 is 120, with a standard deviation of about 9.
	if got := counts[aws.ToString(v2.Version)]; got < 120-40 || got > 120+40 {
		t.Fatalf("version 2 served %d of %d invokes through a 0.3 weight, want about 120 (%v)", got, n, counts)
	}
	// An alias of a version that is gone cannot be invoked.
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("routed"), Qualifier: aws.String("nosuchalias")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
}

func TestProvisionedConcurrencyPrewarms(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "warm", 5)
	v, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("warm")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("warm"), Qualifier: v.Version, ProvisionedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "two provisioned instances", func() bool {
		return m.Runtime.FunctionStats("us-east-1", "warm").Idle >= 2
	})
	// The first invoke finds an initialised instance: no Init Duration.
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("warm"), Qualifier: v.Version,
		LogType: types.LogTypeTail, Payload: []byte(`{"action":"whoami"}`)})
	if err != nil {
		t.Fatal(err)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if strings.Contains(string(tail), "Init Duration") || !strings.Contains(string(tail), "REPORT RequestId") {
		t.Fatalf("first invoke of a provisioned version: log tail %q, want a REPORT without Init Duration", tail)
	}
	if env := decode(t, out.Payload)["env"]; !strings.Contains(toString(env), "AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency") {
		t.Fatalf("provisioned instance environment: %v", env)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	MustCreateEcho(t, c, "measured", 5)
	MustInvoke(t, c, "measured", `{}`)
	MustInvoke(t, c, "measured", `{"action":"error","message":"x"}`)
	res, err := http.Get(m.URL() + "/_eddy/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`eddy_function_invocations_total{function="measured",version="$LATEST"} 2`,
		`eddy_function_errors_total{function="measured",type="error",version="$LATEST"} 1`,
		`eddy_function_cold_starts_total{function="measured"} 1`,
		`eddy_function_duration_seconds_count{function="measured"} 2`,
		`eddy_function_instances{function="measured"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics: missing %s", want)
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
