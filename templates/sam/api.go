package sam

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// apiRoute is one Api or HttpApi event of a function.
type apiRoute struct {
	f      *fnCtx
	event  string
	path   string
	method string // as the template gives it
	// payload and timeout are an HttpApi event's PayloadFormatVersion
	// ("2.0" when not given) and TimeoutInMillis (nil when not given).
	payload string
	timeout any
}

// apiSpec is an AWS::Serverless::Api or AWS::Serverless::HttpApi, explicit
// or implicit, and the routes the functions' events add to it.
type apiSpec struct {
	id     string
	r      map[string]any // nil for an implicit API
	p      map[string]any
	routes []apiRoute
}

// implicitAPIs collects the APIs of the template and the events that route
// to them. The events of functions that name no RestApiId or ApiId go to
// the implicit ServerlessRestApi and ServerlessHttpApi.
type implicitAPIs struct {
	rest, http map[string]*apiSpec
}

func newImplicitAPIs() *implicitAPIs {
	return &implicitAPIs{rest: map[string]*apiSpec{}, http: map[string]*apiSpec{}}
}

const (
	implicitRest = "ServerlessRestApi"
	implicitHTTP = "ServerlessHttpApi"
)

func (t *transformer) restAPI(id string, r map[string]any) error {
	p, err := props(id, r)
	if err != nil {
		return err
	}
	if err := checkProperties(id, "AWS::Serverless::Api", p); err != nil {
		return err
	}
	if _, ok := p["StageName"]; !ok {
		return invalid(id, "Missing required property 'StageName'.")
	}
	s := t.implicit.spec(t.implicit.rest, id)
	s.r, s.p = r, p
	return nil
}

func (t *transformer) httpAPI(id string, r map[string]any) error {
	p, err := props(id, r)
	if err != nil {
		return err
	}
	if err := checkProperties(id, "AWS::Serverless::HttpApi", p); err != nil {
		return err
	}
	s := t.implicit.spec(t.implicit.http, id)
	s.r, s.p = r, p
	return nil
}

func (a *implicitAPIs) spec(m map[string]*apiSpec, id string) *apiSpec {
	s, ok := m[id]
	if !ok {
		s = &apiSpec{id: id}
		m[id] = s
	}
	return s
}

// apiRef returns the logical id an event's RestApiId or ApiId names.
func apiRef(f *fnCtx, event string, v any, prop string) (string, error) {
	m, ok := v.(map[string]any)
	id, _ := m["Ref"].(string)
	if !ok || id == "" || len(m) != 1 {
		return "", invalid(f.id, "Event with id [%s] is invalid. %s must be a valid reference to an '%s' resource in same template.", event, prop, map[string]string{"RestApiId": "AWS::Serverless::Api", "ApiId": "AWS::Serverless::HttpApi"}[prop])
	}
	return id, nil
}

func (t *transformer) apiEvent(f *fnCtx, name string, ep map[string]any) error {
	path, _ := ep["Path"].(string)
	method, _ := ep["Method"].(string)
	if path == "" {
		return invalid(f.id, "Event with id [%s] is invalid. Property 'Path' is required.", name)
	}
	if method == "" {
		return invalid(f.id, "Event with id [%s] is invalid. Property 'Method' is required.", name)
	}
	api := implicitRest
	if v, ok := ep["RestApiId"]; ok {
		var err error
		if api, err = apiRef(f, name, v, "RestApiId"); err != nil {
			return err
		}
		if r, ok := t.in[api].(map[string]any); !ok || r["Type"] != "AWS::Serverless::Api" {
			return invalid(f.id, "Event with id [%s] is invalid. RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.", name)
		}
	}
	if _, ok := f.r["Condition"]; ok && api == implicitRest {
		return fmt.Errorf("function %s: an Api event of a function with a Condition is %w", f.id, ErrUnsupported)
	}
	s := t.implicit.spec(t.implicit.rest, api)
	s.routes = append(s.routes, apiRoute{f: f, event: name, path: path, method: method})
	return nil
}

