package restapis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/apievents"
)

// MaxRequestBody is the largest request body a REST API accepts (10 MB).
const MaxRequestBody = 10 << 20

// Tree is a REST API's resource paths arranged for matching requests.
type Tree struct {
	template string // the resource path at this node; "" where there is no resource
	literal  map[string]*Tree
	param    *Tree  // the {name} child, if any
	name     string // its name
	greedy   *Tree  // the {name+} child, if any
	gname    string
}

// NewTree arranges resource path templates ("/", "/items/{id}",
// "/{proxy+}") for Match. Templates that are not well formed are skipped.
func NewTree(templates []string) *Tree {
	root := &Tree{}
	for _, t := range templates {
		n := root
		ok, afterGreedy := true, false
		for _, part := range splitPath(t) {
			if !ValidPathPart(part) || afterGreedy {
				ok = false
				break
			}
			switch {
			case isGreedy(part):
				afterGreedy = true
				name := part[1 : len(part)-2]
				if n.greedy == nil {
					n.greedy, n.gname = &Tree{}, name
				} else if n.gname != name {
					ok = false // a sibling variable of another name
				}
				n = n.greedy
			case isVariable(part):
				name := part[1 : len(part)-1]
				if n.param == nil {
					n.param, n.name = &Tree{}, name
				} else if n.name != name {
					ok = false
				}
				n = n.param
			default:
				if n.literal == nil {
					n.literal = map[string]*Tree{}
				}
				c := n.literal[part]
				if c == nil {
					c = &Tree{}
					n.literal[part] = c
				}
				n = c
			}
		}
		if ok {
			n.template = t
		}
	}
	return root
}

// splitPath returns a path's segments; "/" has none and a trailing slash
// adds none.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Match returns the resource path template that serves path, and the
// values of its path variables, as API Gateway chooses: at each segment a
// literal path part before a {variable} before a {greedy+} variable.
func (t *Tree) Match(path string) (string, map[string]string, bool) {
	params := map[string]string{}
	tmpl, ok := t.match(splitPath(path), params)
	if !ok {
		return "", nil, false
	}
	return tmpl, params, true
}

func (t *Tree) match(segs []string, params map[string]string) (string, bool) {
	if len(segs) == 0 {
		return t.template, t.template != ""
	}
	if c := t.literal[segs[0]]; c != nil {
		if tmpl, ok := c.match(segs[1:], params); ok {
			return tmpl, true
		}
	}
	if t.param != nil && segs[0] != "" {
		if tmpl, ok := t.param.match(segs[1:], params); ok {
			params[t.name] = segs[0]
			return tmpl, true
		}
	}
	if t.greedy != nil && t.greedy.template != "" {
		params[t.gname] = strings.Join(segs, "/")
		return t.greedy.template, true
	}
	return "", false
}

// snapshot is what a deployment serves: its resources, arranged.
type snapshot struct {
	tree   *Tree
	byPath map[string]*Resource
	binary []string // binaryMediaTypes
}

// snapshotOf returns the arranged resources of the deployment st serves;
// deployments do not change, so each is read and arranged once.
func (s *Service) snapshotOf(ctx context.Context, apiID string, st *Stage) (*snapshot, error) {
	key := snapshotKey(apiID, st.DeploymentID)
	s.mu.Lock()
	snap := s.snaps[key]
	s.mu.Unlock()
	if snap != nil {
		return snap, nil
	}
	ent, err := s.kv.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("restapis: read deployment %s: %w", key, err)
	}
	var d deployedSnapshot
	if err := json.Unmarshal(ent.Value(), &d); err != nil {
		return nil, fmt.Errorf("restapis: decode deployment %s: %w", key, err)
	}
	byPath := map[string]*Resource{}
	var paths []string
	for _, res := range d.Resources {
		byPath[res.Path] = res
		paths = append(paths, res.Path)
	}
	sort.Strings(paths)
	snap = &snapshot{tree: NewTree(paths), byPath: byPath, binary: d.BinaryMediaTypes}
	s.mu.Lock()
	s.snaps[key] = snap
	s.mu.Unlock()
	return snap, nil
}

