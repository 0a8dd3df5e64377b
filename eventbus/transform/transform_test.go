package transform_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/eventbus/transform"
)

// The example event of "Amazon EventBridge input transformation".
const event = `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "items": [{"id": "a"}, {"id": "b"}], "tags": {"k": "v"}}
}`

var docPaths = map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state"}

var reserved = map[string]string{
	transform.RuleARN:       "arn:aws:events:us-east-2:123456789012:rule/example",
	transform.RuleName:      "example",
	transform.IngestionTime: "2015-11-11T21:29:55Z",
}

func TestApplyTemplate(t *testing.T) {
	tests := []struct {
		name     string
		paths    map[string]string
		template string
		want     string
	}{
		// The examples of "Amazon EventBridge input transformation".
		{"simple sentence", docPaths, `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"simple JSON", docPaths, `{"instance" : <instance>, "state": <state>}`, `{"instance" : "i-0123456789", "state": "RUNNING"}`},
		{"JSON with static information", docPaths,
			`{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`,
			`{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}`},
		{"reserved variables in a string", docPaths, `"<aws.events.rule-name> triggered"`, `"example triggered"`},
		// The examples of the InputTransformer API reference.
		{"text template", map[string]string{"instance": "$.detail.instance-id", "status": "$.detail.state"},
			`<instance> is in state <status>`, `"i-0123456789 is in state RUNNING"`},
		{"text template with quotes", map[string]string{"instance": "$.detail.instance-id", "status": "$.detail.state"},
			`<instance> is in state "<status>"`, `"i-0123456789 is in state \"RUNNING\""`},
		{"variables in quotes or out", map[string]string{"instance": "$.detail.instance-id", "status": "$.detail.state"},
			`{"myInstance": <instance>,"myStatus": "<instance> is in state \"<status>\""}`,
			`{"myInstance": "i-0123456789","myStatus": "i-0123456789 is in state \"RUNNING\""}`},
		// Values that are not strings.
		{"number", map[string]string{"n": "$.detail.count"}, `{"n": <n>, "s": "<n> items"}`, `{"n": 3, "s": "3 items"}`},
		{"object", map[string]string{"o": "$.detail.tags"}, `{"o": <o>, "s": "<o>"}`, `{"o": {"k":"v"}, "s": "{\"k\":\"v\"}"}`},
		{"array element", map[string]string{"first": "$.detail.items[0].id", "r": "$.resources[0]"}, `{"a": <first>, "b": <r>}`, `{"a": "a", "b": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}`},
		{"wildcard", map[string]string{"ids": "$.detail.items[*].id"}, `{"ids": <ids>}`, `{"ids": ["a","b"]}`},
		{"missing", map[string]string{"m": "$.detail.nope"}, `{"m": <m>, "s": "[<m>]"}`, `{"m": null, "s": "[]"}`},
		{"array template", docPaths, `[<instance>, "<state>"]`, `["i-0123456789", "RUNNING"]`},
		{"ingestion time", nil, `{"t": <aws.events.event.ingestion-time>, "arn": "<aws.events.rule-arn>"}`, `{"t": "2015-11-11T21:29:55Z", "arn": "arn:aws:events:us-east-2:123456789012:rule/example"}`},
		{"not a variable", docPaths, `"<b>bold</b> <state>"`, `"<b>bold</b> RUNNING"`},
		{"escaping", map[string]string{"q": "$.q"}, `{"s": "say <q>"}`, `{"s": "say \"hi\\\\"}`},
	}
	for _, tt := range tests {
		ev := event
		if tt.name == "escaping" {
			ev = `{"q": "\"hi\\\\"}`
		}
		got, err := transform.Apply([]byte(ev), "", &transform.Transformer{InputPathsMap: tt.paths, InputTemplate: tt.template}, reserved)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("%s: %s is not JSON", tt.name, got)
		}
	}
}

func TestApplyReservedEvent(t *testing.T) {
	tr := &transform.Transformer{
		InputPathsMap: docPaths,
		InputTemplate: `{"instance" : <instance>, "state": <state>, "ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "originalEvent" : <aws.events.event.json>, "withoutDetail": <aws.events.event>}`,
	}
	got, err := transform.Apply([]byte(event), "", tr, reserved)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Instance, State, RuleArn, RuleName string
		OriginalEvent, WithoutDetail       map[string]any
	}
	if err := json.Unmarshal(got, &out); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(event), &ev); err != nil {
		t.Fatal(err)
	}
	if out.Instance != "i-0123456789" || out.State != "RUNNING" || out.RuleArn != reserved[transform.RuleARN] || out.RuleName != "example" {
		t.Errorf("got %+v", out)
	}
	if !reflect.DeepEqual(out.OriginalEvent, ev) {
		t.Errorf("originalEvent: got %v, want %v", out.OriginalEvent, ev)
	}
	delete(ev, "detail")
	if !reflect.DeepEqual(out.WithoutDetail, ev) {
		t.Errorf("withoutDetail: got %v, want %v", out.WithoutDetail, ev)
	}
}

func TestApplyInputPath(t *testing.T) {
	tests := []struct{ path, want string }{
		{"$.detail.state", `"RUNNING"`},
		{"$.detail.tags", `{"k":"v"}`},
		{"$.detail.items[0]", `{"id":"a"}`},
		{"$.detail.items[1].id", `"b"`},
		{"$.detail.items[*].id", `["a","b"]`},
		{"$.detail.items[2]", `null`},
		{"$.resources[0]", `"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"`},
		{"$['detail']['instance-id']", `"i-0123456789"`},
		{"$.detail.count", `3`},
		{"$.nope.deeper", `null`},
		{"$", event},
	}
	for _, tt := range tests {
		got, err := transform.Apply([]byte(event), tt.path, nil, nil)
		if err != nil {
			t.Errorf("InputPath %s: %v", tt.path, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("InputPath %s: got %s, want %s", tt.path, got, tt.want)
		}
	}
	got, err := transform.Apply([]byte(event), "", nil, nil)
	if err != nil || string(got) != event {
		t.Errorf("no InputPath: got %s, %v, want the event", got, err)
	}
}

func ptr(s string) *string { return &s }

func TestValidateTarget(t *testing.T) {
	many := map[string]string{}
	for i := 0; i <= transform.MaxPaths; i++ {
		many[fmt.Sprintf("k%d", i)] = "$.detail"
	}
	tests := []struct {
		name             string
		input, inputPath *string
		tr               *transform.Transformer
		want             string // "" is valid
	}{
		{"nothing", nil, nil, nil, ""},
		{"input", ptr(`{"a":1}`), nil, nil, ""},
		{"input string", ptr(`"text"`), nil, nil, ""},
		{"input not JSON", ptr(`text`), nil, nil, "Input for target t1 is not a valid JSON text."},
		{"two", ptr(`{}`), ptr("$.detail"), nil, "Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
		{"three", ptr(`{}`), ptr("$.detail"), &transform.Transformer{InputTemplate: "x"}, "Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
		{"path", nil, ptr("$.detail.items[0].id"), nil, ""},
		{"path brackets", nil, ptr("$['detail']"), nil, ""},
		{"bad path", nil, ptr("detail"), nil, "InputPath for target t1 is not a valid JSON path: detail."},
		{"bad path dot", nil, ptr("$.detail."), nil, "InputPath for target t1 is not a valid JSON path: $.detail.."},
		{"bad path index", nil, ptr("$.a[x]"), nil, "InputPath for target t1 is not a valid JSON path: $.a[x]."},
		{"long path", nil, ptr("$." + strings.Repeat("a", 300)), nil, "InputPath for target t1 must have length less than or equal to 256."},
		{"transformer", nil, nil, &transform.Transformer{InputPathsMap: docPaths, InputTemplate: `{"i": <instance>, "e": <aws.events.event.json>, "n": "<aws.events.rule-name>"}`}, ""},
		{"undeclared", nil, nil, &transform.Transformer{InputPathsMap: docPaths, InputTemplate: `"<instance> <nope>"`}, "InputTemplate for target t1 contains invalid placeholder nope."},
		{"event json in text", nil, nil, &transform.Transformer{InputTemplate: `"<aws.events.event.json>"`}, "InputTemplate for target t1 contains placeholder aws.events.event.json valid only for JSON template."},
		{"event json in JSON string", nil, nil, &transform.Transformer{InputTemplate: `{"e": "<aws.events.event.json>"}`}, "InputTemplate for target t1 contains placeholder aws.events.event.json valid only for JSON template."},
		{"event in array", nil, nil, &transform.Transformer{InputTemplate: `[<aws.events.event>]`}, ""},
		{"too many paths", nil, nil, &transform.Transformer{InputPathsMap: many, InputTemplate: "x"}, "InputPathsMap for target t1 must have at most 100 entries."},
		{"reserved key", nil, nil, &transform.Transformer{InputPathsMap: map[string]string{"aws.x": "$.a"}, InputTemplate: "x"}, "InputPathsMap for target t1 has an invalid key: aws.x."},
		{"bad key", nil, nil, &transform.Transformer{InputPathsMap: map[string]string{"a b": "$.a"}, InputTemplate: "x"}, "InputPathsMap for target t1 has an invalid key: a b."},
		{"bracket name in map", nil, nil, &transform.Transformer{InputPathsMap: map[string]string{"a": "$['a']"}, InputTemplate: "x"}, "InputPathsMap for target t1: a is not a valid JSON path: $['a']."},
		{"empty template", nil, nil, &transform.Transformer{InputTemplate: ""}, "InputTemplate for target t1 must have length between 1 and 8192."},
	}
	for _, tt := range tests {
		err := transform.ValidateTarget("t1", tt.input, tt.inputPath, tt.tr)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: got %v, want nil", tt.name, err)
			}
			continue
		}
		var e *transform.Error
		if !errors.As(err, &e) || e.Message != tt.want {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func FuzzApply(f *testing.F) {
	f.Add(`{"a": <instance>, "b": "<state> x", "c": <aws.events.event>}`, "$.detail.items[*].id", event)
	f.Add(`<instance> is in "<state>"`, "$['detail']", event)
	f.Add(`"<aws.events.rule-name> \" <state>"`, "$", `{"detail":{"state":"\"<x>\""}}`)
	f.Fuzz(func(t *testing.T, template, inputPath, ev string) {
		tr := &transform.Transformer{InputPathsMap: map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state"}, InputTemplate: template}
		if transform.ValidateTarget("t", nil, nil, tr) == nil {
			out, err := transform.Apply([]byte(ev), "", tr, reserved)
			if err == nil && !json.Valid(out) {
				t.Fatalf("Apply(%q) on %q = %s, not JSON", template, ev, out)
			}
		}
		if transform.ValidateTarget("t", nil, &inputPath, nil) == nil && inputPath != "$" {
			out, err := transform.Apply([]byte(ev), inputPath, nil, nil)
			if err == nil && !json.Valid(out) {
				t.Fatalf("Apply(%q) on %q = %s, not JSON", inputPath, ev, out)
			}
		}
	})
}
