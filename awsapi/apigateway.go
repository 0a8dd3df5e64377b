package awsapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/restapis"
)

// RestAPIsAPI is the service behind this part of the edge.
type RestAPIsAPI interface {
	APIInvoker
	// Do performs one control-plane operation and returns what to send
	// back, nil for an empty body.
	Do(ctx context.Context, req *restapis.Request) (any, error)
}

// apigatewayRoute is one operation of API Gateway's REST-JSON protocol, as
// the service model's http traits give it.
type apigatewayRoute struct {
	method string
	path   []string // segments; "{name}" binds a URI member
	op     string
	status int
}

var apigatewayRoutes = func() []apigatewayRoute {
	const (
		api    = "/restapis/{restapi_id}"
		res    = api + "/resources/{resource_id}"
		method = res + "/methods/{http_method}"
	)
	rs := []struct {
		method, path, op string
		status           int
	}{
		{"POST", "/restapis", "CreateRestApi", 201},
		{"GET", "/restapis", "GetRestApis", 200},
		{"GET", api, "GetRestApi", 200},
		{"PUT", api, "PutRestApi", 200},
		{"PATCH", api, "UpdateRestApi", 200},
		{"DELETE", api, "DeleteRestApi", 202},
		{"GET", api + "/resources", "GetResources", 200},
		{"GET", res, "GetResource", 200},
		{"POST", api + "/resources/{parent_id}", "CreateResource", 201},
		{"PATCH", res, "UpdateResource", 200},
		{"DELETE", res, "DeleteResource", 202},
		{"PATCH", method, "UpdateMethod", 200},
		{"PATCH", method + "/integration", "UpdateIntegration", 200},
		{"PUT", method, "PutMethod", 201},
		{"GET", method, "GetMethod", 200},
		{"DELETE", method, "DeleteMethod", 204},
		{"PUT", method + "/integration", "PutIntegration", 201},
		{"GET", method + "/integration", "GetIntegration", 200},
		{"DELETE", method + "/integration", "DeleteIntegration", 204},
		{"PUT", method + "/responses/{status_code}", "PutMethodResponse", 201},
		{"GET", method + "/responses/{status_code}", "GetMethodResponse", 200},
		{"DELETE", method + "/responses/{status_code}", "DeleteMethodResponse", 204},
		{"PUT", method + "/integration/responses/{status_code}", "PutIntegrationResponse", 201},
		{"GET", method + "/integration/responses/{status_code}", "GetIntegrationResponse", 200},
		{"DELETE", method + "/integration/responses/{status_code}", "DeleteIntegrationResponse", 204},
		{"POST", api + "/deployments", "CreateDeployment", 201},
		{"GET", api + "/deployments", "GetDeployments", 200},
		{"GET", api + "/deployments/{deployment_id}", "GetDeployment", 200},
		{"DELETE", api + "/deployments/{deployment_id}", "DeleteDeployment", 202},
		{"POST", api + "/stages", "CreateStage", 201},
		{"GET", api + "/stages", "GetStages", 200},
		{"GET", api + "/stages/{stage_name}", "GetStage", 200},
		{"PATCH", api + "/stages/{stage_name}", "UpdateStage", 200},
		{"DELETE", api + "/stages/{stage_name}", "DeleteStage", 202},
		{"PUT", "/tags/{resource_arn}", "TagResource", 204},
		{"GET", "/tags/{resource_arn}", "GetTags", 200},
		{"DELETE", "/tags/{resource_arn}", "UntagResource", 204},
	}
	out := make([]apigatewayRoute, len(rs))
	for i, r := range rs {
		out[i] = apigatewayRoute{r.method, strings.Split(strings.TrimPrefix(r.path, "/"), "/"), r.op, r.status}
	}
	return out
}()

// matchAPIGatewayRoute finds the operation of a request: the route, its URI
// members, and whether the path is known under another method.
func matchAPIGatewayRoute(method, escapedPath string) (*apigatewayRoute, map[string]string, bool) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	pathKnown := false
	for i := range apigatewayRoutes {
		rt := &apigatewayRoutes[i]
		if len(rt.path) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for j, p := range rt.path {
			if strings.HasPrefix(p, "{") {
				v, err := url.PathUnescape(segs[j])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[p[1:len(p)-1]] = v
			} else if p != segs[j] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		pathKnown = true
		if rt.method == method {
			return rt, params, true
		}
	}
	return nil, nil, pathKnown
}

// apigatewayErrors maps eddy's codes to API Gateway's REST-JSON errors.
var apigatewayErrors = map[string]errorClass{
	eddy.ENOTFOUND:  {404, "NotFoundException"},
	eddy.ECONFLICT:  {409, "ConflictException"},
	eddy.EINVALID:   {400, "BadRequestException"},
	eddy.EMALFORMED: {400, "BadRequestException"},
	eddy.EVALIDATE:  {400, "BadRequestException"},
	eddy.ETOOLARGE:  {413, "BadRequestException"},
	eddy.ETHROTTLED: {429, "TooManyRequestsException"},
	eddy.EUNSUPPORT: {400, "BadRequestException"},
	eddy.EPRECOND:   {400, "BadRequestException"},
	eddy.EUNAVAIL:   {503, "ServiceUnavailableException"},
	eddy.EINTERNAL:  {500, "InternalFailure"},
}

var apigatewayTypeStatus = map[string]int{
	"BadRequestException":         400,
	"NotFoundException":           404,
	"ConflictException":           409,
	"TooManyRequestsException":    429,
	"LimitExceededException":      429,
	"UnauthorizedException":       401,
	"ServiceUnavailableException": 503,
}

func (h *Handler) writeAPIGatewayError(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, msg := classify(err, apigatewayErrors, apigatewayTypeStatus)
	h.logError(r, err, status)
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSON(w, status, map[string]string{"message": msg})
}

// maxControlBody bounds a control-plane request body.
const maxControlBody = 6 << 20

func (h *Handler) serveAPIGateway(w http.ResponseWriter, r *http.Request) {
	if h.RestAPIs == nil {
		unknownService(w, "apigateway")
		return
	}
	rt, params, known := matchAPIGatewayRoute(r.Method, r.URL.EscapedPath())
	if rt == nil {
		if known {
			h.writeAPIGatewayError(w, r, eddy.TypedErrorf(eddy.EINVALID, "BadRequestException", "Invalid method %s for this resource", r.Method))
			return
		}
		h.writeAPIGatewayError(w, r, eddy.TypedErrorf(eddy.ENOTFOUND, "NotFoundException", "Unknown operation %s %s", r.Method, r.URL.Path))
		return
	}
	if r.ContentLength > maxControlBody {
		h.writeAPIGatewayError(w, r, eddy.Errorf(eddy.ETOOLARGE, "Request body too large"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil {
		h.writeAPIGatewayError(w, r, eddy.Errorf(eddy.EMALFORMED, "Could not read the request body"))
		return
	}
	if len(body) > maxControlBody {
		h.writeAPIGatewayError(w, r, eddy.Errorf(eddy.ETOOLARGE, "Request body too large"))
		return
	}
	op, status := rt.op, rt.status
	query := r.URL.Query()
	if op == "CreateRestApi" && query.Get("mode") == "import" {
		op = "ImportRestApi" // POST /restapis?mode=import
	}
	out, err := h.RestAPIs.Do(r.Context(), &restapis.Request{
		Op: op, Region: h.regionOf(r), Params: params, Query: query, Body: body,
	})
	if err != nil {
		h.writeAPIGatewayError(w, r, err)
		return
	}
	if out == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}
