package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// MustEventBridge returns an EventBridge client of the server.
func MustEventBridge(tb testing.TB, m *Main) *eventbridge.Client {
	tb.Helper()
	return eventbridge.NewFromConfig(awsConfig(m.URL()), func(o *eventbridge.Options) { o.RetryMaxAttempts = 1 })
}

// MustScheduler returns an EventBridge Scheduler client of the server.
func MustScheduler(tb testing.TB, m *Main) *scheduler.Client {
	tb.Helper()
	return scheduler.NewFromConfig(awsConfig(m.URL()), func(o *scheduler.Options) { o.RetryMaxAttempts = 1 })
}

// wantAPIError checks that err is an AWS error of a code whose message
// holds msg.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %s %q, want %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestEventsBusesRulesTargets(t *testing.T) {
	ctx := context.Background()
	m := MustStartMain(t, Config{})
	c := MustEventBridge(t, m)

	// Buses.
	bus, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders"), Description: aws.String("order events")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(bus.EventBusArn), "arn:aws:events:us-east-1:000000000000:event-bus/orders"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "Event bus orders already exists.")
	for _, n := range []string{"b1", "b2", "b3"} {
		if _, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var token *string
	for {
		out, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NamePrefix: aws.String("b"), Limit: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range out.EventBuses {
			names = append(names, aws.ToString(b.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got := strings.Join(names, ","); got != "b1,b2,b3" {
		t.Fatalf("got buses %s, want b1,b2,b3", got)
	}
	all, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil || len(all.EventBuses) != 5 || aws.ToString(all.EventBuses[4].Name) != "orders" {
		t.Fatalf("got %+v, %v, want 5 buses", all, err)
	}
	d, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("default")})
	if err != nil || aws.ToString(d.Arn) != "arn:aws:events:us-east-1:000000000000:event-bus/default" {
		t.Fatalf("got %+v, %v, want the default bus", d, err)
	}
	_, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus nope does not exist.")
	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("default")})
	wantAPIError(t, err, "ValidationException", "Cannot delete event bus default.")
	if _, err := c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("b3")}); err != nil {
		t.Fatal(err)
	}

	// Rules.
	pr, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders"),
		EventPattern: aws.String(`{"source":["shop"]}`), Description: aws.String("d"), Tags: []ebtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(pr.RuleArn), "arn:aws:events:us-east-1:000000000000:rule/orders/big-orders"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	sr, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(5 minutes)"), State: ebtypes.RuleStateDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(sr.RuleArn), "arn:aws:events:us-east-1:000000000000:rule/tick"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventBusName: aws.String("orders"), ScheduleExpression: aws.String("rate(5 minutes)")})
	wantAPIError(t, err, "ValidationException", "ScheduleExpression is supported only on the default event bus.")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), ScheduleExpression: aws.String("rate(five minutes)")})
	wantAPIError(t, err, "ValidationException", "Parameter ScheduleExpression is not valid.")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x")})
	wantAPIError(t, err, "ValidationException", "EventPattern or ScheduleExpression")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventPattern: aws.String(`{"source":"shop"`)})
	wantAPIError(t, err, "InvalidEventPatternException", "")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventBusName: aws.String("nope"), EventPattern: aws.String(`{"source":["a"]}`)})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus nope does not exist.")

	dr, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("tick")})
	if err != nil || dr.State != ebtypes.RuleStateDisabled || aws.ToString(dr.ScheduleExpression) != "rate(5 minutes)" || aws.ToString(dr.EventBusName) != "default" {
		t.Fatalf("got %+v, %v, want the disabled rule", dr, err)
	}
	if _, err := c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("tick")}); err != nil {
		t.Fatal(err)
	}
	dr, _ = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("tick")})
	if dr.State != ebtypes.RuleStateEnabled {
		t.Fatalf("got state %s, want ENABLED", dr.State)
	}
	if _, err := c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("tick")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
	lr, err := c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("orders"), NamePrefix: aws.String("big")})
	if err != nil || len(lr.Rules) != 1 || aws.ToString(lr.Rules[0].Arn) != aws.ToString(pr.RuleArn) {
		t.Fatalf("got %+v, %v, want big-orders", lr, err)
	}

	for _, n := range []string{"p1", "p2", "p3"} {
		if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(n), EventPattern: aws.String(`{"source":["p"]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	var ruleNames []string
	token = nil
	for {
		out, err := c.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("p"), Limit: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Rules {
			ruleNames = append(ruleNames, aws.ToString(r.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got := strings.Join(ruleNames, ","); got != "p1,p2,p3" {
		t.Fatalf("got rules %s, want p1,p2,p3", got)
	}

	// Targets.
	fn := "arn:aws:lambda:us-east-1:000000000000:function:f:live"
	q := "arn:aws:sqs:us-east-1:000000000000:q"
	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String(fn), Input: aws.String(`{"a":1}`)},
		{Id: aws.String("q"), Arn: aws.String(q)},
	}})
	if err != nil || pt.FailedEntryCount != 0 {
		t.Fatalf("got %+v, %v, want no failures", pt, err)
	}
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("both"), Arn: aws.String(q), Input: aws.String(`{}`), InputPath: aws.String("$.detail")},
	}})
	wantAPIError(t, err, "ValidationException", "Only one of Input, InputPath, or InputTransformer")
	var many []ebtypes.Target
	for i := range 4 {
		many = append(many, ebtypes.Target{Id: aws.String(fmt.Sprint("t", i)), Arn: aws.String(q)})
	}
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Targets: many})
	wantAPIError(t, err, "LimitExceededException", "")
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("nope"), Targets: many})
	wantAPIError(t, err, "ResourceNotFoundException", "Rule nope does not exist")
	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders")})
	if err != nil || len(lt.Targets) != 2 || aws.ToString(lt.Targets[0].Arn) != fn || aws.ToString(lt.Targets[0].Input) != `{"a":1}` {
		t.Fatalf("got %+v, %v, want two targets", lt, err)
	}
	ln, err := c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(q), EventBusName: aws.String("orders")})
	if err != nil || len(ln.RuleNames) != 1 || ln.RuleNames[0] != "big-orders" {
		t.Fatalf("got %+v, %v, want big-orders", ln, err)
	}
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")})
	wantAPIError(t, err, "ValidationException", "Rule can't be deleted since it has targets.")

	// Tags.
	if _, err := c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: pr.RuleArn, Tags: []ebtypes.Tag{{Key: aws.String("k2"), Value: aws.String("v2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: pr.RuleArn, TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: pr.RuleArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "k2" {
		t.Fatalf("got %+v, %v, want k2", tags, err)
	}
	if _, err := c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: bus.EventBusArn, Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("x")}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:000000000000:rule/nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "")

	if _, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Ids: []string{"fn", "q"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "")

	// PutEvents refusals, entry by entry.
	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("a"), DetailType: aws.String("t"), Detail: aws.String(`[1]`)},
		{DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		{Source: aws.String("a"), DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		{Source: aws.String("a"), DetailType: aws.String("t"), Detail: aws.String(`{}`), EventBusName: aws.String("nope")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pe.FailedEntryCount != 3 || aws.ToString(pe.Entries[0].ErrorCode) != "MalformedDetail" || aws.ToString(pe.Entries[1].ErrorCode) != "InvalidArgument" ||
		aws.ToString(pe.Entries[2].EventId) == "" || aws.ToString(pe.Entries[3].ErrorCode) == "" {
		t.Fatalf("got %+v, want three failed entries", pe.Entries)
	}
	eleven := make([]ebtypes.PutEventsRequestEntry, 11)
	for i := range eleven {
		eleven[i] = ebtypes.PutEventsRequestEntry{Source: aws.String("a"), DetailType: aws.String("t"), Detail: aws.String(`{}`)}
	}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: eleven})
	wantAPIError(t, err, "ValidationException", "Member must have length less than or equal to 10")

	// TestEventPattern.
	full := `{"id":"1","account":"000000000000","source":"shop","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"x","detail":{"n":5}}`
	for pattern, want := range map[string]bool{`{"source":["shop"],"detail":{"n":[{"numeric":[">",1]}]}}`: true, `{"source":["other"]}`: false} {
		tp, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(full)})
		if err != nil || tp.Result != want {
			t.Fatalf("TestEventPattern %s: got %+v, %v, want %v", pattern, tp, err, want)
		}
	}
	// TestEventPattern's checks of the event.
	_, err = c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["a"]}`), Event: aws.String(`{"source":"a"}`)})
	wantAPIError(t, err, "ValidationException", "Parameter Event is not valid.")
}

// cloudWatchEvent decodes a recorded event.
func cloudWatchEvent(t *testing.T, data []byte) events.CloudWatchEvent {
	t.Helper()
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return ev
}

// readRecords returns the events a recorder function received, in order.
func readRecords(t *testing.T, dir string, n int) [][]byte {
	t.Helper()
	waitRecords(t, dir, n, 30*time.Second)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// readRecordsNow returns the events a recorder function received so far,
// in order.
func readRecordsNow(dir string) [][]byte {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out [][]byte
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil && json.Valid(data) {
			out = append(out, data)
		}
	}
	return out
}

func TestEventsPutEventsToFunctionAndQueue(t *testing.T) {
	ctx := context.Background()
	m := MustStartMain(t, Config{})
	c := MustEventBridge(t, m)
	lc := MustLambda(t, m)
	sc := MustSQS(t, m.URL())
	fnArn, dir := MustRecorder(t, lc, "recorder")
	qurl, err := sc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	qArn := "arn:aws:sqs:us-east-1:000000000000:events"
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("shop"), EventPattern: aws.String(`{"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("shop"), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String(fnArn)}, {Id: aws.String("q"), Arn: aws.String(qArn)},
	}}); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"total":150,"id":"o-1"}`), Resources: []string{"arn:aws:x:::o-1"}, Time: &when},
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"total":5}`)},
		{Source: aws.String("other"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"total":500}`)},
	}})
	if err != nil || pe.FailedEntryCount != 0 {
		t.Fatalf("got %+v, %v, want all accepted", pe, err)
	}
	id := aws.ToString(pe.Entries[0].EventId)
	check := func(ev events.CloudWatchEvent) {
		t.Helper()
		if ev.Version != "0" || ev.ID != id || ev.DetailType != "Order Placed" || ev.Source != "shop" || ev.AccountID != "000000000000" ||
			!ev.Time.Equal(when) || ev.Region != "us-east-1" || len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:x:::o-1" ||
			string(ev.Detail) != `{"total":150,"id":"o-1"}` {
			t.Fatalf("got %+v (detail %s), want the first event", ev, ev.Detail)
		}
	}
	recs := readRecords(t, dir, 1)
	check(cloudWatchEvent(t, recs[0]))
	var body string
	waitFor(t, 30*time.Second, "the queue's message", func() bool {
		out, err := sc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qurl.QueueUrl, WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) == 0 {
			return false
		}
		body = aws.ToString(out.Messages[0].Body)
		return true
	})
	check(cloudWatchEvent(t, []byte(body)))
	// The events that matched no rule reached no one.
	if recs := readRecords(t, dir, 1); len(recs) != 1 {
		t.Fatalf("got %d events, want 1", len(recs))
	}
}

func TestSchedulerScheduleFires(t *testing.T) {
	ctx := context.Background()
	m := MustStartMain(t, Config{})
	c := MustScheduler(t, m)
	fnArn, dir := MustRecorder(t, MustLambda(t, m), "scheduled")
	at := time.Now().UTC().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	out, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name: aws.String("once"), ScheduleExpression: aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"),
		FlexibleTimeWindow:    &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion: schtypes.ActionAfterCompletionDelete,
		Target:                &schtypes.Target{Arn: aws.String(fnArn), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), Input: aws.String(`{"hello":"scheduler"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.ScheduleArn), "arn:aws:scheduler:us-east-1:000000000000:schedule/default/once"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	recs := readRecords(t, dir, 1)
	if string(recs[0]) != `{"hello":"scheduler"}` {
		t.Fatalf("got %s, want the schedule's input", recs[0])
	}
	// A completed schedule with ActionAfterCompletion DELETE is deleted.
	waitFor(t, 10*time.Second, "the schedule's deletion", func() bool {
		_, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("once")})
		var nf *schtypes.ResourceNotFoundException
		return errors.As(err, &nf)
	})
}

