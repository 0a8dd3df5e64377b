package resources

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/eddyserverless/eddy/httpapis"
	"github.com/eddyserverless/eddy/stacks"
)

// httpAPIHandler is AWS::ApiGatewayV2::Api (HTTP APIs): Ref is the API
// id; ApiId and ApiEndpoint. A Body (OpenAPI, as SAM writes it) is
// imported: its title names the API and each operation with a Lambda
// proxy integration becomes a route and its integration.
type httpAPIHandler struct{ s *httpapis.Service }

func (h *httpAPIHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Body", "BodyS3Location", "CorsConfiguration", "Description", "DisableExecuteApiEndpoint", "Name",
			"ProtocolType", "RouteKey", "Tags", "Target", "Version"},
		Replace:    []string{"ProtocolType"},
		Attributes: []string{"ApiEndpoint", "ApiId"},
	}
}

func cors(p props, name string) map[string]any {
	c := p.sub(name)
	if c.m == nil {
		return nil
	}
	c.only("AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders", "MaxAge")
	out := map[string]any{"allowHeaders": c.strs("AllowHeaders"), "allowMethods": c.strs("AllowMethods"),
		"allowOrigins": c.strs("AllowOrigins"), "exposeHeaders": c.strs("ExposeHeaders")}
	if b := c.boolean("AllowCredentials"); b != nil {
		out["allowCredentials"] = *b
	}
	if n := c.integer("MaxAge"); n != nil {
		out["maxAge"] = *n
	}
	return out
}

// parse returns the body of CreateApi and the OpenAPI routes of a Body.
func (h *httpAPIHandler) parse(m map[string]any) (map[string]any, []openAPIRoute, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	if p.has("BodyS3Location") {
		p.fail("BodyS3Location", "BodyS3Location is not supported by eddy; give Body")
	}
	body := map[string]any{"name": p.str("Name"), "protocolType": p.str("ProtocolType"), "description": p.str("Description"),
		"version": p.str("Version")}
	var routes []openAPIRoute
	if p.has("Body") {
		var err error
		if routes, err = fromOpenAPI(p.sub("Body"), body); err != nil {
			return nil, nil, err
		}
	}
	if c := cors(p, "CorsConfiguration"); c != nil {
		body["corsConfiguration"] = c
	}
	if b := p.boolean("DisableExecuteApiEndpoint"); b != nil {
		body["disableExecuteApiEndpoint"] = *b
	}
	if t := p.strMap("Tags"); t != nil {
		body["tags"] = t
	}
	if s := p.str("Target"); s != "" {
		body["target"] = s
	}
	if s := p.str("RouteKey"); s != "" {
		body["routeKey"] = s
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	if body["name"] == "" {
		return nil, nil, invalid("/Name", "Required property Name is missing")
	}
	return body, routes, nil
}

// openAPIRoute is an operation of an OpenAPI Body: its route key and the
// integration it proxies to.
type openAPIRoute struct {
	key         string
	integration map[string]any
}

// fromOpenAPI reads an OpenAPI Body into the CreateApi body (its title,
// description, version, CORS and tags, unless the properties give them)
// and its routes, in route key order.
func fromOpenAPI(doc props, body map[string]any) ([]openAPIRoute, error) {
	info := doc.sub("info")
	for k, from := range map[string]string{"name": "title", "description": "description", "version": "version"} {
		if v, ok := info.m[from].(string); ok && body[k] == "" {
			body[k] = v
		}
	}
	if body["protocolType"] == "" {
		body["protocolType"] = "HTTP"
	}
	if c := doc.sub("x-amazon-apigateway-cors"); c.m != nil {
		// The extension's keys are the CorsConfiguration's, lower-cased.
		upper := map[string]any{}
		for k, v := range c.m {
			if k != "" {
				upper[strings.ToUpper(k[:1])+k[1:]] = v
			}
		}
		wrapped := doc
		wrapped.m = map[string]any{"x-amazon-apigateway-cors": upper}
		if cc := cors(wrapped, "x-amazon-apigateway-cors"); cc != nil {
			body["corsConfiguration"] = cc
		}
	}
	tags := map[string]string{}
	for _, t := range doc.list("tags") {
		tm, _ := t.(map[string]any)
		name, _ := tm["name"].(string)
		if v, ok := tm["x-amazon-apigateway-tag-value"].(string); ok && name != "" {
			tags[name] = v
		}
	}
	if len(tags) > 0 {
		body["tags"] = tags
	}
	var routes []openAPIRoute
	paths := doc.sub("paths")
	for path, item := range paths.m {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			om, _ := op.(map[string]any)
			ig, _ := om["x-amazon-apigateway-integration"].(map[string]any)
			if ig == nil {
				continue // a parameters entry, or an operation without an integration
			}
			key := strings.ToUpper(method) + " " + path
			if method == "x-amazon-apigateway-any-method" {
				key = "ANY " + path
			}
			if d, _ := om["isDefaultRoute"].(bool); d || path == "$default" {
				key = "$default"
			}
			in := map[string]any{"integrationType": strings.ToUpper(fmt.Sprint(ig["type"]))}
			for from, to := range map[string]string{"uri": "integrationUri", "httpMethod": "integrationMethod",
				"payloadFormatVersion": "payloadFormatVersion", "timeoutInMillis": "timeoutInMillis", "connectionType": "connectionType"} {
				if v, ok := ig[from]; ok {
					in[to] = v
				}
			}
			routes = append(routes, openAPIRoute{key: key, integration: in})
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].key < routes[j].key })
	return routes, doc.Err()
}

