package eventbus_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/eventbus"
)

func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{`1700000000`, `1700000000.123`, `"2026-01-02T03:04:05Z"`, `1e300`, `-1`, `"x"`, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var ts eventbus.Timestamp
		if json.Unmarshal([]byte(s), &ts) != nil {
			return
		}
		data, err := json.Marshal(ts)
		if err != nil {
			t.Fatalf("marshal %v: %v", ts, err)
		}
		var back eventbus.Timestamp
		if err := json.Unmarshal(data, &back); err != nil || back.UnixMilli() != ts.UnixMilli() {
			t.Fatalf("got %s → %v, want %v", data, back.Time, ts.Time)
		}
	})
}

// FuzzRequests sends arbitrary requests to the operations that parse
// their input most: none may fail with an internal error or panic.
func FuzzRequests(f *testing.F) {
	e := MustEngine(f)
	s := eventbus.NewService(eventbus.Config{Engine: e, Invoker: &recorder{}, Clock: &fakeClock{now: time.Unix(1_700_000_000, 0)}})
	if err := s.Open(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	for _, seed := range []string{
		`{"Name":"r","EventPattern":"{\"source\":[\"a\"]}"}`,
		`{"Name":"r","ScheduleExpression":"rate(1 minute)"}`,
		`{"Name":"r.1","ScheduleExpression":"cron(0 12 * * ? *)","EventBusName":"b/c"}`,
		`{"Entries":[{"Source":"a","DetailType":"t","Detail":"{}"}]}`,
		`{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sqs:us-east-1:000000000000:q","InputPath":"$.detail"}]}`,
		`{"Name":"s","ScheduleExpression":"at(2026-01-01T00:00:00)","FlexibleTimeWindow":{"Mode":"OFF"},"Target":{"Arn":"arn:aws:sqs:us-east-1:000000000000:q","RoleArn":"r"}}`,
	} {
		for op := range 4 {
			f.Add(op, seed)
		}
	}
	f.Fuzz(func(t *testing.T, op int, body string) {
		ctx := context.Background()
		var err error
		switch op % 4 {
		case 0:
			var in eventbus.PutRuleInput
			if json.Unmarshal([]byte(body), &in) != nil {
				return
			}
			_, err = s.PutRule(ctx, &in)
		case 1:
			var in eventbus.PutEventsInput
			if json.Unmarshal([]byte(body), &in) != nil {
				return
			}
			_, err = s.PutEvents(ctx, &in)
		case 2:
			var in eventbus.PutTargetsInput
			if json.Unmarshal([]byte(body), &in) != nil {
				return
			}
			_, err = s.PutTargets(ctx, &in)
		case 3:
			var in eventbus.ScheduleInput
			if json.Unmarshal([]byte(body), &in) != nil {
				return
			}
			in.Name = "fz"
			_, err = s.CreateSchedule(ctx, &in)
			if err == nil {
				_, err = s.DeleteSchedule(ctx, &eventbus.ScheduleRef{Name: "fz", GroupName: in.GroupName})
			}
		}
		if eddy.ErrorCode(err) == eddy.EINTERNAL {
			t.Fatalf("got an internal error %v for %s", err, body)
		}
	})
}
