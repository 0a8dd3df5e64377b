package resources

import (
	"context"
	"strings"
	"time"

	"github.com/eddyserverless/eddy/eventbus"
	"github.com/eddyserverless/eddy/stacks"
)

// scheduleHandler is AWS::Scheduler::Schedule: Ref is the schedule name;
// Arn.
type scheduleHandler struct{ s *eventbus.Service }

func (h *scheduleHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Description", "EndDate", "FlexibleTimeWindow", "GroupName", "KmsKeyArn", "Name",
			"ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "State", "Target"},
		Required:   []string{"FlexibleTimeWindow", "ScheduleExpression", "Target"},
		Replace:    []string{"GroupName", "Name"},
		Attributes: []string{"Arn"},
	}
}

func (h *scheduleHandler) parse(m map[string]any) (*eventbus.ScheduleInput, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	in := &eventbus.ScheduleInput{Name: p.str("Name"), GroupName: p.str("GroupName"), Description: p.str("Description"),
		KmsKeyArn: p.str("KmsKeyArn"), ScheduleExpression: p.str("ScheduleExpression"),
		ScheduleExpressionTimezone: p.str("ScheduleExpressionTimezone"), State: p.str("State")}
	for name, dst := range map[string]**eventbus.Timestamp{"StartDate": &in.StartDate, "EndDate": &in.EndDate} {
		if s := p.str(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				p.fail(name, "Value does not match format {date-time}")
				continue
			}
			*dst = &eventbus.Timestamp{Time: t}
		}
	}
	if f := p.sub("FlexibleTimeWindow"); f.m != nil {
		f.only("MaximumWindowInMinutes", "Mode")
		f.require("Mode")
		in.FlexibleTimeWindow = &eventbus.FlexibleTimeWindow{Mode: f.str("Mode")}
		if n := f.integer("MaximumWindowInMinutes"); n != nil {
			in.FlexibleTimeWindow.MaximumWindowInMinutes = *n
		}
	}
	if t := p.sub("Target"); t.m != nil {
		t.only("Arn", "DeadLetterConfig", "Input", "RetryPolicy", "RoleArn", "SqsParameters")
		t.require("Arn", "RoleArn")
		x := &eventbus.SchedulerTarget{Arn: t.str("Arn"), RoleArn: t.str("RoleArn"), Input: t.str("Input")}
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
		in.Target = x
	}
	return in, p.Err()
}

func (h *scheduleHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	in.Name = nameOr(in.Name, r, 64)
	out, err := h.s.CreateSchedule(ctx, in)
	if err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: in.Name, Attributes: map[string]any{"Arn": out.ScheduleArn}}, nil
}

func (h *scheduleHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	in.Name = r.PhysicalID
	out, err := h.s.UpdateSchedule(ctx, in)
	if err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: in.Name, Attributes: map[string]any{"Arn": out.ScheduleArn}}, nil
}

func (h *scheduleHandler) Delete(ctx context.Context, r *stacks.Request) error {
	group := ""
	if g, ok := oldOr(r)["GroupName"].(string); ok {
		group = strings.TrimSpace(g)
	}
	name := r.PhysicalID
	if name == "" {
		// CreateSchedule refuses a name that exists in its group, so a
		// schedule by the create's name is the create's. (A replacement
		// keeping the name is in another group: Name and GroupName are
		// what replace a schedule.)
		given, _ := oldOr(r)["Name"].(string)
		if name = interruptedOwn(r, given, 64, ""); name == "" {
			return nil
		}
	}
	_, err := h.s.DeleteSchedule(ctx, &eventbus.ScheduleRef{Name: name, GroupName: group})
	return ignoreNotFound(err)
}
