package resources

import (
	"context"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/functions"
	"github.com/eddyserverless/eddy/stacks"
)

// functionRef reads a FunctionName property: a name, a full or partial
// ARN, possibly qualified.
func functionRef(p props, name string) eddy.FunctionRef {
	s := p.str(name)
	if *p.err != nil {
		return eddy.FunctionRef{}
	}
	ref, err := eddy.ParseFunctionRef(s, name)
	if err != nil {
		p.fail(name, "Value %q is not a function name or ARN", s)
	}
	return ref
}

// oldOr returns the properties a resource had: OldProperties on update
// and delete, else Properties.
func oldOr(r *stacks.Request) map[string]any {
	if r.OldProperties != nil {
		return r.OldProperties
	}
	return r.Properties
}

// replaces reports whether the resource a replacement replaces, whose
// physical id is a function ARN or NAME:QUALIFIER, is of the function and
// qualifier given.
func replaces(r *stacks.Request, function, qualifier string) bool {
	if r.Replaces == "" {
		return false
	}
	ref, err := eddy.ParseFunctionRef(r.Replaces, "FunctionName")
	if err != nil {
		return false
	}
	if qualifier == "" {
		qualifier = eddy.LatestVersion
	}
	if ref.Qualifier == "" {
		ref.Qualifier = eddy.LatestVersion
	}
	return ref.Name == function && ref.Qualifier == qualifier
}

// permissionHandler is AWS::Lambda::Permission: a statement of a
// function's resource policy. Its physical id is the statement id.
type permissionHandler struct{ s *functions.Service }

func (h *permissionHandler) Spec() stacks.Spec {
	p := []string{"Action", "EventSourceToken", "FunctionName", "FunctionUrlAuthType", "Principal",
		"PrincipalOrgID", "SourceAccount", "SourceArn"}
	return stacks.Spec{Properties: p, Required: []string{"Action", "FunctionName", "Principal"}, Replace: p}
}

func (h *permissionHandler) parse(m map[string]any) (eddy.FunctionRef, *eddy.Permission, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	ref := functionRef(p, "FunctionName")
	perm := &eddy.Permission{
		Action: p.str("Action"), Principal: p.str("Principal"), EventSourceToken: p.str("EventSourceToken"),
		FunctionURLAuthType: p.str("FunctionUrlAuthType"), PrincipalOrgID: p.str("PrincipalOrgID"),
		SourceAccount: p.str("SourceAccount"), SourceArn: p.str("SourceArn"),
	}
	return ref, perm, p.Err()
}

func (h *permissionHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	ref, perm, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	perm.StatementID = r.GeneratedName(100)
	if _, err := h.s.AddPermission(ctx, r.Stack.Region, ref.Name, ref.Qualifier, perm, ""); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: perm.StatementID, Attributes: map[string]any{}}, nil
}

func (h *permissionHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if _, _, err := h.parse(r.Properties); err != nil {
		return nil, err
	}
	// Every property is create-only.
	return nil, stacks.ErrReplace
}

func (h *permissionHandler) Delete(ctx context.Context, r *stacks.Request) error {
	ref, _, err := h.parse(oldOr(r))
	if err != nil {
		return nil // nothing was created from properties that do not parse
	}
	// The statement id of a create cut short is the generated one.
	sid := r.PhysicalID
	if sid == "" {
		if sid = interrupted(r, "", 100); sid == "" {
			return nil
		}
	}
	return ignoreNotFound(h.s.RemovePermission(ctx, r.Stack.Region, ref.Name, ref.Qualifier, sid, ""))
}

// versionHandler is AWS::Lambda::Version: Ref is the version's ARN;
// Version is its number.
type versionHandler struct{ s *functions.Service }

func (h *versionHandler) Spec() stacks.Spec {
	p := []string{"CodeSha256", "Description", "FunctionName", "ProvisionedConcurrencyConfig", "RuntimePolicy"}
	return stacks.Spec{Properties: p, Required: []string{"FunctionName"}, Replace: p,
		Attributes: []string{"FunctionArn", "Version"}}
}

