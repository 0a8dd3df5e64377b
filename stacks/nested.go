package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
)

// NestedType is the type of a resource that is a stack of its own: the
// template its TemplateURL names, created, updated and deleted with the
// stack that nests it. The SAM transform makes one of each
// AWS::Serverless::Application.
const NestedType = "AWS::CloudFormation::Stack"

// nestedPoll bounds how often a nested stack's state is read while the
// stack that nests it waits for it.
const nestedPoll = 250 * time.Millisecond

// nestedStack is the Handler of NestedType, built into every Service.
type nestedStack struct{ s *Service }

func (n nestedStack) Spec() Spec {
	return Spec{
		Properties: []string{"TemplateURL", "Parameters", "NotificationARNs", "Tags", "TimeoutInMinutes"},
		Required:   []string{"TemplateURL"},
	}
}

// nestedInput is what a nested stack is made from.
type nestedInput struct {
	body    string
	params  []Parameter
	tags    []Tag
	caps    []string
	timeout time.Duration
}

// input reads a nested stack's properties and the template its
// TemplateURL names.
func (n nestedStack) input(ctx context.Context, r *Request) (*nestedInput, error) {
	u, _ := r.Properties["TemplateURL"].(string)
	if u == "" {
		return nil, validation("TemplateURL must be a supported URL.")
	}
	if n.s.cfg.ReadTemplate == nil {
		return nil, validation("TemplateURL must be a supported URL.")
	}
	body, err := n.s.cfg.ReadTemplate(ctx, u)
	if err != nil {
		return nil, validation("Template %s could not be read: %s", u, eddy.ErrorMessage(err))
	}
	in := &nestedInput{body: body}
	if pm, ok := r.Properties["Parameters"].(map[string]any); ok {
		keys := make([]string, 0, len(pm))
		for k := range pm {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			in.params = append(in.params, Parameter{Key: k, Value: parameterText(pm[k])})
		}
	}
	if tl, ok := r.Properties["Tags"].([]any); ok {
		for _, t := range tl {
			tm, _ := t.(map[string]any)
			k, _ := tm["Key"].(string)
			if k != "" {
				in.tags = append(in.tags, Tag{Key: k, Value: parameterText(tm["Value"])})
			}
		}
	}
	if v := parameterText(r.Properties["TimeoutInMinutes"]); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 {
			return nil, validation("Value of property TimeoutInMinutes must be a positive integer")
		}
		in.timeout = time.Duration(m) * time.Minute
	}
	// A nested stack is made with the capabilities the stack nesting it
	// acknowledged; its own transform needs no more.
	if parent, err := n.s.find(ctx, r.Stack.ID); err == nil {
		in.caps = slices.Clone(parent.Capabilities)
	}
	if !slices.Contains(in.caps, "CAPABILITY_AUTO_EXPAND") {
		in.caps = append(in.caps, "CAPABILITY_AUTO_EXPAND")
	}
	return in, nil
}

