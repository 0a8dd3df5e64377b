package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	stypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/eddyserverless/eddy/apps/tweet-search-event-source/searchfake"
)

// scheduledEvent is the event a Schedule rule sends its target.
const scheduledEvent = `{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",` +
	`"source":"aws.events","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"us-east-1",` +
	`"resources":["arn:aws:events:us-east-1:000000000000:rule/tweets"],"detail":{}}`

// TestTweetSearchEventSource deploys the tweet-search-event-source
// application from source in stream mode against a fake search API, checks
// that a poll without credentials fails saying what to store, then stores
// them, polls a few times while tweets arrive, and checks that the
// processor received every tweet exactly once, in batches, and that the
// checkpoint holds the newest id.
func TestTweetSearchEventSource(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	lc := MustLambda(t, m)

	api := searchfake.New()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	_, dir := MustRecorder(t, lc, "tweet-processor")

	out, _, err := runCLI(t, m, deployCommand(), "-t", "../../apps/tweet-search-event-source/template.yaml",
		"--stack-name", "tweets",
		"--param", "SearchText=#eddy",
		"--param", "TweetProcessorFunctionName=tweet-processor",
		"--param", "StreamModeEnabled=true",
		"--param", "BatchSize=15",
		"--param", "SSMParameterPrefix=/tweets-e2e",
		"--param", "SearchApiBaseUrl="+srv.URL,
		// The schedule stays out of the way: the test polls by invoking.
		"--param", "PollingFrequencyInMinutes=60")
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	mustContain(t, out, "CREATE_COMPLETE")
	poller := outputValue(t, out, "TwitterSearchPollerFunctionName")
	table := outputValue(t, out, "SearchCheckpointTableName")
	arn := outputValue(t, out, "TwitterSearchPollerFunctionArn")
	if !strings.HasSuffix(arn, ":function:"+poller) {
		t.Fatalf("got poller ARN %s for %s", arn, poller)
	}
	// PollingFrequencyInMinutes 60 is a plural rate.
	checkSchedule(t, m, arn, "rate(60 minutes)")
	mustContain(t, outputValue(t, out, "SearchCheckpointTableArn"), ":table/"+table)

	// Without credentials a poll fails and says what to store.
	res, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(poller), Payload: []byte(scheduledEvent)})
	if err != nil {
		t.Fatalf("invoke poller: %v", err)
	}
	if res.FunctionError == nil {
		t.Fatalf("a poll without credentials succeeded: %s", res.Payload)
	}
	mustContain(t, string(res.Payload), "no credentials under /tweets-e2e/: store consumer_key")
	if len(api.Requests()) != 0 {
		t.Fatal("the poller searched without credentials")
	}

	sc := MustSSM(t, m)
	for k, v := range map[string]string{"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "ats"} {
		if _, err := sc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/tweets-e2e/" + k), Value: aws.String(v), Type: stypes.ParameterTypeSecureString}); err != nil {
			t.Fatalf("put parameter %s: %v", k, err)
		}
	}

	poll := func() {
		t.Helper()
		res, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(poller), Payload: []byte(scheduledEvent)})
		if err != nil {
			t.Fatalf("invoke poller: %v", err)
		}
		if res.FunctionError != nil {
			t.Fatalf("poller failed: %s: %s", aws.ToString(res.FunctionError), res.Payload)
		}
	}
	api.Add(230)
	api.After = func(n int) {
		if n == 2 {
			api.Add(25) // arrive while the first poll pages backward
		}
	}
	poll()
	api.Add(40)
	poll()
	poll() // nothing new

	want := api.IDs()
	got := waitTweets(t, dir, len(want), 60*time.Second)
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("tweet %s delivered twice", id)
		}
		seen[id] = true
	}
	for _, id := range want {
		if !seen[id] {
			t.Errorf("tweet %s never delivered", id)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d tweets delivered, want %d", len(got), len(want))
	}

	db := MustDynamo(t, m)
	item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]dtypes.AttributeValue{"id": &dtypes.AttributeValueMemberS{Value: "checkpoint"}}})
	if err != nil {
		t.Fatalf("get checkpoint: %v", err)
	}
	n, ok := item.Item["since_id"].(*dtypes.AttributeValueMemberN)
	if !ok || n.Value != want[len(want)-1] {
		t.Fatalf("checkpoint: got %v, want since_id %s", item.Item, want[len(want)-1])
	}

	// A frequency of 1 is a singular rate (checked last: the rule now
	// fires every minute).
	out, _, err = runCLI(t, m, deployCommand(), "-t", "../../apps/tweet-search-event-source/template.yaml",
		"--stack-name", "tweets", "--param", "PollingFrequencyInMinutes=1")
	if err != nil {
		t.Fatalf("update: %v\n%s", err, out)
	}
	checkSchedule(t, m, arn, "rate(1 minute)")
}

// waitTweets waits until the recorder in dir received n tweets in all and
// returns their ids, each batch checked to hold at most 15 tweets, oldest
// first.
func waitTweets(t *testing.T, dir string, n int, timeout time.Duration) []string {
	t.Helper()
	var ids []string
	waitFor(t, timeout, "tweets at the processor", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(files)
		ids = ids[:0]
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return false
			}
			var batch []struct {
				IDStr string `json:"id_str"`
			}
			if json.Unmarshal(data, &batch) != nil {
				return false // still being written, or not tweets: the wait fails
			}
			if len(batch) == 0 || len(batch) > 15 {
				t.Fatalf("processor got a batch of %d tweets, want 1 to 15", len(batch))
			}
			var b []string
			for _, tw := range batch {
				b = append(b, tw.IDStr)
			}
			if s := searchfake.Sorted(b); strings.Join(s, ",") != strings.Join(b, ",") {
				t.Fatalf("batch not oldest first: %v", b)
			}
			ids = append(ids, b...)
		}
		return len(ids) >= n
	})
	return ids
}

// checkSchedule checks the schedule of the one rule that targets fn.
func checkSchedule(t *testing.T, m *Main, fn, want string) {
	t.Helper()
	ctx := context.Background()
	eb := MustEventBridge(t, m)
	rules, err := eb.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(fn)})
	if err != nil || len(rules.RuleNames) != 1 {
		t.Fatalf("rules targeting %s: got %v, %v; want one", fn, rules, err)
	}
	rule, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(rules.RuleNames[0])})
	if err != nil {
		t.Fatalf("describe rule: %v", err)
	}
	if got := aws.ToString(rule.ScheduleExpression); got != want {
		t.Fatalf("got schedule %q, want %s", got, want)
	}
}
