package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// samApp returns testdata/sam-app.yaml with the code at s3://bucket/key;
// v2 is the update, which drops the scheduled function and adds a queue.
func samApp(t *testing.T, bucket, key string, v2 bool) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/sam-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = template.Must(template.New("sam-app").Parse(string(raw))).Execute(&b, struct {
		Bucket, Key string
		V2          bool
	}{bucket, key, v2})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// mustExecuteChangeSet creates a change set, waits until it is ready,
// executes it and waits for the stack to settle. It returns the stack and
// the change set's changes by logical id.
func mustExecuteChangeSet(t *testing.T, c *cloudformation.Client, in *cloudformation.CreateChangeSetInput) (cfntypes.Stack, map[string]cfntypes.ChangeAction) {
	t.Helper()
	ctx := context.Background()
	cs, err := c.CreateChangeSet(ctx, in)
	if err != nil {
		t.Fatalf("create change set: %v", err)
	}
	changes := map[string]cfntypes.ChangeAction{}
	waitFor(t, 20*time.Second, "change set "+aws.ToString(in.ChangeSetName), func() bool {
		out, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status == cfntypes.ChangeSetStatusFailed {
			t.Fatalf("change set failed: %s", aws.ToString(out.StatusReason))
		}
		if out.Status != cfntypes.ChangeSetStatusCreateComplete {
			return false
		}
		for _, ch := range out.Changes {
			changes[aws.ToString(ch.ResourceChange.LogicalResourceId)] = ch.ResourceChange.Action
		}
		return true
	})
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatalf("execute change set: %v", err)
	}
	return waitStack(t, c, aws.ToString(in.StackName)), changes
}

func stackOutputs(st cfntypes.Stack) map[string]string {
	out := map[string]string{}
	for _, o := range st.Outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return out
}

// waitEvent waits until a recording function has received an event and
// decodes the first into v.
func waitEvent(t *testing.T, dir, what string, v any) {
	t.Helper()
	var recs [][]byte
	waitFor(t, 20*time.Second, what, func() bool {
		recs = readRecordsNow(dir)
		return len(recs) > 0
	})
	if err := json.Unmarshal(recs[0], v); err != nil {
		t.Fatalf("%s: %v in %s", what, err, recs[0])
	}
}

// whoamiVersion invokes an echofn function's whoami and returns the
// version it was built as.
func whoamiVersion(t *testing.T, c *lambda.Client, name string) string {
	t.Helper()
	out := MustInvoke(t, c, name, map[string]string{"action": "whoami"})
	if out.FunctionError != nil {
		t.Fatalf("whoami of %s: %s", name, out.Payload)
	}
	v, _ := decode(t, out.Payload)["version"].(string)
	return v
}