func (t *transformer) httpAPIEvent(f *fnCtx, name string, ep map[string]any) error {
	path, _ := ep["Path"].(string)
	method, _ := ep["Method"].(string)
	if path == "" && method == "" {
		path, method = "$default", "x-amazon-apigateway-any-method"
	} else if path == "" {
		return invalid(f.id, "Event with id [%s] is invalid. Property 'Path' is required.", name)
	} else if method == "" {
		return invalid(f.id, "Event with id [%s] is invalid. Property 'Method' is required.", name)
	}
	api := implicitHTTP
	if v, ok := ep["ApiId"]; ok {
		var err error
		if api, err = apiRef(f, name, v, "ApiId"); err != nil {
			return err
		}
		if r, ok := t.in[api].(map[string]any); !ok || r["Type"] != "AWS::Serverless::HttpApi" {
			return invalid(f.id, "Event with id [%s] is invalid. ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.", name)
		}
	}
	if _, ok := f.r["Condition"]; ok && api == implicitHTTP {
		return fmt.Errorf("function %s: an HttpApi event of a function with a Condition is %w", f.id, ErrUnsupported)
	}
	payload := "2.0"
	if v, ok := ep["PayloadFormatVersion"]; ok {
		if payload, _ = v.(string); payload != "1.0" && payload != "2.0" {
			return invalid(f.id, "Event with id [%s] is invalid. PayloadFormatVersion must be \"1.0\" or \"2.0\".", name)
		}
	}
	s := t.implicit.spec(t.implicit.http, api)
	s.routes = append(s.routes, apiRoute{f: f, event: name, path: path, method: method, payload: payload, timeout: deepCopy(ep["TimeoutInMillis"])})
	return nil
}

// finish generates every API once all functions have added their routes.
func (a *implicitAPIs) finish(t *transformer) error {
	for _, id := range sortedSpecs(a.rest) {
		if err := t.genRest(a.rest[id]); err != nil {
			return err
		}
	}
	for _, id := range sortedSpecs(a.http) {
		if err := t.genHTTP(a.http[id]); err != nil {
			return err
		}
	}
	return nil
}

func sortedSpecs(m map[string]*apiSpec) []string {
	ks := make(map[string]any, len(m))
	for k := range m {
		ks[k] = nil
	}
	return sortedKeys(ks)
}

// uni marks a string that comes from the template; samtranslator's
// deployment hash writes it as u'…' (see pyrepr.go).
type uni string

func methodKey(m string) any {
	m = strings.ToLower(m)
	if m == "any" {
		return "x-amazon-apigateway-any-method"
	}
	return uni(m)
}

// invokeURI is the Fn::Sub of the integration that invokes f.
func invokeURI(f *fnCtx, partition string) any {
	if f.aliasID != "" {
		// samtranslator builds this one from the alias's id, a plain str.
		return "arn:" + partition + ":apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + f.aliasID + "}/invocations"
	}
	target := f.id + ".Arn"
	return uni("arn:" + partition + ":apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + target + "}/invocations")
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// permissionPath is the part of an execute-api ARN a route matches:
// method (or * for any) followed by the path with parameters as *.
func permissionPath(method, path string) string {
	m := strings.ToUpper(method)
	if m == "ANY" || m == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
		m = "*"
	}
	if path == "$default" {
		return ""
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	p := pathParam.ReplaceAllString(path, "*")
	return "/" + m + p
}

func (t *transformer) apiPermission(rt apiRoute, apiID, suffix, arnPrefix string) {
	prefix := rt.f.id + rt.event
	id := prefix + "Permission" + suffix
	if !isAlnum(suffix) {
		id = logicalID(prefix+"Permission", suffix)
	}
	sub := arnPrefix + ":execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}" + permissionPath(rt.method, rt.path)
	if rt.path == "$default" {
		sub += "/*"
	}
	t.permission(rt.f, id, "apigateway.amazonaws.com", map[string]any{"Fn::Sub": []any{sub, map[string]any{
		"__ApiId__": ref(apiID),
		"__Stage__": "*",
	}}}, false)
}

