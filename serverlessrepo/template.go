package serverlessrepo

import (
	"errors"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/eddyserverless/eddy/templates"
	"github.com/eddyserverless/eddy/templates/sam"
)

// Capabilities a version may require.
const (
	CapIAM            = "CAPABILITY_IAM"
	CapNamedIAM       = "CAPABILITY_NAMED_IAM"
	CapResourcePolicy = "CAPABILITY_RESOURCE_POLICY"
	CapAutoExpand     = "CAPABILITY_AUTO_EXPAND"
	samTransform      = "AWS::Serverless-2016-10-31"
	nestedAppType     = "AWS::Serverless::Application"
)

// iamTypes need CAPABILITY_IAM, or CAPABILITY_NAMED_IAM when their name
// property (if any) is set.
var iamTypes = map[string]string{
	"AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName",
	"AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::InstanceProfile": "InstanceProfileName",
	"AWS::IAM::Policy": "", "AWS::IAM::AccessKey": "", "AWS::IAM::UserToGroupAddition": "",
	"AWS::IAM::RolePolicy": "", "AWS::IAM::UserPolicy": "", "AWS::IAM::GroupPolicy": "",
}

// resourcePolicyTypes need CAPABILITY_RESOURCE_POLICY, as the Serverless
// Application Repository lists them.
var resourcePolicyTypes = map[string]bool{
	"AWS::Lambda::Permission": true, "AWS::IAM::Policy": true, "AWS::ApplicationAutoScaling::ScalingPolicy": true,
	"AWS::S3::BucketPolicy": true, "AWS::SQS::QueuePolicy": true, "AWS::SNS::TopicPolicy": true,
}

// analysis is what a version's template declares and requires.
type analysis struct {
	params       []ParameterDefinition
	capabilities []string
	dependencies []Dependency
}

// analyze reads a version's template: its parameters, the capabilities
// deploying it requires and the applications it nests.
func analyze(body string) (*analysis, error) {
	if strings.TrimSpace(body) == "" {
		return nil, badRequest("Missing required parameter: templateBody or templateUrl.")
	}
	doc, keys, err := templates.ParseDocumentKeys([]byte(body))
	if err != nil {
		return nil, badRequest("Invalid template: %s", templateMessage(err))
	}
	var expanded *templates.Template
	if hasSAMTransform(doc) {
		// A SAM template is valid as its transform's output: Globals, and
		// outputs that name the resources the transform generates, are
		// only valid there. What eddy does not transform yet is checked
		// when it is deployed.
		out, err := sam.Transform(cloneDoc(doc), sam.Options{StackName: "serverlessrepo", Application: anyVersion})
		switch {
		case err == nil:
			if expanded, err = templates.FromDocument(out, keys); err != nil {
				return nil, badRequest("Invalid template: %s", templateMessage(err))
			}
		case !errors.Is(err, sam.ErrUnsupported):
			return nil, badRequest("Invalid template: %s", err.Error())
		}
		// The template's own parameters and resources, without the
		// sections only the transform's output can check.
		doc = cloneDoc(doc)
		delete(doc, "Globals")
		delete(doc, "Outputs")
	}
	tmpl, err := templates.FromDocument(doc, keys)
	if err != nil {
		return nil, badRequest("Invalid template: %s", templateMessage(err))
	}
	a := &analysis{params: parameterDefinitions(tmpl), dependencies: dependencies(tmpl)}
	a.capabilities = capabilities(tmpl, expanded)
	return a, nil
}

// hasSAMTransform reports whether a template names the SAM transform.
func hasSAMTransform(doc map[string]any) bool {
	switch t := doc["Transform"].(type) {
	case string:
		return t == samTransform
	case []any:
		return slices.Contains(t, any(samTransform))
	}
	return false
}

func templateMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "ValidationError: ")
}