// TestSAMDeployTriggers deploys one SAM template of Go functions through a
// change set and proves that each of its triggers (an Api event, an
// HttpApi event, an SQS queue, a DynamoDB stream, an S3 bucket's
// notifications and a schedule) delivers its event, as AWS shapes it, to
// its function; that an update changes the functions' code, adds a
// resource and removes one; and that deleting the stack leaves nothing
// behind but the code bucket.
func TestSAMDeployTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := &manualClock{now: start}
	m := MustStartMain(t, Config{EventsClock: clock})
	c := MustCloudFormation(t, m)
	s3c := MustS3(t, m.URL())
	q := MustSQS(t, m.URL())
	db := MustDynamo(t, m)
	lc := MustLambda(t, m)
	ag := MustAPIGateway(t, m)
	gw := MustAPIGatewayV2(t, m)
	eb := MustEventBridge(t, m)

	mustBucket(t, s3c, "code")
	mustPut(t, s3c, "code", "echofn-1.zip", MustEchoZip(t, "1"))
	dirs := map[string]string{}
	var params []cfntypes.Parameter
	for _, k := range []string{"ApiDir", "HttpDir", "QueueDir", "TableDir", "BucketDir", "ScheduleDir"} {
		dirs[k] = t.TempDir()
		params = append(params, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(dirs[k])})
	}
	caps := []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityAutoExpand}
	st, changes := mustExecuteChangeSet(t, c, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("sam-app"), ChangeSetName: aws.String("create"), ChangeSetType: cfntypes.ChangeSetTypeCreate,
		TemplateBody: aws.String(samApp(t, "code", "echofn-1.zip", false)), Parameters: params, Capabilities: caps,
	})
	if st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("create: %s %v", st.StackStatus, failureReasons(t, c, "sam-app"))
	}
	// The change set lists the transformed template's resources.
	for _, id := range []string{"ApiFunction", "ApiFunctionRole", "ServerlessRestApi", "ServerlessHttpApi", "QueueFunctionWork", "ScheduleFunctionTick"} {
		if changes[id] != cfntypes.ChangeActionAdd {
			t.Errorf("create change set: %s is %q, want Add (changes %v)", id, changes[id], changes)
		}
	}
	stackID := aws.ToString(st.StackId)
	outputs := stackOutputs(st)

	// Api: the output is the URL AWS would give; eddy serves the same API
	// under /_api/{id}/{stage}/.
	apiURL, err := url.Parse(outputs["ApiUrl"])
	if err != nil || !strings.HasSuffix(apiURL.Host, ".execute-api.us-east-1.amazonaws.com") || apiURL.Path != "/Prod/" {
		t.Fatalf("ApiUrl output: %q", outputs["ApiUrl"])
	}
	restID, _, _ := strings.Cut(apiURL.Host, ".")
	// echofn answers with the event itself, which is not a proxy
	// response: API Gateway reports that as a 502, as AWS does.
	wantStatus(t, request(t, m, "GET", "", "/_api/"+restID+"/Prod/hello?x=1", nil, nil), 502, "")
	var rest events.APIGatewayProxyRequest
	waitEvent(t, dirs["ApiDir"], "the Api event", &rest)
	if rest.Path != "/hello" || rest.HTTPMethod != "GET" || rest.Resource != "/hello" || rest.QueryStringParameters["x"] != "1" ||
		rest.RequestContext.Stage != "Prod" || rest.RequestContext.APIID != restID {
		t.Fatalf("Api event: %+v", rest)
	}

	// HttpApi: the $default stage answers at the API's root.
	httpID := outputs["HttpApiId"]
	g := request(t, m, "GET", "", "/_api/"+httpID+"/items", nil, nil)
	wantStatus(t, g, 200, "")
	var hev events.APIGatewayV2HTTPRequest
	waitEvent(t, dirs["HttpDir"], "the HttpApi event", &hev)
	if hev.RouteKey != "GET /items" || hev.RawPath != "/items" || hev.RequestContext.HTTP.Method != "GET" || hev.RequestContext.APIID != httpID {
		t.Fatalf("HttpApi event: %+v", hev)
	}

	// SQS
	MustSend(t, q, outputs["QueueUrl"], "", "hello queue")
	var sev events.SQSEvent
	waitEvent(t, dirs["QueueDir"], "the SQS event", &sev)
	if len(sev.Records) != 1 || sev.Records[0].Body != "hello queue" || sev.Records[0].EventSource != "aws:sqs" {
		t.Fatalf("SQS event: %+v", sev)
	}

	// DynamoDB stream
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(outputs["TableName"]), Item: map[string]dtypes.AttributeValue{
		"id": &dtypes.AttributeValueMemberS{Value: "one"}, "n": &dtypes.AttributeValueMemberN{Value: "7"},
	}}); err != nil {
		t.Fatal(err)
	}
	var dev events.DynamoDBEvent
	waitEvent(t, dirs["TableDir"], "the DynamoDB event", &dev)
	if len(dev.Records) != 1 || dev.Records[0].EventName != "INSERT" || dev.Records[0].EventSource != "aws:dynamodb" ||
		dev.Records[0].Change.NewImage["n"].Number() != "7" || dev.Records[0].Change.Keys["id"].String() != "one" {
		t.Fatalf("DynamoDB event: %+v", dev)
	}

	// S3: only keys under the filter's prefix notify.
	bucket := outputs["BucketName"]
	mustPut(t, s3c, bucket, "other/skipped.txt", []byte("no"))
	mustPut(t, s3c, bucket, "uploads/a.txt", []byte("yes"))
	var s3ev events.S3Event
	waitEvent(t, dirs["BucketDir"], "the S3 event", &s3ev)
	if len(s3ev.Records) != 1 || s3ev.Records[0].S3.Bucket.Name != bucket || s3ev.Records[0].S3.Object.Key != "uploads/a.txt" ||
		!strings.HasPrefix(s3ev.Records[0].EventName, "ObjectCreated:") {
		t.Fatalf("S3 event: %+v", s3ev)
	}

	// Schedule: move the clock a minute at a time until the rule fires.
	minutes := 0
	waitFor(t, 20*time.Second, "the scheduled event", func() bool {
		minutes++
		clock.Set(start.Add(time.Duration(minutes) * time.Minute))
		return len(readRecordsNow(dirs["ScheduleDir"])) > 0
	})
	if ev := cloudWatchEvent(t, readRecordsNow(dirs["ScheduleDir"])[0]); ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
		t.Fatalf("scheduled event: %+v", ev)
	}
	if len(readRecordsNow(dirs["BucketDir"])) != 1 {
		t.Fatalf("the S3 function saw a key outside its filter: %d events", len(readRecordsNow(dirs["BucketDir"])))
	}
	if v := whoamiVersion(t, lc, outputs["ApiFunctionName"]); v != "1" {
		t.Fatalf("version before the update: %q", v)
	}
	scheduleFn := outputs["ScheduleFunctionName"]

	// Update: new code, a queue added, the scheduled function removed.
	mustPut(t, s3c, "code", "echofn-2.zip", MustEchoZip(t, "2"))
	st, changes = mustExecuteChangeSet(t, c, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("sam-app"), ChangeSetName: aws.String("update"), ChangeSetType: cfntypes.ChangeSetTypeUpdate,
		TemplateBody: aws.String(samApp(t, "code", "echofn-2.zip", true)), Parameters: params, Capabilities: caps,
	})
	if st.StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s %v", st.StackStatus, failureReasons(t, c, "sam-app"))
	}
	for id, want := range map[string]cfntypes.ChangeAction{"Added": cfntypes.ChangeActionAdd, "ScheduleFunction": cfntypes.ChangeActionRemove,
		"ScheduleFunctionTick": cfntypes.ChangeActionRemove, "ApiFunction": cfntypes.ChangeActionModify} {
		if changes[id] != want {
			t.Errorf("update change set: %s is %q, want %s (changes %v)", id, changes[id], want, changes)
		}
	}
	outputs = stackOutputs(st)
	if v := whoamiVersion(t, lc, outputs["ApiFunctionName"]); v != "2" {
		t.Fatalf("version after the update: %q", v)
	}
	// The updated functions keep their triggers.
	before := len(readRecordsNow(dirs["HttpDir"]))
	wantStatus(t, request(t, m, "GET", "", "/_api/"+httpID+"/items", nil, nil), 200, "")
	waitFor(t, 20*time.Second, "the HttpApi event after the update", func() bool { return len(readRecordsNow(dirs["HttpDir"])) > before })
	MustSend(t, q, outputs["QueueUrl"], "", "after the update")
	waitFor(t, 20*time.Second, "the SQS event after the update", func() bool { return len(readRecordsNow(dirs["QueueDir"])) > 1 })
	if _, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(outputs["AddedUrl"])}); err != nil {
		t.Fatalf("the added queue: %v", err)
	}
	if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(scheduleFn)}); err == nil {
		t.Fatal("the removed scheduled function is still there")
	}
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil || len(rules.Rules) != 0 {
		t.Fatalf("rules after the schedule was removed: %+v %v", rules, err)
	}

	// Delete: a bucket must be empty to go, as in AWS.
	for _, key := range []string{"other/skipped.txt", "uploads/a.txt"} {
		if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("sam-app")}); err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, c, stackID); st.StackStatus != cfntypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s %v", st.StackStatus, failureReasons(t, c, stackID))
	}
	fns, err := lc.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(fns.Functions) != 0 {
		t.Errorf("functions left: %+v %v", fns, err)
	}
	esms, err := lc.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{})
	if err != nil || len(esms.EventSourceMappings) != 0 {
		t.Errorf("event source mappings left: %+v %v", esms, err)
	}
	queues, err := q.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil || len(queues.QueueUrls) != 0 {
		t.Errorf("queues left: %v %v", queues, err)
	}
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 0 {
		t.Errorf("tables left: %v %v", tables, err)
	}
	buckets, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 1 || aws.ToString(buckets.Buckets[0].Name) != "code" {
		t.Errorf("buckets left: %+v %v", buckets, err)
	}
	restAPIs, err := ag.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil || len(restAPIs.Items) != 0 {
		t.Errorf("REST APIs left: %+v %v", restAPIs, err)
	}
	httpAPIs, err := gw.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil || len(httpAPIs.Items) != 0 {
		t.Errorf("HTTP APIs left: %+v %v", httpAPIs, err)
	}
	rules, err = eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil || len(rules.Rules) != 0 {
		t.Errorf("rules left: %+v %v", rules, err)
	}
}