func TestSchedulerAPI(t *testing.T) {
	ctx := context.Background()
	m := MustStartMain(t, Config{})
	c := MustScheduler(t, m)
	g, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("jobs")})
	if err != nil || aws.ToString(g.ScheduleGroupArn) != "arn:aws:scheduler:us-east-1:000000000000:schedule-group/jobs" {
		t.Fatalf("got %+v, %v, want the group", g, err)
	}
	_, err = c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("jobs")})
	var ce *schtypes.ConflictException
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want ConflictException", err)
	}
	gg, err := c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("jobs")})
	if err != nil || gg.State != schtypes.ScheduleGroupStateActive {
		t.Fatalf("got %+v, %v", gg, err)
	}
	lg, err := c.ListScheduleGroups(ctx, &scheduler.ListScheduleGroupsInput{})
	if err != nil || len(lg.ScheduleGroups) != 2 || aws.ToString(lg.ScheduleGroups[0].Name) != "default" {
		t.Fatalf("got %+v, %v, want default and jobs", lg, err)
	}
	if _, err := c.TagResource(ctx, &scheduler.TagResourceInput{ResourceArn: g.ScheduleGroupArn, Tags: []schtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &scheduler.UntagResourceInput{ResourceArn: g.ScheduleGroupArn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: g.ScheduleGroupArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "b" {
		t.Fatalf("got %+v, %v, want the tag b", tags, err)
	}
	target := &schtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:q"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r")}
	off := &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeOff}
	for _, n := range []string{"a1", "a2", "b1"} {
		if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(n), GroupName: aws.String("jobs"),
			ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: off, Target: target, ClientToken: aws.String("tok-" + n)}); err != nil {
			t.Fatal(err)
		}
	}
	// The same ClientToken again: the same answer.
	if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("a1"), GroupName: aws.String("jobs"),
		ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: off, Target: target, ClientToken: aws.String("tok-a1")}); err != nil {
		t.Fatalf("idempotent retry: %v", err)
	}
	_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("a1"), GroupName: aws.String("jobs"),
		ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: off, Target: target, ClientToken: aws.String("other")})
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want ConflictException", err)
	}
	_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("bad"),
		ScheduleExpression: aws.String("rate(1 fortnight)"), FlexibleTimeWindow: off, Target: target})
	var ve *schtypes.ValidationException
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want ValidationException", err)
	}
	_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("x"), GroupName: aws.String("nope"),
		ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: off, Target: target})
	var nf *schtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("got %v, want ResourceNotFoundException", err)
	}
	var names []string
	var token *string
	for {
		out, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: aws.String("jobs"), NamePrefix: aws.String("a"), MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.Schedules {
			names = append(names, aws.ToString(s.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got := strings.Join(names, ","); got != "a1,a2" {
		t.Fatalf("got %s, want a1,a2", got)
	}
	if _, err := c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: aws.String("a2"), GroupName: aws.String("jobs"), State: schtypes.ScheduleStateDisabled,
		ScheduleExpression: aws.String("cron(0 12 * * ? *)"), ScheduleExpressionTimezone: aws.String("Europe/Paris"),
		FlexibleTimeWindow: &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(15)}, Target: target}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("a2"), GroupName: aws.String("jobs")})
	if err != nil || got.State != schtypes.ScheduleStateDisabled || aws.ToString(got.ScheduleExpression) != "cron(0 12 * * ? *)" ||
		aws.ToInt32(got.FlexibleTimeWindow.MaximumWindowInMinutes) != 15 || aws.ToString(got.Target.Arn) != aws.ToString(target.Arn) || got.CreationDate == nil ||
		aws.ToInt32(got.Target.RetryPolicy.MaximumRetryAttempts) != 185 || aws.ToInt32(got.Target.RetryPolicy.MaximumEventAgeInSeconds) != 86400 {
		t.Fatalf("got %+v, %v, want the updated schedule", got, err)
	}
	ds, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{State: schtypes.ScheduleStateDisabled})
	if err != nil || len(ds.Schedules) != 1 || aws.ToString(ds.Schedules[0].Name) != "a2" {
		t.Fatalf("got %+v, %v, want a2", ds, err)
	}
	if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("a1"), GroupName: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("a1"), GroupName: aws.String("jobs")})
	if !errors.As(err, &nf) {
		t.Fatalf("got %v, want ResourceNotFoundException", err)
	}
	if _, err := c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("b1"), GroupName: aws.String("jobs")})
	if !errors.As(err, &nf) {
		t.Fatalf("got %v, want ResourceNotFoundException", err)
	}
	_, err = c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("default")})
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want ValidationException", err)
	}
}