func (h *versionHandler) parse(m map[string]any) (eddy.FunctionRef, *eddy.PublishVersionInput, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	ref := functionRef(p, "FunctionName")
	in := &eddy.PublishVersionInput{CodeSha256: p.str("CodeSha256"), Description: p.str("Description")}
	if pc := p.sub("ProvisionedConcurrencyConfig"); pc.m != nil {
		pc.only("ProvisionedConcurrentExecutions")
		pc.integer("ProvisionedConcurrentExecutions")
	}
	return ref, in, p.Err()
}

func (h *versionHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	ref, in, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	fn, err := h.s.PublishVersion(ctx, r.Stack.Region, ref.Name, in)
	if err != nil {
		return nil, err
	}
	arn := fn.ARN() + ":" + fn.Version
	return &stacks.Result{PhysicalID: arn, Attributes: map[string]any{"Version": fn.Version, "FunctionArn": fn.ARN()}}, nil
}

func (h *versionHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if _, _, err := h.parse(r.Properties); err != nil {
		return nil, err
	}
	return nil, stacks.ErrReplace
}

// Delete deletes the version. CloudFormation keeps versions unless their
// resource's DeletionPolicy says otherwise; the engine applies that policy
// before calling Delete. The number of a version whose create was cut
// short is not known, and nothing else tells it apart (publishing returns
// the latest version when nothing changed since, so the latest may be
// older than the create): it is left, to be deleted with its function.
func (h *versionHandler) Delete(ctx context.Context, r *stacks.Request) error {
	i := strings.LastIndex(r.PhysicalID, ":")
	j := strings.LastIndex(r.PhysicalID[:max(i, 0)], ":")
	if i < 0 || j < 0 {
		return nil
	}
	return ignoreNotFound(h.s.DeleteFunctionVersion(ctx, r.Stack.Region, r.PhysicalID[j+1:i], r.PhysicalID[i+1:]))
}

// aliasHandler is AWS::Lambda::Alias: Ref is the alias's ARN.
type aliasHandler struct{ s *functions.Service }

func (h *aliasHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Description", "FunctionName", "FunctionVersion", "Name", "ProvisionedConcurrencyConfig", "RoutingConfig"},
		Required:   []string{"FunctionName", "FunctionVersion", "Name"},
		Replace:    []string{"FunctionName", "Name"},
		Attributes: []string{"AliasArn"},
	}
}

func (h *aliasHandler) parse(m map[string]any) (*eddy.Alias, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	ref := functionRef(p, "FunctionName")
	a := &eddy.Alias{Name: p.str("Name"), FunctionName: ref.Name, FunctionVersion: p.str("FunctionVersion"), Description: p.str("Description")}
	rc := p.sub("RoutingConfig")
	rc.only("AdditionalVersionWeights")
	for _, w := range rc.objects("AdditionalVersionWeights") {
		w.only("FunctionVersion", "FunctionWeight")
		w.require("FunctionVersion", "FunctionWeight")
		v := w.str("FunctionVersion")
		f := w.number("FunctionWeight")
		if a.AdditionalVersionWeights == nil {
			a.AdditionalVersionWeights = map[string]float64{}
		}
		a.AdditionalVersionWeights[v] = f
	}
	if pc := p.sub("ProvisionedConcurrencyConfig"); pc.m != nil {
		pc.only("ProvisionedConcurrentExecutions")
		pc.integer("ProvisionedConcurrentExecutions")
	}
	return a, p.Err()
}

func (h *aliasHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	a, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	out, err := h.s.CreateAlias(ctx, r.Stack.Region, a)
	if err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: out.ARN(), Attributes: map[string]any{"AliasArn": out.ARN()}}, nil
}

