package resources_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/eventbus"
	"github.com/eddyserverless/eddy/queues"
)

func TestQueue(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	r := req("AWS::SQS::Queue", "Jobs", map[string]any{
		"VisibilityTimeout": json.Number("60"),
		"DelaySeconds":      "5",
		"RedrivePolicy":     map[string]any{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:" + account + ":dlq", "maxReceiveCount": json.Number("3")},
		"Tags":              []any{map[string]any{"Key": "team", "Value": "a"}},
	})
	if _, err := v.queues.CreateQueue(ctx, &queues.CreateQueueInput{QueueName: "dlq"}); err != nil {
		t.Fatal(err)
	}
	res := v.create(t, r)
	match(t, "Ref", `http://[^/]+/`+account+`/app-Jobs-[A-Z0-9]{13}`, res.PhysicalID)
	match(t, "Arn", `arn:aws:sqs:us-east-1:`+account+`:app-Jobs-[A-Z0-9]{13}`, res.Attributes["Arn"])
	if res.Attributes["QueueUrl"] != res.PhysicalID || !strings.HasSuffix(res.PhysicalID, "/"+res.Attributes["QueueName"].(string)) {
		t.Errorf("attributes %v do not match the URL %s", res.Attributes, res.PhysicalID)
	}
	attrs := func() map[string]string {
		out, err := v.queues.GetQueueAttributes(ctx, &queues.GetQueueAttributesInput{QueueUrl: res.PhysicalID, AttributeNames: []string{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes
	}
	if a := attrs(); a["VisibilityTimeout"] != "60" || a["DelaySeconds"] != "5" || !strings.Contains(a["RedrivePolicy"], `"maxReceiveCount":3`) {
		t.Errorf("attributes after create: %v", a)
	}

	// In place: VisibilityTimeout changes, DelaySeconds goes back to 0.
	props := map[string]any{"VisibilityTimeout": 90, "Tags": []any{map[string]any{"Key": "team", "Value": "b"}}}
	res2, err := v.update(t, r, res, props)
	if err != nil {
		t.Fatal(err)
	}
	if res2.PhysicalID != res.PhysicalID {
		t.Errorf("update in place changed the URL: %s", res2.PhysicalID)
	}
	if a := attrs(); a["VisibilityTimeout"] != "90" || a["DelaySeconds"] != "0" || a["RedrivePolicy"] != "" {
		t.Errorf("attributes after update: %v", a)
	}
	tags, err := v.queues.ListQueueTags(ctx, &queues.QueueInput{QueueUrl: res.PhysicalID})
	if err != nil || tags.Tags["team"] != "b" {
		t.Errorf("tags after update: %v, %v", tags, err)
	}
	r.Properties = props

	// Replacement: a name or FIFO change.
	_, err = v.update(t, r, res, map[string]any{"FifoQueue": true, "VisibilityTimeout": 90})
	wantReplace(t, err)

	v.deleteTwice(t, r, res)
	if _, err := v.queues.GetQueueUrl(ctx, &queues.GetQueueUrlInput{QueueName: res.Attributes["QueueName"].(string)}); err == nil {
		t.Error("queue still exists after delete")
	}
}

func TestQueueFifoNamed(t *testing.T) {
	v := newEnv(t)
	res := v.create(t, req("AWS::SQS::Queue", "Orders", map[string]any{"FifoQueue": "true", "ContentBasedDeduplication": true}))
	match(t, "QueueName", `app-Orders-[A-Z0-9]{13}\.fifo`, res.Attributes["QueueName"])
	res = v.create(t, req("AWS::SQS::Queue", "Named", map[string]any{"QueueName": "named-queue"}))
	if res.Attributes["QueueName"] != "named-queue" {
		t.Errorf("QueueName = %v", res.Attributes["QueueName"])
	}
	_, err := v.h["AWS::SQS::Queue"].Create(context.Background(), req("AWS::SQS::Queue", "Bad", map[string]any{"VisibilityTimeout": []any{"x"}}))
	wantInvalid(t, err, "/VisibilityTimeout")
	_, err = v.h["AWS::SQS::Queue"].Create(context.Background(), req("AWS::SQS::Queue", "Bad", map[string]any{"Colour": "red"}))
	wantInvalid(t, err, "/Colour")
}

// TestInterruptedCreate deletes, by the name generated from the recorded
// suffix, what a create that a restart cut short made before its physical
// id was recorded; a name the template gave is left alone.
func TestInterruptedCreate(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	for _, fifo := range []bool{false, true} {
		props := map[string]any{}
		if fifo {
			props["FifoQueue"] = true
		}
		r := req("AWS::SQS::Queue", "Jobs", props)
		r.NameSuffix = "ABCDEFGHIJ012"
		res := v.create(t, r)
		if !strings.Contains(res.PhysicalID, "app-Jobs-ABCDEFGHIJ012") {
			t.Fatalf("queue %s is not named by the recorded suffix", res.PhysicalID)
		}
		d := *r
		d.OldProperties = r.Properties
		if err := v.h[r.Type].Delete(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if _, err := v.queues.GetQueueUrl(ctx, &queues.GetQueueUrlInput{QueueName: res.Attributes["QueueName"].(string)}); err == nil {
			t.Errorf("queue %s is left after the delete of its interrupted create", res.PhysicalID)
		}
	}
	// The other types named by a generated name.
	exists := map[string]func(id string) bool{
		"AWS::DynamoDB::Table": func(id string) bool { _, err := v.tables.DescribeTable(ctx, id); return err == nil },
		"AWS::S3::Bucket":      func(id string) bool { _, err := v.buckets.HeadBucket(ctx, id); return err == nil },
		"AWS::Events::Rule": func(id string) bool {
			_, err := v.events.DescribeRule(ctx, &eventbus.RuleInput{Name: id})
			return err == nil
		},
		"AWS::Logs::LogGroup": func(id string) bool {
			groups, _, err := v.logs.DescribeLogGroups(ctx, id, "", 1)
			return err == nil && len(groups) == 1
		},
	}
	for typ, props := range map[string]map[string]any{
		"AWS::DynamoDB::Table": {"AttributeDefinitions": []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}},
			"KeySchema": []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}}, "BillingMode": "PAY_PER_REQUEST"},
		"AWS::S3::Bucket":     {},
		"AWS::Events::Rule":   {"ScheduleExpression": "rate(1 minute)"},
		"AWS::Logs::LogGroup": {},
	} {
		r := req(typ, "Thing", props)
		r.NameSuffix = "ABCDEFGHIJ012"
		res := v.create(t, r)
		if !exists[typ](res.PhysicalID) {
			t.Fatalf("%s %s does not exist", typ, res.PhysicalID)
		}
		d := *r
		d.OldProperties = r.Properties
		if err := v.h[typ].Delete(ctx, &d); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if exists[typ](res.PhysicalID) {
			t.Errorf("%s %s is left after the delete of its interrupted create", typ, res.PhysicalID)
		}
	}
	named := req("AWS::SQS::Queue", "Named", map[string]any{"QueueName": "theirs"})
	named.NameSuffix = "ABCDEFGHIJ012"
	res := v.create(t, named)
	d := *named
	d.OldProperties = named.Properties
	if err := v.h[named.Type].Delete(ctx, &d); err != nil {
		t.Fatal(err)
	}
	if _, err := v.queues.GetQueueUrl(ctx, &queues.GetQueueUrlInput{QueueName: "theirs"}); err != nil {
		t.Errorf("a named queue %s was deleted without its physical id: %v", res.PhysicalID, err)
	}
}
