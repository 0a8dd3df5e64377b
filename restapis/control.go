package restapis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

// Request is one control-plane operation, as the edge decoded it from the
// REST-JSON protocol.
type Request struct {
	// Op is the operation's name as the service model names it
	// ("CreateRestApi").
	Op     string
	Region string
	// Params are the URI members by the model's location names
	// ("restapi_id", "resource_id", "http_method", "status_code",
	// "stage_name", "deployment_id", "parent_id", "resource_arn").
	Params map[string]string
	Query  url.Values
	Body   []byte
}

// Ops are the operations Do serves.
var Ops = []string{
	"CreateRestApi", "ImportRestApi", "PutRestApi", "GetRestApi", "GetRestApis", "UpdateRestApi", "DeleteRestApi",
	"GetResources", "GetResource", "CreateResource", "UpdateResource", "DeleteResource",
	"PutMethod", "GetMethod", "UpdateMethod", "DeleteMethod",
	"PutIntegration", "GetIntegration", "UpdateIntegration", "DeleteIntegration",
	"PutMethodResponse", "GetMethodResponse", "DeleteMethodResponse",
	"PutIntegrationResponse", "GetIntegrationResponse", "DeleteIntegrationResponse",
	"CreateDeployment", "GetDeployment", "GetDeployments", "DeleteDeployment",
	"CreateStage", "GetStage", "GetStages", "UpdateStage", "DeleteStage",
	"TagResource", "UntagResource", "GetTags",
}

// Do performs one control-plane operation and returns what to send back
// (nil for an empty body).
func (s *Service) Do(ctx context.Context, req *Request) (any, error) {
	if req.Region == "" {
		req.Region = s.cfg.Region
	}
	p := func(k string) string { return req.Params[k] }
	id := p("restapi_id")
	switch req.Op {
	case "CreateRestApi":
		return s.createRestAPI(ctx, req)
	case "GetRestApi":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		return &rec.API, nil
	case "GetRestApis":
		return s.getRestAPIs(ctx, req)
	case "ImportRestApi":
		return s.importRestAPI(ctx, req)
	case "PutRestApi":
		doc, err := parseOpenAPI(req.Body)
		if err != nil {
			return nil, err
		}
		return s.putRestAPI(ctx, id, req.Query.Get("mode"), doc)
	case "UpdateRestApi":
		return s.updateRestAPI(ctx, id, req.Body)
	case "DeleteRestApi":
		if _, _, err := s.load(ctx, id); err != nil {
			return nil, err
		}
		if err := s.kv.Delete(ctx, id); err != nil {
			return nil, fmt.Errorf("restapis: delete %s: %w", id, err)
		}
		s.forget(id)
		s.purgeSnapshots(ctx, id)
		return nil, nil
	case "GetResources":
		return s.getResources(ctx, id, req.Query)
	case "GetResource":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		res, err := findResource(rec, p("resource_id"))
		if err != nil {
			return nil, err
		}
		if embedsMethods(req.Query) {
			return res, nil
		}
		return withoutMethodDetails(res), nil
	case "CreateResource":
		return s.createResource(ctx, id, p("parent_id"), req.Body)
	case "DeleteResource":
		return nil, s.deleteResource(ctx, id, p("resource_id"))
	case "UpdateResource", "UpdateMethod", "UpdateIntegration":
		return s.patchMethodOrResource(ctx, req)
	case "PutMethod", "GetMethod", "DeleteMethod":
		return s.method(ctx, req)
	case "PutIntegration", "GetIntegration", "DeleteIntegration":
		return s.integration(ctx, req)
	case "PutMethodResponse", "GetMethodResponse", "DeleteMethodResponse",
		"PutIntegrationResponse", "GetIntegrationResponse", "DeleteIntegrationResponse":
		return s.responses(ctx, req)
	case "CreateDeployment":
		return s.createDeployment(ctx, id, req.Body)
	case "GetDeployment":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		d := rec.Deployments[p("deployment_id")]
		if d == nil {
			return nil, errInvalid("Deployment")
		}
		return d, nil
	case "GetDeployments":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		var items []any
		for _, d := range sortedDeployments(rec) {
			items = append(items, d)
		}
		return page(items, req.Query, func(v any) string { return v.(*Deployment).ID })
	case "DeleteDeployment":
		_, err := s.update(ctx, id, func(rec *record) error {
			did := p("deployment_id")
			if rec.Deployments[did] == nil {
				return errInvalid("Deployment")
			}
			for _, st := range rec.Stages {
				if st.DeploymentID == did {
					return eddy.Errorf(eddy.EINVALID, "Active stages pointing to this deployment must be moved or deleted")
				}
			}
			delete(rec.Deployments, did)
			return nil
		})
		if err == nil {
			_ = s.kv.Purge(ctx, snapshotKey(id, p("deployment_id")))
		}
		return nil, err
	case "CreateStage":
		return s.createStage(ctx, id, req.Body)
	case "GetStage":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		st := rec.Stages[p("stage_name")]
		if st == nil {
			return nil, errInvalid("Stage")
		}
		return st, nil
	case "GetStages":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		items := []*Stage{}
		for _, name := range sortedKeys(rec.Stages) {
			st := rec.Stages[name]
			if d := req.Query.Get("deploymentId"); d != "" && st.DeploymentID != d {
				continue
			}
			items = append(items, st)
		}
		return map[string]any{"item": items}, nil
	case "UpdateStage":
		return s.updateStage(ctx, id, p("stage_name"), req.Body)
	case "DeleteStage":
		_, err := s.update(ctx, id, func(rec *record) error {
			if rec.Stages[p("stage_name")] == nil {
				return errInvalid("Stage")
			}
			delete(rec.Stages, p("stage_name"))
			return nil
		})
		return nil, err
	case "TagResource", "UntagResource", "GetTags":
		return s.tags(ctx, req)
	}
	return nil, eddy.TypedErrorf(eddy.EUNSUPPORT, "BadRequestException", "eddy does not provide %s (yet)", req.Op)
}