// importRoutes makes the routes of a Body and their integrations, having
// deleted those the API had.
func (h *httpAPIHandler) importRoutes(ctx context.Context, id string, routes []openAPIRoute) error {
	for _, kind := range []string{httpapis.KindRoutes, httpapis.KindIntegrations} {
		old, err := h.s.List(ctx, id, kind)
		if err != nil {
			return err
		}
		for _, v := range old {
			oid := ""
			switch o := v.(type) {
			case *httpapis.Route:
				oid = o.RouteID
			case *httpapis.Integration:
				oid = o.IntegrationID
			}
			if err := ignoreNotFound(h.s.Delete(ctx, id, kind, oid)); err != nil {
				return err
			}
		}
	}
	for _, rt := range routes {
		b, _ := json.Marshal(rt.integration)
		ig, err := h.s.Create(ctx, id, httpapis.KindIntegrations, b)
		if err != nil {
			return err
		}
		b, _ = json.Marshal(map[string]any{"routeKey": rt.key, "target": "integrations/" + ig.(*httpapis.Integration).IntegrationID,
			"authorizationType": "NONE"})
		if _, err := h.s.Create(ctx, id, httpapis.KindRoutes, b); err != nil {
			return err
		}
	}
	return nil
}

func httpAPIResult(a *httpapis.API) *stacks.Result {
	return &stacks.Result{PhysicalID: a.APIID, Attributes: map[string]any{"ApiId": a.APIID, "ApiEndpoint": a.APIEndpoint}}
}

func (h *httpAPIHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	body, routes, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	// The API is made with the tags CloudFormation gives what it creates,
	// so that the Delete of a create cut short finds it by them.
	tags := map[string]string{}
	if t, ok := body["tags"].(map[string]string); ok {
		for k, v := range t {
			tags[k] = v
		}
	}
	for k, v := range stackTags(r) {
		tags[k] = v
	}
	body["tags"] = tags
	b, _ := json.Marshal(body)
	a, err := h.s.CreateAPI(ctx, b)
	if err != nil {
		return nil, err
	}
	if err := h.importRoutes(ctx, a.APIID, routes); err != nil {
		_ = h.s.DeleteAPI(ctx, a.APIID)
		return nil, err
	}
	return httpAPIResult(a), nil
}

func (h *httpAPIHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	body, routes, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, "Body") {
		if err := h.importRoutes(ctx, r.PhysicalID, routes); err != nil {
			return nil, err
		}
	}
	if changed(r.OldProperties, r.Properties, "ProtocolType", "Target", "RouteKey") {
		// The quick-create route and integration are made on create only.
		return nil, stacks.ErrReplace
	}
	delete(body, "protocolType")
	delete(body, "target")
	delete(body, "routeKey")
	delete(body, "tags")
	b, _ := json.Marshal(body)
	a, err := h.s.UpdateAPI(ctx, r.PhysicalID, b)
	if err != nil {
		return nil, err
	}
	return httpAPIResult(a), nil
}