// capabilities returns the capabilities deploying tmpl requires, computed
// from expanded, the SAM transform's output, when the template is a SAM
// template the transform could expand.
func capabilities(tmpl, expanded *templates.Template) []string {
	resources := tmpl.Resources
	need := map[string]bool{}
	for _, t := range tmpl.Transform {
		if t != samTransform {
			need[CapAutoExpand] = true
		}
	}
	for _, r := range tmpl.Resources {
		if r.Type == nestedAppType {
			need[CapAutoExpand] = true
		}
	}
	if slices.Contains(tmpl.Transform, samTransform) {
		if expanded != nil {
			resources = expanded.Resources
		} else {
			// Without the transform's output, a function without a role
			// of its own gets one.
			for _, r := range tmpl.Resources {
				if r.Type == "AWS::Serverless::Function" && r.Properties["Role"] == nil {
					need[CapIAM] = true
				}
			}
		}
	}
	for _, r := range resources {
		if prop, ok := iamTypes[r.Type]; ok {
			if prop != "" && r.Properties[prop] != nil {
				need[CapNamedIAM] = true
			} else {
				need[CapIAM] = true
			}
		}
		if resourcePolicyTypes[r.Type] {
			need[CapResourcePolicy] = true
		}
	}
	if need[CapNamedIAM] {
		delete(need, CapIAM)
	}
	out := make([]string, 0, len(need))
	for c := range need {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// anyVersion stands in for the repository when the transform only
// computes what a template requires: a nested application is a stack.
func anyVersion(_, _, v string) (string, string, error) {
	return "https://eddy.invalid/nested.yaml", v, nil
}

// cloneDoc copies a parsed document deeply enough for the SAM transform,
// which rewrites it.
func cloneDoc(v map[string]any) map[string]any {
	return cloneValue(v).(map[string]any)
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = cloneValue(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = cloneValue(x)
		}
		return s
	}
	return v
}

// parameterDefinitions describes tmpl's parameters.
func parameterDefinitions(tmpl *templates.Template) []ParameterDefinition {
	out := []ParameterDefinition{}
	for _, p := range tmpl.Parameters {
		d := ParameterDefinition{
			Name: p.Name, Type: p.Type, DefaultValue: p.Default, Description: p.Description,
			AllowedValues: p.AllowedValues, AllowedPattern: p.AllowedPattern,
			ConstraintDescription: p.ConstraintDescription, MaxLength: p.MaxLength, MinLength: p.MinLength,
			MaxValue: intOf(p.MaxValue), MinValue: intOf(p.MinValue), NoEcho: p.NoEcho,
			ReferencedByResources: []string{},
		}
		for _, r := range tmpl.Resources {
			if references(r.Properties, p.Name) {
				d.ReferencedByResources = append(d.ReferencedByResources, r.LogicalID)
			}
		}
		out = append(out, d)
	}
	return out
}

func intOf(f *float64) *int {
	if f == nil {
		return nil
	}
	n := int(math.Round(*f))
	return &n
}

// references reports whether v refers to the parameter name, by Ref or in
// an Fn::Sub string.
func references(v any, name string) bool {
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["Ref"].(string); ok && ref == name && len(t) == 1 {
			return true
		}
		if sub, ok := t["Fn::Sub"]; ok {
			s, _ := sub.(string)
			if l, ok := sub.([]any); ok && len(l) > 0 {
				s, _ = l[0].(string)
			}
			if strings.Contains(s, "${"+name+"}") {
				return true
			}
		}
		for _, x := range t {
			if references(x, name) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if references(x, name) {
				return true
			}
		}
	}
	return false
}

// dependencies returns the applications tmpl nests: its
// AWS::Serverless::Application resources whose Location names an
// application of the repository.
func dependencies(tmpl *templates.Template) []Dependency {
	out := []Dependency{}
	for _, r := range tmpl.Resources {
		if r.Type != nestedAppType {
			continue
		}
		loc, _ := r.Properties["Location"].(map[string]any)
		id, _ := loc["ApplicationId"].(string)
		v, _ := loc["SemanticVersion"].(string)
		if id != "" && v != "" {
			out = append(out, Dependency{ApplicationID: id, SemanticVersion: v})
		}
	}
	return out
}
