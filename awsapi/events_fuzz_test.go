package awsapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/awsapi"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/eventbus"
)

var eventsOps = []string{"CreateEventBus", "DeleteEventBus", "DescribeEventBus", "ListEventBuses", "PutRule", "DescribeRule",
	"DeleteRule", "EnableRule", "DisableRule", "ListRules", "PutTargets", "RemoveTargets", "ListTargetsByRule",
	"ListRuleNamesByTarget", "TestEventPattern", "TagResource", "UntagResource", "ListTagsForResource", "PutEvents", "Nope"}

func mustEventsHandler(f *testing.F) *awsapi.Handler {
	f.Helper()
	e := engine.New(engine.Config{DataDir: f.TempDir()})
	if err := e.Open(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	s := eventbus.NewService(eventbus.Config{Engine: e})
	if err := s.Open(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	return &awsapi.Handler{Events: s, Scheduler: s}
}

// FuzzEventsJSON feeds arbitrary bodies to every EventBridge operation:
// each gets a result or a client error with its __type, never a fault.
func FuzzEventsJSON(f *testing.F) {
	for i := range eventsOps {
		f.Add(i, `{}`)
		f.Add(i, `{"Name":"r","EventPattern":"{\"source\":[\"a\"]}","Rule":"r","Targets":[{"Id":"a","Arn":"arn:aws:sqs:us-east-1:000000000000:q"}]}`)
		f.Add(i, `{"Entries":[{"Source":"a","DetailType":"b","Detail":"{}","Time":1.5e9}],"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/default"}`)
		f.Add(i, `{"Name":7}`)
		f.Add(i, `[`)
	}
	h := mustEventsHandler(f)
	f.Fuzz(func(t *testing.T, op int, body string) {
		if op < 0 {
			op = -op
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=0")
		req.Header.Set("X-Amz-Target", "AWSEvents."+eventsOps[op%len(eventsOps)])
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: got status %d: %s", body, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%q: got %s, want JSON", body, rec.Body)
		}
		if rec.Code != 200 && out["__type"] == nil {
			t.Fatalf("%q: got %s, want an error with __type", body, rec.Body)
		}
	})
}

// FuzzSchedulerREST feeds arbitrary paths and bodies to Scheduler.
func FuzzSchedulerREST(f *testing.F) {
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		f.Add(m, "/schedules/s?groupName=default", `{"ScheduleExpression":"rate(1 minute)","FlexibleTimeWindow":{"Mode":"OFF"},"Target":{"Arn":"arn:aws:sqs:us-east-1:000000000000:q","RoleArn":"r"}}`)
		f.Add(m, "/schedule-groups/g", `{}`)
		f.Add(m, "/schedules?MaxResults=0&State=X", ``)
		f.Add(m, "/schedule-groups/%2F", `[`)
	}
	h := mustEventsHandler(f)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/schedule") || strings.ContainsAny(path, " \t\r\n#") {
			return
		}
		switch method {
		case "GET", "POST", "PUT", "DELETE":
		default:
			return
		}
		req, err := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: got status %d: %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code != 200 && rec.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("%s %s %q: got %d without X-Amzn-ErrorType", method, path, body, rec.Code)
		}
	})
}
