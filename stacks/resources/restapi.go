package resources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/eddyserverless/eddy/restapis"
	"github.com/eddyserverless/eddy/stacks"
)

// restAPI calls the REST API service's control plane as the edge does.
type restAPI struct{ s *restapis.Service }

// do performs op with body (marshalled) and returns the answer as JSON
// members.
func (a restAPI) do(ctx context.Context, r *stacks.Request, op string, params map[string]string, query url.Values, body any) (map[string]any, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	out, err := a.s.Do(ctx, &restapis.Request{Op: op, Region: r.Stack.Region, Params: params, Query: query, Body: b})
	if err != nil || out == nil {
		return nil, err
	}
	data, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("restapis %s: %w", op, err)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return m, nil
}

// rootResource returns the id of the API's resource "/".
func (a restAPI) rootResource(ctx context.Context, r *stacks.Request, id string) (string, error) {
	out, err := a.do(ctx, r, "GetResources", map[string]string{"restapi_id": id}, url.Values{"limit": {"500"}}, nil)
	if err != nil {
		return "", err
	}
	items, _ := out["item"].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && m["path"] == "/" {
			s, _ := m["id"].(string)
			return s, nil
		}
	}
	return "", nil
}

// restAPIHandler is AWS::ApiGateway::RestApi: Ref is the API id;
// RestApiId and RootResourceId. A Body (OpenAPI, as SAM writes it) is
// imported.
type restAPIHandler struct{ restAPI }

func (h *restAPIHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"ApiKeySourceType", "BinaryMediaTypes", "Body", "BodyS3Location", "Description",
			"DisableExecuteApiEndpoint", "EndpointConfiguration", "FailOnWarnings", "MinimumCompressionSize",
			"Mode", "Name", "Parameters", "Policy", "Tags"},
		Attributes: []string{"RestApiId", "RootResourceId"},
	}
}

func (h *restAPIHandler) parse(m map[string]any) (body string, create map[string]any, err error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	if p.has("BodyS3Location") {
		p.fail("BodyS3Location", "BodyS3Location is not supported by eddy; give Body")
	}
	if p.has("Body") {
		body = p.json("Body")
	}
	create = map[string]any{"name": p.str("Name"), "description": p.str("Description"), "binaryMediaTypes": p.strs("BinaryMediaTypes")}
	p.integer("MinimumCompressionSize")
	p.boolean("DisableExecuteApiEndpoint")
	p.sub("EndpointConfiguration")
	p.str("Mode")
	p.tags("Tags")
	if err := p.Err(); err != nil {
		return "", nil, err
	}
	if body == "" && create["name"] == "" {
		return "", nil, invalid("/Name", "A RestApi needs Name or Body")
	}
	return body, create, nil
}

func (h *restAPIHandler) result(ctx context.Context, r *stacks.Request, id string) (*stacks.Result, error) {
	root, err := h.rootResource(ctx, r, id)
	if err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: id, Attributes: map[string]any{"RestApiId": id, "RootResourceId": root}}, nil
}

func (h *restAPIHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	body, create, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	// The API is made with the tags CloudFormation gives what it
	// creates, in one step, so that the Delete of a create cut short finds
	// it by them. A Body is then put over the new API, as ImportRestApi
	// would.
	create["tags"] = stackTags(r)
	name := create["name"]
	if body != "" {
		var doc struct {
			Info struct {
				Title   string `json:"title"`
				Version string `json:"version"`
			} `json:"info"`
		}
		_ = json.Unmarshal([]byte(body), &doc)
		if doc.Info.Title == "" {
			return nil, invalid("/Body", "Invalid OpenAPI input: info.title is required")
		}
		create = map[string]any{"name": doc.Info.Title, "version": doc.Info.Version, "tags": create["tags"]}
	}
	out, err := h.do(ctx, r, "CreateRestApi", nil, nil, create)
	if err != nil {
		return nil, err
	}
	id, _ := out["id"].(string)
	if body != "" {
		if _, err := h.do(ctx, r, "PutRestApi", map[string]string{"restapi_id": id}, url.Values{"mode": {"overwrite"}}, json.RawMessage(body)); err != nil {
			_, _ = h.do(ctx, r, "DeleteRestApi", map[string]string{"restapi_id": id}, nil, nil)
			return nil, err
		}
	}
	if body != "" && name != "" {
		patch := map[string]any{"patchOperations": []any{map[string]any{"op": "replace", "path": "/name", "value": name}}}
		if _, err := h.do(ctx, r, "UpdateRestApi", map[string]string{"restapi_id": id}, nil, patch); err != nil {
			_, _ = h.do(ctx, r, "DeleteRestApi", map[string]string{"restapi_id": id}, nil, nil)
			return nil, err
		}
	}
	return h.result(ctx, r, id)
}

