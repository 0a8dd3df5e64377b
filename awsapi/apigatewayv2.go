package awsapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/httpapis"
)

// HTTPAPIsAPI is the service behind API Gateway v2 (HTTP APIs): the
// configuration operations, whose request bodies it decodes (their JSON is
// the wire form of its types), and the invoke path.
type HTTPAPIsAPI interface {
	APIInvoker
	CreateAPI(ctx context.Context, body []byte) (*httpapis.API, error)
	GetAPI(ctx context.Context, id string) (*httpapis.API, error)
	ListAPIs(ctx context.Context) ([]*httpapis.API, error)
	UpdateAPI(ctx context.Context, id string, patch []byte) (*httpapis.API, error)
	DeleteAPI(ctx context.Context, id string) error
	// Create, Get, List, Update and Delete act on an API's routes,
	// integrations, stages and deployments; kind is one of httpapis.Kind*.
	Create(ctx context.Context, apiID, kind string, body []byte) (any, error)
	Get(ctx context.Context, apiID, kind, id string) (any, error)
	List(ctx context.Context, apiID, kind string) ([]any, error)
	Update(ctx context.Context, apiID, kind, id string, patch []byte) (any, error)
	Delete(ctx context.Context, apiID, kind, id string) error
}

// maxAPIGatewayRequest bounds a configuration request's body.
const maxAPIGatewayRequest = 1 << 20

// apiGatewayV2Errors maps eddy's codes to API Gateway v2's errors.
var apiGatewayV2Errors = map[string]errorClass{
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
	eddy.EINTERNAL:  {500, "InternalServerErrorException"},
}

func (h *Handler) writeAPIGatewayV2Error(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, msg := classify(err, apiGatewayV2Errors, nil)
	h.logError(r, err, status)
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSON(w, status, map[string]string{"message": msg})
}

// serveAPIGatewayV2 routes API Gateway v2's REST-JSON configuration API:
// /v2/apis[/{apiId}[/{kind}[/{id}]]].
func (h *Handler) serveAPIGatewayV2(w http.ResponseWriter, r *http.Request) {
	svc := h.HTTPAPIs
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if svc == nil || len(parts) < 2 || parts[0] != "v2" || parts[1] != "apis" || len(parts) > 5 {
		h.writeAPIGatewayV2Error(w, r, eddy.Errorf(eddy.ENOTFOUND, "Unknown operation %s %s", r.Method, r.URL.Path))
		return
	}
	ctx := r.Context()
	var body []byte
	if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
		var err error
		body, err = readBody(r, maxAPIGatewayRequest, eddy.Errorf(eddy.ETOOLARGE, "Request body too large"))
		if err != nil {
			h.writeAPIGatewayV2Error(w, r, err)
			return
		}
	}
	var (
		out    any
		err    error
		status = http.StatusOK
	)
	unknown := func() { err = eddy.Errorf(eddy.ENOTFOUND, "Unknown operation %s %s", r.Method, r.URL.Path) }
	switch len(parts) {
	case 2:
		switch r.Method {
		case http.MethodPost:
			out, err = svc.CreateAPI(ctx, body)
			status = http.StatusCreated
		case http.MethodGet:
			var items []*httpapis.API
			items, err = svc.ListAPIs(ctx)
			if items == nil {
				items = []*httpapis.API{}
			}
			out = map[string]any{"items": items}
		default:
			unknown()
		}
	case 3:
		id := parts[2]
		switch r.Method {
		case http.MethodGet:
			out, err = svc.GetAPI(ctx, id)
		case http.MethodPatch:
			out, err = svc.UpdateAPI(ctx, id, body)
		case http.MethodDelete:
			err = svc.DeleteAPI(ctx, id)
			status = http.StatusNoContent
		default:
			unknown()
		}
	case 4:
		id, kind := parts[2], parts[3]
		if !knownKind(kind) {
			unknown()
			break
		}
		switch r.Method {
		case http.MethodPost:
			out, err = svc.Create(ctx, id, kind, body)
			status = http.StatusCreated
		case http.MethodGet:
			var items []any
			items, err = svc.List(ctx, id, kind)
			if items == nil {
				items = []any{}
			}
			out = map[string]any{"items": items}
		default:
			unknown()
		}
	case 5:
		id, kind, child := parts[2], parts[3], parts[4]
		if !knownKind(kind) {
			unknown()
			break
		}
		switch {
		case r.Method == http.MethodGet:
			out, err = svc.Get(ctx, id, kind, child)
		case r.Method == http.MethodPatch && kind != httpapis.KindDeployments:
			out, err = svc.Update(ctx, id, kind, child, body)
		case r.Method == http.MethodDelete:
			err = svc.Delete(ctx, id, kind, child)
			status = http.StatusNoContent
		default:
			unknown()
		}
	}
	if err != nil {
		h.writeAPIGatewayV2Error(w, r, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}

func knownKind(kind string) bool {
	switch kind {
	case httpapis.KindRoutes, httpapis.KindIntegrations, httpapis.KindStages, httpapis.KindDeployments:
		return true
	}
	return false
}
