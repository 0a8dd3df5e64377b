package httpapis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/apievents"
)

// Limits of the invoke path, as API Gateway's HTTP APIs have them.
const (
	MaxRequestBody = 10 * 1024 * 1024 // a larger request is answered 413
)

// Gateway answers, as HTTP APIs write them.
var (
	msgNotFound  = gatewayAnswer{http.StatusNotFound, "Not Found"}
	msgTooLarge  = gatewayAnswer{http.StatusRequestEntityTooLarge, "Request Entity Too Large"}
	msgThrottled = gatewayAnswer{http.StatusTooManyRequests, "Too Many Requests"}
	// A function error or a malformed answer: 502 with API Gateway's
	// documented body (Lambda's "Handling Lambda errors with an API Gateway
	// API").
	msgFunctionError = gatewayAnswer{http.StatusBadGateway, "Internal server error"}
	msgInternal      = gatewayAnswer{http.StatusInternalServerError, "Internal Server Error"}
	// msgNoFunction is msgInternal for an integration whose function (or
	// alias) does not exist; a function URL answers it with 404.
	msgNoFunction = gatewayAnswer{http.StatusInternalServerError, "Internal Server Error"}
	// An integration that does not answer within its timeout: 504, as
	// REST APIs answer it.
	msgTimeout = gatewayAnswer{http.StatusGatewayTimeout, "Endpoint request timed out"}
)

type gatewayAnswer struct {
	status  int
	message string
}

