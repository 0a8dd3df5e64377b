package resources_test

import (
	"context"
	"testing"
)

func TestEventSourceMapping(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	q := v.create(t, req("AWS::SQS::Queue", "Q", map[string]any{}))
	q2 := v.create(t, req("AWS::SQS::Queue", "Q2", map[string]any{}))
	r := req("AWS::Lambda::EventSourceMapping", "Map", map[string]any{
		"FunctionName": fn, "EventSourceArn": q.Attributes["Arn"], "BatchSize": 5,
		"FilterCriteria": map[string]any{"Filters": []any{map[string]any{"Pattern": `{"body": {"a": [1]}}`}}},
	})
	res := v.create(t, r)
	match(t, "Ref", `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, res.PhysicalID)
	match(t, "EventSourceMappingArn", `arn:aws:lambda:us-east-1:`+account+`:event-source-mapping:`+res.PhysicalID, res.Attributes["EventSourceMappingArn"])
	m, err := v.triggers.GetEventSourceMapping(ctx, "us-east-1", res.PhysicalID)
	if err != nil || m.BatchSize != 5 || len(m.Filters) != 1 || m.EventSourceArn != q.Attributes["Arn"] {
		t.Fatalf("mapping %+v, %v", m, err)
	}
	props := map[string]any{"FunctionName": fn, "EventSourceArn": q.Attributes["Arn"], "BatchSize": 7, "Enabled": false}
	if _, err := v.update(t, r, res, props); err != nil {
		t.Fatal(err)
	}
	if m, err = v.triggers.GetEventSourceMapping(ctx, "us-east-1", res.PhysicalID); err != nil || m.BatchSize != 7 || m.Enabled || len(m.Filters) != 0 {
		t.Errorf("mapping after update %+v, %v", m, err)
	}
	r.Properties = props
	_, err = v.update(t, r, res, map[string]any{"FunctionName": fn, "EventSourceArn": q2.Attributes["Arn"]})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", map[string]any{"FunctionName": fn, "EventSourceArn": q.Attributes["Arn"], "BatchSize": true}))
	wantInvalid(t, err, "/BatchSize")
}