// purgeSnapshots removes the deployments' snapshots of a deleted API.
func (s *Service) purgeSnapshots(ctx context.Context, id string) {
	lister, err := s.kv.ListKeysFiltered(ctx, id+".deployments.*")
	if err != nil {
		s.cfg.Logger.Warn("restapis: list snapshots", "api", id, "err", err)
		return
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if err := s.kv.Purge(ctx, k); err != nil {
			s.cfg.Logger.Warn("restapis: purge snapshot", "key", k, "err", err)
		}
	}
}

func (s *Service) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, id)
	for k := range s.snaps {
		if strings.HasPrefix(k, id+".") {
			delete(s.snaps, k)
		}
	}
}

func errInvalid(what string) error {
	return eddy.Errorf(eddy.ENOTFOUND, "Invalid %s identifier specified", what)
}

func badRequest(format string, args ...any) error {
	return eddy.Errorf(eddy.EINVALID, format, args...)
}

// decode decodes a request body into v; an empty body is an empty object.
func decode(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return eddy.Errorf(eddy.EMALFORMED, "Invalid value for %s", te.Field)
		}
		return eddy.Errorf(eddy.EMALFORMED, "Could not parse request body into json")
	}
	return nil
}

func (s *Service) now() int64 { return s.cfg.Now().Unix() }

func (s *Service) createRestAPI(ctx context.Context, req *Request) (any, error) {
	var in struct {
		Name                      string                 `json:"name"`
		Description               string                 `json:"description"`
		Version                   string                 `json:"version"`
		BinaryMediaTypes          []string               `json:"binaryMediaTypes"`
		MinimumCompressionSize    *int                   `json:"minimumCompressionSize"`
		APIKeySource              string                 `json:"apiKeySource"`
		EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration"`
		Policy                    string                 `json:"policy"`
		Tags                      map[string]string      `json:"tags"`
		DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
		CloneFrom                 string                 `json:"cloneFrom"`
	}
	if err := decode(req.Body, &in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, badRequest("Invalid REST API name specified")
	}
	if in.CloneFrom != "" {
		return nil, eddy.Errorf(eddy.EUNSUPPORT, "eddy does not clone REST APIs (yet)")
	}
	if in.APIKeySource == "" {
		in.APIKeySource = "HEADER"
	} else if in.APIKeySource != "HEADER" && in.APIKeySource != "AUTHORIZER" {
		return nil, badRequest("Invalid API key source specified")
	}
	if in.EndpointConfiguration == nil {
		in.EndpointConfiguration = &EndpointConfiguration{Types: []string{"EDGE"}}
	}
	for _, t := range in.EndpointConfiguration.Types {
		if t != "EDGE" && t != "REGIONAL" && t != "PRIVATE" {
			return nil, badRequest("Invalid endpoint configuration type specified: %s", t)
		}
	}
	if in.EndpointConfiguration.IPAddressType == "" {
		in.EndpointConfiguration.IPAddressType = "ipv4"
	}
	rootID := newID(10)
	rec := &record{
		API: RestAPI{
			Name: in.Name, Description: in.Description, CreatedDate: s.now(), Version: in.Version,
			BinaryMediaTypes: in.BinaryMediaTypes, MinimumCompressionSize: in.MinimumCompressionSize,
			APIKeySource: in.APIKeySource, EndpointConfiguration: in.EndpointConfiguration,
			Policy: in.Policy, Tags: in.Tags, DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint,
			RootResourceID: rootID,
		},
		Region:      req.Region,
		Resources:   map[string]*Resource{rootID: {ID: rootID, Path: "/"}},
		Deployments: map[string]*Deployment{},
		Stages:      map[string]*Stage{},
	}
	for attempt := 0; ; attempt++ {
		rec.API.ID = newID(10)
		data, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("restapis: encode: %w", err)
		}
		rev, err := s.kv.Create(ctx, rec.API.ID, data)
		if err == nil {
			s.remember(rec.API.ID, rec, rev)
			return &rec.API, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) || attempt > 5 {
			return nil, fmt.Errorf("restapis: create: %w", err)
		}
	}
}