func (h *aliasHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	a, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	weights := a.AdditionalVersionWeights
	if weights == nil {
		weights = map[string]float64{}
	}
	out, err := h.s.UpdateAlias(ctx, r.Stack.Region, a.FunctionName, a.Name, &eddy.AliasUpdate{
		FunctionVersion: &a.FunctionVersion, Description: &a.Description, AdditionalVersionWeights: &weights})
	if err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: out.ARN(), Attributes: map[string]any{"AliasArn": out.ARN()}}, nil
}

func (h *aliasHandler) Delete(ctx context.Context, r *stacks.Request) error {
	a, err := h.parse(oldOr(r))
	if err != nil {
		return nil
	}
	// CreateAlias refuses an alias that exists, so the alias of the
	// properties is the create's, unless it is the one replaced (the
	// function named another way).
	if r.PhysicalID == "" && replaces(r, a.FunctionName, a.Name) {
		return nil
	}
	return ignoreNotFound(h.s.DeleteAlias(ctx, r.Stack.Region, a.FunctionName, a.Name))
}

// eventInvokeConfigHandler is AWS::Lambda::EventInvokeConfig.
type eventInvokeConfigHandler struct{ s *functions.Service }

func (h *eventInvokeConfigHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"DestinationConfig", "FunctionName", "MaximumEventAgeInSeconds", "MaximumRetryAttempts", "Qualifier"},
		Required:   []string{"FunctionName", "Qualifier"},
		Replace:    []string{"FunctionName", "Qualifier"},
	}
}

func (h *eventInvokeConfigHandler) parse(r *stacks.Request, m map[string]any) (*eddy.EventInvokeConfig, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	ref := functionRef(p, "FunctionName")
	c := &eddy.EventInvokeConfig{FunctionName: ref.Name, Qualifier: p.str("Qualifier"),
		MaximumEventAgeInSeconds: p.integer("MaximumEventAgeInSeconds"), MaximumRetryAttempts: p.integer("MaximumRetryAttempts"),
		Region: r.Stack.Region, Account: r.Stack.Account}
	d := p.sub("DestinationConfig")
	d.only("OnFailure", "OnSuccess")
	for name, dst := range map[string]*string{"OnFailure": &c.OnFailure, "OnSuccess": &c.OnSuccess} {
		o := d.sub(name)
		o.only("Destination")
		*dst = o.str("Destination")
	}
	return c, p.Err()
}

// Create refuses a function that has a configuration, as CloudFormation
// does: the configuration of the properties is then the create's, and the
// Delete of a create cut short deletes it.
func (h *eventInvokeConfigHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	c, err := h.parse(r, r.Properties)
	if err != nil {
		return nil, err
	}
	if _, err := h.s.GetEventInvokeConfig(ctx, r.Stack.Region, c.FunctionName, c.Qualifier); err == nil {
		return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
			"An event invoke config already exists for function %s and qualifier %s.", c.FunctionName, c.Qualifier)
	} else if !notFound(err) {
		return nil, err
	}
	return h.put(ctx, r, c)
}

func (h *eventInvokeConfigHandler) put(ctx context.Context, r *stacks.Request, c *eddy.EventInvokeConfig) (*stacks.Result, error) {
	if _, err := h.s.PutEventInvokeConfig(ctx, r.Stack.Region, c, false); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: c.FunctionName + ":" + c.Qualifier, Attributes: map[string]any{}}, nil
}

func (h *eventInvokeConfigHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	c, err := h.parse(r, r.Properties)
	if err != nil {
		return nil, err
	}
	return h.put(ctx, r, c)
}

func (h *eventInvokeConfigHandler) Delete(ctx context.Context, r *stacks.Request) error {
	c, err := h.parse(r, oldOr(r))
	if err != nil {
		return nil
	}
	if r.PhysicalID == "" && replaces(r, c.FunctionName, c.Qualifier) {
		return nil
	}
	return ignoreNotFound(h.s.DeleteEventInvokeConfig(ctx, r.Stack.Region, c.FunctionName, c.Qualifier))
}
