package resources_test

import (
	"context"
	"testing"

	"github.com/eddyserverless/eddy/eventbus"
)

func TestRule(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	q := v.create(t, req("AWS::SQS::Queue", "Q", map[string]any{}))
	r := req("AWS::Events::Rule", "OnOrder", map[string]any{
		"EventPattern": map[string]any{"source": []any{"shop"}},
		"Targets":      []any{map[string]any{"Id": "q", "Arn": q.Attributes["Arn"]}},
	})
	res := v.create(t, r)
	match(t, "Ref", `app-OnOrder-[A-Z0-9]{13}`, res.PhysicalID)
	match(t, "Arn", `arn:aws:events:us-east-1:`+account+`:rule/app-OnOrder-[A-Z0-9]{13}`, res.Attributes["Arn"])
	targets := func() []eventbus.Target {
		out, err := v.events.ListTargetsByRule(ctx, &eventbus.ListTargetsByRuleInput{Rule: res.PhysicalID})
		if err != nil {
			t.Fatal(err)
		}
		return out.Targets
	}
	if ts := targets(); len(ts) != 1 || ts[0].Arn != q.Attributes["Arn"] {
		t.Errorf("targets %+v", ts)
	}
	props := map[string]any{"ScheduleExpression": "rate(5 minutes)", "State": "DISABLED",
		"Targets": []any{map[string]any{"Id": "q2", "Arn": q.Attributes["Arn"], "Input": `{"a":1}`}}}
	if _, err := v.update(t, r, res, props); err != nil {
		t.Fatal(err)
	}
	rule, err := v.events.DescribeRule(ctx, &eventbus.RuleInput{Name: res.PhysicalID})
	if err != nil || rule.ScheduleExpression != "rate(5 minutes)" || rule.State != "DISABLED" {
		t.Errorf("rule after update %+v, %v", rule, err)
	}
	if ts := targets(); len(ts) != 1 || ts[0].Id != "q2" || ts[0].Input != `{"a":1}` {
		t.Errorf("targets after update %+v", ts)
	}
	r.Properties = props
	_, err = v.update(t, r, res, map[string]any{"Name": "x", "ScheduleExpression": "rate(5 minutes)"})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)
	if _, err := v.events.DescribeRule(ctx, &eventbus.RuleInput{Name: res.PhysicalID}); err == nil {
		t.Error("rule exists after delete")
	}
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", map[string]any{"ScheduleExpression": "rate(1 hour)", "Targets": []any{map[string]any{"Id": "x"}}}))
	wantInvalid(t, err, "/Targets/0/Arn")
}