func (s *Service) getRestAPIs(ctx context.Context, req *Request) (any, error) {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("restapis: list: %w", err)
	}
	var ids []string
	for k := range lister.Keys() {
		if !strings.Contains(k, ".") {
			ids = append(ids, k)
		}
	}
	sort.Strings(ids)
	var items []any
	for _, id := range ids {
		rec, _, err := s.load(ctx, id)
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			continue // deleted since listed
		}
		if err != nil {
			return nil, err
		}
		items = append(items, &rec.API)
	}
	return page(items, req.Query, func(v any) string { return v.(*RestAPI).ID })
}

// page returns the items after position, at most limit (default 25, at
// most 500) of them, with the position of the next page.
func page(items []any, q url.Values, key func(any) string) (any, error) {
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return nil, badRequest("Invalid limit specified: must be between 1 and 500")
		}
		limit = n
	}
	start := 0
	if pos := q.Get("position"); pos != "" {
		start = -1
		for i, it := range items {
			if key(it) == pos {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, badRequest("Invalid position parameter")
		}
	}
	out := map[string]any{}
	end := start + limit
	if end < len(items) {
		out["position"] = key(items[end])
	} else {
		end = len(items)
	}
	list := items[start:end]
	if list == nil {
		list = []any{}
	}
	out["item"] = list
	return out, nil
}

// patchOp is one of a PATCH request's patchOperations.
type patchOp struct {
	Op    string  `json:"op"`
	Path  string  `json:"path"`
	Value *string `json:"value"`
	From  string  `json:"from"`
}

