package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestEventsAWSCLI drives EventBridge and Scheduler with the aws CLI.
func TestEventsAWSCLI(t *testing.T) { eachAWSCLI(t, testEventsAWSCLI) }

func testEventsAWSCLI(t *testing.T, awsPath string) {
	m := MustStartMain(t, Config{})
	c := newAWSCLI(t, awsPath, m.URL())
	var rule struct{ RuleArn string }
	if err := json.Unmarshal([]byte(c.Run("events", "put-rule", "--name", "cli", "--schedule-expression", "rate(1 hour)")), &rule); err != nil {
		t.Fatal(err)
	}
	if rule.RuleArn != "arn:aws:events:us-east-1:000000000000:rule/cli" {
		t.Fatalf("got %s, want the rule's ARN", rule.RuleArn)
	}
	var rules struct {
		Rules []struct{ Name, State, ScheduleExpression string }
	}
	if err := json.Unmarshal([]byte(c.Run("events", "list-rules")), &rules); err != nil || len(rules.Rules) != 1 || rules.Rules[0].State != "ENABLED" {
		t.Fatalf("got %+v, %v, want the rule", rules, err)
	}
	var put struct {
		FailedEntryCount int
		Entries          []struct{ EventId string }
	}
	out := c.Run("events", "put-events", "--entries", `[{"Source":"cli","DetailType":"t","Detail":"{\"a\":1}"}]`)
	if err := json.Unmarshal([]byte(out), &put); err != nil || put.FailedEntryCount != 0 || len(put.Entries) != 1 || put.Entries[0].EventId == "" {
		t.Fatalf("got %s, %v, want one event accepted", out, err)
	}
	if code, stderr := c.Fail("events", "describe-rule", "--name", "nope"); code == 0 || !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Fatalf("got %d %s, want ResourceNotFoundException", code, stderr)
	}
	c.Run("scheduler", "create-schedule-group", "--name", "cli")
	c.Run("scheduler", "create-schedule", "--name", "s", "--group-name", "cli", "--schedule-expression", "rate(1 day)",
		"--flexible-time-window", `{"Mode":"OFF"}`, "--target", `{"Arn":"arn:aws:sqs:us-east-1:000000000000:q","RoleArn":"arn:aws:iam::000000000000:role/r"}`)
	var list struct {
		Schedules []struct{ Name, GroupName string }
	}
	if err := json.Unmarshal([]byte(c.Run("scheduler", "list-schedules", "--group-name", "cli")), &list); err != nil ||
		len(list.Schedules) != 1 || list.Schedules[0].Name != "s" || list.Schedules[0].GroupName != "cli" {
		t.Fatalf("got %+v, %v, want the schedule", list, err)
	}
	if code, stderr := c.Fail("scheduler", "get-schedule", "--name", "nope"); code == 0 || !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Fatalf("got %d %s, want ResourceNotFoundException", code, stderr)
	}
}
