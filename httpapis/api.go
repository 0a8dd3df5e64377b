package httpapis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

// The types below are API Gateway v2's resources; their JSON is the wire
// form of botocore's apigatewayv2 model.

// Cors is an API's (or a function URL's) CORS configuration.
type Cors struct {
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

// API is an HTTP API.
type API struct {
	APIEndpoint               string            `json:"apiEndpoint"`
	APIID                     string            `json:"apiId"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	CreatedDate               time.Time         `json:"createdDate"`
	Description               string            `json:"description,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags,omitempty"`
	Version                   string            `json:"version,omitempty"`
}

// CreateAPIInput is CreateApi's request: an API, and for quick create a
// Target (a function ARN) and a RouteKey.
type CreateAPIInput struct {
	API
	Target   string `json:"target"`
	RouteKey string `json:"routeKey"`
}

// Route is one route of an API.
type Route struct {
	APIKeyRequired    bool   `json:"apiKeyRequired"`
	AuthorizationType string `json:"authorizationType"`
	RouteID           string `json:"routeId"`
	RouteKey          string `json:"routeKey"`
	Target            string `json:"target,omitempty"`
}

// Integration is a Lambda proxy integration.
type Integration struct {
	ConnectionType       string `json:"connectionType"`
	Description          string `json:"description,omitempty"`
	IntegrationID        string `json:"integrationId"`
	IntegrationMethod    string `json:"integrationMethod"`
	IntegrationType      string `json:"integrationType"`
	IntegrationURI       string `json:"integrationUri"`
	PayloadFormatVersion string `json:"payloadFormatVersion"`
	TimeoutInMillis      int    `json:"timeoutInMillis"`
}

// Stage is a stage of an API.
type Stage struct {
	AutoDeploy      bool              `json:"autoDeploy"`
	CreatedDate     time.Time         `json:"createdDate"`
	DeploymentID    string            `json:"deploymentId,omitempty"`
	Description     string            `json:"description,omitempty"`
	LastUpdatedDate time.Time         `json:"lastUpdatedDate"`
	StageName       string            `json:"stageName"`
	StageVariables  map[string]string `json:"stageVariables,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
}

// Deployment is a snapshot of an API's routes and integrations.
type Deployment struct {
	AutoDeployed     bool      `json:"autoDeployed"`
	CreatedDate      time.Time `json:"createdDate"`
	DeploymentID     string    `json:"deploymentId"`
	DeploymentStatus string    `json:"deploymentStatus"`
	Description      string    `json:"description,omitempty"`
}

// snapshot is what a deployment froze.
type snapshot struct {
	Routes       map[string]*Route       `json:"routes"`
	Integrations map[string]*Integration `json:"integrations"`
	Cors         *Cors                   `json:"cors,omitempty"`
}

// document is an API and everything in it, as stored.
type document struct {
	API          API                     `json:"api"`
	Routes       map[string]*Route       `json:"routes"`
	Integrations map[string]*Integration `json:"integrations"`
	Stages       map[string]*Stage       `json:"stages"`
	Deployments  map[string]*Deployment  `json:"deployments"`
	Snapshots    map[string]*snapshot    `json:"snapshots"`
}

// Kinds of an API's sub-resources, as their paths name them.
const (
	KindRoutes       = "routes"
	KindIntegrations = "integrations"
	KindStages       = "stages"
	KindDeployments  = "deployments"
)

func notFound(format string, args ...any) error {
	return eddy.Errorf(eddy.ENOTFOUND, format, args...)
}

func badRequest(format string, args ...any) error {
	return eddy.Errorf(eddy.EINVALID, format, args...)
}

// endpoint is the invoke address of an API.
func (s *Service) endpoint(id string) string {
	return fmt.Sprintf("http://%s.execute-api.localhost:%d", id, s.cfg.Port)
}

// CreateAPI creates an HTTP API from CreateApi's JSON body.
func (s *Service) CreateAPI(ctx context.Context, body []byte) (*API, error) {
	var in CreateAPIInput
	if err := strictDecode(body, &in); err != nil {
		return nil, err
	}
	if in.Name == "" || len(in.Name) > 128 {
		return nil, badRequest("Invalid API name specified, must be between 1 and 128 characters.")
	}
	switch in.ProtocolType {
	case "HTTP":
	case "WEBSOCKET":
		return nil, badRequest("WebSocket APIs are not supported by eddy.")
	default:
		return nil, badRequest("Invalid protocol type specified: %s", in.ProtocolType)
	}
	if err := validateCors(in.CorsConfiguration); err != nil {
		return nil, err
	}
	a := in.API
	a.APIID = newID(10)
	a.APIEndpoint = s.endpoint(a.APIID)
	a.CreatedDate = now()
	a.RouteSelectionExpression = "${request.method} ${request.path}"
	a.APIKeySelectionExpression = "$request.header.x-api-key"
	d := &document{API: a, Routes: map[string]*Route{}, Integrations: map[string]*Integration{},
		Stages: map[string]*Stage{}, Deployments: map[string]*Deployment{}, Snapshots: map[string]*snapshot{}}
	if in.RouteKey != "" && in.Target == "" {
		return nil, badRequest("RouteKey may be specified only with Target.")
	}
	if in.Target != "" {
		if _, err := parseIntegrationURI(in.Target); err != nil {
			return nil, err
		}
		key := in.RouteKey
		if key == "" {
			key = DefaultRouteKey
		}
		if _, err := ParseRouteKey(key); err != nil {
			return nil, err
		}
		ig := &Integration{IntegrationID: newID(7), IntegrationType: "AWS_PROXY", IntegrationURI: in.Target,
			PayloadFormatVersion: "2.0", TimeoutInMillis: 30000}
		fillIntegration(ig)
		d.Integrations[ig.IntegrationID] = ig
		rt := &Route{RouteID: newID(7), RouteKey: key, Target: "integrations/" + ig.IntegrationID, AuthorizationType: "NONE"}
		d.Routes[rt.RouteID] = rt
		t := now()
		d.Stages[DefaultRouteKey] = &Stage{StageName: DefaultRouteKey, AutoDeploy: true, CreatedDate: t, LastUpdatedDate: t}
		autoDeploy(d)
	}
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	rev, err := s.kv.Create(ctx, apiPrefix+a.APIID, data)
	if err != nil {
		return nil, fmt.Errorf("httpapis: create %s: %w", a.APIID, err)
	}
	s.cacheAPI(d, rev)
	return &a, nil
}

// load reads an API's document from the bucket.
func (s *Service) load(ctx context.Context, id string) (*document, uint64, error) {
	if !validID(id) {
		return nil, 0, notFound("Invalid API identifier specified %s:%s", s.cfg.AccountID, id)
	}
	ent, err := s.kv.Get(ctx, apiPrefix+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, notFound("Invalid API identifier specified %s:%s", s.cfg.AccountID, id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("httpapis: get %s: %w", id, err)
	}
	var d document
	if err := json.Unmarshal(ent.Value(), &d); err != nil {
		return nil, 0, fmt.Errorf("httpapis: decode %s: %w", id, err)
	}
	return &d, ent.Revision(), nil
}

// update applies fn to an API's document and stores the result, retrying
// when another writer got there first.
func (s *Service) update(ctx context.Context, id string, fn func(d *document) error) (*document, error) {
	for {
		d, rev, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(d); err != nil {
			return nil, err
		}
		autoDeploy(d)
		data, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		nrev, err := s.kv.Update(ctx, apiPrefix+id, data, rev)
		if isConflict(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("httpapis: update %s: %w", id, err)
		}
		s.cacheAPI(d, nrev)
		return d, nil
	}
}

// autoDeploy deploys every auto-deploying stage after a change: a new
// deployment (autoDeployed) of the current routes and integrations replaces
// the stage's previous automatic one. Such stages serve the live
// configuration; the deployment records it, and is what the stage serves
// if auto-deploy is turned off.
func autoDeploy(d *document) {
	for _, st := range d.Stages {
		if !st.AutoDeploy {
			continue
		}
		if old := d.Deployments[st.DeploymentID]; old != nil && old.AutoDeployed && !deployedElsewhere(d, st) {
			delete(d.Deployments, old.DeploymentID)
			delete(d.Snapshots, old.DeploymentID)
		}
		dep := &Deployment{DeploymentID: newID(6), AutoDeployed: true, CreatedDate: now(), DeploymentStatus: "DEPLOYED",
			Description: "Automatic deployment triggered by changes to the Api configuration"}
		d.Deployments[dep.DeploymentID] = dep
		d.Snapshots[dep.DeploymentID] = &snapshot{Routes: d.Routes, Integrations: d.Integrations, Cors: d.API.CorsConfiguration}
		st.DeploymentID = dep.DeploymentID
	}
}

// deployedElsewhere reports whether another stage than st serves st's
// deployment.
func deployedElsewhere(d *document, st *Stage) bool {
	for _, o := range d.Stages {
		if o != st && o.DeploymentID == st.DeploymentID {
			return true
		}
	}
	return false
}

// GetAPI returns an API.
func (s *Service) GetAPI(ctx context.Context, id string) (*API, error) {
	d, _, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &d.API, nil
}

// ListAPIs returns every API, in id order.
func (s *Service) ListAPIs(ctx context.Context) ([]*API, error) {
	lister, err := s.kv.ListKeysFiltered(ctx, apiPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("httpapis: list: %w", err)
	}
	var out []*API
	for key := range lister.Keys() {
		d, _, err := s.load(ctx, strings.TrimPrefix(key, apiPrefix))
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, &d.API)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].APIID < out[j].APIID })
	return out, nil
}