func decodePatch(body []byte) ([]patchOp, error) {
	var in struct {
		PatchOperations []patchOp `json:"patchOperations"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	for _, op := range in.PatchOperations {
		switch op.Op {
		case "add", "remove", "replace", "move", "copy", "test":
		default:
			return nil, badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'|'move'|'copy'|'test'")
		}
	}
	return in.PatchOperations, nil
}

// unescapePatchPath turns a JSON pointer segment back into its text.
func unescapePatchPath(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func value(op patchOp) string {
	if op.Value == nil {
		return ""
	}
	return *op.Value
}

func (s *Service) updateRestAPI(ctx context.Context, id string, body []byte) (any, error) {
	ops, err := decodePatch(body)
	if err != nil {
		return nil, err
	}
	rec, err := s.update(ctx, id, func(rec *record) error {
		a := &rec.API
		for _, op := range ops {
			switch {
			case op.Path == "/name" && op.Op == "replace":
				if value(op) == "" {
					return badRequest("Invalid REST API name specified")
				}
				a.Name = value(op)
			case op.Path == "/description" && (op.Op == "replace" || op.Op == "add"):
				a.Description = value(op)
			case op.Path == "/description" && op.Op == "remove":
				a.Description = ""
			case op.Path == "/version" && op.Op == "replace":
				a.Version = value(op)
			case op.Path == "/disableExecuteApiEndpoint" && op.Op == "replace":
				a.DisableExecuteAPIEndpoint = value(op) == "true"
			case strings.HasPrefix(op.Path, "/binaryMediaTypes/"):
				mt := unescapePatchPath(strings.TrimPrefix(op.Path, "/binaryMediaTypes/"))
				switch op.Op {
				case "add":
					if !contains(a.BinaryMediaTypes, mt) {
						a.BinaryMediaTypes = append(a.BinaryMediaTypes, mt)
					}
				case "remove":
					a.BinaryMediaTypes = remove(a.BinaryMediaTypes, mt)
				case "replace":
					nv := unescapePatchPath(value(op))
					a.BinaryMediaTypes = remove(a.BinaryMediaTypes, mt)
					if nv != "" && !contains(a.BinaryMediaTypes, nv) {
						a.BinaryMediaTypes = append(a.BinaryMediaTypes, nv)
					}
				default:
					return badRequest("Invalid patch path %s", op.Path)
				}
			default:
				return badRequest("Invalid patch path %s", op.Path)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rec.API, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func remove(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func findResource(rec *record, rid string) (*Resource, error) {
	res := rec.Resources[rid]
	if res == nil {
		return nil, errInvalid("Resource")
	}
	return res, nil
}

func embedsMethods(q url.Values) bool {
	for _, e := range q["embed"] {
		for _, part := range strings.Split(e, ",") {
			if strings.TrimSpace(part) == "methods" {
				return true
			}
		}
	}
	return false
}

// resourceSummary is a resource with its methods named but not described,
// as GetResource(s) answers without embed=methods.
type resourceSummary struct {
	ID              string              `json:"id"`
	ParentID        string              `json:"parentId,omitempty"`
	PathPart        string              `json:"pathPart,omitempty"`
	Path            string              `json:"path"`
	ResourceMethods map[string]struct{} `json:"resourceMethods,omitempty"`
}

func withoutMethodDetails(res *Resource) *resourceSummary {
	out := &resourceSummary{ID: res.ID, ParentID: res.ParentID, PathPart: res.PathPart, Path: res.Path}
	if len(res.ResourceMethods) > 0 {
		out.ResourceMethods = map[string]struct{}{}
		for k := range res.ResourceMethods {
			out.ResourceMethods[k] = struct{}{}
		}
	}
	return out
}

func (s *Service) getResources(ctx context.Context, id string, q url.Values) (any, error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	embed := embedsMethods(q)
	ress := sortedResources(rec.Resources)
	items := make([]any, 0, len(ress))
	for _, res := range ress {
		if embed {
			items = append(items, res)
		} else {
			items = append(items, withoutMethodDetails(res))
		}
	}
	return page(items, q, func(v any) string {
		if r, ok := v.(*Resource); ok {
			return r.ID
		}
		return v.(*resourceSummary).ID
	})
}

func sortedResources(m map[string]*Resource) []*Resource {
	out := make([]*Resource, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func sortedDeployments(rec *record) []*Deployment {
	out := make([]*Deployment, 0, len(rec.Deployments))
	for _, d := range rec.Deployments {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreatedDate != out[j].CreatedDate {
			return out[i].CreatedDate < out[j].CreatedDate
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var literalPart = regexp.MustCompile(`^[A-Za-z0-9._:@!$&'*,;=~-]+$`)
var variablePart = regexp.MustCompile(`^\{[A-Za-z0-9._-]+\+?\}$`)

// ValidPathPart reports whether p can be a resource's path part: literal
// characters, or a whole {variable} or {greedy+} variable.
func ValidPathPart(p string) bool {
	return literalPart.MatchString(p) || variablePart.MatchString(p)
}

func isVariable(p string) bool { return strings.HasPrefix(p, "{") }
func isGreedy(p string) bool   { return strings.HasSuffix(p, "+}") }

func (s *Service) createResource(ctx context.Context, id, parentID string, body []byte) (any, error) {
	var in struct {
		PathPart string `json:"pathPart"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if !ValidPathPart(in.PathPart) {
		return nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	var created *Resource
	_, err := s.update(ctx, id, func(rec *record) error {
		parent, err := findResource(rec, parentID)
		if err != nil {
			return err
		}
		if isGreedy(parent.PathPart) {
			return badRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.PathPart)
		}
		for _, sib := range rec.Resources {
			if sib.ParentID != parent.ID {
				continue
			}
			if sib.PathPart == in.PathPart {
				return eddy.Errorf(eddy.ECONFLICT, "Another resource with the same parent already has this name: %s", in.PathPart)
			}
			if isVariable(sib.PathPart) && isVariable(in.PathPart) {
				return badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", sib.PathPart)
			}
		}
		path := strings.TrimSuffix(parent.Path, "/") + "/" + in.PathPart
		created = &Resource{ID: newID(6), ParentID: parent.ID, PathPart: in.PathPart, Path: path}
		rec.Resources[created.ID] = created
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

func (s *Service) deleteResource(ctx context.Context, id, rid string) error {
	_, err := s.update(ctx, id, func(rec *record) error {
		res, err := findResource(rec, rid)
		if err != nil {
			return err
		}
		if res.ID == rec.API.RootResourceID {
			return badRequest("Cannot delete the root resource")
		}
		// the resource and everything below it
		doomed := map[string]bool{rid: true}
		for changed := true; changed; {
			changed = false
			for _, r := range rec.Resources {
				if !doomed[r.ID] && doomed[r.ParentID] {
					doomed[r.ID] = true
					changed = true
				}
			}
		}
		for d := range doomed {
			delete(rec.Resources, d)
		}
		return nil
	})
	return err
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "HEAD": true, "OPTIONS": true, "ANY": true}

func (s *Service) findMethod(rec *record, req *Request) (*Resource, *Method, error) {
	res, err := findResource(rec, req.Params["resource_id"])
	if err != nil {
		return nil, nil, err
	}
	m := res.ResourceMethods[req.Params["http_method"]]
	if m == nil {
		return res, nil, errInvalid("Method")
	}
	return res, m, nil
}

func (s *Service) method(ctx context.Context, req *Request) (any, error) {
	id := req.Params["restapi_id"]
	hm := req.Params["http_method"]
	switch req.Op {
	case "GetMethod":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		_, m, err := s.findMethod(rec, req)
		return m, err
	case "DeleteMethod":
		_, err := s.update(ctx, id, func(rec *record) error {
			res, _, err := s.findMethod(rec, req)
			if err != nil {
				return err
			}
			delete(res.ResourceMethods, hm)
			return nil
		})
		return nil, err
	}
	var in struct {
		AuthorizationType   string            `json:"authorizationType"`
		AuthorizerID        string            `json:"authorizerId"`
		APIKeyRequired      bool              `json:"apiKeyRequired"`
		OperationName       string            `json:"operationName"`
		RequestParameters   map[string]bool   `json:"requestParameters"`
		RequestModels       map[string]string `json:"requestModels"`
		RequestValidatorID  string            `json:"requestValidatorId"`
		AuthorizationScopes []string          `json:"authorizationScopes"`
	}
	if err := decode(req.Body, &in); err != nil {
		return nil, err
	}
	if !httpMethods[hm] {
		return nil, badRequest("Invalid HttpMethod specified. Valid options are ANY,DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT")
	}
	switch in.AuthorizationType {
	case "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS":
	case "":
		return nil, badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	default:
		return nil, badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	}
	var created *Method
	_, err := s.update(ctx, id, func(rec *record) error {
		res, err := findResource(rec, req.Params["resource_id"])
		if err != nil {
			return err
		}
		if res.ResourceMethods[hm] != nil {
			return eddy.Errorf(eddy.ECONFLICT, "Method already exists for this resource")
		}
		created = &Method{
			HTTPMethod: hm, AuthorizationType: in.AuthorizationType, AuthorizerID: in.AuthorizerID,
			APIKeyRequired: in.APIKeyRequired, OperationName: in.OperationName,
			RequestParameters: in.RequestParameters, RequestModels: in.RequestModels,
			RequestValidatorID: in.RequestValidatorID, AuthorizationScopes: in.AuthorizationScopes,
		}
		if res.ResourceMethods == nil {
			res.ResourceMethods = map[string]*Method{}
		}
		res.ResourceMethods[hm] = created
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// lambdaURI matches an integration URI that invokes a Lambda function.
var lambdaURI = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):lambda:path/2015-03-31/functions/(arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?)/invocations$`)

// FunctionOfURI returns the function ARN a Lambda integration URI invokes.
func FunctionOfURI(uri string) (string, bool) {
	m := lambdaURI.FindStringSubmatch(uri)
	if m == nil {
		return "", false
	}
	return m[2], true
}

func (s *Service) integration(ctx context.Context, req *Request) (any, error) {
	id := req.Params["restapi_id"]
	switch req.Op {
	case "GetIntegration":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		_, m, err := s.findMethod(rec, req)
		if err != nil {
			return nil, err
		}
		if m.MethodIntegration == nil {
			return nil, errInvalid("Integration")
		}
		return m.MethodIntegration, nil
	case "DeleteIntegration":
		_, err := s.update(ctx, id, func(rec *record) error {
			_, m, err := s.findMethod(rec, req)
			if err != nil {
				return err
			}
			if m.MethodIntegration == nil {
				return errInvalid("Integration")
			}
			m.MethodIntegration = nil
			return nil
		})
		return nil, err
	}
	var in struct {
		Type                  string            `json:"type"`
		IntegrationHTTPMethod string            `json:"httpMethod"`
		URI                   string            `json:"uri"`
		ConnectionType        string            `json:"connectionType"`
		ConnectionID          string            `json:"connectionId"`
		Credentials           string            `json:"credentials"`
		RequestParameters     map[string]string `json:"requestParameters"`
		RequestTemplates      map[string]string `json:"requestTemplates"`
		PassthroughBehavior   string            `json:"passthroughBehavior"`
		CacheNamespace        string            `json:"cacheNamespace"`
		CacheKeyParameters    []string          `json:"cacheKeyParameters"`
		ContentHandling       string            `json:"contentHandling"`
		TimeoutInMillis       *int              `json:"timeoutInMillis"`
	}
	if err := decode(req.Body, &in); err != nil {
		return nil, err
	}
	switch in.Type {
	case "AWS_PROXY", "AWS", "HTTP", "HTTP_PROXY", "MOCK":
	default:
		return nil, badRequest("Invalid integration type specified. Valid options are HTTP,HTTP_PROXY,AWS,AWS_PROXY,MOCK")
	}
	if in.Type != "MOCK" {
		if in.IntegrationHTTPMethod == "" {
			return nil, badRequest("Enumeration value for HttpMethod must be non-empty")
		}
		if in.URI == "" {
			return nil, badRequest("Invalid Integration URI specified")
		}
	}
	if in.Type == "AWS_PROXY" {
		if _, ok := FunctionOfURI(in.URI); !ok {
			return nil, badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
		}
	}
	timeout := 29000
	if in.TimeoutInMillis != nil {
		timeout = *in.TimeoutInMillis
		if timeout < 50 || timeout > 29000 {
			return nil, badRequest("Timeout should be between 50 ms and 29000 ms")
		}
	}
	if in.PassthroughBehavior == "" {
		in.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	if in.CacheKeyParameters == nil {
		in.CacheKeyParameters = []string{}
	}
	if in.CacheNamespace == "" {
		in.CacheNamespace = req.Params["resource_id"]
	}
	if in.Type != "HTTP" && in.Type != "HTTP_PROXY" {
		in.ConnectionType = ""
	} else if in.ConnectionType == "" {
		in.ConnectionType = "INTERNET"
	}
	var created *Integration
	_, err := s.update(ctx, id, func(rec *record) error {
		_, m, err := s.findMethod(rec, req)
		if err != nil {
			return err
		}
		created = &Integration{
			Type: in.Type, HTTPMethod: in.IntegrationHTTPMethod, URI: in.URI,
			ConnectionType: in.ConnectionType, ConnectionID: in.ConnectionID, Credentials: in.Credentials,
			RequestParameters: in.RequestParameters, RequestTemplates: in.RequestTemplates,
			PassthroughBehavior: in.PassthroughBehavior, ContentHandling: in.ContentHandling,
			TimeoutInMillis: timeout, CacheNamespace: in.CacheNamespace, CacheKeyParameters: in.CacheKeyParameters,
		}
		m.MethodIntegration = created
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

var statusCodePattern = regexp.MustCompile(`^[1-5]\d\d$`)

func (s *Service) responses(ctx context.Context, req *Request) (any, error) {
	id := req.Params["restapi_id"]
	code := req.Params["status_code"]
	integration := strings.Contains(req.Op, "Integration")
	what := "Response"
	if integration {
		what = "Integration Response"
	}
	switch {
	case strings.HasPrefix(req.Op, "Get"):
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		_, m, err := s.findMethod(rec, req)
		if err != nil {
			return nil, err
		}
		if integration {
			if m.MethodIntegration == nil || m.MethodIntegration.IntegrationResponses[code] == nil {
				return nil, errInvalid(what)
			}
			return m.MethodIntegration.IntegrationResponses[code], nil
		}
		if m.MethodResponses[code] == nil {
			return nil, errInvalid(what)
		}
		return m.MethodResponses[code], nil
	case strings.HasPrefix(req.Op, "Delete"):
		_, err := s.update(ctx, id, func(rec *record) error {
			_, m, err := s.findMethod(rec, req)
			if err != nil {
				return err
			}
			if integration {
				if m.MethodIntegration == nil || m.MethodIntegration.IntegrationResponses[code] == nil {
					return errInvalid(what)
				}
				delete(m.MethodIntegration.IntegrationResponses, code)
				return nil
			}
			if m.MethodResponses[code] == nil {
				return errInvalid(what)
			}
			delete(m.MethodResponses, code)
			return nil
		})
		return nil, err
	}
	if !statusCodePattern.MatchString(code) {
		return nil, badRequest("Invalid status code specified: %s", code)
	}
	var out any
	_, err := s.update(ctx, id, func(rec *record) error {
		_, m, err := s.findMethod(rec, req)
		if err != nil {
			return err
		}
		if integration {
			if m.MethodIntegration == nil {
				return errInvalid("Integration")
			}
			ir := &IntegrationResponse{}
			if err := decode(req.Body, ir); err != nil {
				return err
			}
			ir.StatusCode = code
			if m.MethodIntegration.IntegrationResponses == nil {
				m.MethodIntegration.IntegrationResponses = map[string]*IntegrationResponse{}
			}
			m.MethodIntegration.IntegrationResponses[code] = ir
			out = ir
			return nil
		}
		mr := &MethodResponse{}
		if err := decode(req.Body, mr); err != nil {
			return err
		}
		mr.StatusCode = code
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*MethodResponse{}
		}
		m.MethodResponses[code] = mr
		out = mr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var stageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func (s *Service) createDeployment(ctx context.Context, id string, body []byte) (any, error) {
	var in struct {
		StageName        string            `json:"stageName"`
		StageDescription string            `json:"stageDescription"`
		Description      string            `json:"description"`
		Variables        map[string]string `json:"variables"`
		TracingEnabled   *bool             `json:"tracingEnabled"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.StageName != "" && !stageNamePattern.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	var created *Deployment
	_, err := s.update(ctx, id, func(rec *record) error {
		methods := 0
		for _, res := range rec.Resources {
			for _, m := range res.ResourceMethods {
				methods++
				if m.MethodIntegration == nil {
					return badRequest("No integration defined for method")
				}
			}
		}
		if methods == 0 {
			return badRequest("The REST API doesn't contain any methods")
		}
		snap, err := json.Marshal(deployedSnapshot{Resources: rec.Resources, BinaryMediaTypes: rec.API.BinaryMediaTypes})
		if err != nil {
			return fmt.Errorf("restapis: snapshot: %w", err)
		}
		now := s.now()
		created = &Deployment{ID: newID(6), Description: in.Description, CreatedDate: now}
		// the snapshot first, so that no stage names a deployment without one
		if _, err := s.kv.Put(ctx, snapshotKey(id, created.ID), snap); err != nil {
			return fmt.Errorf("restapis: snapshot: %w", err)
		}
		rec.Deployments[created.ID] = created
		if in.StageName != "" {
			st := rec.Stages[in.StageName]
			if st == nil {
				st = &Stage{StageName: in.StageName, CreatedDate: now, CacheClusterStatus: "NOT_AVAILABLE", MethodSettings: map[string]any{}}
				rec.Stages[in.StageName] = st
			}
			st.DeploymentID = created.ID
			st.LastUpdatedDate = now
			if in.StageDescription != "" {
				st.Description = in.StageDescription
			}
			if in.Variables != nil {
				st.Variables = in.Variables
			}
			if in.TracingEnabled != nil {
				st.TracingEnabled = *in.TracingEnabled
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

func (s *Service) createStage(ctx context.Context, id string, body []byte) (any, error) {
	var in struct {
		StageName      string            `json:"stageName"`
		DeploymentID   string            `json:"deploymentId"`
		Description    string            `json:"description"`
		Variables      map[string]string `json:"variables"`
		TracingEnabled bool              `json:"tracingEnabled"`
		Tags           map[string]string `json:"tags"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if !stageNamePattern.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	var created *Stage
	_, err := s.update(ctx, id, func(rec *record) error {
		if rec.Deployments[in.DeploymentID] == nil {
			return errInvalid("Deployment")
		}
		if rec.Stages[in.StageName] != nil {
			return eddy.Errorf(eddy.ECONFLICT, "Stage already exists")
		}
		now := s.now()
		created = &Stage{
			StageName: in.StageName, DeploymentID: in.DeploymentID, Description: in.Description,
			Variables: in.Variables, TracingEnabled: in.TracingEnabled, Tags: in.Tags,
			CacheClusterStatus: "NOT_AVAILABLE", MethodSettings: map[string]any{},
			CreatedDate: now, LastUpdatedDate: now,
		}
		rec.Stages[in.StageName] = created
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

func (s *Service) updateStage(ctx context.Context, id, name string, body []byte) (any, error) {
	ops, err := decodePatch(body)
	if err != nil {
		return nil, err
	}
	var out *Stage
	_, err = s.update(ctx, id, func(rec *record) error {
		st := rec.Stages[name]
		if st == nil {
			return errInvalid("Stage")
		}
		for _, op := range ops {
			switch {
			case strings.HasPrefix(op.Path, "/variables/"):
				k := unescapePatchPath(strings.TrimPrefix(op.Path, "/variables/"))
				switch op.Op {
				case "replace", "add":
					if st.Variables == nil {
						st.Variables = map[string]string{}
					}
					st.Variables[k] = value(op)
				case "remove":
					delete(st.Variables, k)
				default:
					return badRequest("Invalid patch operation specified for %s", op.Path)
				}
			case op.Path == "/description" && (op.Op == "replace" || op.Op == "add"):
				st.Description = value(op)
			case op.Path == "/description" && op.Op == "remove":
				st.Description = ""
			case op.Path == "/deploymentId" && op.Op == "replace":
				if rec.Deployments[value(op)] == nil {
					return errInvalid("Deployment")
				}
				st.DeploymentID = value(op)
			case op.Path == "/tracingEnabled" && op.Op == "replace":
				st.TracingEnabled = value(op) == "true"
			default:
				return badRequest("Invalid patch path %s", op.Path)
			}
		}
		st.LastUpdatedDate = s.now()
		out = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// tagTarget parses a tag resource ARN: the REST API id and, for a stage,
// the stage name.
var tagARN = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:[a-z0-9-]*::/restapis/([a-z0-9]+)(?:/stages/([A-Za-z0-9_-]+))?$`)

func (s *Service) tags(ctx context.Context, req *Request) (any, error) {
	m := tagARN.FindStringSubmatch(req.Params["resource_arn"])
	if m == nil {
		return nil, badRequest("Invalid ARN specified in the request")
	}
	id, stage := m[1], m[2]
	tagsOf := func(rec *record) (*map[string]string, error) {
		if stage == "" {
			return &rec.API.Tags, nil
		}
		st := rec.Stages[stage]
		if st == nil {
			return nil, errInvalid("Stage")
		}
		return &st.Tags, nil
	}
	switch req.Op {
	case "GetTags":
		rec, _, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		t, err := tagsOf(rec)
		if err != nil {
			return nil, err
		}
		out := *t
		if out == nil {
			out = map[string]string{}
		}
		return map[string]any{"tags": out}, nil
	case "TagResource":
		var in struct {
			Tags map[string]string `json:"tags"`
		}
		if err := decode(req.Body, &in); err != nil {
			return nil, err
		}
		_, err := s.update(ctx, id, func(rec *record) error {
			t, err := tagsOf(rec)
			if err != nil {
				return err
			}
			if *t == nil {
				*t = map[string]string{}
			}
			for k, v := range in.Tags {
				(*t)[k] = v
			}
			return nil
		})
		return nil, err
	}
	_, err := s.update(ctx, id, func(rec *record) error {
		t, err := tagsOf(rec)
		if err != nil {
			return err
		}
		for _, k := range req.Query["tagKeys"] {
			delete(*t, k)
		}
		return nil
	})
	return nil, err
}

// patchMethodOrResource applies UpdateResource, UpdateMethod and
// UpdateIntegration's patch operations.
func (s *Service) patchMethodOrResource(ctx context.Context, req *Request) (any, error) {
	ops, err := decodePatch(req.Body)
	if err != nil {
		return nil, err
	}
	var out any
	_, err = s.update(ctx, req.Params["restapi_id"], func(rec *record) error {
		switch req.Op {
		case "UpdateResource":
			res, err := findResource(rec, req.Params["resource_id"])
			if err != nil {
				return err
			}
			out = res
			return patchResource(rec, res, ops)
		case "UpdateMethod":
			_, m, err := s.findMethod(rec, req)
			if err != nil {
				return err
			}
			out = m
			return patchMethod(m, ops)
		}
		_, m, err := s.findMethod(rec, req)
		if err != nil {
			return err
		}
		if m.MethodIntegration == nil {
			return errInvalid("Integration")
		}
		out = m.MethodIntegration
		return patchIntegration(m.MethodIntegration, ops)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func patchResource(rec *record, res *Resource, ops []patchOp) error {
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/pathPart" {
			return badRequest("Invalid patch path %s", op.Path)
		}
		if res.ID == rec.API.RootResourceID {
			return badRequest("Cannot change the path part of the root resource")
		}
		part := value(op)
		if !ValidPathPart(part) {
			return badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
		}
		for _, sib := range rec.Resources {
			if sib.ParentID == res.ParentID && sib.ID != res.ID && sib.PathPart == part {
				return eddy.Errorf(eddy.ECONFLICT, "Another resource with the same parent already has this name: %s", part)
			}
		}
		res.PathPart = part
		// the resource's path and those of everything below it
		var fix func(parent *Resource)
		fix = func(parent *Resource) {
			for _, r := range rec.Resources {
				if r.ParentID == parent.ID {
					r.Path = strings.TrimSuffix(parent.Path, "/") + "/" + r.PathPart
					fix(r)
				}
			}
		}
		parent := rec.Resources[res.ParentID]
		res.Path = strings.TrimSuffix(parent.Path, "/") + "/" + part
		fix(res)
	}
	return nil
}

func patchMethod(m *Method, ops []patchOp) error {
	for _, op := range ops {
		if op.Op != "replace" {
			return badRequest("Invalid patch operation specified for %s", op.Path)
		}
		switch op.Path {
		case "/authorizationType":
			switch value(op) {
			case "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS":
				m.AuthorizationType = value(op)
			default:
				return badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
			}
		case "/authorizerId":
			m.AuthorizerID = value(op)
		case "/apiKeyRequired":
			m.APIKeyRequired = value(op) == "true"
		case "/operationName":
			m.OperationName = value(op)
		case "/requestValidatorId":
			m.RequestValidatorID = value(op)
		default:
			return badRequest("Invalid patch path %s", op.Path)
		}
	}
	return nil
}

func patchIntegration(in *Integration, ops []patchOp) error {
	for _, op := range ops {
		if op.Op != "replace" {
			return badRequest("Invalid patch operation specified for %s", op.Path)
		}
		switch op.Path {
		case "/uri":
			if in.Type == "AWS_PROXY" {
				if _, ok := FunctionOfURI(value(op)); !ok {
					return badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
				}
			}
			in.URI = value(op)
		case "/httpMethod":
			in.HTTPMethod = value(op)
		case "/timeoutInMillis":
			n, err := strconv.Atoi(value(op))
			if err != nil || n < 50 || n > 29000 {
				return badRequest("Timeout should be between 50 ms and 29000 ms")
			}
			in.TimeoutInMillis = n
		case "/passthroughBehavior":
			in.PassthroughBehavior = value(op)
		case "/contentHandling":
			in.ContentHandling = value(op)
		default:
			return badRequest("Invalid patch path %s", op.Path)
		}
	}
	return nil
}
