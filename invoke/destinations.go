package invoke

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
)

// record is the document a destination receives, as Lambda writes it.
type record struct {
	Version        string           `json:"version"`
	Timestamp      string           `json:"timestamp"`
	RequestContext requestContext   `json:"requestContext"`
	RequestPayload json.RawMessage  `json:"requestPayload"`
	Response       *responseContext `json:"responseContext,omitempty"`
	// ResponsePayload is the function's answer, or its error document.
	ResponsePayload json.RawMessage `json:"responsePayload,omitempty"`
}

type requestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

func (s *Service) succeed(ctx context.Context, e *event, fn *eddy.Function, cfg *eddy.EventInvokeConfig, res *eddy.InvokeResult) {
	if cfg == nil || cfg.OnSuccess == "" {
		return
	}
	s.deliver(ctx, e, fn, cfg.OnSuccess, "Success", res)
}

// fail ends an event that cannot succeed: it goes to the failure
// destination if there is one, and is dropped otherwise.
func (s *Service) fail(ctx context.Context, e *event, fn *eddy.Function, cfg *eddy.EventInvokeConfig, condition string, res *eddy.InvokeResult) {
	reason := map[string]string{"RetriesExhausted": "retries_exhausted", "EventAgeExceeded": "event_age_exceeded"}[condition]
	s.drop(e.Function, reason)
	s.Logger.Info("invoke: event failed", "function", e.Function, "request_id", e.RequestID, "condition", condition, "attempts", e.Attempts)
	if cfg == nil || cfg.OnFailure == "" {
		return
	}
	s.deliver(ctx, e, fn, cfg.OnFailure, condition, res)
}

// deliver sends the record of an event's outcome to a destination.
func (s *Service) deliver(ctx context.Context, e *event, fn *eddy.Function, dest, condition string, res *eddy.InvokeResult) {
	q := e.Qualifier
	if q == "" {
		q = eddy.LatestVersion
	}
	r := record{
		Version:   "1.0",
		Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: requestContext{
			RequestID: e.RequestID, FunctionArn: fn.ARN() + ":" + q,
			Condition: condition, ApproximateInvokeCount: e.Attempts,
		},
		RequestPayload: jsonOrString(e.Payload),
	}
	switch {
	case res != nil:
		r.Response = &responseContext{StatusCode: res.StatusCode, ExecutedVersion: res.ExecutedVersion, FunctionError: res.FunctionError}
		r.ResponsePayload = jsonOrString(res.Payload)
	case e.Attempts > 0:
		r.Response = &responseContext{StatusCode: e.LastStatus, ExecutedVersion: e.LastVersion, FunctionError: e.LastError}
	}
	data, err := json.Marshal(r)
	kind := destinationType(dest)
	if err == nil {
		err = s.send(ctx, e.Region, dest, kind, data)
	}
	if s.Metrics != nil {
		s.Metrics.DestinationDelivery(e.Function, condition, kind, err == nil)
	}
	if err != nil {
		s.Logger.Warn("invoke: destination delivery failed", "function", e.Function, "request_id", e.RequestID, "destination", dest, "err", err)
	}
}

// send delivers data to a destination ARN. Lambda destinations receive it
// as an asynchronous invocation.
func (s *Service) send(ctx context.Context, region, dest, kind string, data []byte) error {
	switch kind {
	case "lambda":
		ref, err := eddy.ParseFunctionRef(dest, "destination")
		if err != nil {
			return err
		}
		if ref.Region != "" {
			region = ref.Region
		}
		if _, err := s.resolve(ctx, region, ref.Name, ref.Qualifier); err != nil {
			return err
		}
		req := &eddy.InvokeRequest{Region: region, FunctionName: ref.Name, Qualifier: ref.Qualifier,
			Type: eddy.InvokeEvent, Payload: data, RequestID: eddy.NewID()}
		return s.enqueue(ctx, newEvent(req))
	}
	return eddy.Errorf(eddy.EUNSUPPORT, "destinations of type %s are not supported by eddy yet", kind)
}

// destinationType names the service of a destination ARN.
func destinationType(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 3 {
		return "unknown"
	}
	return parts[2]
}

// jsonOrString returns b if it is JSON, else b as a JSON string.
func jsonOrString(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("{}")
	}
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}
