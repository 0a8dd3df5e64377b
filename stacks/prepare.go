package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/templates"
	"github.com/eddyserverless/eddy/templates/sam"
)

const samTransform = "AWS::Serverless-2016-10-31"

// plan is a template read, transformed, validated and bound for a stack.
type plan struct {
	body      string
	doc       map[string]any
	processed string
	tmpl      *templates.Template
	bound     *templates.Bound
	given     map[string]string
	order     [][]string

	mu      sync.Mutex // guards imports
	imports map[string]bool
}

// iamNameProps are the properties that give an IAM resource a custom name,
// which needs CAPABILITY_NAMED_IAM.
var iamNameProps = map[string]string{
	"AWS::IAM::Role":            "RoleName",
	"AWS::IAM::User":            "UserName",
	"AWS::IAM::Group":           "GroupName",
	"AWS::IAM::ManagedPolicy":   "ManagedPolicyName",
	"AWS::IAM::InstanceProfile": "InstanceProfileName",
}

var iamTypes = map[string]bool{
	"AWS::IAM::Role": true, "AWS::IAM::Policy": true, "AWS::IAM::ManagedPolicy": true,
	"AWS::IAM::User": true, "AWS::IAM::Group": true, "AWS::IAM::AccessKey": true,
	"AWS::IAM::InstanceProfile": true, "AWS::IAM::UserToGroupAddition": true,
	"AWS::IAM::RolePolicy": true, "AWS::IAM::UserPolicy": true, "AWS::IAM::GroupPolicy": true,
}

func insufficient(c string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InsufficientCapabilitiesException", "Requires capabilities : [%s]", c)
}