// parameterText is a property value as a stack parameter's text.
func parameterText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = parameterText(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func (n nestedStack) Create(ctx context.Context, r *Request) (*Result, error) {
	in, err := n.input(ctx, r)
	if err != nil {
		return nil, err
	}
	parent, err := n.s.find(ctx, r.Stack.ID)
	if err != nil {
		return nil, err
	}
	root := parent.RootID
	if root == "" {
		root = parent.StackID
	}
	id, err := n.s.createStack(ctx, CreateStackInput{
		StackName: r.GeneratedName(128), TemplateBody: in.body, Parameters: in.params,
		Capabilities: in.caps, Tags: in.tags,
	}, parent.StackID, root)
	if err != nil {
		return nil, err
	}
	return n.wait(ctx, id, in.timeout, "CREATE_COMPLETE", "created")
}

func (n nestedStack) Update(ctx context.Context, r *Request) (*Result, error) {
	in, err := n.input(ctx, r)
	if err != nil {
		return nil, err
	}
	_, err = n.s.UpdateStack(ctx, UpdateStackInput{
		StackName: r.PhysicalID, TemplateBody: in.body, Parameters: in.params,
		Capabilities: in.caps, Tags: in.tags,
	})
	if err != nil && !strings.Contains(eddy.ErrorMessage(err), "No updates are to be performed") {
		return nil, err
	}
	return n.wait(ctx, r.PhysicalID, in.timeout, "", "updated")
}

// Delete deletes the nested stack, once any operation under way on it
// (a rollback resumed after a restart, say) has ended. A create cut short
// has no physical id; its stack is found by the name it was given.
func (n nestedStack) Delete(ctx context.Context, r *Request) error {
	id := r.PhysicalID
	if id == "" {
		if r.NameSuffix == "" {
			return nil
		}
		id = r.GeneratedName(128)
	}
	for {
		st, err := n.s.find(ctx, id)
		if err != nil {
			if e := eddy.AsError(err); e != nil && e.Code == eddy.EVALIDATE {
				return nil // no such stack
			}
			return err
		}
		switch {
		case st.Status == "DELETE_COMPLETE":
			return nil
		case st.Status == "DELETE_FAILED":
			return embeddedFailure(" %s was not successfully deleted: %s", st.StackID, st.StatusReason)
		case strings.HasSuffix(st.Status, "_IN_PROGRESS"):
		default:
			if err := n.s.DeleteStack(ctx, st.StackID); err != nil {
				return err
			}
			id = st.StackID
			continue
		}
		if err := sleepCtx(ctx, nestedPoll); err != nil {
			return err
		}
	}
}

// wait waits for the nested stack's operation to end, and returns its id
// and outputs when it ends in want (any COMPLETE status but a rollback's
// when want is empty).
func (n nestedStack) wait(ctx context.Context, id string, timeout time.Duration, want, verb string) (*Result, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	for {
		st, err := n.s.find(ctx, id)
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(st.Status, "_IN_PROGRESS") {
			ok := st.Status == want
			if want == "" {
				ok = strings.HasSuffix(st.Status, "_COMPLETE") && !strings.Contains(st.Status, "ROLLBACK")
			}
			if !ok {
				return nil, embeddedFailure(" %s was not successfully %s: %s", st.StackID, verb, n.failure(ctx, st))
			}
			attrs := map[string]any{}
			for _, o := range st.Outputs {
				attrs["Outputs."+o.Key] = o.Value
			}
			return &Result{PhysicalID: st.StackID, Attributes: attrs}, nil
		}
		if err := sleepCtx(ctx, nestedPoll); err != nil {
			if ctx.Err() == context.DeadlineExceeded && timeout > 0 {
				return nil, embeddedFailure(" %s was not successfully %s: the stack did not finish within TimeoutInMinutes (%v)", st.StackID, verb, timeout)
			}
			return nil, err
		}
	}
}

// failure says why a nested stack's operation failed: the reason its
// rollback began with, or its status.
func (n nestedStack) failure(ctx context.Context, st *stackRecord) string {
	evs, err := n.s.events(ctx, st.UUID)
	if err == nil {
		// Events are newest first.
		for _, e := range evs {
			if e.LogicalResourceID == st.StackName && strings.Contains(e.ResourceStatus, "ROLLBACK_IN_PROGRESS") && e.ResourceStatusReason != "" {
				return e.ResourceStatusReason
			}
		}
	}
	if st.StatusReason != "" {
		return st.StatusReason
	}
	return "The stack is " + st.Status + "."
}

// embeddedFailure is a nested stack's failure, worded as CloudFormation
// words it: "Embedded stack ARN was not successfully …".
func embeddedFailure(format string, args ...any) error {
	return eddy.Errorf(eddy.EINVALID, "Embedded stack "+format, args...)
}

// sleepCtx waits d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Tags the SAM transform puts on the nested stack of an application of
// the repository.
const (
	tagApplicationID   = "serverlessrepo:applicationId"
	tagSemanticVersion = "serverlessrepo:semanticVersion"
)

// applicationResolver returns the SAM transform's Options.Application for
// a template about to replace prev's (nil for a new stack). A Location
// without a SemanticVersion keeps the version the stack already runs of
// that application, so that a redeploy never moves a nested application
// to a newer version unless the template says so; a new one takes the
// latest.
func (s *Service) applicationResolver(prev *stackRecord) func(logicalID, appID, semver string) (string, string, error) {
	pins := pinnedVersions(prev)
	return func(logicalID, appID, semver string) (string, string, error) {
		if semver == "" {
			if p, ok := pins[logicalID]; ok && p[0] == appID {
				semver = p[1]
			}
		}
		ctx, cancel := context.WithTimeout(s.lifetime(), time.Minute)
		defer cancel()
		u, v, err := s.cfg.Applications(ctx, appID, semver)
		if err != nil {
			return "", "", fmt.Errorf("%s", eddy.ErrorMessage(err))
		}
		return u, v, nil
	}
}

// lifetime is the service's context, or a background one before Open.
func (s *Service) lifetime() context.Context {
	if s.ctx != nil {
		return s.ctx
	}
	return context.Background()
}

// pinnedVersions returns, by logical id, the application id and version
// of each nested application of the stack's processed template.
func pinnedVersions(st *stackRecord) map[string][2]string {
	out := map[string][2]string{}
	if st == nil || st.Processed == "" {
		return out
	}
	var doc struct {
		Resources map[string]struct {
			Type       string
			Properties struct{ Tags []Tag }
		}
	}
	if json.Unmarshal([]byte(st.Processed), &doc) != nil {
		return out
	}
	for id, r := range doc.Resources {
		if r.Type != NestedType {
			continue
		}
		var app, ver string
		for _, t := range r.Properties.Tags {
			switch t.Key {
			case tagApplicationID:
				app = t.Value
			case tagSemanticVersion:
				ver = t.Value
			}
		}
		if app != "" && ver != "" {
			out[id] = [2]string{app, ver}
		}
	}
	return out
}
