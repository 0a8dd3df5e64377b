package resources

import (
	"context"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/eventbus"
	"github.com/eddyserverless/eddy/stacks"
)

// ruleHandler is AWS::Events::Rule: Ref is the rule name on the default
// bus and BUS|NAME on another, as CloudFormation's; Arn.
type ruleHandler struct{ s *eventbus.Service }

func (h *ruleHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Description", "EventBusName", "EventPattern", "Name", "RoleArn", "ScheduleExpression", "State", "Targets"},
		Replace:    []string{"EventBusName", "Name"},
		Attributes: []string{"Arn"},
	}
}

func (h *ruleHandler) parse(m map[string]any) (*eventbus.PutRuleInput, []eventbus.Target, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	in := &eventbus.PutRuleInput{Name: p.str("Name"), Description: p.str("Description"), EventBusName: p.str("EventBusName"),
		RoleArn: p.str("RoleArn"), ScheduleExpression: p.str("ScheduleExpression"), State: p.str("State")}
	if p.has("EventPattern") {
		in.EventPattern = p.json("EventPattern")
	}
	var targets []eventbus.Target
	for _, t := range p.objects("Targets") {
		t.only("Arn", "DeadLetterConfig", "Id", "Input", "InputPath", "InputTransformer", "RetryPolicy", "RoleArn", "SqsParameters")
		t.require("Arn", "Id")
		x := eventbus.Target{Id: t.str("Id"), Arn: t.str("Arn"), RoleArn: t.str("RoleArn"), Input: t.str("Input"), InputPath: t.str("InputPath")}
		if it := t.sub("InputTransformer"); it.m != nil {
			it.only("InputPathsMap", "InputTemplate")
			it.require("InputTemplate")
			x.InputTransformer = &eventbus.InputTransformer{InputPathsMap: it.strMap("InputPathsMap"), InputTemplate: it.str("InputTemplate")}
		}
		if rp := t.sub("RetryPolicy"); rp.m != nil {
			rp.only("MaximumEventAgeInSeconds", "MaximumRetryAttempts")
			x.RetryPolicy = &eventbus.RetryPolicy{MaximumEventAgeInSeconds: rp.integer("MaximumEventAgeInSeconds"), MaximumRetryAttempts: rp.integer("MaximumRetryAttempts")}
		}
		if dl := t.sub("DeadLetterConfig"); dl.m != nil {
			dl.only("Arn")
			x.DeadLetterConfig = &eventbus.DeadLetterConfig{Arn: dl.str("Arn")}
		}
		if sq := t.sub("SqsParameters"); sq.m != nil {
			sq.only("MessageGroupId")
			x.SqsParameters = &eventbus.SqsParameters{MessageGroupId: sq.str("MessageGroupId")}
		}
		targets = append(targets, x)
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, nil, invalid("/EventPattern", "A rule needs EventPattern or ScheduleExpression")
	}
	return in, targets, nil
}

// splitRuleID returns the bus and rule name of a physical id.
func splitRuleID(id string) (bus, name string) {
	if i := strings.LastIndex(id, "|"); i >= 0 {
		return id[:i], id[i+1:]
	}
	return "", id
}

func (h *ruleHandler) put(ctx context.Context, in *eventbus.PutRuleInput, targets []eventbus.Target, old []string) (*stacks.Result, error) {
	out, err := h.s.PutRule(ctx, in)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, t := range targets {
		keep[t.Id] = true
	}
	var remove []string
	for _, id := range old {
		if !keep[id] {
			remove = append(remove, id)
		}
	}
	if len(remove) > 0 {
		if _, err := h.s.RemoveTargets(ctx, &eventbus.RemoveTargetsInput{Rule: in.Name, EventBusName: in.EventBusName, Ids: remove}); err != nil {
			return nil, err
		}
	}
	if len(targets) > 0 {
		res, err := h.s.PutTargets(ctx, &eventbus.PutTargetsInput{Rule: in.Name, EventBusName: in.EventBusName, Targets: targets})
		if err != nil {
			return nil, err
		}
		if res.FailedEntryCount > 0 {
			f := res.FailedEntries[0]
			return nil, eddy.TypedErrorf(eddy.EINVALID, "ValidationError", "Target %s: %s: %s", f.TargetId, f.ErrorCode, f.ErrorMessage)
		}
	}
	id := in.Name
	if in.EventBusName != "" && in.EventBusName != "default" {
		id = in.EventBusName + "|" + in.Name
	}
	return &stacks.Result{PhysicalID: id, Attributes: map[string]any{"Arn": out.RuleArn}}, nil
}

func (h *ruleHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, targets, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	in.Name = nameOr(in.Name, r, 64)
	if _, err := h.s.DescribeRule(ctx, &eventbus.RuleInput{Name: in.Name, EventBusName: in.EventBusName}); err == nil {
		return nil, eddy.TypedErrorf(eddy.ECONFLICT, "AlreadyExists", "Rule %s already exists.", in.Name)
	}
	res, err := h.put(ctx, in, targets, nil)
	if err != nil {
		_, _ = h.s.DeleteRule(ctx, &eventbus.RuleInput{Name: in.Name, EventBusName: in.EventBusName, Force: true})
		return nil, err
	}
	return res, nil
}

func (h *ruleHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, targets, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	in.EventBusName, in.Name = splitRuleID(r.PhysicalID)
	old, err := h.s.ListTargetsByRule(ctx, &eventbus.ListTargetsByRuleInput{Rule: in.Name, EventBusName: in.EventBusName, Limit: 100})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, t := range old.Targets {
		ids = append(ids, t.Id)
	}
	return h.put(ctx, in, targets, ids)
}

func (h *ruleHandler) Delete(ctx context.Context, r *stacks.Request) error {
	bus, name := splitRuleID(r.PhysicalID)
	if r.PhysicalID == "" {
		if in, _, err := h.parse(oldOr(r)); err == nil {
			bus, name = in.EventBusName, interrupted(r, in.Name, 64)
		}
		if name == "" {
			return nil
		}
	}
	old, err := h.s.ListTargetsByRule(ctx, &eventbus.ListTargetsByRuleInput{Rule: name, EventBusName: bus, Limit: 100})
	if notFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(old.Targets) > 0 {
		var ids []string
		for _, t := range old.Targets {
			ids = append(ids, t.Id)
		}
		if _, err := h.s.RemoveTargets(ctx, &eventbus.RemoveTargetsInput{Rule: name, EventBusName: bus, Ids: ids, Force: true}); err != nil {
			return ignoreNotFound(err)
		}
	}
	_, err = h.s.DeleteRule(ctx, &eventbus.RuleInput{Name: name, EventBusName: bus, Force: true})
	return ignoreNotFound(err)
}
