package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// pagedEvents answers DescribeStackEvents from a list kept oldest first,
// newest first and two to a page, as CloudFormation pages them.
type pagedEvents struct {
	events []types.StackEvent
	calls  int
}

func (p *pagedEvents) DescribeStackEvents(_ context.Context, in *cloudformation.DescribeStackEventsInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	p.calls++
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	out := &cloudformation.DescribeStackEventsOutput{}
	for i := len(p.events) - 1 - start; i >= 0 && len(out.StackEvents) < 2; i-- {
		out.StackEvents = append(out.StackEvents, p.events[i])
	}
	if next := start + len(out.StackEvents); next < len(p.events) {
		out.NextToken = aws.String(strconv.Itoa(next))
	}
	return out, nil
}

func (p *pagedEvents) add(logicalID, typ string, status types.ResourceStatus, reason string) {
	n := len(p.events)
	at := time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC)
	e := types.StackEvent{EventId: aws.String(fmt.Sprintf("ev-%d", n)), LogicalResourceId: aws.String(logicalID),
		ResourceType: aws.String(typ), ResourceStatus: status, Timestamp: &at}
	if reason != "" {
		e.ResourceStatusReason = aws.String(reason)
	}
	p.events = append(p.events, e)
}

// TestDeployEventsOrder prints only the events after prime, oldest first,
// each once, across pages and polls.
func TestDeployEventsOrder(t *testing.T) {
	api := &pagedEvents{}
	api.add("app", "AWS::CloudFormation::Stack", "CREATE_COMPLETE", "")
	api.add("Old", "AWS::SQS::Queue", "CREATE_COMPLETE", "")
	api.add("app", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "")

	var out bytes.Buffer
	f := newEventFollower(api, "app", &out)
	ctx := context.Background()
	if err := f.prime(ctx); err != nil {
		t.Fatal(err)
	}
	// prime reads one page; the older events are behind it.
	if err := f.poll(ctx); err != nil || out.Len() != 0 {
		t.Fatalf("poll before anything happened printed %q (%v)", out.String(), err)
	}

	api.add("app", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated")
	api.add("Fn", "AWS::Lambda::Function", "CREATE_IN_PROGRESS", "")
	api.add("Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", "")
	api.add("Fn", "AWS::Lambda::Function", "CREATE_COMPLETE", "")
	api.add("Queue", "AWS::SQS::Queue", "CREATE_FAILED", "QueueName taken")
	if err := f.poll(ctx); err != nil {
		t.Fatal(err)
	}
	api.add("app", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS", "")
	if err := f.poll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.poll(ctx); err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		fields := strings.Fields(line)
		got = append(got, fields[3]+" "+fields[1])
	}
	want := []string{
		"app UPDATE_IN_PROGRESS", "Fn CREATE_IN_PROGRESS", "Queue CREATE_IN_PROGRESS",
		"Fn CREATE_COMPLETE", "Queue CREATE_FAILED", "app UPDATE_ROLLBACK_IN_PROGRESS",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("printed:\n%s\nwant, in order: %v", out.String(), want)
	}
	if !strings.Contains(out.String(), "QueueName taken") {
		t.Errorf("the failure's reason is not printed:\n%s", out.String())
	}
	if len(f.failures) != 1 || f.failures[0] != "Queue: QueueName taken" {
		t.Errorf("failures: %q", f.failures)
	}
	if f.status["Fn"] != "CREATE_COMPLETE" || f.status["Queue"] != "CREATE_FAILED" || len(f.status) != 2 {
		t.Errorf("resource statuses: %v", f.status)
	}
}

// TestDeployEventsNewStack prints every event of a stack that had none
// when the follower was primed.
func TestDeployEventsNewStack(t *testing.T) {
	api := &pagedEvents{}
	var out bytes.Buffer
	f := newEventFollower(api, "app", &out)
	if err := f.prime(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		api.add(fmt.Sprintf("R%d", i), "AWS::SQS::Queue", "CREATE_COMPLETE", "")
	}
	if err := f.poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 5 || !strings.Contains(out.String(), "R0") || strings.Index(out.String(), "R0") > strings.Index(out.String(), "R4") {
		t.Errorf("printed:\n%s", out.String())
	}
}

// TestDeployEventsProgress keeps a progress line under the events on a
// terminal, erasing it before each new event and when done.
func TestDeployEventsProgress(t *testing.T) {
	api := &pagedEvents{}
	var out bytes.Buffer
	f := newEventFollower(api, "app", &out)
	f.tty, f.total = true, 3
	ctx := context.Background()
	api.add("app", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "")
	api.add("A", "AWS::SQS::Queue", "CREATE_COMPLETE", "")
	if err := f.poll(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "A\n1/3 resources complete") {
		t.Fatalf("after the first poll: %q", out.String())
	}
	api.add("B", "AWS::SQS::Queue", "CREATE_COMPLETE", "")
	if err := f.poll(ctx); err != nil {
		t.Fatal(err)
	}
	f.done()
	rest := out.String()[strings.Index(out.String(), "1/3"):]
	if !strings.HasPrefix(rest, "1/3 resources complete\r\033[K") || !strings.HasSuffix(rest, "2/3 resources complete\r\033[K") {
		t.Errorf("progress line not redrawn in place: %q", rest)
	}
	if isTerminal(&out) {
		t.Errorf("a buffer is not a terminal")
	}
}