// UpdateAPI applies UpdateApi's JSON body to an API.
func (s *Service) UpdateAPI(ctx context.Context, id string, patch []byte) (*API, error) {
	d, err := s.update(ctx, id, func(d *document) error {
		a := d.API
		var in struct {
			Name                      *string `json:"name"`
			Description               *string `json:"description"`
			Version                   *string `json:"version"`
			CorsConfiguration         *Cors   `json:"corsConfiguration"`
			DisableExecuteAPIEndpoint *bool   `json:"disableExecuteApiEndpoint"`
			Target                    string  `json:"target"`
			RouteKey                  string  `json:"routeKey"`
		}
		if err := json.Unmarshal(patch, &in); err != nil {
			return eddy.Errorf(eddy.EINVALID, "Invalid request body")
		}
		if in.Target != "" || in.RouteKey != "" {
			return badRequest("Updating Target or RouteKey of an API is not supported by eddy.")
		}
		if in.Name != nil {
			if *in.Name == "" || len(*in.Name) > 128 {
				return badRequest("Invalid API name specified, must be between 1 and 128 characters.")
			}
			a.Name = *in.Name
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.Version != nil {
			a.Version = *in.Version
		}
		if in.DisableExecuteAPIEndpoint != nil {
			a.DisableExecuteAPIEndpoint = *in.DisableExecuteAPIEndpoint
		}
		if in.CorsConfiguration != nil {
			if err := validateCors(in.CorsConfiguration); err != nil {
				return err
			}
			a.CorsConfiguration = in.CorsConfiguration
		}
		d.API = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &d.API, nil
}

// DeleteAPI deletes an API and everything in it.
func (s *Service) DeleteAPI(ctx context.Context, id string) error {
	_, rev, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, apiPrefix+id, jetstream.LastRevision(rev)); err != nil {
		if isConflict(err) {
			return s.DeleteAPI(ctx, id)
		}
		return fmt.Errorf("httpapis: delete %s: %w", id, err)
	}
	s.mu.Lock()
	delete(s.apis, id)
	s.mu.Unlock()
	return nil
}

// strictDecode decodes a request body, refusing what is not JSON.
func strictDecode(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("Invalid request body: %s", jsonProblem(err))
	}
	return nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "unexpected value for " + te.Field
	}
	return "malformed JSON"
}