// parse reads and transforms a template body. autoExpand says the caller
// must have acknowledged CAPABILITY_AUTO_EXPAND for a transform (CreateStack
// and UpdateStack; change sets expand without it). prev is the stack as it
// is, when the template is to update it: a nested application without a
// version keeps the version prev resolved (see pinnedVersions).
func (s *Service) parse(stackName, body string, params map[string]string, caps []string, autoExpand bool, prev *stackRecord) (*plan, error) {
	if strings.TrimSpace(body) == "" {
		return nil, validation("Template body is empty")
	}
	doc, keys, err := templates.ParseDocumentKeys([]byte(body))
	if err != nil {
		return nil, asValidation(err)
	}
	has := map[string]bool{}
	for _, c := range caps {
		switch c {
		case "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND":
			has[c] = true
		default:
			return nil, validation("1 validation error detected: Value '[%s]' at 'capabilities' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CAPABILITY_AUTO_EXPAND, CAPABILITY_NAMED_IAM, CAPABILITY_IAM]]", c)
		}
	}
	if tr, ok := doc["Transform"]; ok {
		var names []string
		switch v := tr.(type) {
		case string:
			names = []string{v}
		case []any:
			for _, n := range v {
				if s, ok := n.(string); ok {
					names = append(names, s)
				}
			}
		}
		for _, n := range names {
			if n != samTransform {
				return nil, validation("Template format error: Unsupported transform: %s", n)
			}
		}
		if len(names) > 0 {
			if autoExpand && !has["CAPABILITY_AUTO_EXPAND"] {
				return nil, insufficient("CAPABILITY_AUTO_EXPAND")
			}
			sp := map[string]any{}
			for k, v := range params {
				sp[k] = v
			}
			opts := sam.Options{Region: s.cfg.Region, AccountID: s.cfg.Account, StackName: stackName, Parameters: sp}
			if s.cfg.Applications != nil {
				opts.Application = s.applicationResolver(prev)
			}
			out, err := sam.Transform(doc, opts)
			if err != nil {
				var se *sam.Error
				if errors.As(err, &se) {
					return nil, validation("Transform %s failed with: %s", samTransform, se.Error())
				}
				return nil, validation("Transform %s failed with: %v", samTransform, err)
			}
			delete(out, "Transform")
			doc = out
		}
	}
	tmpl, err := templates.FromDocument(doc, keys)
	if err != nil {
		return nil, asValidation(err)
	}
	processed, err := json.Marshal(doc)
	if err != nil {
		return nil, validation("Template format error: %v", err)
	}
	var unknown []string
	for _, r := range tmpl.Resources {
		if s.cfg.Handlers[r.Type] == nil {
			unknown = append(unknown, r.Type)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		unknown = dedupe(unknown)
		return nil, validation("Template format error: Unrecognized resource types: [%s]", strings.Join(unknown, ", "))
	}
	need := ""
	for _, r := range tmpl.Resources {
		if !iamTypes[r.Type] {
			continue
		}
		if need == "" {
			need = "CAPABILITY_IAM"
		}
		if p := iamNameProps[r.Type]; p != "" && r.Properties[p] != nil {
			need = "CAPABILITY_NAMED_IAM"
		}
	}
	switch {
	case need == "CAPABILITY_NAMED_IAM" && !has[need]:
		return nil, insufficient(need)
	case need == "CAPABILITY_IAM" && !has["CAPABILITY_IAM"] && !has["CAPABILITY_NAMED_IAM"]:
		return nil, insufficient(need)
	}
	return &plan{body: body, doc: doc, processed: string(processed), tmpl: tmpl, given: params, imports: map[string]bool{}}, nil
}

// bind binds a parsed template for a stack and checks each resource's
// properties against its type's Spec.
func (s *Service) bind(ctx context.Context, p *plan, stackName, stackID string) error {
	// Imports are also resolved later, as resources are created, after
	// the request that bound the template has been answered.
	lctx := s.ctx
	if lctx == nil {
		lctx = context.WithoutCancel(ctx)
	}
	lk := templates.Lookups{SSM: s.cfg.SSM, ImportValue: func(name string) (string, bool, error) {
		var x Export
		_, ok, err := s.getJSON(lctx, exportKey(name), &x)
		if err != nil || !ok {
			return "", false, err
		}
		p.mu.Lock()
		p.imports[name] = true
		p.mu.Unlock()
		return x.Value, true, nil
	}}
	b, err := p.tmpl.Bind(p.given, templates.Pseudo{StackName: stackName, StackID: stackID, Region: s.cfg.Region, AccountID: s.cfg.Account}, lk)
	if err != nil {
		return asValidation(err)
	}
	for _, id := range b.Included() {
		r := b.Resource(id)
		spec := s.cfg.Handlers[r.Type].Spec()
		known := map[string]bool{}
		for _, n := range spec.Properties {
			known[n] = true
		}
		names := make([]string, 0, len(r.Properties))
		for k := range r.Properties {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if !known[k] {
				return validation("Template error: resource %s: Encountered unsupported property %s", id, k)
			}
		}
		for _, k := range spec.Required {
			if _, ok := r.Properties[k]; !ok {
				return validation("Template error: resource %s: Property %s cannot be empty.", id, k)
			}
		}
	}
	order, err := b.Order()
	if err != nil {
		return asValidation(err)
	}
	p.bound, p.order = b, order
	return nil
}

func (p *plan) importList() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.imports))
	for k := range p.imports {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// asValidation keeps a template error as it is, and turns any other error
// into a ValidationError so that no template makes an internal error.
func asValidation(err error) error {
	var e *eddy.Error
	if errors.As(err, &e) {
		return err
	}
	return validation("Template format error: %s", err.Error())
}

func dedupe(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// ValidateTemplateOutput is what ValidateTemplate returns. ResourceTypes,
// Version and Metadata are GetTemplateSummary's alone.
type ValidateTemplateOutput struct {
	Description        string
	Parameters         []TemplateParameter
	Capabilities       []string
	CapabilitiesReason string
	DeclaredTransforms []string
	ResourceTypes      []string
	Version            string
	Metadata           string
}

// TemplateParameter is a parameter as ValidateTemplate describes it;
// ParameterType and AllowedValues are GetTemplateSummary's alone.
type TemplateParameter struct {
	ParameterKey, DefaultValue, Description string
	NoEcho                                  bool
	ParameterType                           string
	AllowedValues                           []string
}

// GetTemplateSummary describes a template, given as body or as the
// original template of the stack nameOrID.
func (s *Service) GetTemplateSummary(ctx context.Context, body, nameOrID string) (*ValidateTemplateOutput, error) {
	if nameOrID != "" {
		st, err := s.find(ctx, nameOrID)
		if err != nil {
			return nil, err
		}
		body = st.Template
	}
	return s.ValidateTemplate(ctx, body)
}

// ValidateTemplate reads a template and says what it needs.
func (s *Service) ValidateTemplate(ctx context.Context, body string) (*ValidateTemplateOutput, error) {
	doc, keys, err := templates.ParseDocumentKeys([]byte(body))
	if err != nil {
		return nil, asValidation(err)
	}
	out := &ValidateTemplateOutput{}
	if v, ok := doc["AWSTemplateFormatVersion"].(string); ok {
		out.Version = v
	}
	if md, ok := doc["Metadata"]; ok {
		if data, err := json.Marshal(md); err == nil {
			out.Metadata = string(data)
		}
	}
	if res, ok := doc["Resources"].(map[string]any); ok {
		seen := map[string]bool{}
		for _, r := range res {
			if m, ok := r.(map[string]any); ok {
				if typ, ok := m["Type"].(string); ok && !seen[typ] {
					seen[typ] = true
					out.ResourceTypes = append(out.ResourceTypes, typ)
				}
			}
		}
		sort.Strings(out.ResourceTypes)
	}
	if tr, ok := doc["Transform"]; ok {
		out.DeclaredTransforms = []string{samTransform}
		out.Capabilities = []string{"CAPABILITY_AUTO_EXPAND"}
		out.CapabilitiesReason = "The following resource(s) require capabilities: [" + samTransform + "]"
		_ = tr
		// The parameters of a SAM template are those of the template as
		// written, so read them without transforming.
		delete(doc, "Transform")
		if res, ok := doc["Resources"].(map[string]any); ok {
			stub := map[string]any{}
			for k := range res {
				stub[k] = map[string]any{"Type": "AWS::CloudFormation::WaitConditionHandle"}
			}
			doc["Resources"] = stub
			delete(doc, "Outputs")
			delete(doc, "Globals")
		}
	}
	t, err := templates.FromDocument(doc, keys)
	if err != nil {
		return nil, asValidation(err)
	}
	var unknown []string
	for _, r := range t.Resources {
		if s.cfg.Handlers[r.Type] == nil && r.Type != "AWS::CloudFormation::WaitConditionHandle" {
			unknown = append(unknown, r.Type)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, validation("Template format error: Unrecognized resource types: [%s]", strings.Join(dedupe(unknown), ", "))
	}
	out.Description = t.Description
	for _, p := range t.Parameters {
		tp := TemplateParameter{ParameterKey: p.Name, Description: p.Description, NoEcho: p.NoEcho, ParameterType: p.Type, AllowedValues: p.AllowedValues}
		if p.Default != nil {
			tp.DefaultValue = *p.Default
		}
		out.Parameters = append(out.Parameters, tp)
	}
	if out.Capabilities == nil {
		var iam []string
		named := false
		for _, r := range t.Resources {
			if iamTypes[r.Type] {
				iam = append(iam, r.LogicalID)
				if n := iamNameProps[r.Type]; n != "" && r.Properties[n] != nil {
					named = true
				}
			}
		}
		if len(iam) > 0 {
			c := "CAPABILITY_IAM"
			if named {
				c = "CAPABILITY_NAMED_IAM"
			}
			out.Capabilities = []string{c}
			out.CapabilitiesReason = "The following resource(s) require capabilities: [" + strings.Join(iam, ", ") + "]"
		}
	}
	return out, nil
}
