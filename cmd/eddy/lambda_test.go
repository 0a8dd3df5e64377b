package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func TestCreateAndInvokeGoFunction(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	zip := MustEchoZip(t, "1")
	out := MustCreate(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("echo"),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Code:         &types.FunctionCode{ZipFile: zip},
		Environment:  &types.Environment{Variables: map[string]string{"GREETING": "hello"}},
		MemorySize:   aws.Int32(256),
		Description:  aws.String("echo function"),
		Tags:         map[string]string{"team": "eddy"},
	})
	sum := sha256.Sum256(zip)
	if got, want := aws.ToString(out.CodeSha256), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Fatalf("CodeSha256: got %s, want %s", got, want)
	}
	if got, want := out.CodeSize, int64(len(zip)); got != want {
		t.Fatalf("CodeSize: got %d, want %d", got, want)
	}
	if got, want := aws.ToString(out.FunctionArn), "arn:aws:lambda:us-east-1:000000000000:function:echo"; got != want {
		t.Fatalf("FunctionArn: got %s, want %s", got, want)
	}
	if out.State != types.StateActive || aws.ToString(out.Version) != "$LATEST" || aws.ToInt32(out.Timeout) != 3 {
		t.Fatalf("got state %s version %s timeout %d, want Active $LATEST 3", out.State, aws.ToString(out.Version), aws.ToInt32(out.Timeout))
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-0700", aws.ToString(out.LastModified)); err != nil {
		t.Fatalf("LastModified %q: %v", aws.ToString(out.LastModified), err)
	}

	// Synchronous invoke: the event comes back unchanged.
	res := MustInvoke(t, c, "echo", `{"hello":"world","n":[1,2,3]}`)
	if res.StatusCode != 200 || res.FunctionError != nil {
		t.Fatalf("got status %d error %v, want 200 and no function error", res.StatusCode, res.FunctionError)
	}
	if got, want := string(res.Payload), `{"hello":"world","n":[1,2,3]}`; got != want {
		t.Fatalf("payload: got %s, want %s", got, want)
	}
	if got := aws.ToString(res.ExecutedVersion); got != "$LATEST" {
		t.Fatalf("ExecutedVersion: got %q, want $LATEST", got)
	}

	// The function sees the Lambda environment and context.
	who := decode(t, MustInvoke(t, c, "echo", map[string]string{"action": "whoami"}).Payload)
	if who["function"] != "echo" || who["memory"] != float64(256) || who["region"] != "us-east-1" {
		t.Fatalf("whoami: got %v", who)
	}
	if who["endpoint"] != m.URL() {
		t.Fatalf("AWS_ENDPOINT_URL: got %v, want %s", who["endpoint"], m.URL())
	}
	if who["functionArn"] != "arn:aws:lambda:us-east-1:000000000000:function:echo" {
		t.Fatalf("invoked function ARN: got %v", who["functionArn"])
	}
	if ms, _ := who["remainingMs"].(float64); ms <= 0 || ms > 3000 {
		t.Fatalf("remaining time: got %v ms, want within the 3 s timeout", who["remainingMs"])
	}
	env := fmt.Sprint(who["env"])
	mustContain(t, env, "GREETING=hello")
	mustContain(t, env, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST")
	if strings.Contains(env, "GOPATH=") || strings.Contains(env, "HOME=") {
		t.Fatalf("the function inherited eddy's environment: %s", env)
	}

	// GetFunction, GetFunctionConfiguration, ListFunctions.
	got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Tags["team"] != "eddy" || aws.ToString(got.Configuration.Description) != "echo function" {
		t.Fatalf("GetFunction: got tags %v description %q", got.Tags, aws.ToString(got.Configuration.Description))
	}
	if got.Code == nil || !strings.HasPrefix(aws.ToString(got.Code.Location), "http") {
		t.Fatalf("GetFunction: code location %v", got.Code)
	}
	cfg, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: out.FunctionArn})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Environment.Variables["GREETING"] != "hello" {
		t.Fatalf("configuration environment: got %v", cfg.Environment.Variables)
	}
	tags, err := c.ListTags(ctx, &lambda.ListTagsInput{Resource: out.FunctionArn})
	if err != nil || tags.Tags["team"] != "eddy" {
		t.Fatalf("ListTags: got %v, %v", tags, err)
	}
}

