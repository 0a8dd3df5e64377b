package sam

import "fmt"

// Tags samtranslator puts on the stack of a nested application.
const (
	tagAppID       = "serverlessrepo:applicationId"
	tagSemanticVer = "serverlessrepo:semanticVersion"
)

// application transforms an AWS::Serverless::Application into the
// AWS::CloudFormation::Stack that nests it. Its Location is the URL of a
// template, or {ApplicationId, SemanticVersion} of an application of the
// repository, which Options.Application resolves to the URL of the
// version's template. eddy also accepts a Location without a
// SemanticVersion: Options.Application then chooses the version.
func (t *transformer) application(id string, r map[string]any) error {
	p, err := props(id, r)
	if err != nil {
		return err
	}
	if err := checkProperties(id, "AWS::Serverless::Application", p); err != nil {
		return err
	}
	loc, ok := p["Location"]
	if !ok || loc == nil {
		return invalid(id, "Missing required property 'Location'.")
	}
	sp := map[string]any{}
	var appTags []any
	switch l := t.resolveParams(loc).(type) {
	case string:
		if l == "" {
			return invalid(id, "Property 'Location' cannot be blank.")
		}
		sp["TemplateURL"] = l
	case map[string]any:
		appID, err := locationString(id, l, "ApplicationId", true)
		if err != nil {
			return err
		}
		semver, err := locationString(id, l, "SemanticVersion", false)
		if err != nil {
			return err
		}
		if t.opts.Application == nil {
			return fmt.Errorf("AWS::Serverless::Application (%s) of a repository application is %w here", id, ErrUnsupported)
		}
		u, v, err := t.opts.Application(id, appID, semver)
		if err != nil {
			return invalid(id, "Cannot access application %s: %v", appID, err)
		}
		sp["TemplateURL"] = u
		appTags = []any{
			map[string]any{"Key": tagAppID, "Value": appID},
			map[string]any{"Key": tagSemanticVer, "Value": v},
		}
	default:
		return invalid(id, "Type of property 'Location' is invalid.")
	}
	copyProps(sp, p, "Parameters", "NotificationARNs", "TimeoutInMinutes")
	if pm, ok := p["Parameters"]; ok && pm != nil {
		if _, ok := pm.(map[string]any); !ok {
			return invalid(id, "Type of property 'Parameters' is invalid.")
		}
	}
	tags, err := tagList(id, p["Tags"])
	if err != nil {
		return err
	}
	// samtranslator lists the repository's tags after its own, before the
	// template's.
	tags = append(tags[:1], append(appTags, tags[1:]...)...)
	sp["Tags"] = tags
	out := resource("AWS::CloudFormation::Stack", sp)
	passthrough(r, out)
	copyAttrs(r, out)
	t.out[id] = out
	return nil
}

// locationString reads a member of a Location map, which must be a
// string once parameters are resolved.
func locationString(id string, l map[string]any, name string, required bool) (string, error) {
	v, ok := l[name]
	if !ok || v == nil {
		if required {
			return "", invalid(id, "Property '%s' cannot be blank.", name)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid(id, "Property '%s' cannot be resolved. Only FindInMap and Ref intrinsic functions are supported.", name)
	}
	if s == "" && required {
		return "", invalid(id, "Property '%s' cannot be blank.", name)
	}
	return s, nil
}
