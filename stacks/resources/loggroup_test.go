package resources_test

import (
	"context"
	"testing"
)

func TestLogGroup(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	r := req("AWS::Logs::LogGroup", "Logs", map[string]any{"LogGroupName": "/aws/lambda/worker", "RetentionInDays": 7})
	res := v.create(t, r)
	if res.PhysicalID != "/aws/lambda/worker" {
		t.Errorf("Ref = %s", res.PhysicalID)
	}
	if want := "arn:aws:logs:us-east-1:" + account + ":log-group:/aws/lambda/worker:*"; res.Attributes["Arn"] != want {
		t.Errorf("Arn = %v, want %s", res.Attributes["Arn"], want)
	}
	retention := func() int {
		groups, _, err := v.logs.DescribeLogGroups(ctx, "/aws/lambda/worker", "", 10)
		if err != nil || len(groups) != 1 {
			t.Fatalf("groups %v, %v", groups, err)
		}
		return groups[0].RetentionInDays
	}
	if n := retention(); n != 7 {
		t.Errorf("retention after create = %d", n)
	}
	props := map[string]any{"LogGroupName": "/aws/lambda/worker", "RetentionInDays": "30"}
	if _, err := v.update(t, r, res, props); err != nil {
		t.Fatal(err)
	}
	if n := retention(); n != 30 {
		t.Errorf("retention after update = %d", n)
	}
	r.Properties = props
	_, err := v.update(t, r, res, map[string]any{"LogGroupName": "/other"})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)

	gen := v.create(t, req("AWS::Logs::LogGroup", "Gen", map[string]any{}))
	match(t, "Ref", `app-Gen-[A-Z0-9]{13}`, gen.PhysicalID)
	_, err = v.h["AWS::Logs::LogGroup"].Create(ctx, req("AWS::Logs::LogGroup", "Bad", map[string]any{"RetentionInDays": 1.5}))
	wantInvalid(t, err, "/RetentionInDays")
}
