package templates

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/eddyserverless/eddy"
)

// Template is a parsed and statically validated CloudFormation template.
// Its sections keep the generic tree of ParseDocument; intrinsic functions are
// resolved by a Bound template (see Bind).
type Template struct {
	// Doc is the whole document as ParseDocument returned it.
	Doc         map[string]any
	Description string
	// Transform lists the transforms the template declares
	// ("AWS::Serverless-2016-10-31"); eddy's SAM transform expands them.
	Transform []string
	// Parameters in document order.
	Parameters []*Parameter
	Mappings   map[string]any
	Conditions map[string]any
	// Resources in document order.
	Resources []*Resource
	// Outputs in document order.
	Outputs []*Output

	resources map[string]*Resource
	params    map[string]*Parameter
}

// Resource is one member of the Resources section.
type Resource struct {
	LogicalID           string
	Type                string
	Properties          map[string]any
	DependsOn           []string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Metadata            any
	CreationPolicy      any
	UpdatePolicy        any
}

// Output is one member of the Outputs section. Value, Description and
// ExportName are unresolved trees.
type Output struct {
	LogicalID   string
	Value       any
	Description any
	ExportName  any
	Condition   string
}

var topLevel = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true,
	"Parameters": true, "Rules": true, "Mappings": true, "Conditions": true,
	"Transform": true, "Resources": true, "Outputs": true, "Hooks": true,
}

var resourceAttrs = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true,
	"DeletionPolicy": true, "UpdateReplacePolicy": true, "Metadata": true,
	"CreationPolicy": true, "UpdatePolicy": true,
}

var deletionPolicies = map[string]bool{"Delete": true, "Retain": true, "RetainExceptOnCreate": true, "Snapshot": true}

// templateError returns a CloudFormation "Template error" (one found while
// evaluating the template rather than reading it).
func templateError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError", "Template error: "+format, args...)
}

// validationError returns a ValidationError with the message as given.
func validationError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError", format, args...)
}

// Load parses and validates a template (see ParseDocument and FromDocument).
func Load(data []byte) (*Template, error) {
	doc, keys, err := ParseDocumentKeys(data)
	if err != nil {
		return nil, err
	}
	return FromDocument(doc, keys)
}

// FromDocument validates a parsed document, such as the output of the SAM
// transform. keys gives the document order of the sections' members as
// ParseDocumentKeys returns it; members it does not list are ordered by name.
func FromDocument(doc map[string]any, keys map[string][]string) (*Template, error) {
	var unknown []string
	for k := range doc {
		if !topLevel[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, validationError("Invalid template property or properties [%s]", strings.Join(unknown, ", "))
	}
	t := &Template{Doc: doc, resources: map[string]*Resource{}, params: map[string]*Parameter{}}
	if v, ok := doc["AWSTemplateFormatVersion"]; ok {
		if s, ok := v.(string); !ok || s != "2010-09-09" {
			return nil, formatError("'%v' is not a valid template version.", v)
		}
	}
	if v, ok := doc["Description"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, formatError("Every Description member must be a string.")
		}
		t.Description = s
	}
	switch v := doc["Transform"].(type) {
	case nil:
	case string:
		t.Transform = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				t.Transform = append(t.Transform, s)
			}
		}
	}
	for _, sec := range []string{"Mappings", "Conditions", "Parameters", "Outputs", "Metadata", "Rules"} {
		if v, ok := doc[sec]; ok && v != nil {
			if _, isMap := v.(map[string]any); !isMap {
				return nil, formatError("Every %s member must be an object.", sec)
			}
		}
	}
	t.Mappings, _ = doc["Mappings"].(map[string]any)
	t.Conditions, _ = doc["Conditions"].(map[string]any)
	if err := validateMappings(t.Mappings); err != nil {
		return nil, err
	}
	params, _ := doc["Parameters"].(map[string]any)
	for _, name := range ordered(params, keys["Parameters"]) {
		p, err := parseParameter(name, params[name])
		if err != nil {
			return nil, err
		}
		t.Parameters = append(t.Parameters, p)
		t.params[name] = p
	}
	res, _ := doc["Resources"].(map[string]any)
	if len(res) == 0 {
		return nil, formatError("At least one Resources member must be defined.")
	}
	for _, id := range ordered(res, keys["Resources"]) {
		r, err := parseResource(id, res[id])
		if err != nil {
			return nil, err
		}
		t.Resources = append(t.Resources, r)
		t.resources[id] = r
	}
	outs, _ := doc["Outputs"].(map[string]any)
	for _, id := range ordered(outs, keys["Outputs"]) {
		o, err := parseOutput(id, outs[id])
		if err != nil {
			return nil, err
		}
		t.Outputs = append(t.Outputs, o)
	}
	if err := t.validateReferences(); err != nil {
		return nil, err
	}
	return t, nil
}