func (h *restAPIHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	body, create, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	id := r.PhysicalID
	if body != "" && changed(r.OldProperties, r.Properties, "Body") {
		if _, err := h.do(ctx, r, "PutRestApi", map[string]string{"restapi_id": id}, url.Values{"mode": {"overwrite"}}, json.RawMessage(body)); err != nil {
			return nil, err
		}
	}
	var ops []any
	if name, _ := create["name"].(string); name != "" {
		ops = append(ops, map[string]any{"op": "replace", "path": "/name", "value": name})
	}
	if d, _ := create["description"].(string); d != "" {
		ops = append(ops, map[string]any{"op": "replace", "path": "/description", "value": d})
	} else if body == "" {
		ops = append(ops, map[string]any{"op": "remove", "path": "/description"})
	}
	if len(ops) > 0 {
		if _, err := h.do(ctx, r, "UpdateRestApi", map[string]string{"restapi_id": id}, nil, map[string]any{"patchOperations": ops}); err != nil {
			return nil, err
		}
	}
	return h.result(ctx, r, id)
}

func (h *restAPIHandler) Delete(ctx context.Context, r *stacks.Request) error {
	ids := []string{r.PhysicalID}
	if r.PhysicalID == "" {
		var err error
		if ids, err = h.tagged(ctx, r); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if _, err := h.do(ctx, r, "DeleteRestApi", map[string]string{"restapi_id": id}, nil, nil); ignoreNotFound(err) != nil {
			return err
		}
	}
	return nil
}

// tagged returns the ids of the APIs tagged as r's resource: what a
// create cut short made. A RestApi is never replaced, so none is another
// physical resource of the same logical id.
func (h *restAPIHandler) tagged(ctx context.Context, r *stacks.Request) ([]string, error) {
	want := stackTags(r)
	var ids []string
	position := ""
	for {
		q := url.Values{"limit": {"500"}}
		if position != "" {
			q.Set("position", position)
		}
		out, err := h.do(ctx, r, "GetRestApis", nil, q, nil)
		if err != nil {
			return nil, err
		}
		items, _ := out["item"].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			tags, _ := m["tags"].(map[string]any)
			id, _ := m["id"].(string)
			if id != "" && id != r.Replaces && hasTags(tags, want) {
				ids = append(ids, id)
			}
		}
		if position, _ = out["position"].(string); position == "" {
			return ids, nil
		}
	}
}

// resourceHandler is AWS::ApiGateway::Resource: Ref is the resource id.
type resourceHandler struct{ restAPI }

func (h *resourceHandler) Spec() stacks.Spec {
	p := []string{"ParentId", "PathPart", "RestApiId"}
	return stacks.Spec{Properties: p, Required: p, Replace: p, Attributes: []string{"ResourceId"}}
}

func (h *resourceHandler) parse(m map[string]any) (api, parent, part string, err error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	return p.str("RestApiId"), p.str("ParentId"), p.str("PathPart"), p.Err()
}

func (h *resourceHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	api, parent, part, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	out, err := h.do(ctx, r, "CreateResource", map[string]string{"restapi_id": api, "parent_id": parent}, nil, map[string]any{"pathPart": part})
	if err != nil {
		return nil, err
	}
	id, _ := out["id"].(string)
	return &stacks.Result{PhysicalID: id, Attributes: map[string]any{"ResourceId": id}}, nil
}

func (h *resourceHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if _, _, _, err := h.parse(r.Properties); err != nil {
		return nil, err
	}
	return nil, stacks.ErrReplace
}

func (h *resourceHandler) Delete(ctx context.Context, r *stacks.Request) error {
	api, parent, part, err := h.parse(oldOr(r))
	if err != nil {
		return nil
	}
	id := r.PhysicalID
	if id == "" {
		// CreateResource refuses a path part its parent has, so the
		// parent's resource of that path part is the create's.
		if id, err = h.child(ctx, r, api, parent, part); id == "" || id == r.Replaces || err != nil {
			return ignoreNotFound(err)
		}
	}
	_, err = h.do(ctx, r, "DeleteResource", map[string]string{"restapi_id": api, "resource_id": id}, nil, nil)
	return ignoreNotFound(err)
}

// child returns the id of the API's resource of parent and path part, ""
// if there is none.
func (h *resourceHandler) child(ctx context.Context, r *stacks.Request, api, parent, part string) (string, error) {
	position := ""
	for {
		q := url.Values{"limit": {"500"}}
		if position != "" {
			q.Set("position", position)
		}
		out, err := h.do(ctx, r, "GetResources", map[string]string{"restapi_id": api}, q, nil)
		if err != nil {
			return "", err
		}
		items, _ := out["item"].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok && m["parentId"] == parent && m["pathPart"] == part {
				id, _ := m["id"].(string)
				return id, nil
			}
		}
		if position, _ = out["position"].(string); position == "" {
			return "", nil
		}
	}
}

