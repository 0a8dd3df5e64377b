package resources

import (
	"context"

	"github.com/eddyserverless/eddy/params"
	"github.com/eddyserverless/eddy/stacks"
)

// paramHandler is AWS::SSM::Parameter: Ref is the parameter name; Type
// and Value.
type paramHandler struct{ s *params.Service }

func (h *paramHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"AllowedPattern", "DataType", "Description", "Name", "Policies", "Tags", "Tier", "Type", "Value"},
		Required:   []string{"Type", "Value"},
		Replace:    []string{"Name"},
		Attributes: []string{"Type", "Value"},
	}
}

func (h *paramHandler) parse(m map[string]any) (*params.PutParameterInput, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	in := &params.PutParameterInput{}
	opt := func(name string) *string {
		if !p.has(name) {
			return nil
		}
		s := p.str(name)
		return &s
	}
	in.Name, in.Type, in.Value = opt("Name"), opt("Type"), opt("Value")
	in.AllowedPattern, in.DataType, in.Description, in.Tier = opt("AllowedPattern"), opt("DataType"), opt("Description"), opt("Tier")
	if p.has("Policies") {
		s := p.json("Policies")
		in.Policies = &s
	}
	// Tags of a parameter are an object of strings, not a list.
	for k, v := range p.strMap("Tags") {
		in.Tags = append(in.Tags, params.Tag{Key: k, Value: v})
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if in.Type != nil && *in.Type == "SecureString" {
		return nil, invalid("/Type", "CloudFormation does not create SecureString parameters")
	}
	return in, nil
}

func (h *paramHandler) put(ctx context.Context, r *stacks.Request, in *params.PutParameterInput) (*stacks.Result, error) {
	if _, err := h.s.PutParameter(ctx, r.Stack.Region, in); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: *in.Name, Attributes: map[string]any{"Type": *in.Type, "Value": *in.Value}}, nil
}

func (h *paramHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if in.Name == nil {
		name := paramName(r)
		in.Name = &name
	}
	return h.put(ctx, r, in)
}

// paramName returns the name generated for a parameter the template does
// not name. CloudFormation's start with CFN-; the random part is the one
// the stack recorded, so that the Delete of a create cut short finds it.
func paramName(r *stacks.Request) string {
	suffix := r.NameSuffix
	if len(suffix) > 12 {
		suffix = suffix[:12]
	} else if suffix == "" {
		suffix = randomSuffix(12)
	}
	return "CFN-" + r.LogicalID + "-" + suffix
}

func (h *paramHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	name, yes := r.PhysicalID, true
	// Tags are not given with Overwrite; they stay as they were.
	in.Name, in.Overwrite, in.Tags = &name, &yes, nil
	return h.put(ctx, r, in)
}

func (h *paramHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		// PutParameter without Overwrite refuses a name that exists, so a
		// parameter by the create's name is the create's.
		in, err := h.parse(oldOr(r))
		if err != nil {
			return nil
		}
		switch {
		case in.Name != nil:
			name = *in.Name
		case r.NameSuffix != "":
			name = paramName(r)
		}
		if name == "" || name == r.Replaces {
			return nil
		}
	}
	_, err := h.s.DeleteParameter(ctx, r.Stack.Region, &params.DeleteParameterInput{Name: &name})
	return ignoreNotFound(err)
}
