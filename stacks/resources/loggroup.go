package resources

import (
	"context"

	"github.com/eddyserverless/eddy/logs"
	"github.com/eddyserverless/eddy/stacks"
)

// logGroupHandler is AWS::Logs::LogGroup: Ref is the group name; Arn is
// arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*.
type logGroupHandler struct{ s *logs.Store }

func (h *logGroupHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"DataProtectionPolicy", "KmsKeyId", "LogGroupClass", "LogGroupName", "RetentionInDays", "Tags"},
		Replace:    []string{"LogGroupClass", "LogGroupName"},
		Attributes: []string{"Arn"},
	}
}

func (h *logGroupHandler) parse(m map[string]any) (name string, days *int, err error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	name = p.str("LogGroupName")
	days = p.integer("RetentionInDays")
	p.str("KmsKeyId")
	p.str("LogGroupClass")
	p.json("DataProtectionPolicy")
	p.tags("Tags")
	return name, days, p.Err()
}

func (h *logGroupHandler) result(r *stacks.Request, name string) *stacks.Result {
	return &stacks.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn": "arn:aws:logs:" + r.Stack.Region + ":" + r.Stack.Account + ":log-group:" + name + ":*",
	}}
}

func (h *logGroupHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	name, days, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	name = nameOr(name, r, 512)
	if err := h.s.CreateLogGroup(ctx, name); err != nil {
		return nil, err
	}
	if days != nil {
		if err := h.s.PutRetentionPolicy(ctx, name, *days); err != nil {
			_ = h.s.DeleteLogGroup(ctx, name)
			return nil, err
		}
	}
	return h.result(r, name), nil
}

func (h *logGroupHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	_, days, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	if changed(r.OldProperties, r.Properties, "RetentionInDays") {
		if days != nil {
			err = h.s.PutRetentionPolicy(ctx, r.PhysicalID, *days)
		} else {
			err = h.s.DeleteRetentionPolicy(ctx, r.PhysicalID)
		}
		if err != nil {
			return nil, err
		}
	}
	return h.result(r, r.PhysicalID), nil
}

func (h *logGroupHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		if given, _, err := h.parse(oldOr(r)); err == nil {
			name = interrupted(r, given, 512)
		}
		if name == "" {
			return nil
		}
	}
	return ignoreNotFound(h.s.DeleteLogGroup(ctx, name))
}