// ordered returns the keys of m: those in order first, in that order, then
// the rest by name.
func ordered(m map[string]any, order []string) []string {
	out := make([]string, 0, len(m))
	seen := map[string]bool{}
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func validateMappings(m map[string]any) error {
	for name, v := range m {
		top, ok := v.(map[string]any)
		if !ok || len(top) == 0 {
			return formatError("Mappings attribute %s must be a non-empty map", name)
		}
		for k, second := range top {
			if _, ok := second.(map[string]any); !ok {
				return formatError("Every Mappings member %s must be a map of maps; %s is not a map", name, k)
			}
		}
	}
	return nil
}

var alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)

func parseResource(id string, v any) (*Resource, error) {
	if !alphanumeric.MatchString(id) {
		return nil, formatError("Resource name %s is non alphanumeric.", id)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatError("Every Resources object must contain a Type member.")
	}
	typ, ok := m["Type"].(string)
	if !ok || typ == "" {
		return nil, formatError("Every Resources object must contain a Type member.")
	}
	var bad []string
	for k := range m {
		if !resourceAttrs[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, formatError("Invalid template resource property '%s'", strings.Join(bad, ", "))
	}
	r := &Resource{LogicalID: id, Type: typ, Metadata: m["Metadata"], CreationPolicy: m["CreationPolicy"], UpdatePolicy: m["UpdatePolicy"]}
	if p, ok := m["Properties"]; ok && p != nil {
		pm, ok := p.(map[string]any)
		if !ok {
			return nil, formatError("[/Resources/%s/Properties] Every Properties member must be an object.", id)
		}
		r.Properties = pm
	}
	switch d := m["DependsOn"].(type) {
	case nil:
	case string:
		r.DependsOn = []string{d}
	case []any:
		for _, e := range d {
			s, ok := e.(string)
			if !ok {
				return nil, formatError("DependsOn of resource %s must be a string or a list of strings.", id)
			}
			r.DependsOn = append(r.DependsOn, s)
		}
	default:
		return nil, formatError("DependsOn of resource %s must be a string or a list of strings.", id)
	}
	if c, ok := m["Condition"]; ok {
		s, ok := c.(string)
		if !ok {
			return nil, formatError("Condition of resource %s must be a string.", id)
		}
		r.Condition = s
	}
	for _, pol := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
		v, ok := m[pol]
		if !ok {
			continue
		}
		s, _ := v.(string)
		if !deletionPolicies[s] || (pol == "UpdateReplacePolicy" && s == "RetainExceptOnCreate") {
			return nil, formatError("Unrecognized %s %v for resource %s", pol, v, id)
		}
		if pol == "DeletionPolicy" {
			r.DeletionPolicy = s
		} else {
			r.UpdateReplacePolicy = s
		}
	}
	return r, nil
}

func parseOutput(id string, v any) (*Output, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatError("Output %s is malformed. Every Outputs member must be an object.", id)
	}
	val, ok := m["Value"]
	if !ok || val == nil {
		return nil, formatError("Output %s is malformed. Every Outputs member must contain a Value object.", id)
	}
	o := &Output{LogicalID: id, Value: val, Description: m["Description"]}
	for k := range m {
		switch k {
		case "Value", "Description", "Export", "Condition":
		default:
			return nil, formatError("Output %s is malformed. Unknown member %s.", id, k)
		}
	}
	if e, ok := m["Export"]; ok {
		em, ok := e.(map[string]any)
		if !ok || em["Name"] == nil || len(em) != 1 {
			return nil, formatError("Output %s is malformed. The Export member must be an object with one member, Name.", id)
		}
		o.ExportName = em["Name"]
	}
	if c, ok := m["Condition"]; ok {
		s, ok := c.(string)
		if !ok {
			return nil, formatError("Output %s is malformed. Its Condition must be a string.", id)
		}
		o.Condition = s
	}
	return o, nil
}