func TestInvokeTypesAndErrors(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "fn", 1)

	dry, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Fatalf("DryRun: got %v, %v; want 204", dry, err)
	}
	ev, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || ev.StatusCode != 202 {
		t.Fatalf("Event: got %v, %v; want 202", ev, err)
	}

	// A handled error: 200, X-Amz-Function-Error, the error document.
	res := MustInvoke(t, c, "fn", map[string]string{"action": "error", "message": "boom"})
	if res.StatusCode != 200 || aws.ToString(res.FunctionError) != "Unhandled" {
		t.Fatalf("error: got status %d function error %q", res.StatusCode, aws.ToString(res.FunctionError))
	}
	doc := decode(t, res.Payload)
	if doc["errorMessage"] != "boom" || doc["errorType"] != "errorString" {
		t.Fatalf("error document: got %v", doc)
	}

	// A panic: an error, and the next request gets a fresh instance. On a
	// function of its own, which has one instance: the Event invoke above
	// may still be running on a second instance of fn.
	MustCreateEcho(t, c, "fn-panic", 1)
	before := decode(t, MustInvoke(t, c, "fn-panic", map[string]string{"action": "whoami"}).Payload)["stream"]
	res = MustInvoke(t, c, "fn-panic", map[string]string{"action": "panic", "message": "oh no"})
	if aws.ToString(res.FunctionError) != "Unhandled" {
		t.Fatalf("panic: got function error %q, payload %s", aws.ToString(res.FunctionError), res.Payload)
	}
	mustContain(t, string(res.Payload), "oh no")
	after := decode(t, MustInvoke(t, c, "fn-panic", map[string]string{"action": "whoami"}).Payload)["stream"]
	if before == after {
		t.Fatalf("after a panic the same instance (%v) served again", after)
	}

	// A process that exits without answering.
	res = MustInvoke(t, c, "fn", map[string]string{"action": "exit"})
	doc = decode(t, res.Payload)
	if aws.ToString(res.FunctionError) != "Unhandled" || doc["errorType"] != "Runtime.ExitError" {
		t.Fatalf("exit: got %q %v", aws.ToString(res.FunctionError), doc)
	}

	// A timeout: Sandbox.Timedout after the function's 1 s.
	res = MustInvoke(t, c, "fn", map[string]any{"action": "sleep", "ms": 5000})
	doc = decode(t, res.Payload)
	if aws.ToString(res.FunctionError) != "Unhandled" || doc["errorType"] != "Sandbox.Timedout" {
		t.Fatalf("timeout: got %q %v", aws.ToString(res.FunctionError), doc)
	}
	mustContain(t, doc["errorMessage"].(string), "Task timed out after 1.00 seconds")
	// And the function works again afterwards.
	if res := MustInvoke(t, c, "fn", `{"ok":true}`); string(res.Payload) != `{"ok":true}` {
		t.Fatalf("after timeout: got %s", res.Payload)
	}

	// Log tail: START, the function's lines, END and REPORT.
	tail, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), LogType: types.LogTypeTail,
		Payload: []byte(`{"action":"log","lines":3}`)})
	if err != nil {
		t.Fatal(err)
	}
	text, err := base64.StdEncoding.DecodeString(aws.ToString(tail.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"START RequestId: ", "Version: $LATEST", "line 1 of 3", "line 3 of 3", "END RequestId: ", "REPORT RequestId: ", "Duration: ", "Billed Duration: ", "Memory Size: 128 MB", "Max Memory Used: "} {
		mustContain(t, string(text), want)
	}

	// Client context reaches the function.
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	res, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), ClientContext: aws.String(cc), Payload: []byte(`{"action":"whoami"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, res.Payload)["clientContext"]; fmt.Sprint(got) != "map[k:v]" {
		t.Fatalf("client context: got %v", got)
	}

	// A response over 6 MB is a function error.
	MustCreateEcho(t, c, "big", 30)
	res = MustInvoke(t, c, "big", map[string]any{"action": "big", "bytes": 6*1024*1024 + 10})
	if doc := decode(t, res.Payload); doc["errorType"] != "Function.ResponseSizeTooLarge" {
		t.Fatalf("large response: got %v", doc)
	}
}

func TestConcurrencyAndWarmReuse(t *testing.T) {
	m := MustStartMain(t, Config{MaxInstances: 8})
	c := MustLambda(t, m)
	MustCreateEcho(t, c, "par", 10)

	// Consecutive invokes reuse one warm instance.
	first := decode(t, MustInvoke(t, c, "par", `{"action":"whoami"}`).Payload)["stream"]
	for i := 0; i < 5; i++ {
		if got := decode(t, MustInvoke(t, c, "par", `{"action":"whoami"}`).Payload)["stream"]; got != first {
			t.Fatalf("invoke %d ran on %v, want the warm instance %v", i, got, first)
		}
	}

	// N parallel slow invokes run on up to N instances, and all succeed.
	const n = 6
	var wg sync.WaitGroup
	streams := make(chan string, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("par"),
				Payload: []byte(`{"action":"sleep","ms":300}`)})
			if err != nil {
				errs <- err
				return
			}
			if out.FunctionError != nil {
				errs <- fmt.Errorf("function error: %s", out.Payload)
				return
			}
			who := decode(t, MustInvoke(t, c, "par", `{"action":"whoami"}`).Payload)
			streams <- fmt.Sprint(who["stream"])
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if st := m.Runtime.FunctionStats("us-east-1", "par"); st.Instances < 2 || st.Instances > n {
		t.Fatalf("got %d instances for %d parallel invokes, want between 2 and %d", st.Instances, n, n)
	}

	// More parallel requests than the cap wait for an instance: all succeed.
	var failures sync.Map
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("par"),
				Payload: []byte(fmt.Sprintf(`{"i":%d}`, i))})
			if err != nil || string(out.Payload) != fmt.Sprintf(`{"i":%d}`, i) {
				failures.Store(i, fmt.Sprint(err))
			}
		}(i)
	}
	wg.Wait()
	failures.Range(func(k, v any) bool { t.Errorf("invoke %v failed: %v", k, v); return true })
	if st := m.Runtime.FunctionStats("us-east-1", "par"); st.Instances > 8 {
		t.Fatalf("got %d instances, want at most the cap of 8", st.Instances)
	}
}

func TestUpdateFunctionCodeAndConfiguration(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "upd", 3)
	if v := decode(t, MustInvoke(t, c, "upd", `{"action":"whoami"}`).Payload)["version"]; v != "1" {
		t.Fatalf("got build %v, want 1", v)
	}
	zip2 := MustEchoZip(t, "2")
	out, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("upd"), ZipFile: zip2})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(zip2)
	if aws.ToString(out.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("CodeSha256 after update: got %s", aws.ToString(out.CodeSha256))
	}
	if v := decode(t, MustInvoke(t, c, "upd", `{"action":"whoami"}`).Payload)["version"]; v != "2" {
		t.Fatalf("after UpdateFunctionCode got build %v, want 2", v)
	}

	cfg, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("upd"), MemorySize: aws.Int32(512),
		Environment: &types.Environment{Variables: map[string]string{"MODE": "new"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(cfg.MemorySize) != 512 || aws.ToString(cfg.RevisionId) == aws.ToString(out.RevisionId) {
		t.Fatalf("update configuration: got memory %d revision %s", aws.ToInt32(cfg.MemorySize), aws.ToString(cfg.RevisionId))
	}
	who := decode(t, MustInvoke(t, c, "upd", `{"action":"whoami"}`).Payload)
	if who["memory"] != float64(512) || !strings.Contains(fmt.Sprint(who["env"]), "MODE=new") {
		t.Fatalf("after UpdateFunctionConfiguration: got %v", who)
	}

	// A stale RevisionId is refused.
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("upd"), Timeout: aws.Int32(5), RevisionId: out.RevisionId,
	})
	mustFailWith(t, err, "PreconditionFailedException", 412)

	// Delete, then everything about it is 404.
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("upd")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("upd")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
}

func TestListFunctionsPaging(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	zip := MustEchoZip(t, "1")
	for i := 0; i < 7; i++ {
		MustCreate(t, c, &lambda.CreateFunctionInput{FunctionName: aws.String(fmt.Sprintf("f%02d", i)),
			Runtime: types.RuntimeProvidedal2, Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: zip}})
	}
	var names []string
	p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{MaxItems: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if got, want := strings.Join(names, ","), "f00,f01,f02,f03,f04,f05,f06"; got != want || pages != 3 {
		t.Fatalf("got %s in %d pages, want %s in 3", got, pages, want)
	}
}

func TestFunctionLogsAreStored(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	logs := MustLogs(t, m)
	MustCreateEcho(t, c, "logger", 3)
	res := MustInvoke(t, c, "logger", `{"action":"log","lines":2}`)
	if res.FunctionError != nil {
		t.Fatalf("got function error %s", res.Payload)
	}
	var text string
	waitFor(t, 10*time.Second, "the invocation's log events", func() bool {
		out, err := logs.FilterLogEvents(context.Background(), cloudwatchlogsFilter{group: "/aws/lambda/logger"}.input())
		if err != nil {
			return false
		}
		var b strings.Builder
		for _, e := range out.Events {
			b.WriteString(aws.ToString(e.Message))
		}
		text = b.String()
		return strings.Contains(text, "REPORT RequestId:")
	})
	for _, want := range []string{"START RequestId:", "line 1 of 2", "line 2 of 2", "END RequestId:", "Init Duration:"} {
		mustContain(t, text, want)
	}
}
