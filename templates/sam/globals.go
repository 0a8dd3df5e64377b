package sam

import (
	"fmt"
	"slices"
	"strings"
)

// globalProperties are the properties each Globals section accepts, in
// samtranslator's order (its error message lists them so).
var globalProperties = map[string][]string{
	"Function":    {"Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout", "VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias", "AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary", "ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument", "EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart", "EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "SourceKMSKeyArn", "TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig", "PublishToLatestPublished", "VersionDeletionPolicy"},
	"Api":         {"Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions", "Variables", "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize", "Cors", "GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion", "Domain", "AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode"},
	"HttpApi":     {"Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration", "DefaultRouteSettings", "Domain", "RouteSettings", "FailOnWarnings", "PropagateTags"},
	"SimpleTable": {"SSESpecification"},
}

// globalSectionNames are the sections samtranslator knows, for its error
// message; eddy applies those of globalSections.
const globalSectionNames = "'Api', 'CapacityProvider', 'Function', 'HttpApi', 'LayerVersion', 'SimpleTable', 'StateMachine', 'WebSocketApi'"

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

// globalSections maps a Globals section to the resource type it applies to.
var globalSections = map[string]string{
	"Function":    "AWS::Serverless::Function",
	"Api":         "AWS::Serverless::Api",
	"HttpApi":     "AWS::Serverless::HttpApi",
	"SimpleTable": "AWS::Serverless::SimpleTable",
}

// applyGlobals merges the Globals section into the properties of the
// resources it applies to, as SAM merges them: a resource's own value wins
// over a global scalar, maps merge key by key, lists are the global items
// followed by the resource's.
func (t *transformer) applyGlobals(doc map[string]any) error {
	g, ok := doc["Globals"]
	if !ok {
		return nil
	}
	globals, ok := g.(map[string]any)
	if !ok {
		return &Error{Causes: []string{"'Globals' section is invalid. 'Globals' must be a dictionary."}}
	}
	for _, section := range sortedKeys(globals) {
		typ, ok := globalSections[section]
		if !ok {
			return &Error{Causes: []string{fmt.Sprintf("'Globals' section is invalid. '%s' is not supported. Must be one of the following values - [%s]",
				section, globalSectionNames)}}
		}
		values, ok := globals[section].(map[string]any)
		if !ok {
			return &Error{Causes: []string{fmt.Sprintf("'Globals' section is invalid. Value of '%s' must be a dictionary.", section)}}
		}
		for _, k := range sortedKeys(values) {
			if !slices.Contains(globalProperties[section], k) {
				return &Error{Causes: []string{fmt.Sprintf("'Globals' section is invalid. '%s' is not a supported property of '%s'. Must be one of the following values - [%s]",
					k, section, quoteList(globalProperties[section]))}}
			}
		}
		if t.globals == nil {
			t.globals = map[string]map[string]any{}
		}
		t.globals[section] = values
		for _, r := range t.in {
			r, ok := r.(map[string]any)
			if !ok || r["Type"] != typ {
				continue
			}
			p, ok := r["Properties"].(map[string]any)
			if !ok {
				if r["Properties"] != nil {
					continue
				}
				p = map[string]any{}
			}
			r["Properties"] = mergeGlobal(values, p).(map[string]any)
		}
	}
	return nil
}

func mergeGlobal(global, local any) any {
	gm, gok := global.(map[string]any)
	lm, lok := local.(map[string]any)
	if gok && lok && !isIntrinsic(global) && !isIntrinsic(local) {
		m := make(map[string]any, len(gm)+len(lm))
		for k, v := range gm {
			m[k] = deepCopy(v)
		}
		for k, v := range lm {
			if gv, ok := gm[k]; ok {
				m[k] = mergeGlobal(gv, v)
			} else {
				m[k] = v
			}
		}
		return m
	}
	gl, gok := global.([]any)
	ll, lok := local.([]any)
	if gok && lok {
		return append(deepCopy(gl).([]any), ll...)
	}
	return local
}