func (a gatewayAnswer) write(w http.ResponseWriter) {
	body := `{"message":"` + a.message + `"}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, body)
}

// config is what a stage serves: the live routes or a deployment's.
type config struct {
	router       *router
	integrations map[string]*Integration
	refs         map[string]eddy.FunctionRef // integration id → the function it invokes
	cors         *Cors
}

func newConfig(routes map[string]*Route, igs map[string]*Integration, cors *Cors) *config {
	c := &config{router: newRouter(routes), integrations: igs, refs: map[string]eddy.FunctionRef{}, cors: cors}
	for id, ig := range igs {
		if ref, err := parseIntegrationURI(ig.IntegrationURI); err == nil {
			c.refs[id] = ref
		}
	}
	return c
}

// apiState is an API compiled for serving.
type apiState struct {
	revision    uint64
	doc         *document
	live        *config
	deployments map[string]*config
}

func compile(d *document, rev uint64) *apiState {
	st := &apiState{revision: rev, doc: d, deployments: map[string]*config{}}
	st.live = newConfig(d.Routes, d.Integrations, d.API.CorsConfiguration)
	for id, snap := range d.Snapshots {
		st.deployments[id] = newConfig(snap.Routes, snap.Integrations, snap.Cors)
	}
	return st
}

// resolution is what a request resolves to: its stage and the stage's
// configuration, and the route and integration that take it (nil if none).
type resolution struct {
	stage  *Stage
	cfg    *config
	route  *Route
	params map[string]string
	ig     *Integration
}

// resolve finds the stage (a named stage is the first segment of the path;
// $default is the root), the route and the integration of a request.
func (a *apiState) resolve(method, path string) resolution {
	var m resolution
	below := path
	first, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if st := a.doc.Stages[first]; st != nil && first != DefaultRouteKey {
		m.stage, below = st, "/"+rest
	} else {
		m.stage = a.doc.Stages[DefaultRouteKey]
	}
	if m.stage == nil {
		return m
	}
	m.cfg = a.live
	if !m.stage.AutoDeploy {
		m.cfg = a.deployments[m.stage.DeploymentID]
	}
	if m.cfg == nil {
		return m
	}
	route, params, ok := m.cfg.router.match(method, below)
	if !ok {
		return m
	}
	if ig := m.cfg.integrations[strings.TrimPrefix(route.Target, "integrations/")]; ig != nil {
		m.route, m.params, m.ig = route, params, ig
	}
	return m
}

// lookupAPI returns the API of id from the cache, or from the bucket if
// this node has not seen it yet.
// Holds reports whether this node holds the HTTP API id, without reading
// the catalog.
func (s *Service) Holds(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.apis[id] != nil
}

func (s *Service) lookupAPI(ctx context.Context, id string) *apiState {
	s.mu.RLock()
	st := s.apis[id]
	s.mu.RUnlock()
	if st != nil {
		return st
	}
	d, rev, err := s.load(ctx, id)
	if err != nil {
		return nil
	}
	return s.cacheAPI(d, rev)
}

// ServeInvoke serves a request made to the HTTP API id; path is below the
// API's address. It reports false, having written nothing, for an id that
// is no HTTP API.
func (s *Service) ServeInvoke(w http.ResponseWriter, r *http.Request, id, path string) bool {
	if !validID(id) {
		return false
	}
	api := s.lookupAPI(r.Context(), id)
	if api == nil {
		return false
	}
	reqID := newRequestID()
	w.Header().Set("Apigw-Requestid", reqID)
	if api.doc.API.DisableExecuteAPIEndpoint {
		gatewayAnswer{http.StatusForbidden, "Forbidden"}.write(w)
		return true
	}

	m := api.resolve(r.Method, path)
	if m.route == nil {
		// This node's copy may predate a change made on another node a
		// moment ago: what it cannot serve, the bucket may.
		if d, rev, err := s.load(r.Context(), id); err == nil && rev > api.revision {
			m = s.cacheAPI(d, rev).resolve(r.Method, path)
		}
	}
	if m.cfg != nil && m.cfg.cors != nil && preflight(w, r, m.cfg.cors) {
		return true
	}
	if m.route == nil {
		if m.cfg != nil {
			writeCors(w, r, m.cfg.cors)
		}
		msgNotFound.write(w)
		return true
	}
	stage, cfg, route, params, ig := m.stage, m.cfg, m.route, m.params, m.ig
	ref, ok := cfg.refs[ig.IntegrationID]
	if !ok {
		msgInternal.write(w)
		return true
	}
	body, tooLarge, err := readBody(r, MaxRequestBody)
	if tooLarge {
		msgTooLarge.write(w)
		return true
	}
	if err != nil {
		msgInternal.write(w)
		return true
	}
	src := apievents.Source{AccountID: s.cfg.AccountID, APIID: id, RouteKey: route.RouteKey, Stage: stage.StageName,
		Path: path, PathParameters: params, StageVariables: stage.StageVariables, RequestID: reqID, Time: time.Now()}
	var payload []byte
	if ig.PayloadFormatVersion == "1.0" {
		payload, err = json.Marshal(newV1Request(r, body, src))
	} else {
		payload, err = json.Marshal(apievents.NewV2Request(r, body, src))
	}
	if err != nil {
		msgInternal.write(w)
		return true
	}
	region := ref.Region
	if region == "" {
		region = s.cfg.Region
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(ig.TimeoutInMillis)*time.Millisecond)
	defer cancel()
	res, answer := s.invoke(ctx, region, ref, payload)
	if answer != nil {
		writeCors(w, r, cfg.cors)
		answer.write(w)
		return true
	}
	var resp *apievents.Response
	if ig.PayloadFormatVersion == "1.0" {
		resp, err = v1Response(res.Payload)
	} else {
		resp, err = apievents.V2Response(res.Payload)
	}
	if err != nil {
		s.logger.Debug("httpapis: malformed function response", "api", id, "request_id", reqID, "err", err)
		writeCors(w, r, cfg.cors)
		msgFunctionError.write(w)
		return true
	}
	writeResponse(w, r, resp, cfg.cors)
	return true
}

// invoke runs the function synchronously; a non-nil answer is the gateway's
// own response for an invocation that failed or produced a function error.
func (s *Service) invoke(ctx context.Context, region string, ref eddy.FunctionRef, payload []byte) (*eddy.InvokeResult, *gatewayAnswer) {
	if len(payload) > eddy.MaxSyncPayload {
		return nil, &msgTooLarge
	}
	req := &eddy.InvokeRequest{Region: region, FunctionName: ref.Name, Qualifier: ref.Qualifier,
		Type: eddy.InvokeRequestResponse, Payload: payload, RequestID: eddy.NewID()}
	// The invocation runs to its end, as Lambda's does when API Gateway
	// stops waiting; the gateway answers when ctx ends.
	type outcome struct {
		res *eddy.InvokeResult
		err error
	}
	done := make(chan outcome, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := s.invoker.Invoke(context.WithoutCancel(ctx), req)
		done <- outcome{res, err}
	}()
	var res *eddy.InvokeResult
	var err error
	select {
	case o := <-done:
		res, err = o.res, o.err
	case <-ctx.Done():
		err = ctx.Err()
	}
	switch {
	case err == nil && res.FunctionError != "":
		return nil, &msgFunctionError
	case err == nil:
		return res, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return nil, &msgTimeout
	case eddy.ErrorCode(err) == eddy.ETHROTTLED:
		return nil, &msgThrottled
	case eddy.ErrorCode(err) == eddy.ENOTFOUND:
		return nil, &msgNoFunction
	case eddy.ErrorCode(err) == eddy.ETOOLARGE:
		return nil, &msgTooLarge
	default:
		s.logger.Debug("httpapis: invoke failed", "function", ref.Name, "err", err)
		return nil, &msgInternal
	}
}

// readBody reads at most max bytes of r's body.
func readBody(r *http.Request, max int64) ([]byte, bool, error) {
	if r.ContentLength > max {
		return nil, true, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > max {
		return nil, true, nil
	}
	return b, false, nil
}

// newRequestID returns an id of the form API Gateway's apigw-requestid has.
func newRequestID() string {
	return strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(newID(10))), "=")[:14] + "="
}

func writeResponse(w http.ResponseWriter, r *http.Request, resp *apievents.Response, cors *Cors) {
	h := w.Header()
	for k, vs := range resp.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	writeCors(w, r, cors)
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.Body)
	}
}

// allowedOrigin returns the Access-Control-Allow-Origin value for origin.
func allowedOrigin(c *Cors, origin string) (string, bool) {
	if origin == "" {
		return "", false
	}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			return "*", true
		}
		if strings.EqualFold(o, origin) {
			return origin, true
		}
	}
	return "", false
}

// writeCors adds the CORS headers of c to a response to r.
func writeCors(w http.ResponseWriter, r *http.Request, c *Cors) {
	if c == nil {
		return
	}
	allow, ok := allowedOrigin(c, r.Header.Get("Origin"))
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allow)
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if allow != "*" {
		h.Add("Vary", "Origin")
	}
}

// preflight answers a CORS preflight request from c; it reports false for
// a request that is no preflight.
func preflight(w http.ResponseWriter, r *http.Request, c *Cors) bool {
	if r.Method != http.MethodOptions || r.Header.Get("Origin") == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	allow, ok := allowedOrigin(c, r.Header.Get("Origin"))
	h := w.Header()
	if ok && methodAllowed(c, r.Header.Get("Access-Control-Request-Method")) {
		h.Set("Access-Control-Allow-Origin", allow)
		if len(c.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		}
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if len(c.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
		}
		if c.MaxAge != nil && *c.MaxAge >= 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(*c.MaxAge))
		}
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return true
}

func methodAllowed(c *Cors, m string) bool {
	for _, a := range c.AllowMethods {
		if a == "*" || strings.EqualFold(a, m) {
			return true
		}
	}
	return false
}
