// Package sam implements the AWS::Serverless-2016-10-31 transform: it turns a
// SAM template into the CloudFormation resources AWS's SAM translator
// generates, with the same logical ids, so that a stack can deploy them.
//
// A template is a generic tree (map[string]any, []any, string, bool, numbers)
// with intrinsic functions in their long form ({"Ref": "X"},
// {"Fn::GetAtt": ["A", "B"]}). Numbers may be float64, int, json.Number or any
// type whose String method returns the number's text.
//
// The golden tests in testdata hold samtranslator's own output
// (testdata/oracle.py writes it). Where eddy differs from samtranslator it
// does so on purpose:
//
//   - A tree is a Go map, so the template's key order is not known. Events
//     are processed in the order of their names (samtranslator: template
//     order), which orders the managed policies and inline policies events
//     add to a role, an S3 bucket's LambdaConfigurations, and errors (by
//     resource id). A Tags map becomes a tag list in key order.
//   - An API deployment's id hashes samtranslator's Python 2.7 str() of the
//     definition. The keys samtranslator generates are inserted in its order;
//     the keys of a template's own DefinitionBody in sorted order. The id
//     differs only if two of those keys collide in Python 2.7's dict table
//     and the template did not write them sorted.
//   - A managed policy name becomes arn:PARTITION:iam::aws:policy/NAME (the
//     names under service-role/ must be written with that prefix);
//     samtranslator looks names up in IAM.
//   - Each resource reports its first error only, and an error in Globals
//     stops the transform.
//   - What eddy does not transform yet is an error wrapping ErrUnsupported,
//     never dropped: the other AWS::Serverless types, the properties listed as known but not
//     done in properties.go (Auth, DeploymentPreference, custom domains …),
//     and Api or HttpApi events of a function with a Condition.
package sam

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Options are the pseudo parameters of the stack the template is deployed as
// and the hook that uploads local code.
type Options struct {
	// Region is AWS::Region; "us-east-1" when empty.
	Region string
	// AccountID is AWS::AccountId; "123456789012" when empty.
	AccountID string
	// Partition is AWS::Partition; "aws" when empty.
	Partition string
	// StackName is AWS::StackName.
	StackName string
	// Parameters are the values of the template's parameters; a parameter
	// without one takes its Default. SAM resolves them where it must know a
	// value: the AutoPublishAlias name and the code a version hashes.
	Parameters map[string]any
	// Upload turns a local CodeUri or ContentUri (a directory or a zip
	// file) into the S3 location the deploy step uploaded it to. When nil,
	// a local path is an error.
	Upload func(uri string) (bucket, key string, err error)
	// Application resolves the Location of an AWS::Serverless::Application
	// that names an application of the repository: it returns the URL of
	// the template of the version (an empty semanticVersion is eddy's: the
	// version the caller pins, or the latest) and the version. When nil,
	// such a Location is an error wrapping ErrUnsupported.
	Application func(logicalID, applicationID, semanticVersion string) (templateURL, version string, err error)
}

// Error is a template the transform rejects. Its message is worded as
// samtranslator words it.
type Error struct {
	// Causes are the individual messages, one per invalid resource.
	Causes []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("Invalid Serverless Application Specification document. Number of errors found: %d. %s",
		len(e.Causes), strings.Join(e.Causes, " "))
}

// ErrUnsupported is wrapped by the error returned for a SAM feature eddy
// does not transform yet.
var ErrUnsupported = errors.New("not supported yet")

type resourceError struct {
	id, msg string
}

func (e *resourceError) Error() string {
	return fmt.Sprintf("Resource with id [%s] is invalid. %s", e.id, e.msg)
}

func invalid(id, format string, args ...any) error {
	return &resourceError{id: id, msg: fmt.Sprintf(format, args...)}
}

// transformer holds the state of one transform.
type transformer struct {
	opts     Options
	in       map[string]any // the input resources
	out      map[string]any // the output resources
	implicit *implicitAPIs
	params   map[string]any // parameter and pseudo parameter values
	globals  map[string]map[string]any
}