// validateReferences checks every Ref, Fn::GetAtt, Fn::Sub variable,
// DependsOn and Condition against what the template defines, and that the
// resources do not depend on each other in a cycle.
func (t *Template) validateReferences() error {
	for _, r := range t.Resources {
		if r.Condition != "" {
			if _, ok := t.Conditions[r.Condition]; !ok {
				return formatError("Unresolved condition dependencies [%s] in the Resources block of the template", r.Condition)
			}
		}
		var missing []string
		for _, d := range r.DependsOn {
			if t.resources[d] == nil {
				missing = append(missing, d)
			}
		}
		refs, err := t.references(r.Properties, nil)
		if err != nil {
			return err
		}
		missing = append(missing, refs.missing...)
		if len(missing) > 0 {
			return formatError("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(dedupe(missing), ", "))
		}
	}
	for _, o := range t.Outputs {
		if o.Condition != "" {
			if _, ok := t.Conditions[o.Condition]; !ok {
				return formatError("Unresolved condition dependencies [%s] in the Outputs block of the template", o.Condition)
			}
		}
		refs, err := t.references([]any{o.Value, o.Description, o.ExportName}, nil)
		if err != nil {
			return err
		}
		if len(refs.missing) > 0 {
			return formatError("Unresolved resource dependencies [%s] in the Outputs block of the template", strings.Join(dedupe(refs.missing), ", "))
		}
	}
	if err := t.validateConditions(); err != nil {
		return err
	}
	_, err := levels(t.graph())
	return err
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range s {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// refs is what a tree refers to.
type refs struct {
	resources []string // resources it depends on
	missing   []string // names neither a parameter, pseudo parameter nor resource
}

// references walks v for Ref, Fn::GetAtt and Fn::Sub references. When cond
// is not nil, only the taken branch of each Fn::If is walked.
func (t *Template) references(v any, cond map[string]bool) (refs, error) {
	var out refs
	var walk func(v any) error
	name := func(n string, getAtt bool) error {
		if t.resources[n] != nil {
			out.resources = append(out.resources, n)
			return nil
		}
		if getAtt {
			return templateError("instance of Fn::GetAtt references undefined resource %s", n)
		}
		if t.params[n] != nil || isPseudo(n) {
			return nil
		}
		out.missing = append(out.missing, n)
		return nil
	}
	walk = func(v any) error {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		case map[string]any:
			if len(v) == 1 {
				for k, arg := range v {
					switch k {
					case "Ref":
						if s, ok := arg.(string); ok {
							return name(s, false)
						}
					case "Fn::GetAtt":
						res, _, err := getAttArgs(arg)
						if err != nil {
							return err
						}
						if res != "" {
							return name(res, true)
						}
					case "Fn::Sub":
						str, vars, err := subArgs(arg)
						if err != nil {
							return err
						}
						for _, ref := range subReferences(str) {
							if _, ok := vars[ref.name]; ok && ref.attr == "" {
								continue
							}
							if err := name(ref.name, ref.attr != ""); err != nil {
								return err
							}
						}
						for _, vv := range vars {
							if err := walk(vv); err != nil {
								return err
							}
						}
						return nil
					case "Fn::If":
						if cond != nil {
							if a, ok := arg.([]any); ok && len(a) == 3 {
								if c, ok := a[0].(string); ok {
									if cond[c] {
										return walk(a[1])
									}
									return walk(a[2])
								}
							}
						}
					}
				}
			}
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := walk(v)
	return out, err
}

// getAttArgs returns the resource and attribute of an Fn::GetAtt argument.
// The attribute may itself be an intrinsic (a Ref to a parameter); attr is
// then nil and resolved later.
func getAttArgs(arg any) (string, any, error) {
	switch a := arg.(type) {
	case []any:
		if len(a) == 2 {
			if res, ok := a[0].(string); ok {
				return res, a[1], nil
			}
		}
	case string:
		// The long form also accepts "Resource.Attribute".
		if res, attr, ok := strings.Cut(a, "."); ok {
			return res, attr, nil
		}
	}
	return "", nil, templateError("every Fn::GetAtt object requires two non-empty parameters.")
}

// subArgs returns the string and variable map of an Fn::Sub argument.
func subArgs(arg any) (string, map[string]any, error) {
	switch a := arg.(type) {
	case string:
		return a, nil, nil
	case []any:
		if len(a) == 2 {
			s, ok1 := a[0].(string)
			m, ok2 := a[1].(map[string]any)
			if ok1 && ok2 {
				return s, m, nil
			}
		}
	}
	return "", nil, templateError("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
}

type subRef struct {
	name, attr string
}

// subReferences returns the variables ${X} and ${X.Attr} of an Fn::Sub
// string; ${!Literal} is not a reference.
func subReferences(s string) []subRef {
	var out []subRef
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return out
		}
		v := strings.TrimSpace(s[:j])
		s = s[j+1:]
		if strings.HasPrefix(v, "!") || v == "" {
			continue
		}
		if strings.HasPrefix(v, "AWS::") {
			out = append(out, subRef{name: v})
			continue
		}
		n, attr, _ := strings.Cut(v, ".")
		out = append(out, subRef{name: n, attr: attr})
	}
}

var pseudoNames = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true,
	"AWS::Partition": true, "AWS::Region": true, "AWS::StackId": true,
	"AWS::StackName": true, "AWS::URLSuffix": true,
}

func isPseudo(n string) bool { return pseudoNames[n] }

// str renders a scalar as CloudFormation does where it wants a string:
// numbers keep their text, booleans become "true" or "false".
func str(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case int:
		return fmt.Sprint(v), true
	case int64:
		return fmt.Sprint(v), true
	case float64:
		return fmt.Sprint(v), true
	}
	return "", false
}
