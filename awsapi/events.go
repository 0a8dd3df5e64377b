package awsapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/eventbus"
)

// EventsAPI is the service behind this part of the edge: EventBridge's
// buses, rules, targets and events.
type EventsAPI interface {
	CreateEventBus(context.Context, *eventbus.CreateEventBusInput) (*eventbus.CreateEventBusOutput, error)
	DeleteEventBus(context.Context, *eventbus.NameInput) (*eventbus.Empty, error)
	DescribeEventBus(context.Context, *eventbus.NameInput) (*eventbus.EventBus, error)
	ListEventBuses(context.Context, *eventbus.ListEventBusesInput) (*eventbus.ListEventBusesOutput, error)
	PutRule(context.Context, *eventbus.PutRuleInput) (*eventbus.PutRuleOutput, error)
	DescribeRule(context.Context, *eventbus.RuleInput) (*eventbus.Rule, error)
	DeleteRule(context.Context, *eventbus.RuleInput) (*eventbus.Empty, error)
	EnableRule(context.Context, *eventbus.RuleInput) (*eventbus.Empty, error)
	DisableRule(context.Context, *eventbus.RuleInput) (*eventbus.Empty, error)
	ListRules(context.Context, *eventbus.ListRulesInput) (*eventbus.ListRulesOutput, error)
	PutTargets(context.Context, *eventbus.PutTargetsInput) (*eventbus.TargetsOutput, error)
	RemoveTargets(context.Context, *eventbus.RemoveTargetsInput) (*eventbus.TargetsOutput, error)
	ListTargetsByRule(context.Context, *eventbus.ListTargetsByRuleInput) (*eventbus.ListTargetsByRuleOutput, error)
	ListRuleNamesByTarget(context.Context, *eventbus.ListRuleNamesByTargetInput) (*eventbus.ListRuleNamesByTargetOutput, error)
	TestEventPattern(context.Context, *eventbus.TestEventPatternInput) (*eventbus.TestEventPatternOutput, error)
	TagResource(context.Context, *eventbus.TagResourceInput) (*eventbus.Empty, error)
	UntagResource(context.Context, *eventbus.UntagResourceInput) (*eventbus.Empty, error)
	ListTagsForResource(context.Context, *eventbus.ListTagsForResourceInput) (*eventbus.ListTagsForResourceOutput, error)
	PutEvents(context.Context, *eventbus.PutEventsInput) (*eventbus.PutEventsOutput, error)
}

const (
	eventsTargetPrefix = "AWSEvents."
	eventsContentType  = "application/x-amz-json-1.1"
	maxEventsRequest   = 1 << 20
)

// eventsErrors maps eddy's codes to EventBridge's errors; every client
// fault is a 400.
var eventsErrors = map[string]errorClass{
	eddy.ENOTFOUND:  {400, "ResourceNotFoundException"},
	eddy.ECONFLICT:  {400, "ResourceAlreadyExistsException"},
	eddy.EINVALID:   {400, "ValidationException"},
	eddy.EMALFORMED: {400, "ValidationException"},
	eddy.EVALIDATE:  {400, "ValidationException"},
	eddy.ETOOLARGE:  {400, "LimitExceededException"},
	eddy.ETHROTTLED: {400, "ThrottlingException"},
	eddy.EUNSUPPORT: {400, "ValidationException"},
	eddy.EPRECOND:   {400, "ConcurrentModificationException"},
	eddy.EUNAVAIL:   {500, "InternalException"},
	eddy.EINTERNAL:  {500, "InternalException"},
}

// eventsOperation is one operation: a new input and the call.
type eventsOperation struct {
	input func() any
	call  func(context.Context, EventsAPI, any) (any, error)
}