// rollbackTemplate makes two queues, then a function whose code is the
// object Key of the bucket "code": when that object does not exist,
// Lambda refuses the function after the queues were made.
const rollbackTemplate = `
Parameters:
  Key:
    Type: String
  Visibility:
    Type: Number
    Default: 30
Resources:
  First:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
  Second:
    Type: AWS::SQS::Queue
    DependsOn: First
  Fn:
    Type: AWS::Lambda::Function
    DependsOn: Second
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      Role: arn:aws:iam::000000000000:role/lambda-role
      Code:
        S3Bucket: code
        S3Key: !Ref Key
Outputs:
  FirstUrl:
    Value: !Ref First
  FnName:
    Value: !Ref Fn
`

// TestSAMDeployRollback proves that a stack whose resource the service
// refuses mid-way rolls back: the failed event names the resource and the
// service's reason and the resources made before it are deleted; that
// with DisableRollback they are kept; and that a failed update restores
// the resources it had already changed.
func TestSAMDeployRollback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := MustStartMain(t, Config{})
	c := MustCloudFormation(t, m)
	s3c := MustS3(t, m.URL())
	q := MustSQS(t, m.URL())
	lc := MustLambda(t, m)
	mustBucket(t, s3c, "code")
	mustPut(t, s3c, "code", "echofn.zip", MustEchoZip(t, "1"))

	create := func(name, key string, disableRollback bool) cfntypes.Stack {
		t.Helper()
		_, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{
			StackName: aws.String(name), TemplateBody: aws.String(rollbackTemplate), DisableRollback: aws.Bool(disableRollback),
			Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Key"), ParameterValue: aws.String(key)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return waitStack(t, c, name)
	}
	queuesOf := func(stack string) []string {
		t.Helper()
		out, err := q.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(stack + "-")})
		if err != nil {
			t.Fatal(err)
		}
		return out.QueueUrls
	}
	wantFnFailure := func(stack string) {
		t.Helper()
		reasons := failureReasons(t, c, stack)
		if !slices.ContainsFunc(reasons, func(r string) bool {
			return strings.HasPrefix(r, "Fn: ") && strings.Contains(r, "Error occurred while GetObject. S3 Error Code: NoSuchKey.")
		}) {
			t.Fatalf("failure reasons of %s: %v", stack, reasons)
		}
	}
	// statuses returns the statuses a resource went through, oldest first.
	statuses := func(stack, logical string) []string {
		t.Helper()
		out, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range slices.Backward(out.StackEvents) {
			if aws.ToString(e.LogicalResourceId) == logical {
				got = append(got, string(e.ResourceStatus))
			}
		}
		return got
	}

	// Rollback: the queues made before the function are deleted.
	if st := create("broken", "missing.zip", false); st.StackStatus != cfntypes.StackStatusRollbackComplete {
		t.Fatalf("broken: %s %v", st.StackStatus, failureReasons(t, c, "broken"))
	}
	wantFnFailure("broken")
	for _, id := range []string{"First", "Second"} {
		want := []string{"CREATE_IN_PROGRESS", "CREATE_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"}
		if got := statuses("broken", id); !slices.Equal(got, want) {
			t.Errorf("%s went through %v, want %v", id, got, want)
		}
	}
	if left := queuesOf("broken"); len(left) != 0 {
		t.Fatalf("queues left by the rollback: %v", left)
	}
	res, err := c.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("broken")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.StackResourceSummaries {
		if aws.ToString(r.LogicalResourceId) != "Fn" && r.ResourceStatus != cfntypes.ResourceStatusDeleteComplete {
			t.Errorf("%s after the rollback: %s", aws.ToString(r.LogicalResourceId), r.ResourceStatus)
		}
	}

	// DisableRollback: the stack stops at CREATE_FAILED, keeping what it
	// made; deleting it then deletes them.
	kept := create("kept", "missing.zip", true)
	if kept.StackStatus != cfntypes.StackStatusCreateFailed {
		t.Fatalf("kept: %s %v", kept.StackStatus, failureReasons(t, c, "kept"))
	}
	wantFnFailure("kept")
	if left := queuesOf("kept"); len(left) != 2 {
		t.Fatalf("queues kept: %v", left)
	}
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, c, aws.ToString(kept.StackId)); st.StackStatus != cfntypes.StackStatusDeleteComplete {
		t.Fatalf("delete kept: %s %v", st.StackStatus, failureReasons(t, c, aws.ToString(kept.StackId)))
	}
	if left := queuesOf("kept"); len(left) != 0 {
		t.Fatalf("queues left by the deletion: %v", left)
	}

	// A failed update: First's new VisibilityTimeout is applied before the
	// function's code is refused, and is restored by the rollback.
	if st := create("good", "echofn.zip", false); st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("good: %s %v", st.StackStatus, failureReasons(t, c, "good"))
	}
	outputs := stackOutputs(waitStack(t, c, "good"))
	_, err = c.UpdateStack(ctx, &cloudformation.UpdateStackInput{
		StackName: aws.String("good"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cfntypes.Parameter{
			{ParameterKey: aws.String("Key"), ParameterValue: aws.String("missing.zip")},
			{ParameterKey: aws.String("Visibility"), ParameterValue: aws.String("60")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, c, "good"); st.StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("failed update: %s %v", st.StackStatus, failureReasons(t, c, "good"))
	}
	wantFnFailure("good")
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(outputs["FirstUrl"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameVisibilityTimeout},
	})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "30" {
		t.Fatalf("First after the rollback: %v %v", attrs, err)
	}
	if v := whoamiVersion(t, lc, outputs["FnName"]); v != "1" {
		t.Fatalf("the function after the rollback: version %q", v)
	}
}

// chainTemplate returns a template of the queues P0…Pn-1 for each prefix
// P and count n, each depending on the one before, so that they are
// created one at a time: long enough for eddy to be stopped in the middle.
func chainTemplate(chains map[string]int) string {
	var b strings.Builder
	b.WriteString("Resources:\n")
	for _, p := range slices.Sorted(maps.Keys(chains)) {
		for i := range chains[p] {
			fmt.Fprintf(&b, "  %s%d:\n    Type: AWS::SQS::Queue\n", p, i)
			if i > 0 {
				fmt.Fprintf(&b, "    DependsOn: %s%d\n", p, i-1)
			}
		}
	}
	return b.String()
}

// TestStackResumeAfterRestart kills eddy (SIGKILL) while a stack's queues
// are being created, and again while an update adds queues, and proves
// that after each restart on the same data the stack reaches a terminal
// state and no queue is orphaned: each queue that exists is a live
// resource of its stack, a rolled back create leaves none and a rolled
// back update leaves the queues it had before.
func TestStackResumeAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills an eddy process")
	}
	t.Parallel()
	ctx := context.Background()
	bin := MustBuildEddy(t)
	dir := t.TempDir()
	var (
		cmd *exec.Cmd
		c   *cloudformation.Client
		q   *sqs.Client
	)
	serve := func() {
		var addr string
		cmd, addr = MustServe(t, bin, dir)
		c = cloudformation.NewFromConfig(awsConfig(addr), func(o *cloudformation.Options) { o.RetryMaxAttempts = 1 })
		q = MustSQS(t, addr)
	}
	// A queue's URL names the address eddy listens on, which changes
	// with each restart: queues are compared by their URLs' paths.
	path := func(u string) string {
		t.Helper()
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return p.Path
	}
	queues := func(prefix string) []string {
		t.Helper()
		list, err := q.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, u := range list.QueueUrls {
			paths = append(paths, path(u))
		}
		slices.Sort(paths)
		return paths
	}
	// killAfter kills eddy once n queues have the prefix, and restarts it.
	killAfter := func(prefix string, n int) {
		t.Helper()
		waitFor(t, 20*time.Second, "queues "+prefix, func() bool { return len(queues(prefix)) >= n })
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		serve()
	}
	// settled waits for the stack and checks that every queue of the
	// prefix is one of its live resources.
	settled := func(stackID, prefix string) (cfntypes.Stack, []string) {
		t.Helper()
		st := waitStack(t, c, stackID)
		res, err := c.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(stackID)})
		if err != nil {
			t.Fatal(err)
		}
		live := map[string]bool{}
		for _, r := range res.StackResourceSummaries {
			if r.ResourceStatus != cfntypes.ResourceStatusDeleteComplete {
				live[path(aws.ToString(r.PhysicalResourceId))] = true
			}
		}
		left := queues(prefix)
		for _, u := range left {
			if !live[u] {
				t.Errorf("queue %s is not a resource of the stack (%s)", u, st.StackStatus)
			}
		}
		return st, left
	}
	serve()

	// An interrupted create rolls back, or had finished.
	const n = 60
	out, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("resume"),
		TemplateBody: aws.String(chainTemplate(map[string]int{"Q": n}))})
	if err != nil {
		t.Fatal(err)
	}
	killAfter("resume-", 5)
	st, left := settled(aws.ToString(out.StackId), "resume-")
	switch {
	case st.StackStatus == cfntypes.StackStatusRollbackComplete && len(left) == 0:
	case st.StackStatus == cfntypes.StackStatusCreateComplete && len(left) == n:
	default:
		t.Fatalf("after the restart: %s with %d queues %v", st.StackStatus, len(left), failureReasons(t, c, aws.ToString(out.StackId)))
	}

	// An interrupted update rolls back, deleting the queues it added, or
	// had finished.
	out, err = c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("grow"),
		TemplateBody: aws.String(chainTemplate(map[string]int{"Q": 3}))})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, c, "grow"); st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("grow: %s %v", st.StackStatus, failureReasons(t, c, "grow"))
	}
	before := queues("grow-Q")
	if _, err := c.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("grow"),
		TemplateBody: aws.String(chainTemplate(map[string]int{"Q": 3, "R": n}))}); err != nil {
		t.Fatal(err)
	}
	killAfter("grow-R", 5)
	st, _ = settled(aws.ToString(out.StackId), "grow-")
	added := queues("grow-R")
	switch {
	case st.StackStatus == cfntypes.StackStatusUpdateRollbackComplete && len(added) == 0:
	case st.StackStatus == cfntypes.StackStatusUpdateComplete && len(added) == n:
	default:
		t.Fatalf("after the restart: %s with %d added queues %v", st.StackStatus, len(added), failureReasons(t, c, "grow"))
	}
	if got := queues("grow-Q"); !slices.Equal(got, before) {
		t.Fatalf("the queues from before the update: got %v, want %v", got, before)
	}
}