// methodHandler is AWS::ApiGateway::Method with its Integration. Its
// physical id is API|RESOURCE|METHOD.
type methodHandler struct{ restAPI }

func (h *methodHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"ApiKeyRequired", "AuthorizationScopes", "AuthorizationType", "AuthorizerId", "HttpMethod",
			"Integration", "MethodResponses", "OperationName", "RequestModels", "RequestParameters", "RequestValidatorId",
			"ResourceId", "RestApiId"},
		Required: []string{"HttpMethod", "ResourceId", "RestApiId"},
		Replace:  []string{"HttpMethod", "ResourceId", "RestApiId"},
	}
}

type methodProps struct {
	api, resource, verb string
	method, integration map[string]any
}

func (h *methodHandler) parse(m map[string]any) (*methodProps, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	mp := &methodProps{api: p.str("RestApiId"), resource: p.str("ResourceId"), verb: strings.ToUpper(p.str("HttpMethod"))}
	auth := p.str("AuthorizationType")
	if auth == "" {
		auth = "NONE"
	}
	mp.method = map[string]any{"authorizationType": auth, "operationName": p.str("OperationName"),
		"authorizerId": p.str("AuthorizerId"), "authorizationScopes": p.strs("AuthorizationScopes")}
	if b := p.boolean("ApiKeyRequired"); b != nil {
		mp.method["apiKeyRequired"] = *b
	}
	if rp := p.sub("RequestParameters"); rp.m != nil {
		params := map[string]any{}
		for k := range rp.m {
			if b := rp.boolean(k); b != nil {
				params[k] = *b
			}
		}
		mp.method["requestParameters"] = params
	}
	if in := p.sub("Integration"); in.m != nil {
		in.only("CacheKeyParameters", "CacheNamespace", "ConnectionId", "ConnectionType", "ContentHandling", "Credentials",
			"IntegrationHttpMethod", "IntegrationResponses", "PassthroughBehavior", "RequestParameters", "RequestTemplates",
			"TimeoutInMillis", "Type", "Uri")
		in.require("Type")
		mp.integration = map[string]any{"type": in.str("Type"), "httpMethod": in.str("IntegrationHttpMethod"), "uri": in.str("Uri"),
			"connectionType": in.str("ConnectionType"), "connectionId": in.str("ConnectionId"), "credentials": in.str("Credentials"),
			"requestParameters": in.strMap("RequestParameters"), "requestTemplates": in.strMap("RequestTemplates"),
			"passthroughBehavior": in.str("PassthroughBehavior")}
		in.integer("TimeoutInMillis")
	}
	return mp, p.Err()
}

func (h *methodHandler) put(ctx context.Context, r *stacks.Request, mp *methodProps) (*stacks.Result, error) {
	params := map[string]string{"restapi_id": mp.api, "resource_id": mp.resource, "http_method": mp.verb}
	if _, err := h.do(ctx, r, "PutMethod", params, nil, mp.method); err != nil {
		return nil, err
	}
	if mp.integration != nil {
		if _, err := h.do(ctx, r, "PutIntegration", params, nil, mp.integration); err != nil {
			_, _ = h.do(ctx, r, "DeleteMethod", params, nil, nil)
			return nil, err
		}
	}
	return &stacks.Result{PhysicalID: mp.api + "|" + mp.resource + "|" + mp.verb, Attributes: map[string]any{}}, nil
}

func (h *methodHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	mp, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	return h.put(ctx, r, mp)
}

func (h *methodHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	mp, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	// PutMethod replaces the method, integration and all.
	params := map[string]string{"restapi_id": mp.api, "resource_id": mp.resource, "http_method": mp.verb}
	if _, err := h.do(ctx, r, "DeleteMethod", params, nil, nil); err != nil && !notFound(err) {
		return nil, err
	}
	return h.put(ctx, r, mp)
}

func (h *methodHandler) Delete(ctx context.Context, r *stacks.Request) error {
	id := r.PhysicalID
	if id == "" {
		// PutMethod refuses a method the resource has, so the resource's
		// method of that verb is the create's.
		mp, err := h.parse(oldOr(r))
		if err != nil {
			return nil
		}
		if id = mp.api + "|" + mp.resource + "|" + mp.verb; id == r.Replaces {
			return nil
		}
	}
	parts := strings.Split(id, "|")
	if len(parts) != 3 {
		return nil
	}
	_, err := h.do(ctx, r, "DeleteMethod", map[string]string{"restapi_id": parts[0], "resource_id": parts[1], "http_method": parts[2]}, nil, nil)
	return ignoreNotFound(err)
}