func eventsOp[I, O any](call func(EventsAPI, context.Context, *I) (*O, error)) eventsOperation {
	return eventsOperation{
		input: func() any { return new(I) },
		call: func(ctx context.Context, api EventsAPI, in any) (any, error) {
			out, err := call(api, ctx, in.(*I))
			if err != nil {
				return nil, err
			}
			if out == nil {
				out = new(O)
			}
			return out, nil
		},
	}
}

var eventsOperations = map[string]eventsOperation{
	"CreateEventBus":        eventsOp(EventsAPI.CreateEventBus),
	"DeleteEventBus":        eventsOp(EventsAPI.DeleteEventBus),
	"DescribeEventBus":      eventsOp(EventsAPI.DescribeEventBus),
	"ListEventBuses":        eventsOp(EventsAPI.ListEventBuses),
	"PutRule":               eventsOp(EventsAPI.PutRule),
	"DescribeRule":          eventsOp(EventsAPI.DescribeRule),
	"DeleteRule":            eventsOp(EventsAPI.DeleteRule),
	"EnableRule":            eventsOp(EventsAPI.EnableRule),
	"DisableRule":           eventsOp(EventsAPI.DisableRule),
	"ListRules":             eventsOp(EventsAPI.ListRules),
	"PutTargets":            eventsOp(EventsAPI.PutTargets),
	"RemoveTargets":         eventsOp(EventsAPI.RemoveTargets),
	"ListTargetsByRule":     eventsOp(EventsAPI.ListTargetsByRule),
	"ListRuleNamesByTarget": eventsOp(EventsAPI.ListRuleNamesByTarget),
	"TestEventPattern":      eventsOp(EventsAPI.TestEventPattern),
	"TagResource":           eventsOp(EventsAPI.TagResource),
	"UntagResource":         eventsOp(EventsAPI.UntagResource),
	"ListTagsForResource":   eventsOp(EventsAPI.ListTagsForResource),
	"PutEvents":             eventsOp(EventsAPI.PutEvents),
}

func (h *Handler) serveEvents(w http.ResponseWriter, r *http.Request, target string) {
	name, ok := strings.CutPrefix(target, eventsTargetPrefix)
	op, known := eventsOperations[name]
	switch {
	case !ok || r.Method != http.MethodPost:
		h.writeEventsError(w, r, eddy.TypedErrorf(eddy.EINVALID, "UnknownOperationException", "The request must be a POST with an X-Amz-Target header of AWSEvents."))
		return
	case !known:
		h.writeEventsError(w, r, eddy.TypedErrorf(eddy.EUNSUPPORT, "UnknownOperationException", "eddy does not provide the operation %s (yet).", name))
		return
	case h.Events == nil || reflect.ValueOf(h.Events).IsNil():
		unknownService(w, "events")
		return
	}
	if r.ContentLength > maxEventsRequest {
		h.writeEventsError(w, r, eddy.TypedErrorf(eddy.ETOOLARGE, "ValidationException", "The request must be at most %d bytes.", maxEventsRequest))
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxEventsRequest+1))
	if err != nil || len(data) > maxEventsRequest {
		h.writeEventsError(w, r, eddy.TypedErrorf(eddy.EMALFORMED, "ValidationException", "The request body could not be read, or is over %d bytes.", maxEventsRequest))
		return
	}
	in := op.input()
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := json.Unmarshal(data, in); err != nil {
			h.writeEventsError(w, r, eddy.TypedErrorf(eddy.EMALFORMED, "SerializationException", "%s", sqsJSONProblem(err)))
			return
		}
	}
	out, err := op.call(r.Context(), h.Events, in)
	if err != nil {
		h.writeEventsError(w, r, err)
		return
	}
	writeJSONTyped(w, http.StatusOK, out, eventsContentType)
}

// writeEventsError renders err as EventBridge's JSON 1.1 protocol does.
func (h *Handler) writeEventsError(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, msg := classify(err, eventsErrors, nil)
	h.logError(r, err, status)
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSONTyped(w, status, map[string]string{"__type": typ, "message": msg}, eventsContentType)
}