// ServeInvoke serves a request made to REST API id; path is below the
// API's address ("/{stage}/…"). It reports false, having written nothing,
// when there is no REST API of that id.
func (s *Service) ServeInvoke(w http.ResponseWriter, r *http.Request, id, path string) bool {
	if !validID(id) || s.kv == nil {
		return false
	}
	stageName, rest := splitStage(path)
	rec, err := s.lookup(r.Context(), id, func(rec *record) bool { return rec.Stages[stageName] != nil })
	if eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return false
	}
	requestID := eddy.NewID()
	apigwID := apievents.ExtendedRequestID(requestID)
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.Header().Set("X-Amz-Apigw-Id", apigwID)
	if err != nil {
		s.cfg.Logger.Error("restapis: read API", "api", id, "request_id", requestID, "err", err)
		apievents.WriteError(w, http.StatusInternalServerError, apievents.BodyInternalServerError)
		return true
	}
	if rec.API.DisableExecuteAPIEndpoint {
		apievents.WriteError(w, http.StatusForbidden, apievents.BodyForbidden)
		return true
	}
	st := rec.Stages[stageName]
	if st == nil {
		apievents.WriteError(w, http.StatusForbidden, apievents.BodyMissingAuthentication)
		return true
	}
	snap, err := s.snapshotOf(r.Context(), id, st)
	if err != nil {
		s.cfg.Logger.Error("restapis: read deployment", "api", id, "request_id", requestID, "err", err)
		apievents.WriteError(w, http.StatusInternalServerError, apievents.BodyInternalServerError)
		return true
	}
	tmpl, params, ok := snap.tree.Match(rest)
	if !ok {
		apievents.WriteError(w, http.StatusForbidden, apievents.BodyMissingAuthentication)
		return true
	}
	res := snap.byPath[tmpl]
	m := res.ResourceMethods[r.Method]
	if m == nil {
		m = res.ResourceMethods["ANY"]
	}
	if m == nil {
		apievents.WriteError(w, http.StatusForbidden, apievents.BodyMissingAuthentication)
		return true
	}
	integ := m.MethodIntegration
	fnARN, ok := "", false
	if integ != nil && integ.Type == "AWS_PROXY" {
		fnARN, ok = FunctionOfURI(integ.URI)
	}
	if !ok {
		// eddy serves Lambda proxy integrations only
		s.cfg.Logger.Warn("restapis: unsupported integration", "api", id, "resource", tmpl, "method", m.HTTPMethod)
		apievents.WriteError(w, http.StatusInternalServerError, apievents.BodyInternalServerError)
		return true
	}
	if r.ContentLength > MaxRequestBody {
		apievents.WriteError(w, http.StatusRequestEntityTooLarge, apievents.BodyRequestTooLarge)
		return true
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		apievents.WriteError(w, http.StatusBadRequest, `{"message":"Bad Request"}`)
		return true
	}
	if len(body) > MaxRequestBody {
		apievents.WriteError(w, http.StatusRequestEntityTooLarge, apievents.BodyRequestTooLarge)
		return true
	}
	if len(params) == 0 {
		params = nil
	}
	ev := apievents.NewV1Event(r, body, apievents.V1Route{
		Resource:          tmpl,
		Path:              rest,
		ResourceID:        res.ID,
		PathParameters:    params,
		StageVariables:    st.Variables,
		AccountID:         s.cfg.Account,
		APIID:             id,
		Stage:             stageName,
		RequestID:         requestID,
		ExtendedRequestID: apigwID,
		Base64:            apievents.MatchesMediaType(r.Header.Get("Content-Type"), snap.binary),
	})
	payload, err := json.Marshal(ev)
	if err != nil {
		apievents.WriteError(w, http.StatusInternalServerError, apievents.BodyInternalServerError)
		return true
	}
	s.invoke(w, r, fnARN, integ.TimeoutInMillis, payload, requestID, id)
	return true
}

// splitStage splits "/{stage}/rest" into the stage and "/rest".
func splitStage(path string) (string, string) {
	p := strings.TrimPrefix(path, "/")
	stage, rest, _ := strings.Cut(p, "/")
	return stage, "/" + rest
}

// functionOfARN splits a function ARN into region, name and qualifier.
func functionOfARN(arn string) (region, name, qualifier string) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 {
		return "", "", ""
	}
	region, name = parts[3], parts[6]
	if len(parts) > 7 {
		qualifier = parts[7]
	}
	return region, name, qualifier
}

type outcome struct {
	res *eddy.InvokeResult
	err error
}

func (s *Service) invoke(w http.ResponseWriter, r *http.Request, fnARN string, timeoutMillis int, payload []byte, requestID, apiID string) {
	if timeoutMillis <= 0 {
		timeoutMillis = 29000
	}
	region, name, qualifier := functionOfARN(fnARN)
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(timeoutMillis)*time.Millisecond)
	defer cancel()
	done := make(chan outcome, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := s.cfg.Invoker.Invoke(ctx, &eddy.InvokeRequest{
			Region: region, FunctionName: name, Qualifier: qualifier,
			Type: eddy.InvokeRequestResponse, Payload: payload, RequestID: requestID,
		})
		done <- outcome{res, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		if r.Context().Err() != nil {
			return // the client went away
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			apievents.WriteError(w, http.StatusGatewayTimeout, apievents.BodyEndpointTimedOut)
			return
		}
	}
	if o.err != nil {
		switch eddy.ErrorCode(o.err) {
		case eddy.ETHROTTLED:
			apievents.WriteError(w, http.StatusTooManyRequests, apievents.BodyTooManyRequests)
		case eddy.ETOOLARGE:
			apievents.WriteError(w, http.StatusRequestEntityTooLarge, apievents.BodyRequestTooLarge)
		default:
			s.cfg.Logger.Warn("restapis: invoke failed", "api", apiID, "function", fnARN, "request_id", requestID, "err", o.err)
			apievents.WriteError(w, http.StatusInternalServerError, apievents.BodyInternalServerError)
		}
		return
	}
	if o.res.FunctionError != "" {
		apievents.WriteError(w, http.StatusBadGateway, apievents.BodyInternalServerError)
		return
	}
	resp, err := apievents.ParseV1Response(o.res.Payload)
	if err != nil {
		s.cfg.Logger.Debug("restapis: malformed Lambda proxy response", "api", apiID, "request_id", requestID, "err", err)
		apievents.WriteError(w, http.StatusBadGateway, apievents.BodyInternalServerError)
		return
	}
	apievents.WriteV1Response(w, resp)
}