func (h *httpAPIHandler) Delete(ctx context.Context, r *stacks.Request) error {
	if r.PhysicalID != "" {
		return ignoreNotFound(h.s.DeleteAPI(ctx, r.PhysicalID))
	}
	// A create cut short: the APIs tagged as the resource's, but the one
	// a replacement replaces.
	apis, err := h.s.ListAPIs(ctx)
	if err != nil {
		return err
	}
	want := stackTags(r)
	for _, a := range apis {
		if a.APIID != r.Replaces && hasTags(a.Tags, want) {
			if err := ignoreNotFound(h.s.DeleteAPI(ctx, a.APIID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// httpAPIPart is a route, integration or stage of an HTTP API.
type httpAPIPart struct {
	s    *httpapis.Service
	kind string
	spec stacks.Spec
	// idOf returns the part's id from the service's answer; body the
	// request body of the properties.
	idOf func(any) string
	body func(p props) map[string]any
}

func (h *httpAPIPart) Spec() stacks.Spec { return h.spec }

func (h *httpAPIPart) parse(m map[string]any) (string, []byte, error) {
	p := newProps(m)
	p.only(h.spec.Properties...)
	p.require(h.spec.Required...)
	api := p.str("ApiId")
	body := h.body(p)
	if err := p.Err(); err != nil {
		return "", nil, err
	}
	b, err := json.Marshal(body)
	return api, b, err
}

func (h *httpAPIPart) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	api, body, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	out, err := h.s.Create(ctx, api, h.kind, body)
	if err != nil {
		return nil, err
	}
	id := h.idOf(out)
	attrs := map[string]any{}
	switch h.kind {
	case httpapis.KindRoutes:
		attrs["RouteId"] = id
	case httpapis.KindIntegrations:
		attrs["IntegrationId"] = id
	}
	return &stacks.Result{PhysicalID: id, Attributes: attrs}, nil
}

func (h *httpAPIPart) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	api, body, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.spec.Replace...) {
		return nil, stacks.ErrReplace
	}
	if _, err := h.s.Update(ctx, api, h.kind, r.PhysicalID, body); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (h *httpAPIPart) Delete(ctx context.Context, r *stacks.Request) error {
	api, _ := oldOr(r)["ApiId"].(string)
	if api == "" {
		return nil
	}
	id := r.PhysicalID
	if id == "" {
		var err error
		if id, err = h.interrupted(ctx, r, api); id == "" || id == r.Replaces || err != nil {
			return ignoreNotFound(err)
		}
	}
	return ignoreNotFound(h.s.Delete(ctx, api, h.kind, id))
}

// interrupted returns the id of the part a create cut short made, "" if
// it cannot be told. The API refuses a second route of one route key and
// a second stage of one name, so the API's route or stage of the
// properties' key or name is the create's. An integration has nothing of
// its own to be told by: one a create cut short is left to be deleted
// with its API.
func (h *httpAPIPart) interrupted(ctx context.Context, r *stacks.Request, api string) (string, error) {
	m := oldOr(r)
	switch h.kind {
	case httpapis.KindStages:
		name, _ := m["StageName"].(string)
		return name, nil
	case httpapis.KindRoutes:
		key, _ := m["RouteKey"].(string)
		if key == "" {
			return "", nil
		}
		routes, err := h.s.List(ctx, api, h.kind)
		if err != nil {
			return "", err
		}
		for _, v := range routes {
			if rt, ok := v.(*httpapis.Route); ok && rt.RouteKey == key {
				return rt.RouteID, nil
			}
		}
	}
	return "", nil
}

func newHTTPAPIParts(s *httpapis.Service) map[string]*httpAPIPart {
	return map[string]*httpAPIPart{
		"AWS::ApiGatewayV2::Route": {s: s, kind: httpapis.KindRoutes,
			spec: stacks.Spec{Properties: []string{"ApiId", "ApiKeyRequired", "AuthorizationType", "RouteKey", "Target"},
				Required: []string{"ApiId", "RouteKey"}, Replace: []string{"ApiId"}, Attributes: []string{"RouteId"}},
			idOf: func(v any) string { return v.(*httpapis.Route).RouteID },
			body: func(p props) map[string]any {
				b := map[string]any{"routeKey": p.str("RouteKey"), "target": p.str("Target"), "authorizationType": p.str("AuthorizationType")}
				if k := p.boolean("ApiKeyRequired"); k != nil {
					b["apiKeyRequired"] = *k
				}
				if b["authorizationType"] == "" {
					b["authorizationType"] = "NONE"
				}
				return b
			}},
		"AWS::ApiGatewayV2::Integration": {s: s, kind: httpapis.KindIntegrations,
			spec: stacks.Spec{Properties: []string{"ApiId", "ConnectionType", "Description", "IntegrationMethod", "IntegrationType",
				"IntegrationUri", "PayloadFormatVersion", "TimeoutInMillis"},
				Required: []string{"ApiId", "IntegrationType"}, Replace: []string{"ApiId"}, Attributes: []string{"IntegrationId"}},
			idOf: func(v any) string { return v.(*httpapis.Integration).IntegrationID },
			body: func(p props) map[string]any {
				b := map[string]any{"integrationType": p.str("IntegrationType"), "integrationUri": p.str("IntegrationUri"),
					"integrationMethod": p.str("IntegrationMethod"), "payloadFormatVersion": p.str("PayloadFormatVersion"),
					"connectionType": p.str("ConnectionType"), "description": p.str("Description")}
				if n := p.integer("TimeoutInMillis"); n != nil {
					b["timeoutInMillis"] = *n
				}
				for k, v := range b {
					if v == "" {
						delete(b, k)
					}
				}
				return b
			}},
		"AWS::ApiGatewayV2::Stage": {s: s, kind: httpapis.KindStages,
			spec: stacks.Spec{Properties: []string{"AccessLogSettings", "ApiId", "AutoDeploy", "DefaultRouteSettings", "DeploymentId",
				"Description", "RouteSettings", "StageName", "StageVariables", "Tags"},
				Required: []string{"ApiId", "StageName"}, Replace: []string{"ApiId", "StageName"}},
			idOf: func(v any) string { return v.(*httpapis.Stage).StageName },
			body: func(p props) map[string]any {
				b := map[string]any{"stageName": p.str("StageName")}
				if a := p.boolean("AutoDeploy"); a != nil {
					b["autoDeploy"] = *a
				}
				if d := p.str("DeploymentId"); d != "" {
					b["deploymentId"] = d
				}
				if d := p.str("Description"); d != "" {
					b["description"] = d
				}
				if v := p.strMap("StageVariables"); v != nil {
					b["stageVariables"] = v
				}
				p.sub("AccessLogSettings")
				p.sub("DefaultRouteSettings")
				p.sub("RouteSettings")
				p.strMap("Tags")
				return b
			}},
	}
}