// deploymentHandler is AWS::ApiGateway::Deployment: Ref is the
// deployment id; DeploymentId.
type deploymentHandler struct{ restAPI }

func (h *deploymentHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Description", "RestApiId", "StageDescription", "StageName"},
		Required:   []string{"RestApiId"},
		Replace:    []string{"RestApiId"},
		Attributes: []string{"DeploymentId"},
	}
}

func (h *deploymentHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	p := newProps(r.Properties)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	api := p.str("RestApiId")
	body := map[string]any{"description": p.str("Description")}
	if s := p.str("StageName"); s != "" {
		body["stageName"] = s
	}
	p.sub("StageDescription")
	if err := p.Err(); err != nil {
		return nil, err
	}
	out, err := h.do(ctx, r, "CreateDeployment", map[string]string{"restapi_id": api}, nil, body)
	if err != nil {
		return nil, err
	}
	id, _ := out["id"].(string)
	return &stacks.Result{PhysicalID: id, Attributes: map[string]any{"DeploymentId": id}}, nil
}

// Update replaces the deployment: a deployment is a snapshot, and a
// changed one is a new snapshot.
func (h *deploymentHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	p := newProps(r.Properties)
	p.only(h.Spec().Properties...)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return nil, stacks.ErrReplace
}

func (h *deploymentHandler) Delete(ctx context.Context, r *stacks.Request) error {
	api, _ := oldOr(r)["RestApiId"].(string)
	if api == "" || r.PhysicalID == "" {
		// The id of a deployment whose create was cut short is not known,
		// and nothing else is unique to it: it is left to be deleted with
		// its API. (It serves nothing unless it made a stage, StageName.)
		return nil
	}
	// A stage the deployment created goes with it.
	if s, _ := oldOr(r)["StageName"].(string); s != "" {
		stage, err := h.do(ctx, r, "GetStage", map[string]string{"restapi_id": api, "stage_name": s}, nil, nil)
		if err == nil && stage["deploymentId"] == r.PhysicalID {
			_, _ = h.do(ctx, r, "DeleteStage", map[string]string{"restapi_id": api, "stage_name": s}, nil, nil)
		}
	}
	_, err := h.do(ctx, r, "DeleteDeployment", map[string]string{"restapi_id": api, "deployment_id": r.PhysicalID}, nil, nil)
	return ignoreNotFound(err)
}

// stageHandler is AWS::ApiGateway::Stage: Ref is the stage name.
type stageHandler struct{ restAPI }

func (h *stageHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"CacheClusterEnabled", "DeploymentId", "Description", "MethodSettings", "RestApiId",
			"StageName", "Tags", "TracingEnabled", "Variables"},
		Required: []string{"RestApiId"},
		Replace:  []string{"RestApiId", "StageName"},
	}
}

func (h *stageHandler) parse(m map[string]any) (api, name, deployment, desc string, vars map[string]string, err error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	p.tags("Tags")
	p.boolean("TracingEnabled")
	return p.str("RestApiId"), p.str("StageName"), p.str("DeploymentId"), p.str("Description"), p.strMap("Variables"), p.Err()
}

func (h *stageHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	api, name, dep, desc, vars, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = r.GeneratedName(128)
	}
	if _, err := h.do(ctx, r, "CreateStage", map[string]string{"restapi_id": api}, nil,
		map[string]any{"stageName": name, "deploymentId": dep, "description": desc, "variables": vars}); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

func (h *stageHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	api, _, dep, desc, vars, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	_, _, _, _, oldVars, _ := h.parse(r.OldProperties)
	ops := []any{map[string]any{"op": "replace", "path": "/deploymentId", "value": dep},
		map[string]any{"op": "replace", "path": "/description", "value": desc}}
	for k := range oldVars {
		if _, ok := vars[k]; !ok {
			ops = append(ops, map[string]any{"op": "remove", "path": "/variables/" + k})
		}
	}
	for k, v := range vars {
		ops = append(ops, map[string]any{"op": "replace", "path": "/variables/" + k, "value": v})
	}
	if _, err := h.do(ctx, r, "UpdateStage", map[string]string{"restapi_id": api, "stage_name": r.PhysicalID}, nil,
		map[string]any{"patchOperations": ops}); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (h *stageHandler) Delete(ctx context.Context, r *stacks.Request) error {
	api, given, _, _, _, err := h.parse(oldOr(r))
	if err != nil || api == "" {
		return nil
	}
	name := r.PhysicalID
	if name == "" {
		// CreateStage refuses a stage name the API has, so the API's stage
		// of the create's name is the create's.
		if name = interruptedOwn(r, given, 128, r.Replaces); name == "" {
			return nil
		}
	}
	_, err = h.do(ctx, r, "DeleteStage", map[string]string{"restapi_id": api, "stage_name": name}, nil, nil)
	return ignoreNotFound(err)
}