func isAlnum(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// genRest generates the AWS::ApiGateway::RestApi, its Deployment (whose
// logical id carries samtranslator's hash of the definition) and its Stage.
func (t *transformer) genRest(s *apiSpec) error {
	p := s.p
	if p == nil {
		p = map[string]any{}
	}
	if s.r == nil {
		p = map[string]any{}
		if g, ok := t.globals["Api"]; ok {
			p = mergeGlobal(g, p).(map[string]any)
			if err := checkProperties(s.id, "AWS::Serverless::Api", p); err != nil {
				return err
			}
		}
		p["StageName"] = "Prod"
	}
	rest := map[string]any{}
	var body anyMap
	var hashed any // what the deployment id hashes
	userBody := false
	if db, ok := p["DefinitionBody"].(map[string]any); ok {
		body = plainMap(toUni(db).(map[string]any))
		userBody = true
	} else if du, ok := p["DefinitionUri"]; ok {
		loc, err := t.s3Location(s.id, "DefinitionUri", du, "Bucket", "Key", "Version")
		if err != nil {
			return err
		}
		rest["BodyS3Location"] = loc
		hashed = gen(toUni(loc).(map[string]any))
	} else {
		body = gen{
			"swagger": "2.0",
			"info":    gen{"version": "1.0", "title": gen{"Ref": "AWS::StackName"}},
			"paths":   map[string]any{},
		}
	}
	if body != nil {
		paths := asMap(body.get("paths"))
		if paths == nil {
			paths = map[string]any{}
			body.set("paths", paths)
		}
		for _, rt := range s.routes {
			if userBody {
				break // samtranslator leaves a DefinitionBody as it is
			}
			item := asMap(paths[rt.path])
			if item == nil {
				item = map[string]any{}
				paths[rt.path] = item
			}
			item[keyString(methodKey(rt.method))] = gen{
				"x-amazon-apigateway-integration": gen{
					"type":       "aws_proxy",
					"httpMethod": "POST",
					"uri":        gen{"Fn::Sub": invokeURI(rt.f, t.opts.Partition)},
				},
				"responses": gen{},
			}
		}
		if origin, ok := p["Cors"]; ok {
			if err := addCors(s.id, paths, origin); err != nil {
				return err
			}
		}
		if bt, ok := p["BinaryMediaTypes"].([]any); ok {
			var types []any
			for _, b := range bt {
				if bs, ok := b.(string); ok {
					types = append(types, uni(strings.ReplaceAll(bs, "~1", "/")))
				} else {
					types = append(types, b)
				}
			}
			body.set("x-amazon-apigateway-binary-media-types", types)
		}
		rest["Body"] = fromUni(body.tree())
		hashed = body.tree()
	}
	copyProps(rest, p, "BinaryMediaTypes")
	rr := resource("AWS::ApiGateway::RestApi", rest)
	if s.r != nil {
		passthrough(s.r, rr)
		copyAttrs(s.r, rr)
	}
	t.out[s.id] = rr

	depID := s.id + "Deployment"
	dep := map[string]any{"RestApiId": ref(s.id), "StageName": "Stage"}
	if hashed != nil {
		data := pyRepr(hashed)
		if v, ok := p["OpenApiVersion"]; ok {
			data += "||" + pyStr(v)
		}
		depID = logicalID(depID, data)
		dep["Description"] = "RestApi deployment id: " + hashOf(data, 40)
	}
	dr := resource("AWS::ApiGateway::Deployment", dep)
	if s.r != nil {
		passthrough(s.r, dr)
	}
	t.out[depID] = dr

	stageName := p["StageName"]
	prefix, _ := stageName.(string)
	stageID := s.id + prefix + "Stage"
	if !isAlnum(prefix) {
		stageID = logicalID(s.id+"Stage", prefix)
	}
	stage := map[string]any{"DeploymentId": ref(depID), "RestApiId": ref(s.id), "StageName": deepCopy(stageName)}
	copyProps(stage, p, "Variables", "MethodSettings", "TracingEnabled", "CacheClusterEnabled", "CacheClusterSize", "AccessLogSetting")
	sr := resource("AWS::ApiGateway::Stage", stage)
	if s.r != nil {
		passthrough(s.r, sr)
	}
	t.out[stageID] = sr

	suffix := "Stage"
	if s.r == nil {
		suffix = "Prod"
	} else if prefix != "" {
		suffix = prefix
	}
	for _, rt := range s.routes {
		t.apiPermission(rt, s.id, suffix, "arn:"+t.opts.Partition)
	}
	return nil
}

func keyString(k any) string {
	switch k := k.(type) {
	case uni:
		return string(k)
	case string:
		return k
	}
	return ""
}

// addCors adds the OPTIONS mock integration SAM generates for a Cors
// string (the allowed origin) to every path.
func addCors(id string, paths map[string]any, cors any) error {
	origin, ok := cors.(string)
	if !ok {
		if m, ok := cors.(map[string]any); ok {
			origin, _ = m["AllowOrigin"].(string)
		}
	}
	if origin == "" {
		return invalid(id, "eddy supports Cors as a string or a map with AllowOrigin only.")
	}
	for _, path := range sortedKeys(paths) {
		item := asMap(paths[path])
		if item == nil {
			continue
		}
		if _, ok := item["options"]; ok {
			continue
		}
		// samtranslator lists every key of the path item, upper-cased and
		// sorted, with OPTIONS; ANY allows every method.
		allowed := "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
		if _, any := item["x-amazon-apigateway-any-method"]; !any {
			set := map[string]bool{"OPTIONS": true}
			for m := range item {
				set[strings.ToUpper(m)] = true
			}
			var methods []string
			for m := range set {
				methods = append(methods, m)
			}
			sort.Strings(methods)
			allowed = strings.Join(methods, ",")
		}
		item["options"] = gen{
			"summary":  "CORS support",
			"consumes": []any{"application/json"},
			"produces": []any{"application/json"},
			"x-amazon-apigateway-integration": gen{
				"type":             "mock",
				"requestTemplates": gen{"application/json": "{\n  \"statusCode\" : 200\n}\n"},
				"responses": gen{"default": gen{
					"statusCode": "200",
					"responseParameters": gen{
						"method.response.header.Access-Control-Allow-Origin":  uni(origin),
						"method.response.header.Access-Control-Allow-Methods": "'" + allowed + "'",
					},
					"responseTemplates": gen{"application/json": "{}\n"},
				}},
			},
			"responses": gen{"200": gen{
				"description": "Default response for CORS method",
				"headers": gen{
					"Access-Control-Allow-Origin":  gen{"type": "string"},
					"Access-Control-Allow-Methods": gen{"type": "string"},
				},
			}},
		}
	}
	return nil
}

// genHTTP generates the AWS::ApiGatewayV2::Api and its stage.
func (t *transformer) genHTTP(s *apiSpec) error {
	p := s.p
	if s.r == nil {
		p = map[string]any{}
		if g, ok := t.globals["HttpApi"]; ok {
			p = mergeGlobal(g, p).(map[string]any)
			if err := checkProperties(s.id, "AWS::Serverless::HttpApi", p); err != nil {
				return err
			}
		}
	}
	api := map[string]any{}
	var body map[string]any
	if db, ok := p["DefinitionBody"].(map[string]any); ok {
		body = deepCopy(db).(map[string]any)
	} else if du, ok := p["DefinitionUri"]; ok {
		loc, err := t.s3Location(s.id, "DefinitionUri", du, "Bucket", "Key", "Version")
		if err != nil {
			return err
		}
		api["BodyS3Location"] = loc
	} else {
		body = map[string]any{
			"openapi": "3.0.1",
			"info":    map[string]any{"version": "1.0", "title": ref("AWS::StackName")},
			"paths":   map[string]any{},
		}
	}
	if body != nil {
		paths, _ := body["paths"].(map[string]any)
		if paths == nil {
			paths = map[string]any{}
			body["paths"] = paths
		}
		for _, rt := range s.routes {
			item, _ := paths[rt.path].(map[string]any)
			if item == nil {
				item = map[string]any{}
				paths[rt.path] = item
			}
			integration := map[string]any{
				"type":                 "aws_proxy",
				"httpMethod":           "POST",
				"payloadFormatVersion": rt.payload,
				"uri":                  map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + invokeTarget(rt.f) + "}/invocations"},
			}
			if rt.timeout != nil {
				integration["timeoutInMillis"] = rt.timeout
			}
			op := map[string]any{"x-amazon-apigateway-integration": integration, "responses": map[string]any{}}
			if rt.path == "$default" {
				op["isDefaultRoute"] = true
			}
			var params []any
			for _, m := range pathParam.FindAllString(rt.path, -1) {
				params = append(params, map[string]any{"name": strings.Trim(m, "{}"), "in": "path", "required": true})
			}
			if params != nil {
				op["parameters"] = params
			}
			item[keyString(methodKey(rt.method))] = op
		}
		tags := []any{map[string]any{"name": "httpapi:createdBy", "x-amazon-apigateway-tag-value": "SAM"}}
		if tm, ok := p["Tags"].(map[string]any); ok {
			for _, k := range sortedKeys(tm) {
				tags = append(tags, map[string]any{"name": k, "x-amazon-apigateway-tag-value": deepCopy(tm[k])})
			}
		}
		body["tags"] = tags
		if c, ok := p["CorsConfiguration"]; ok {
			if cm, ok := c.(map[string]any); ok {
				cors := map[string]any{}
				for k, v := range cm {
					if k != "" {
						cors[strings.ToLower(k[:1])+k[1:]] = deepCopy(v)
					}
				}
				body["x-amazon-apigateway-cors"] = cors
			} else if truthy(c) {
				body["x-amazon-apigateway-cors"] = map[string]any{"allowOrigins": []any{"*"}, "allowHeaders": []any{"*"}, "allowMethods": []any{"*"}}
			}
		}
		api["Body"] = body
	}

	ar := resource("AWS::ApiGatewayV2::Api", api)
	if s.r != nil {
		passthrough(s.r, ar)
		copyAttrs(s.r, ar)
	}
	t.out[s.id] = ar

	stageName := any("$default")
	if v, ok := p["StageName"]; ok {
		stageName = v
	}
	name, _ := stageName.(string)
	stageID := s.id + "ApiGatewayDefaultStage"
	if name != "$default" {
		stageID = s.id + name + "Stage"
		if !isAlnum(name) {
			stageID = logicalID(s.id+"Stage", name)
		}
	}
	stage := map[string]any{"ApiId": ref(s.id), "AutoDeploy": true, "StageName": deepCopy(stageName)}
	if body != nil {
		// samtranslator tags the stage when it tags the definition.
		stage["Tags"] = map[string]any{"httpapi:createdBy": "SAM"}
	}
	copyProps(stage, p, "StageVariables", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings")
	sr := resource("AWS::ApiGatewayV2::Stage", stage)
	if s.r != nil {
		passthrough(s.r, sr)
	}
	t.out[stageID] = sr
	// A function with the $default route already has a permission for
	// every path; samtranslator adds none for its other routes.
	hasDefault := map[string]bool{}
	for _, rt := range s.routes {
		if rt.path == "$default" {
			hasDefault[rt.f.id] = true
		}
	}
	for _, rt := range s.routes {
		if rt.path != "$default" && hasDefault[rt.f.id] {
			continue
		}
		t.apiPermission(rt, s.id, "", "arn:${AWS::Partition}")
	}
	return nil
}

func invokeTarget(f *fnCtx) string {
	if f.aliasID != "" {
		return f.aliasID
	}
	return f.id + ".Arn"
}
