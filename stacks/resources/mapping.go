package resources

import (
	"context"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/stacks"
)

// mappingHandler is AWS::Lambda::EventSourceMapping: Ref is the mapping's
// UUID; Id and EventSourceMappingArn.
type mappingHandler struct {
	s eddy.EventSourceMappingService
}

func (h *mappingHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"BatchSize", "BisectBatchOnFunctionError", "DestinationConfig", "Enabled", "EventSourceArn",
			"FilterCriteria", "FunctionName", "FunctionResponseTypes", "MaximumBatchingWindowInSeconds",
			"MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "ParallelizationFactor", "ScalingConfig",
			"StartingPosition", "StartingPositionTimestamp", "Tags", "TumblingWindowInSeconds"},
		Required:   []string{"FunctionName"},
		Replace:    []string{"EventSourceArn", "StartingPosition", "StartingPositionTimestamp"},
		Attributes: []string{"EventSourceMappingArn", "Id"},
	}
}

func (h *mappingHandler) parse(m map[string]any) (*eddy.EventSourceMappingInput, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	fn := p.str("FunctionName")
	in := &eddy.EventSourceMappingInput{
		FunctionName:                   &fn,
		EventSourceArn:                 p.str("EventSourceArn"),
		Enabled:                        p.boolean("Enabled"),
		BatchSize:                      p.integer("BatchSize"),
		MaximumBatchingWindowInSeconds: p.integer("MaximumBatchingWindowInSeconds"),
		StartingPosition:               p.str("StartingPosition"),
		ParallelizationFactor:          p.integer("ParallelizationFactor"),
		MaximumRetryAttempts:           p.integer("MaximumRetryAttempts"),
		MaximumRecordAgeInSeconds:      p.integer("MaximumRecordAgeInSeconds"),
		BisectBatchOnFunctionError:     p.boolean("BisectBatchOnFunctionError"),
		TumblingWindowInSeconds:        p.integer("TumblingWindowInSeconds"),
		Tags:                           p.tags("Tags"),
	}
	if ts := p.number("StartingPositionTimestamp"); ts != 0 {
		t := time.Unix(0, int64(ts*1e9)).UTC()
		in.StartingPositionTimestamp = &t
	}
	if p.has("FunctionResponseTypes") {
		types := p.strs("FunctionResponseTypes")
		in.FunctionResponseTypes = &types
	}
	onFailure := ""
	d := p.sub("DestinationConfig")
	d.only("OnFailure")
	of := d.sub("OnFailure")
	of.only("Destination")
	onFailure = of.str("Destination")
	in.OnFailure = &onFailure
	filters := []string{}
	fc := p.sub("FilterCriteria")
	fc.only("Filters")
	for _, f := range fc.objects("Filters") {
		f.only("Pattern")
		filters = append(filters, f.json("Pattern"))
	}
	in.Filters = &filters
	if sc := p.sub("ScalingConfig"); sc.m != nil {
		sc.only("MaximumConcurrency")
		in.ScalingConfig = &eddy.ScalingConfig{MaximumConcurrency: sc.integer("MaximumConcurrency")}
	}
	return in, p.Err()
}

func mappingResult(m *eddy.EventSourceMapping) *stacks.Result {
	return &stacks.Result{PhysicalID: m.UUID, Attributes: map[string]any{"Id": m.UUID, "EventSourceMappingArn": m.ARN()}}
}

func (h *mappingHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if in.EventSourceArn == "" {
		return nil, invalid("/EventSourceArn", "Required property EventSourceArn is missing")
	}
	if len(*in.Filters) == 0 {
		in.Filters = nil
	}
	m, err := h.s.CreateEventSourceMapping(ctx, r.Stack.Region, in)
	if err != nil {
		return nil, err
	}
	return mappingResult(m), nil
}

func (h *mappingHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	// Set on create only.
	in.EventSourceArn, in.StartingPosition, in.StartingPositionTimestamp, in.Tags = "", "", nil, nil
	if in.Enabled == nil {
		t := true
		in.Enabled = &t
	}
	if in.ScalingConfig == nil && r.OldProperties["ScalingConfig"] != nil {
		in.ScalingConfig = &eddy.ScalingConfig{}
	}
	m, err := h.s.UpdateEventSourceMapping(ctx, r.Stack.Region, r.PhysicalID, in)
	if err != nil {
		return nil, err
	}
	return mappingResult(m), nil
}

func (h *mappingHandler) Delete(ctx context.Context, r *stacks.Request) error {
	id := r.PhysicalID
	if id == "" {
		var err error
		if id, err = h.interrupted(ctx, r); id == "" || err != nil {
			return err
		}
	}
	_, err := h.s.DeleteEventSourceMapping(ctx, r.Stack.Region, id)
	return ignoreNotFound(err)
}

// interrupted returns the UUID of the mapping a create cut short made, ""
// if there is none. Lambda refuses a second mapping of one source to one
// function, so the mapping of the function (as qualified) from the source
// is the create's, unless it is the one a replacement replaces.
func (h *mappingHandler) interrupted(ctx context.Context, r *stacks.Request) (string, error) {
	in, err := h.parse(oldOr(r))
	if err != nil || in.EventSourceArn == "" {
		return "", nil // nothing was created from properties that do not parse
	}
	ref, err := eddy.ParseFunctionRef(*in.FunctionName, "FunctionName")
	if err != nil {
		return "", nil
	}
	marker := ""
	for {
		ms, next, err := h.s.ListEventSourceMappings(ctx, r.Stack.Region, *in.FunctionName, in.EventSourceArn, marker, 100)
		if err != nil {
			return "", ignoreNotFound(err)
		}
		for _, m := range ms {
			if m.EventSourceArn == in.EventSourceArn && m.FunctionName == ref.Name && m.Qualifier == ref.Qualifier && m.UUID != r.Replaces {
				return m.UUID, nil
			}
		}
		if next == "" {
			return "", nil
		}
		marker = next
	}
}
