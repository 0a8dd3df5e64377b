package resources_test

import (
	"context"
	"testing"

	"github.com/eddyserverless/eddy/eventbus"
)

func TestSchedule(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	q := v.create(t, req("AWS::SQS::Queue", "Q", map[string]any{}))
	target := map[string]any{"Arn": q.Attributes["Arn"], "RoleArn": roleArn, "Input": "tick"}
	r := req("AWS::Scheduler::Schedule", "Tick", map[string]any{
		"ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": map[string]any{"Mode": "OFF"}, "Target": target,
	})
	res := v.create(t, r)
	match(t, "Ref", `app-Tick-[A-Z0-9]{13}`, res.PhysicalID)
	match(t, "Arn", `arn:aws:scheduler:us-east-1:`+account+`:schedule/default/app-Tick-[A-Z0-9]{13}`, res.Attributes["Arn"])
	props := map[string]any{"ScheduleExpression": "rate(2 hours)", "FlexibleTimeWindow": map[string]any{"Mode": "OFF"}, "Target": target, "State": "DISABLED"}
	if _, err := v.update(t, r, res, props); err != nil {
		t.Fatal(err)
	}
	s, err := v.events.GetSchedule(ctx, &eventbus.ScheduleRef{Name: res.PhysicalID})
	if err != nil || s.ScheduleExpression != "rate(2 hours)" || s.State != "DISABLED" {
		t.Errorf("schedule after update %+v, %v", s, err)
	}
	r.Properties = props
	_, err = v.update(t, r, res, map[string]any{"Name": "n", "ScheduleExpression": "rate(2 hours)", "FlexibleTimeWindow": map[string]any{"Mode": "OFF"}, "Target": target})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)
	if _, err := v.events.GetSchedule(ctx, &eventbus.ScheduleRef{Name: res.PhysicalID}); err == nil {
		t.Error("schedule exists after delete")
	}
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", map[string]any{"ScheduleExpression": "rate(1 hour)",
		"FlexibleTimeWindow": map[string]any{"Mode": "OFF"}, "Target": target, "StartDate": "tomorrow"}))
	wantInvalid(t, err, "/StartDate")
}
