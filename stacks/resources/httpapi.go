package resources

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy/httpapis"
	"github.com/eddyserverless/eddy/stacks"
)

// httpAPIHandler is AWS::ApiGatewayV2::Api (HTTP APIs): Ref is the API
// id; ApiId and ApiEndpoint. A Body (an OpenAPI document, as SAM writes
// for HttpApi events) is imported: each operation's
// x-amazon-apigateway-integration becomes an integration and a route.
type httpAPIHandler struct{ s *httpapis.Service }

func (h *httpAPIHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Body", "CorsConfiguration", "Description", "DisableExecuteApiEndpoint", "FailOnWarnings", "Name", "ProtocolType",
			"RouteKey", "Tags", "Target", "Version"},
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

func (h *httpAPIHandler) parse(m map[string]any) (map[string]any, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	body := map[string]any{"name": p.str("Name"), "protocolType": p.str("ProtocolType"), "description": p.str("Description"),
		"version": p.str("Version")}
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
	if p.has("Body") {
		doc, _ := m["Body"].(map[string]any)
		if doc == nil {
			p.fail("Body", "Body must be an OpenAPI document (an object)")
		}
		if info, _ := doc["info"].(map[string]any); info != nil && body["name"] == "" {
			body["name"], _ = info["title"].(string)
		}
		if body["protocolType"] == "" {
			body["protocolType"] = "HTTP"
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if body["name"] == "" {
		if p.has("Body") {
			body["name"] = "HttpApi"
		} else {
			return nil, invalid("/Name", "Required property Name is missing")
		}
	}
	return body, nil
}

// openAPIRoute is a route an OpenAPI Body declares.
type openAPIRoute struct {
	key                 string // "GET /items", "ANY /{proxy+}", "$default"
	uri, payloadVersion string
	timeout             int
}

// openAPIRoutes reads the operations of an OpenAPI Body that have an
// aws_proxy x-amazon-apigateway-integration, in path and method order.
func openAPIRoutes(doc map[string]any) ([]openAPIRoute, error) {
	paths, _ := doc["paths"].(map[string]any)
	var out []openAPIRoute
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		ops, _ := paths[path].(map[string]any)
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op, _ := ops[method].(map[string]any)
			ig, _ := op["x-amazon-apigateway-integration"].(map[string]any)
			if ig == nil {
				continue
			}
			if t, _ := ig["type"].(string); !strings.EqualFold(t, "aws_proxy") {
				return nil, invalid("/Body", "Unsupported integration type %v at %s %s; eddy supports aws_proxy", ig["type"], method, path)
			}
			uri, _ := ig["uri"].(string)
			if uri == "" {
				return nil, invalid("/Body", "The integration at %s %s has no uri", method, path)
			}
			r := openAPIRoute{uri: uri, payloadVersion: "2.0"}
			if v, ok := ig["payloadFormatVersion"].(string); ok && v != "" {
				r.payloadVersion = v
			}
			if n, ok := ig["timeoutInMillis"].(float64); ok {
				r.timeout = int(n)
			}
			m := strings.ToUpper(method)
			if method == "x-amazon-apigateway-any-method" {
				m = "ANY"
			}
			r.key = m + " " + path
			if path == "$default" {
				r.key = "$default"
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// importRoutes creates the integration and route of each operation of
// the Body in props m.
func (h *httpAPIHandler) importRoutes(ctx context.Context, apiID string, m map[string]any) error {
	doc, _ := m["Body"].(map[string]any)
	if doc == nil {
		return nil
	}
	routes, err := openAPIRoutes(doc)
	if err != nil {
		return err
	}
	for _, r := range routes {
		ig := map[string]any{"integrationType": "AWS_PROXY", "integrationUri": r.uri, "payloadFormatVersion": r.payloadVersion}
		if r.timeout > 0 {
			ig["timeoutInMillis"] = r.timeout
		}
		b, _ := json.Marshal(ig)
		out, err := h.s.Create(ctx, apiID, httpapis.KindIntegrations, b)
		if err != nil {
			return err
		}
		b, _ = json.Marshal(map[string]any{"routeKey": r.key, "target": "integrations/" + out.(*httpapis.Integration).IntegrationID})
		if _, err := h.s.Create(ctx, apiID, httpapis.KindRoutes, b); err != nil {
			return err
		}
	}
	return nil
}

// dropRoutes deletes every route and integration of an API, before a
// changed Body is imported again.
func (h *httpAPIHandler) dropRoutes(ctx context.Context, apiID string) error {
	for _, kind := range []string{httpapis.KindRoutes, httpapis.KindIntegrations} {
		parts, err := h.s.List(ctx, apiID, kind)
		if err != nil {
			return err
		}
		for _, part := range parts {
			id := ""
			switch v := part.(type) {
			case *httpapis.Route:
				id = v.RouteID
			case *httpapis.Integration:
				id = v.IntegrationID
			}
			if err := ignoreNotFound(h.s.Delete(ctx, apiID, kind, id)); err != nil {
				return err
			}
		}
	}
	return nil
}

func httpAPIResult(a *httpapis.API) *stacks.Result {
	return &stacks.Result{PhysicalID: a.APIID, Attributes: map[string]any{"ApiId": a.APIID, "ApiEndpoint": a.APIEndpoint}}
}

func (h *httpAPIHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	body, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(body)
	a, err := h.s.CreateAPI(ctx, b)
	if err != nil {
		return nil, err
	}
	if err := h.importRoutes(ctx, a.APIID, r.Properties); err != nil {
		_ = h.s.DeleteAPI(ctx, a.APIID)
		return nil, err
	}
	return httpAPIResult(a), nil
}

func (h *httpAPIHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	body, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
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
	if changed(r.OldProperties, r.Properties, "Body") {
		if err := h.dropRoutes(ctx, r.PhysicalID); err != nil {
			return nil, err
		}
		if err := h.importRoutes(ctx, r.PhysicalID, r.Properties); err != nil {
			return nil, err
		}
	}
	return httpAPIResult(a), nil
}

func (h *httpAPIHandler) Delete(ctx context.Context, r *stacks.Request) error {
	if r.PhysicalID == "" {
		return nil
	}
	return ignoreNotFound(h.s.DeleteAPI(ctx, r.PhysicalID))
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
	if api == "" || r.PhysicalID == "" {
		return nil
	}
	return ignoreNotFound(h.s.Delete(ctx, api, h.kind, r.PhysicalID))
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
