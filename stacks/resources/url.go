package resources

import (
	"context"

	"github.com/eddyserverless/eddy/httpapis"
	"github.com/eddyserverless/eddy/stacks"
)

// urlHandler is AWS::Lambda::Url: its physical id is the function's
// (qualified) ARN; FunctionArn and FunctionUrl, eddy's address.
type urlHandler struct{ s *httpapis.Service }

func (h *urlHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"AuthType", "Cors", "InvokeMode", "Qualifier", "TargetFunctionArn"},
		Required:   []string{"AuthType", "TargetFunctionArn"},
		Replace:    []string{"Qualifier", "TargetFunctionArn"},
		Attributes: []string{"FunctionArn", "FunctionUrl"},
	}
}

func (h *urlHandler) parse(m map[string]any) (name, qualifier string, in *httpapis.URLInput, err error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	ref := functionRef(p, "TargetFunctionArn")
	qualifier = p.str("Qualifier")
	if qualifier == "" {
		qualifier = ref.Qualifier
	}
	auth, mode := p.str("AuthType"), p.str("InvokeMode")
	if mode == "" {
		mode = "BUFFERED"
	}
	in = &httpapis.URLInput{AuthType: &auth, InvokeMode: &mode, Cors: &httpapis.URLCors{}}
	if c := p.sub("Cors"); c.m != nil {
		c.only("AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders", "MaxAge")
		in.Cors = &httpapis.URLCors{AllowHeaders: c.strs("AllowHeaders"), AllowMethods: c.strs("AllowMethods"),
			AllowOrigins: c.strs("AllowOrigins"), ExposeHeaders: c.strs("ExposeHeaders"), MaxAge: c.integer("MaxAge")}
		if b := c.boolean("AllowCredentials"); b != nil {
			in.Cors.AllowCredentials = *b
		}
	}
	return ref.Name, qualifier, in, p.Err()
}

func (h *urlHandler) result(u *httpapis.FunctionURL) *stacks.Result {
	arn := h.s.FunctionARN(u)
	return &stacks.Result{PhysicalID: arn, Attributes: map[string]any{"FunctionArn": arn, "FunctionUrl": h.s.Address(u)}}
}

func (h *urlHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	name, qualifier, in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	u, err := h.s.CreateFunctionURL(ctx, r.Stack.Region, name, qualifier, in)
	if err != nil {
		return nil, err
	}
	return h.result(u), nil
}

func (h *urlHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	name, qualifier, in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	u, err := h.s.UpdateFunctionURL(ctx, r.Stack.Region, name, qualifier, in)
	if err != nil {
		return nil, err
	}
	return h.result(u), nil
}

func (h *urlHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name, qualifier, _, err := h.parse(oldOr(r))
	if err != nil {
		return nil
	}
	// CreateFunctionUrlConfig refuses a function that has a URL, so the
	// URL of the properties is the create's, unless it is the one
	// replaced (the function named another way).
	if r.PhysicalID == "" && replaces(r, name, qualifier) {
		return nil
	}
	return ignoreNotFound(h.s.DeleteFunctionURL(ctx, r.Stack.Region, name, qualifier))
}
