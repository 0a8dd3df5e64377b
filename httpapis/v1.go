package httpapis

import (
	"net/http"
	"strings"

	"github.com/eddyserverless/eddy/apievents"
)

// newV1Request builds the payload format 1.0 event an HTTP API sends: the
// REST shape with "version":"1.0" and the route key as resourceId.
func newV1Request(r *http.Request, body []byte, src apievents.Source) *apievents.V1Event {
	resource := src.RouteKey
	if _, p, ok := strings.Cut(src.RouteKey, " "); ok {
		resource = p
	}
	return apievents.NewV1Event(r, body, apievents.V1Route{
		HTTPAPI: true, Resource: resource, Path: src.Path, ResourceID: src.RouteKey,
		PathParameters: src.PathParameters, StageVariables: src.StageVariables,
		AccountID: src.AccountID, APIID: src.APIID, Stage: src.Stage, RequestID: src.RequestID, Time: src.Time,
		Base64: len(body) > 0 && !apievents.IsText(r.Header.Get("Content-Type")),
	})
}

// v1Response maps a function's payload format 1.0 response.
func v1Response(payload []byte) (*apievents.Response, error) {
	res, err := apievents.ParseV1Response(payload)
	if err != nil {
		return nil, err
	}
	return &apievents.Response{Status: res.StatusCode, Header: res.Header, Body: res.Body}, nil
}
