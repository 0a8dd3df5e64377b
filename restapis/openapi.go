package restapis

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
)

// openAPIDoc is the part of an OpenAPI (2.0 or 3.0) definition with API
// Gateway's extensions that eddy reads: what SAM and CloudFormation put in
// a RestApi's Body.
type openAPIDoc struct {
	Swagger string `json:"swagger"`
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Version     string `json:"version"`
	} `json:"info"`
	Paths            map[string]map[string]json.RawMessage `json:"paths"`
	BinaryMediaTypes []string                              `json:"x-amazon-apigateway-binary-media-types"`
}

type openAPIOperation struct {
	OperationID string `json:"operationId"`
	Integration *struct {
		Type                string `json:"type"`
		HTTPMethod          string `json:"httpMethod"`
		URI                 string `json:"uri"`
		TimeoutInMillis     *int   `json:"timeoutInMillis"`
		PassthroughBehavior string `json:"passthroughBehavior"`
		ContentHandling     string `json:"contentHandling"`
	} `json:"x-amazon-apigateway-integration"`
	Security []map[string]json.RawMessage `json:"security"`
}

// openAPIMethods maps an OpenAPI path item's keys to HTTP methods.
var openAPIMethods = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
	"head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY",
}

func parseOpenAPI(body []byte) (*openAPIDoc, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, badRequest("The API definition is empty")
	}
	doc := &openAPIDoc{}
	if err := json.Unmarshal(body, doc); err != nil {
		return nil, badRequest("Invalid OpenAPI input: eddy reads OpenAPI definitions written in JSON")
	}
	if doc.Swagger == "" && doc.OpenAPI == "" {
		return nil, badRequest("Invalid OpenAPI input: neither swagger nor openapi is given")
	}
	return doc, nil
}

// importRestAPI creates a REST API from an OpenAPI definition.
func (s *Service) importRestAPI(ctx context.Context, req *Request) (any, error) {
	doc, err := parseOpenAPI(req.Body)
	if err != nil {
		return nil, err
	}
	if doc.Info.Title == "" {
		return nil, badRequest("Invalid OpenAPI input: info.title is required")
	}
	create := map[string]any{"name": doc.Info.Title, "description": doc.Info.Description, "version": doc.Info.Version,
		"binaryMediaTypes": doc.BinaryMediaTypes}
	if t := req.Query.Get("endpointConfigurationTypes"); t != "" {
		create["endpointConfiguration"] = map[string]any{"types": []string{t}}
	}
	b, _ := json.Marshal(create)
	out, err := s.createRestAPI(ctx, &Request{Op: "CreateRestApi", Region: req.Region, Body: b})
	if err != nil {
		return nil, err
	}
	id := out.(*RestAPI).ID
	api, err := s.putRestAPI(ctx, id, "overwrite", doc)
	if err != nil {
		if derr := s.kv.Delete(ctx, id); derr == nil {
			s.forget(id)
		}
		return nil, err
	}
	return api, nil
}

// putRestAPI applies an OpenAPI definition to an API: "overwrite" replaces
// its resources and methods, "merge" (the default) adds to them.
func (s *Service) putRestAPI(ctx context.Context, id, mode string, doc *openAPIDoc) (any, error) {
	switch mode {
	case "":
		mode = "merge"
	case "merge", "overwrite":
	default:
		return nil, badRequest("Invalid mode specified: must be merge or overwrite")
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths) // parents before children
	rec, err := s.update(ctx, id, func(rec *record) error {
		if mode == "overwrite" {
			root := rec.Resources[rec.API.RootResourceID]
			root.ResourceMethods = nil
			rec.Resources = map[string]*Resource{root.ID: root}
			if doc.BinaryMediaTypes != nil {
				rec.API.BinaryMediaTypes = doc.BinaryMediaTypes
			}
			if doc.Info.Title != "" {
				rec.API.Name = doc.Info.Title
			}
			if doc.Info.Description != "" {
				rec.API.Description = doc.Info.Description
			}
		} else {
			for _, t := range doc.BinaryMediaTypes {
				if !contains(rec.API.BinaryMediaTypes, t) {
					rec.API.BinaryMediaTypes = append(rec.API.BinaryMediaTypes, t)
				}
			}
		}
		byPath := map[string]*Resource{}
		for _, r := range rec.Resources {
			byPath[r.Path] = r
		}
		for _, p := range paths {
			res, err := resourceAt(rec, byPath, p)
			if err != nil {
				return err
			}
			for key, raw := range doc.Paths[p] {
				hm, ok := openAPIMethods[strings.ToLower(key)]
				if !ok {
					continue // parameters, summary, other extensions
				}
				m, err := methodOfOpenAPI(hm, raw, res.ID)
				if err != nil {
					return err
				}
				if res.ResourceMethods == nil {
					res.ResourceMethods = map[string]*Method{}
				}
				res.ResourceMethods[hm] = m
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rec.API, nil
}

// resourceAt returns the resource of path, creating it and its parents.
func resourceAt(rec *record, byPath map[string]*Resource, path string) (*Resource, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, badRequest("Invalid OpenAPI input: path %q does not begin with /", path)
	}
	cur := rec.Resources[rec.API.RootResourceID]
	for _, part := range splitPath(path) {
		if !ValidPathPart(part) {
			return nil, badRequest("Invalid OpenAPI input: resource path part %q", part)
		}
		if isGreedy(cur.PathPart) {
			return nil, badRequest("Invalid OpenAPI input: %s is below a greedy path variable", path)
		}
		childPath := strings.TrimSuffix(cur.Path, "/") + "/" + part
		child := byPath[childPath]
		if child == nil {
			for _, r := range rec.Resources {
				if r.ParentID == cur.ID && isVariable(r.PathPart) && isVariable(part) {
					return nil, badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", r.PathPart)
				}
			}
			child = &Resource{ID: newID(6), ParentID: cur.ID, PathPart: part, Path: childPath}
			rec.Resources[child.ID] = child
			byPath[childPath] = child
		}
		cur = child
	}
	return cur, nil
}

func methodOfOpenAPI(hm string, raw json.RawMessage, resourceID string) (*Method, error) {
	var op openAPIOperation
	if err := json.Unmarshal(raw, &op); err != nil {
		return nil, badRequest("Invalid OpenAPI input: the %s operation is not an object", hm)
	}
	m := &Method{HTTPMethod: hm, AuthorizationType: "NONE", OperationName: op.OperationID}
	for _, sec := range op.Security {
		if _, ok := sec["sigv4"]; ok {
			m.AuthorizationType = "AWS_IAM"
		}
	}
	in := op.Integration
	if in == nil {
		return m, nil
	}
	typ := strings.ToUpper(in.Type)
	switch typ {
	case "AWS_PROXY", "AWS", "HTTP", "HTTP_PROXY", "MOCK":
	default:
		return nil, badRequest("Invalid OpenAPI input: integration type %q", in.Type)
	}
	if typ == "AWS_PROXY" {
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
	pass := in.PassthroughBehavior
	if pass == "" {
		pass = "WHEN_NO_MATCH"
	}
	m.MethodIntegration = &Integration{
		Type: typ, HTTPMethod: strings.ToUpper(in.HTTPMethod), URI: in.URI, PassthroughBehavior: strings.ToUpper(pass),
		ContentHandling: in.ContentHandling, TimeoutInMillis: timeout, CacheNamespace: resourceID, CacheKeyParameters: []string{},
	}
	return m, nil
}