// Transform returns the CloudFormation template doc's SAM resources become.
// doc is not modified. An invalid template returns an *Error.
func Transform(doc map[string]any, opts Options) (map[string]any, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.Partition == "" {
		opts.Partition = "aws"
	}
	doc, _ = deepCopy(doc).(map[string]any)
	if doc == nil {
		return nil, &Error{Causes: []string{"Structure of the SAM template is invalid. Resources section must be a map."}}
	}
	resources, ok := doc["Resources"].(map[string]any)
	if !ok || len(resources) == 0 {
		return nil, &Error{Causes: []string{"Structure of the SAM template is invalid. 'Resources' section is required"}}
	}
	t := &transformer{opts: opts, in: resources, out: map[string]any{}, implicit: newImplicitAPIs(), params: map[string]any{
		"AWS::Region":    opts.Region,
		"AWS::AccountId": opts.AccountID,
		"AWS::Partition": opts.Partition,
		"AWS::StackName": opts.StackName,
	}}
	if ps, ok := doc["Parameters"].(map[string]any); ok {
		for name, p := range ps {
			if pm, ok := p.(map[string]any); ok {
				if d, ok := pm["Default"]; ok {
					t.params[name] = d
				}
			}
		}
	}
	for name, v := range opts.Parameters {
		t.params[name] = v
	}
	if err := t.applyGlobals(doc); err != nil {
		return nil, err
	}
	ids := sortedKeys(resources)
	for _, id := range ids {
		if _, ok := resources[id].(map[string]any); !ok {
			return nil, &Error{Causes: []string{fmt.Sprintf("Resource with id [%s] is invalid. Resource is not a map", id)}}
		}
	}
	// Resources that are not SAM's pass through; SAM resources may modify
	// them (an S3 event adds a notification to its bucket).
	for _, id := range ids {
		r := resources[id].(map[string]any)
		if typ, _ := r["Type"].(string); !strings.HasPrefix(typ, "AWS::Serverless::") {
			t.out[id] = r
		}
	}
	var causes []string
	for _, id := range ids {
		r := resources[id].(map[string]any)
		typ, _ := r["Type"].(string)
		var err error
		switch typ {
		case "AWS::Serverless::Function":
			err = t.function(id, r)
		case "AWS::Serverless::SimpleTable":
			err = t.simpleTable(id, r)
		case "AWS::Serverless::Api":
			err = t.restAPI(id, r)
		case "AWS::Serverless::HttpApi":
			err = t.httpAPI(id, r)
		case "AWS::Serverless::Application":
			err = t.application(id, r)
		default:
			if strings.HasPrefix(typ, "AWS::Serverless::") {
				err = fmt.Errorf("%s (%s) is %w", typ, id, ErrUnsupported)
				return nil, err
			}
		}
		if err != nil {
			var re *resourceError
			if !errors.As(err, &re) {
				return nil, err
			}
			causes = append(causes, err.Error())
		}
	}
	if len(causes) == 0 {
		if err := t.implicit.finish(t); err != nil {
			var re *resourceError
			if !errors.As(err, &re) {
				return nil, err
			}
			causes = append(causes, err.Error())
		}
	}
	if len(causes) > 0 {
		return nil, &Error{Causes: causes}
	}
	delete(doc, "Transform")
	delete(doc, "Globals")
	doc["Resources"] = t.out
	return doc, nil
}

// props returns a resource's Properties, an empty map when it has none.
func props(id string, r map[string]any) (map[string]any, error) {
	p, ok := r["Properties"]
	if !ok || p == nil {
		return map[string]any{}, nil
	}
	m, ok := p.(map[string]any)
	if !ok {
		return nil, invalid(id, "Properties of a resource must be an object.")
	}
	return m, nil
}

// passthrough copies the attributes SAM passes from a SAM resource to the
// resources it generates.
func passthrough(r, to map[string]any) {
	for _, k := range []string{"Condition", "DeletionPolicy", "UpdateReplacePolicy"} {
		if v, ok := r[k]; ok {
			to[k] = deepCopy(v)
		}
	}
}

func resource(typ string, p map[string]any) map[string]any {
	r := map[string]any{"Type": typ}
	if len(p) > 0 {
		r["Properties"] = p
	}
	return r
}

// copyProps copies the named properties that are set from src to dst.
func copyProps(dst, src map[string]any, names ...string) {
	for _, n := range names {
		if v, ok := src[n]; ok && v != nil {
			dst[n] = deepCopy(v)
		}
	}
}

func ref(id string) map[string]any { return map[string]any{"Ref": id} }

func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = deepCopy(e)
		}
		return l
	default:
		return v
	}
}

// isIntrinsic reports whether v is a single-key map naming an intrinsic
// function.
func isIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// truthy reports a boolean property's value; true and "true" are true.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// resolveParams replaces each {"Ref": P} of a parameter with a value by
// that value, as samtranslator's resolve_parameter_refs does.
func (t *transformer) resolveParams(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["Ref"].(string); ok && len(v) == 1 {
			if val, ok := t.params[name]; ok && val != nil && name != "AWS::StackName" {
				return deepCopy(val)
			}
			return v
		}
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = t.resolveParams(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = t.resolveParams(e)
		}
		return l
	}
	return v
}