func TestEventsInputTransformationAndFIFO(t *testing.T) {
	ctx := context.Background()
	m := MustStartMain(t, Config{})
	c := MustEventBridge(t, m)
	sc := MustSQS(t, m.URL())
	urls := map[string]*string{}
	for _, n := range []string{"path", "tmpl", "const", "ordered.fifo"} {
		in := &sqs.CreateQueueInput{QueueName: aws.String(n)}
		if strings.HasSuffix(n, ".fifo") {
			in.Attributes = map[string]string{"FifoQueue": "true"}
		}
		out, err := sc.CreateQueue(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		urls[n] = out.QueueUrl
	}
	arn := func(n string) *string { return aws.String("arn:aws:sqs:us-east-1:000000000000:" + n) }
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("xform"), EventPattern: aws.String(`{"source":["t"]}`)}); err != nil {
		t.Fatal(err)
	}
	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("xform"), Targets: []ebtypes.Target{
		{Id: aws.String("path"), Arn: arn("path"), InputPath: aws.String("$.detail")},
		{Id: aws.String("tmpl"), Arn: arn("tmpl"), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id", "src": "$.source"},
			InputTemplate: aws.String(`{"order":<id>,"from":<src>,"rule":<aws.events.rule-name>}`)}},
		{Id: aws.String("const"), Arn: arn("const"), Input: aws.String(`{"c":1}`)},
		{Id: aws.String("fifo"), Arn: arn("ordered.fifo"), SqsParameters: &ebtypes.SqsParameters{MessageGroupId: aws.String("g1")}},
	}})
	if err != nil || pt.FailedEntryCount != 0 {
		t.Fatalf("got %+v, %v, want no failures", pt, err)
	}
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("xform"), Targets: []ebtypes.Target{
		{Id: aws.String("bad"), Arn: arn("path"), InputPath: aws.String("detail[")},
	}})
	wantAPIError(t, err, "ValidationException", "InputPath")
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("xform"), Targets: []ebtypes.Target{
		{Id: aws.String("nogroup"), Arn: arn("ordered.fifo")},
	}})
	wantAPIError(t, err, "ValidationException", "Parameter(s) SqsParameters must be specified for target: nogroup.")
	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("t"), DetailType: aws.String("x"), Detail: aws.String(`{"id":"o-1","n":[1,2]}`)},
	}})
	if err != nil || pe.FailedEntryCount != 0 {
		t.Fatalf("got %+v, %v", pe, err)
	}
	receive := func(q string) (string, map[string]string) {
		t.Helper()
		var body string
		var attrs map[string]string
		waitFor(t, 30*time.Second, "a message on "+q, func() bool {
			out, err := sc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: urls[q], WaitTimeSeconds: 1,
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
			if err != nil || len(out.Messages) == 0 {
				return false
			}
			body, attrs = aws.ToString(out.Messages[0].Body), out.Messages[0].Attributes
			return true
		})
		return body, attrs
	}
	if got, _ := receive("path"); got != `{"id":"o-1","n":[1,2]}` {
		t.Fatalf("InputPath: got %s, want the detail", got)
	}
	got, _ := receive("tmpl")
	var v map[string]string
	if err := json.Unmarshal([]byte(got), &v); err != nil || v["order"] != "o-1" || v["from"] != "t" || v["rule"] != "xform" {
		t.Fatalf("InputTransformer: got %s, want order o-1 from t by xform", got)
	}
	if got, _ := receive("const"); got != `{"c":1}` {
		t.Fatalf("Input: got %s, want {\"c\":1}", got)
	}
	body, attrs := receive("ordered.fifo")
	if ev := cloudWatchEvent(t, []byte(body)); ev.ID != aws.ToString(pe.Entries[0].EventId) || attrs["MessageGroupId"] != "g1" {
		t.Fatalf("FIFO: got %+v in group %q, want the event in g1", ev, attrs["MessageGroupId"])
	}
}

func TestEventsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir})
	c := MustEventBridge(t, m)
	if _, err := MustSQS(t, m.URL()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("kept"), EventPattern: aws.String(`{"detail-type":["x"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), EventBusName: aws.String("kept"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:kept")}}}); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	m = MustStartMain(t, Config{DataDir: dir})
	c = MustEventBridge(t, m)
	sc := MustSQS(t, m.URL())
	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("x"), Detail: aws.String(`{"k":1}`), EventBusName: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/kept")},
	}})
	if err != nil || pe.FailedEntryCount != 0 {
		t.Fatalf("got %+v, %v", pe, err)
	}
	url, err := sc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the event on the queue", func() bool {
		out, err := sc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, WaitTimeSeconds: 1})
		return err == nil && len(out.Messages) == 1 && cloudWatchEvent(t, []byte(aws.ToString(out.Messages[0].Body))).ID == aws.ToString(pe.Entries[0].EventId)
	})
}

func TestEventsDeadLetterQueue(t *testing.T) {
	ctx := context.Background()
	m := MustStartMain(t, Config{})
	c := MustEventBridge(t, m)
	sc := MustSQS(t, m.URL())
	dlq, err := sc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dlq")})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("lost"), EventPattern: aws.String(`{"source":["d"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	missing := "arn:aws:lambda:us-east-1:000000000000:function:missing"
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("lost"), Targets: []ebtypes.Target{{
		Id: aws.String("gone"), Arn: aws.String(missing),
		RetryPolicy:      &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)},
		DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")},
	}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("lost"), Targets: []ebtypes.Target{{
		Id: aws.String("bad"), Arn: aws.String(missing), RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)},
	}}})
	wantAPIError(t, err, "ValidationException", "maximumRetryAttempts")
	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("d"), DetailType: aws.String("x"), Detail: aws.String(`{}`)},
	}})
	if err != nil || pe.FailedEntryCount != 0 {
		t.Fatalf("got %+v, %v", pe, err)
	}
	waitFor(t, 30*time.Second, "the event in the dead-letter queue", func() bool {
		out, err := sc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
		if err != nil || len(out.Messages) == 0 {
			return false
		}
		msg := out.Messages[0]
		if ev := cloudWatchEvent(t, []byte(aws.ToString(msg.Body))); ev.ID != aws.ToString(pe.Entries[0].EventId) {
			t.Fatalf("got event %s, want %s", ev.ID, aws.ToString(pe.Entries[0].EventId))
		}
		if got := aws.ToString(msg.MessageAttributes["RULE_ARN"].StringValue); got != aws.ToString(rule.RuleArn) {
			t.Fatalf("got RULE_ARN %q, want %s", got, aws.ToString(rule.RuleArn))
		}
		if got := aws.ToString(msg.MessageAttributes["TARGET_ARN"].StringValue); got != missing {
			t.Fatalf("got TARGET_ARN %q, want %s", got, missing)
		}
		return true
	})
}