func validateCors(c *Cors) error {
	if c == nil {
		return nil
	}
	if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
		return badRequest("maxAge must be between -1 and 86400.")
	}
	if c.AllowCredentials {
		for _, o := range c.AllowOrigins {
			if o == "*" {
				return badRequest("allow-credentials is not supported with allow-origin set to *.")
			}
		}
	}
	return nil
}

// Create creates a route, integration, stage or deployment of an API from
// its Create operation's JSON body.
func (s *Service) Create(ctx context.Context, apiID, kind string, body []byte) (any, error) {
	var out any
	_, err := s.update(ctx, apiID, func(d *document) error {
		var err error
		switch kind {
		case KindRoutes:
			var r Route
			if err := strictDecode(body, &r); err != nil {
				return err
			}
			r.RouteID = newID(7)
			if err = validateRoute(d, &r, ""); err == nil {
				d.Routes[r.RouteID] = &r
				out = &r
			}
		case KindIntegrations:
			var ig Integration
			if err := strictDecode(body, &ig); err != nil {
				return err
			}
			ig.IntegrationID = newID(7)
			if err = validateIntegration(&ig); err == nil {
				d.Integrations[ig.IntegrationID] = &ig
				out = &ig
			}
		case KindStages:
			var st Stage
			if err := strictDecode(body, &st); err != nil {
				return err
			}
			if err = validateStageName(st.StageName); err != nil {
				return err
			}
			if _, ok := d.Stages[st.StageName]; ok {
				return eddy.Errorf(eddy.ECONFLICT, "Stage already exists")
			}
			if st.DeploymentID != "" && d.Deployments[st.DeploymentID] == nil {
				return badRequest("Deployment %s does not exist", st.DeploymentID)
			}
			st.CreatedDate, st.LastUpdatedDate = now(), now()
			d.Stages[st.StageName] = &st
			out = &st
		case KindDeployments:
			var in struct {
				Description string `json:"description"`
				StageName   string `json:"stageName"`
			}
			if err := strictDecode(body, &in); err != nil {
				return err
			}
			var st *Stage
			if in.StageName != "" {
				if st = d.Stages[in.StageName]; st == nil {
					return badRequest("Invalid stage identifier specified")
				}
				if st.AutoDeploy {
					return badRequest("Stage %s has AutoDeploy enabled; it cannot be deployed manually.", in.StageName)
				}
			}
			if len(d.Routes) == 0 {
				return badRequest("Unable to deploy API because no routes exist in this API")
			}
			dep := &Deployment{DeploymentID: newID(6), CreatedDate: now(), DeploymentStatus: "DEPLOYED", Description: in.Description}
			d.Deployments[dep.DeploymentID] = dep
			d.Snapshots[dep.DeploymentID] = &snapshot{Routes: d.Routes, Integrations: d.Integrations, Cors: d.API.CorsConfiguration}
			if st != nil {
				st.DeploymentID = dep.DeploymentID
				st.LastUpdatedDate = now()
			}
			out = dep
		default:
			return notFound("Unknown resource %s", kind)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func validateStageName(name string) error {
	if name == "" || len(name) > 128 {
		return badRequest("Stage name must be between 1 and 128 characters.")
	}
	if name == DefaultRouteKey {
		return nil
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return badRequest("Stage name only allows a-zA-Z0-9_- or $default.")
		}
	}
	return nil
}

// validateRoute checks r, which is to have id self (if it exists), in d.
func validateRoute(d *document, r *Route, self string) error {
	if _, err := ParseRouteKey(r.RouteKey); err != nil {
		return err
	}
	for id, o := range d.Routes {
		if id != self && o.RouteKey == r.RouteKey {
			return eddy.Errorf(eddy.ECONFLICT, "Route with key %s already exists for this API", r.RouteKey)
		}
	}
	if r.Target != "" {
		igID, ok := strings.CutPrefix(r.Target, "integrations/")
		if !ok || d.Integrations[igID] == nil {
			return badRequest("Invalid target %s: an integration of this API, integrations/{integrationId}, is required", r.Target)
		}
	}
	if r.AuthorizationType == "" {
		r.AuthorizationType = "NONE"
	}
	if r.AuthorizationType != "NONE" {
		return badRequest("AuthorizationType %s is not supported by eddy.", r.AuthorizationType)
	}
	return nil
}

func fillIntegration(ig *Integration) {
	if ig.TimeoutInMillis == 0 {
		ig.TimeoutInMillis = 30000
	}
	if ig.IntegrationMethod == "" {
		ig.IntegrationMethod = "POST"
	}
	if ig.ConnectionType == "" {
		ig.ConnectionType = "INTERNET"
	}
}

func validateIntegration(ig *Integration) error {
	fillIntegration(ig)
	if ig.IntegrationType != "AWS_PROXY" {
		if ig.IntegrationType == "" {
			return badRequest("IntegrationType is required.")
		}
		return badRequest("IntegrationType %s is not supported by eddy; use AWS_PROXY.", ig.IntegrationType)
	}
	if ig.PayloadFormatVersion == "" {
		return badRequest("PayloadFormatVersion is required for AWS_PROXY integrations in HTTP APIs.")
	}
	if ig.PayloadFormatVersion != "1.0" && ig.PayloadFormatVersion != "2.0" {
		return badRequest("Invalid PayloadFormatVersion %s: must be 1.0 or 2.0", ig.PayloadFormatVersion)
	}
	if ig.TimeoutInMillis < 50 || ig.TimeoutInMillis > 30000 {
		return badRequest("Invalid integration timeout specified. Timeout must be between 50 milliseconds and 30 seconds.")
	}
	if _, err := parseIntegrationURI(ig.IntegrationURI); err != nil {
		return err
	}
	return nil
}

// parseIntegrationURI reads the function an integration invokes: a
// function ARN (with a qualifier or not), or API Gateway's
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations.
func parseIntegrationURI(uri string) (eddy.FunctionRef, error) {
	arn := uri
	if rest, ok := strings.CutPrefix(uri, "arn:aws:apigateway:"); ok {
		_, path, _ := strings.Cut(rest, ":lambda:path/2015-03-31/functions/")
		arn, ok = strings.CutSuffix(path, "/invocations")
		if !ok || path == "" {
			return eddy.FunctionRef{}, badRequest("Invalid integration URI specified")
		}
	}
	if !strings.HasPrefix(arn, "arn:aws:lambda:") {
		return eddy.FunctionRef{}, badRequest("Invalid integration URI specified: a Lambda function ARN is required")
	}
	ref, err := eddy.ParseFunctionRef(arn, "integrationUri")
	if err != nil {
		return eddy.FunctionRef{}, badRequest("Invalid integration URI specified")
	}
	return ref, nil
}

// Get returns one route, integration, stage or deployment of an API.
func (s *Service) Get(ctx context.Context, apiID, kind, id string) (any, error) {
	d, _, err := s.load(ctx, apiID)
	if err != nil {
		return nil, err
	}
	return child(d, kind, id)
}

func child(d *document, kind, id string) (any, error) {
	var v any
	var ok bool
	switch kind {
	case KindRoutes:
		v, ok = d.Routes[id]
		if ok {
			return v, nil
		}
		return nil, notFound("Invalid Route identifier specified %s", id)
	case KindIntegrations:
		v, ok = d.Integrations[id]
		if ok {
			return v, nil
		}
		return nil, notFound("Invalid Integration identifier specified %s", id)
	case KindStages:
		v, ok = d.Stages[id]
		if ok {
			return v, nil
		}
		return nil, notFound("Invalid stage identifier specified")
	case KindDeployments:
		v, ok = d.Deployments[id]
		if ok {
			return v, nil
		}
		return nil, notFound("Invalid Deployment identifier specified %s", id)
	}
	return nil, notFound("Unknown resource %s", kind)
}

// List returns the routes, integrations, stages or deployments of an API.
func (s *Service) List(ctx context.Context, apiID, kind string) ([]any, error) {
	d, _, err := s.load(ctx, apiID)
	if err != nil {
		return nil, err
	}
	type item struct {
		key string
		v   any
	}
	var items []item
	switch kind {
	case KindRoutes:
		for id, v := range d.Routes {
			items = append(items, item{id, v})
		}
	case KindIntegrations:
		for id, v := range d.Integrations {
			items = append(items, item{id, v})
		}
	case KindStages:
		for id, v := range d.Stages {
			items = append(items, item{id, v})
		}
	case KindDeployments:
		for id, v := range d.Deployments {
			items = append(items, item{v.CreatedDate.Format(time.RFC3339) + id, v})
		}
	default:
		return nil, notFound("Unknown resource %s", kind)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out, nil
}

// Update applies an Update operation's JSON body to a route, integration
// or stage of an API.
func (s *Service) Update(ctx context.Context, apiID, kind, id string, patch []byte) (any, error) {
	var out any
	_, err := s.update(ctx, apiID, func(d *document) error {
		cur, err := child(d, kind, id)
		if err != nil {
			return err
		}
		switch kind {
		case KindRoutes:
			r := *cur.(*Route)
			if err := strictDecode(patch, &r); err != nil {
				return err
			}
			r.RouteID = id
			if err := validateRoute(d, &r, id); err != nil {
				return err
			}
			d.Routes[id] = &r
			out = &r
		case KindIntegrations:
			ig := *cur.(*Integration)
			if err := strictDecode(patch, &ig); err != nil {
				return err
			}
			ig.IntegrationID = id
			if err := validateIntegration(&ig); err != nil {
				return err
			}
			d.Integrations[id] = &ig
			out = &ig
		case KindStages:
			st := *cur.(*Stage)
			var vars struct {
				StageVariables map[string]*string `json:"stageVariables"`
			}
			if err := strictDecode(patch, &st); err != nil {
				return err
			}
			_ = json.Unmarshal(patch, &vars)
			// UpdateStage merges stage variables; an empty value removes one.
			if vars.StageVariables != nil {
				merged := map[string]string{}
				for k, v := range cur.(*Stage).StageVariables {
					merged[k] = v
				}
				for k, v := range vars.StageVariables {
					if v == nil || *v == "" {
						delete(merged, k)
					} else {
						merged[k] = *v
					}
				}
				st.StageVariables = merged
			}
			st.StageName = id
			if st.DeploymentID != "" && d.Deployments[st.DeploymentID] == nil {
				return badRequest("Deployment %s does not exist", st.DeploymentID)
			}
			st.LastUpdatedDate = now()
			d.Stages[id] = &st
			out = &st
		default:
			return notFound("Unknown resource %s", kind)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Delete deletes a route, integration, stage or deployment of an API.
func (s *Service) Delete(ctx context.Context, apiID, kind, id string) error {
	_, err := s.update(ctx, apiID, func(d *document) error {
		if _, err := child(d, kind, id); err != nil {
			return err
		}
		switch kind {
		case KindRoutes:
			delete(d.Routes, id)
		case KindIntegrations:
			for _, r := range d.Routes {
				if r.Target == "integrations/"+id {
					return eddy.Errorf(eddy.ECONFLICT, "Integration %s is the target of route %s", id, r.RouteKey)
				}
			}
			delete(d.Integrations, id)
		case KindStages:
			delete(d.Stages, id)
		case KindDeployments:
			for _, st := range d.Stages {
				if st.DeploymentID == id && !st.AutoDeploy {
					return badRequest("Deployment %s is deployed to stage %s", id, st.StageName)
				}
			}
			delete(d.Deployments, id)
			delete(d.Snapshots, id)
		}
		return nil
	})
	return err
}
