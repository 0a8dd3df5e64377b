package invoke

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/queues"
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

// fail ends an event that cannot succeed: it goes to the function's
// dead-letter queue and to the failure destination, if there are any, and
// is dropped otherwise.
func (s *Service) fail(ctx context.Context, e *event, fn *eddy.Function, cfg *eddy.EventInvokeConfig, condition string, res *eddy.InvokeResult) {
	reason := map[string]string{"RetriesExhausted": "retries_exhausted", "EventAgeExceeded": "event_age_exceeded"}[condition]
	s.drop(e.Function, reason)
	s.Logger.Info("invoke: event failed", "function", e.Function, "request_id", e.RequestID, "condition", condition, "attempts", e.Attempts)
	if fn.DeadLetterTarget != "" {
		s.deadLetter(ctx, e, fn.DeadLetterTarget, res)
	}
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
	case "sqs":
		return s.sendToQueue(ctx, dest, string(data), nil)
	}
	return eddy.Errorf(eddy.EUNSUPPORT, "destinations of type %s are not supported by eddy yet", kind)
}

// maxDeadLetterMessage is how much of an error message a dead-letter
// message carries.
const maxDeadLetterMessage = 1024

// deadLetter sends the event of an invocation that failed to the
// function's dead-letter queue, as Lambda does: the payload unchanged, and
// what went wrong in the message attributes RequestID, ErrorCode (the
// HTTP status of the last attempt) and ErrorMessage (its first KB).
func (s *Service) deadLetter(ctx context.Context, e *event, dest string, res *eddy.InvokeResult) {
	status, message := e.LastStatus, e.LastError
	if res != nil {
		status, message = res.StatusCode, errorMessage(res.Payload)
	}
	if status == 0 {
		// Never run: the event waited, throttled, until it was too old.
		status, message = 429, "Rate Exceeded."
	}
	code := strconv.Itoa(status)
	attrs := map[string]queues.MessageAttributeValue{
		"RequestID": {DataType: "String", StringValue: &e.RequestID},
		"ErrorCode": {DataType: "Number", StringValue: &code},
	}
	if message != "" {
		attrs["ErrorMessage"] = queues.MessageAttributeValue{DataType: "String", StringValue: &message}
	}
	body := string(e.Payload)
	if body == "" {
		body = "{}"
	}
	var err error
	switch kind := destinationType(dest); kind {
	case "sqs":
		err = s.sendToQueue(ctx, dest, body, attrs)
	default:
		err = eddy.Errorf(eddy.EUNSUPPORT, "dead-letter targets of type %s are not supported by eddy yet", kind)
	}
	if err != nil {
		s.Logger.Warn("invoke: dead-letter delivery failed", "function", e.Function, "request_id", e.RequestID, "target", dest, "err", err)
	}
}

// errorMessage returns the errorMessage of a function's error document
// (or the document itself), at most its first KB.
func errorMessage(payload []byte) string {
	var doc struct {
		ErrorMessage *string `json:"errorMessage"`
	}
	msg := string(payload)
	if json.Unmarshal(payload, &doc) == nil && doc.ErrorMessage != nil {
		msg = *doc.ErrorMessage
	}
	if len(msg) > maxDeadLetterMessage {
		cut := maxDeadLetterMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	return strings.ToValidUTF8(msg, "\uFFFD")
}

// sendToQueue sends a message to the queue an ARN names. The queue
// service resolves a queue URL by its last two path segments, account and
// name, whatever its host.
func (s *Service) sendToQueue(ctx context.Context, arn, body string, attrs map[string]queues.MessageAttributeValue) error {
	if s.Queues == nil {
		return eddy.Errorf(eddy.EUNSUPPORT, "no queue service")
	}
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[2] != "sqs" || parts[4] == "" || parts[5] == "" || strings.Contains(parts[5], "/") {
		return eddy.Errorf(eddy.EINVALID, "not a queue ARN: %s", arn)
	}
	_, err := s.Queues.SendMessage(ctx, &queues.SendMessageInput{
		QueueUrl: "http://localhost/" + parts[4] + "/" + parts[5], MessageBody: &body, MessageAttributes: attrs,
	})
	return err
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
