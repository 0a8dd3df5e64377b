package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/queues"
)

// SQS speaks two protocols on one endpoint: JSON 1.0 (X-Amz-Target
// "AmazonSQS.<Op>"), which current SDKs use, and the older query protocol
// (form-encoded requests, XML results; sqs_query.go), which older SDKs and
// CLIs still send. Both decode into the queues package's types and call the
// same queues.API.

const (
	sqsTargetPrefix    = "AmazonSQS."
	sqsJSONContentType = "application/x-amz-json-1.0"
	// maxSQSRequest bounds a request body. A message and a batch may each
	// hold 1 MiB, which JSON escaping (\uXXXX for each non-ASCII character)
	// or percent-encoding can more than triple on the wire.
	maxSQSRequest = 8 << 20
	// sqsInternalMessage is what a client sees of a fault in eddy.
	sqsInternalMessage = "We encountered an internal error. Please try again."
)

// sqsError is how SQS renders one error in each of its protocols.
type sqsError struct {
	// JSON is __type in the JSON protocol: the error's shape name with its
	// namespace.
	JSON string
	// Query is the code of the query protocol, which the JSON protocol
	// also sends in x-amzn-query-error for clients that know SQS by its
	// query codes (botocore reports it as the error code).
	Query  string
	Status int
	// Sender is true for a client's fault and false for SQS's own.
	Sender bool
}

// sqsErrors is SQS's error catalogue, keyed by the Type an *eddy.Error
// carries: the JSON protocol's code for the errors of the service model
// (their query codes and statuses are the model's awsQueryError traits),
// the query code for the common errors the model leaves out.
var sqsErrors = map[string]sqsError{
	"BatchEntryIdsNotDistinct":     {"com.amazonaws.sqs#BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, true},
	"BatchRequestTooLong":          {"com.amazonaws.sqs#BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400, true},
	"EmptyBatchRequest":            {"com.amazonaws.sqs#EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400, true},
	"InvalidAddress":               {"com.amazonaws.sqs#InvalidAddress", "InvalidAddress", 404, true},
	"InvalidAttributeName":         {"com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName", 400, true},
	"InvalidAttributeValue":        {"com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue", 400, true},
	"InvalidBatchEntryId":          {"com.amazonaws.sqs#InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400, true},
	"InvalidIdFormat":              {"com.amazonaws.sqs#InvalidIdFormat", "InvalidIdFormat", 400, true},
	"InvalidMessageContents":       {"com.amazonaws.sqs#InvalidMessageContents", "InvalidMessageContents", 400, true},
	"InvalidSecurity":              {"com.amazonaws.sqs#InvalidSecurity", "InvalidSecurity", 403, true},
	"KmsAccessDenied":              {"com.amazonaws.sqs#KmsAccessDenied", "KMS.AccessDeniedException", 400, true},
	"KmsDisabled":                  {"com.amazonaws.sqs#KmsDisabled", "KMS.DisabledException", 400, true},
	"KmsInvalidKeyUsage":           {"com.amazonaws.sqs#KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException", 400, true},
	"KmsInvalidState":              {"com.amazonaws.sqs#KmsInvalidState", "KMS.InvalidStateException", 400, true},
	"KmsNotFound":                  {"com.amazonaws.sqs#KmsNotFound", "KMS.NotFoundException", 400, true},
	"KmsOptInRequired":             {"com.amazonaws.sqs#KmsOptInRequired", "KMS.OptInRequired", 403, true},
	"KmsThrottled":                 {"com.amazonaws.sqs#KmsThrottled", "KMS.ThrottlingException", 400, true},
	"MessageNotInflight":           {"com.amazonaws.sqs#MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400, true},
	"OverLimit":                    {"com.amazonaws.sqs#OverLimit", "OverLimit", 403, true},
	"PurgeQueueInProgress":         {"com.amazonaws.sqs#PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403, true},
	"QueueDeletedRecently":         {"com.amazonaws.sqs#QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400, true},
	"QueueDoesNotExist":            {"com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, true},
	"QueueNameExists":              {"com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", 400, true},
	"ReceiptHandleIsInvalid":       {"com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404, true},
	"RequestThrottled":             {"com.amazonaws.sqs#RequestThrottled", "RequestThrottled", 403, true},
	"ResourceNotFoundException":    {"com.amazonaws.sqs#ResourceNotFoundException", "ResourceNotFoundException", 404, true},
	"TooManyEntriesInBatchRequest": {"com.amazonaws.sqs#TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, true},
	"UnsupportedOperation":         {"com.amazonaws.sqs#UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400, true},

	// Common errors, outside the model. Over JSON, SQS names the first two
	// InvalidParameterValueException and MissingRequiredParameterException.
	"InvalidParameterValue":  {"com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue", 400, true},
	"MissingParameter":       {"com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter", 400, true},
	"InvalidAction":          {"com.amazon.coral.service#UnknownOperationException", "InvalidAction", 400, true},
	"MissingAction":          {"com.amazonaws.sqs#MissingAction", "MissingAction", 400, true},
	"MalformedQueryString":   {"com.amazonaws.sqs#MalformedQueryString", "MalformedQueryString", 404, true},
	"SerializationException": {"com.amazon.coral.service#SerializationException", "SerializationException", 400, true},
	"AccessDenied":           {"com.amazonaws.sqs#AccessDeniedException", "AccessDenied", 403, true},
	"ServiceUnavailable":     {"com.amazonaws.sqs#ServiceUnavailable", "ServiceUnavailable", 503, false},
	"InternalFailure":        {"com.amazon.coral.service#InternalFailure", "InternalFailure", 500, false},
}

// sqsCodeTypes is the error of each eddy code whose *eddy.Error names no
// Type. Client mistakes are InvalidParameterValue, as SQS reports limits
// and values out of range; only faults in eddy are 5xx.
var sqsCodeTypes = map[string]string{
	eddy.ENOTFOUND:  "QueueDoesNotExist",
	eddy.ECONFLICT:  "InvalidParameterValue",
	eddy.EINVALID:   "InvalidParameterValue",
	eddy.EMALFORMED: "InvalidParameterValue",
	eddy.EVALIDATE:  "InvalidParameterValue",
	eddy.ETOOLARGE:  "InvalidParameterValue",
	eddy.ETHROTTLED: "RequestThrottled",
	eddy.EUNSUPPORT: "UnsupportedOperation",
	eddy.EPRECOND:   "InvalidParameterValue",
	eddy.EUNAVAIL:   "ServiceUnavailable",
	eddy.EINTERNAL:  "InternalFailure",
}

// sqsErrorsByQuery finds an entry by its query code, for a Type given as
// one ("AWS.SimpleQueueService.NonExistentQueue").
var sqsErrorsByQuery = func() map[string]sqsError {
	m := make(map[string]sqsError, len(sqsErrors))
	for _, e := range sqsErrors {
		m[e.Query] = e
	}
	return m
}()

// sqsErrorOf returns how to render err and the message the client sees.
func sqsErrorOf(err error) (sqsError, string) {
	typ := sqsCodeTypes[eddy.ErrorCode(err)]
	if typ == "" {
		typ = "InternalFailure"
	}
	e := sqsErrors[typ]
	if ee := eddy.AsError(err); ee != nil && ee.Type != "" {
		if known, ok := sqsErrors[ee.Type]; ok {
			e = known
		} else if known, ok := sqsErrorsByQuery[ee.Type]; ok {
			e = known
		} else {
			// A type this catalogue does not know keeps the status of
			// its code and is named alike in both protocols.
			e = sqsError{JSON: "com.amazonaws.sqs#" + ee.Type, Query: ee.Type, Status: e.Status, Sender: e.Sender}
		}
	}
	if e.Status >= 500 {
		return e, sqsInternalMessage
	}
	return e, eddy.ErrorMessage(err)
}

func (e sqsError) fault() string {
	if e.Sender {
		return "Sender"
	}
	return "Receiver"
}

// sqsErrorf returns an *eddy.Error of one of the catalogue's types.
func sqsErrorf(typ, format string, args ...any) error {
	code := eddy.EINVALID
	if e := sqsErrors[typ]; e.Status >= 500 {
		code = eddy.EINTERNAL
	}
	return eddy.TypedErrorf(code, typ, format, args...)
}

func missingParameter(name string) error {
	return sqsErrorf("MissingParameter", "The request must contain the parameter %s.", name)
}

// serveSQS serves SQS in whichever protocol the request speaks.
func (h *Handler) serveSQS(w http.ResponseWriter, r *http.Request, target string) {
	if strings.HasPrefix(target, sqsTargetPrefix) || strings.HasPrefix(mediaType(r), "application/x-amz-json") {
		h.serveSQSJSON(w, r, target)
		return
	}
	h.serveSQSQuery(w, r)
}

// serveSQSJSON serves the JSON 1.0 protocol.
func (h *Handler) serveSQSJSON(w http.ResponseWriter, r *http.Request, target string) {
	name, _ := strings.CutPrefix(target, sqsTargetPrefix)
	if name == "" {
		h.writeSQSJSONError(w, r, sqsErrorf("MissingAction", "The request must contain the header X-Amz-Target."))
		return
	}
	op, ok := sqsOperations[name]
	if !ok || r.Method != http.MethodPost || !strings.HasPrefix(target, sqsTargetPrefix) {
		h.writeSQSJSONError(w, r, sqsErrorf("InvalidAction", "The action %s is not valid for this endpoint.", name))
		return
	}
	if h.Queues == nil {
		h.writeSQSJSONError(w, r, sqsErrorf("UnsupportedOperation", "eddy does not serve SQS here."))
		return
	}
	data, err := readSQSBody(r)
	if err != nil {
		h.writeSQSJSONError(w, r, err)
		return
	}
	in := op.input()
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, in); err != nil {
			h.writeSQSJSONError(w, r, sqsErrorf("SerializationException", "%s", sqsJSONProblem(err)))
			return
		}
	}
	out, err := op.call(h.sqsContext(r), h.Queues, in)
	if err != nil {
		h.writeSQSJSONError(w, r, err)
		return
	}
	writeJSONTyped(w, http.StatusOK, out, sqsJSONContentType)
}

// sqsContext is the request's context with the endpoint that queue URLs
// in results are built on: the one the client used.
func (h *Handler) sqsContext(r *http.Request) context.Context {
	return queues.WithEndpoint(r.Context(), sqsScheme(r)+"://"+r.Host)
}

func sqsScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// readSQSBody reads a request body of at most maxSQSRequest bytes.
func readSQSBody(r *http.Request) ([]byte, error) {
	tooLarge := sqsErrorf("InvalidParameterValue", "The request must be at most %d bytes.", maxSQSRequest)
	if r.ContentLength > maxSQSRequest {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxSQSRequest+1))
	if err != nil {
		return nil, sqsErrorf("InvalidParameterValue", "Could not read the request body.")
	}
	if len(data) > maxSQSRequest {
		return nil, tooLarge
	}
	return data, nil
}

func sqsJSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "Unexpected value type in payload for field " + te.Field
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "Unexpected character at offset " + strconv.FormatInt(se.Offset, 10)
	}
	return "The request body is not valid JSON."
}

// writeSQSJSONError renders err as SQS's JSON protocol does: the shape
// name in __type and, because SQS is query-compatible, the query code and
// fault in x-amzn-query-error. No X-Amzn-ErrorType: the Go SDK would take
// it over __type.
func (h *Handler) writeSQSJSONError(w http.ResponseWriter, r *http.Request, err error) {
	e, msg := sqsErrorOf(err)
	h.logError(r, err, e.Status)
	w.Header().Set("X-Amzn-Query-Error", e.Query+";"+e.fault())
	writeJSONTyped(w, e.Status, map[string]string{"__type": e.JSON, "message": msg}, sqsJSONContentType)
}

func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// sqsOperation is one SQS operation, the same in both protocols.
type sqsOperation struct {
	// input returns a new, empty input (a pointer to a queues type).
	input func() any
	// fromForm fills an input from a query request.
	fromForm func(f *queryForm, in any)
	// call checks the input's required members and calls the service.
	call func(ctx context.Context, api queues.API, in any) (any, error)
	// result returns the value rendered as the query protocol's
	// <Op>Result element, or nil for an operation without output.
	result func(out any) any
}

// sqsOp defines an operation from its method of queues.API, its query
// decoder, the check of its required members (which returns the first
// missing member's name) and its query result.
func sqsOp[I, O any](
	call func(queues.API, context.Context, *I) (O, error),
	fromForm func(*queryForm, *I),
	missing func(*I) string,
	result func(O) any,
) sqsOperation {
	return sqsOperation{
		input:    func() any { return new(I) },
		fromForm: func(f *queryForm, in any) { fromForm(f, in.(*I)) },
		call: func(ctx context.Context, api queues.API, in any) (any, error) {
			i := in.(*I)
			if name := missing(i); name != "" {
				return nil, missingParameter(name)
			}
			out, err := call(api, ctx, i)
			if err != nil {
				return nil, err
			}
			// A service returning a nil result with no error still
			// gets an empty result, not JSON null.
			if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && v.IsNil() {
				out = reflect.New(v.Type().Elem()).Interface().(O)
			}
			return out, nil
		},
		result: func(out any) any {
			if result == nil {
				return nil
			}
			return result(out.(O))
		},
	}
}

// noOutput adapts an operation without output; its JSON result is {}.
func noOutput[I any](call func(queues.API, context.Context, *I) error) func(queues.API, context.Context, *I) (struct{}, error) {
	return func(api queues.API, ctx context.Context, in *I) (struct{}, error) {
		return struct{}{}, call(api, ctx, in)
	}
}

func needQueueURL(url string) string { return need(member{url == "", "QueueUrl"}) }

// sqsOperations is every SQS operation by name.
var sqsOperations = map[string]sqsOperation{
	"CreateQueue": sqsOp(queues.API.CreateQueue, formCreateQueue,
		func(in *queues.CreateQueueInput) string { return need(member{in.QueueName == "", "QueueName"}) },
		func(out *queues.QueueURLOutput) any { return out }),
	"GetQueueUrl": sqsOp(queues.API.GetQueueUrl, formGetQueueURL,
		func(in *queues.GetQueueUrlInput) string { return need(member{in.QueueName == "", "QueueName"}) },
		func(out *queues.QueueURLOutput) any { return out }),
	"ListQueues": sqsOp(queues.API.ListQueues, formListQueues,
		func(*queues.ListQueuesInput) string { return "" },
		xmlListQueues),
	"DeleteQueue": sqsOp(noOutput(queues.API.DeleteQueue), formQueue,
		func(in *queues.QueueInput) string { return needQueueURL(in.QueueUrl) }, nil),
	"PurgeQueue": sqsOp(noOutput(queues.API.PurgeQueue), formQueue,
		func(in *queues.QueueInput) string { return needQueueURL(in.QueueUrl) }, nil),
	"GetQueueAttributes": sqsOp(queues.API.GetQueueAttributes, formGetQueueAttributes,
		func(in *queues.GetQueueAttributesInput) string { return needQueueURL(in.QueueUrl) },
		func(out *queues.AttributesOutput) any { return xmlAttributes{nameValues(out.Attributes)} }),
	"SetQueueAttributes": sqsOp(noOutput(queues.API.SetQueueAttributes), formSetQueueAttributes,
		func(in *queues.SetQueueAttributesInput) string { return needQueueURL(in.QueueUrl) }, nil),
	"TagQueue": sqsOp(noOutput(queues.API.TagQueue), formTagQueue,
		func(in *queues.TagQueueInput) string { return needQueueURL(in.QueueUrl) }, nil),
	"UntagQueue": sqsOp(noOutput(queues.API.UntagQueue), formUntagQueue,
		func(in *queues.UntagQueueInput) string { return needQueueURL(in.QueueUrl) }, nil),
	"ListQueueTags": sqsOp(queues.API.ListQueueTags, formQueue,
		func(in *queues.QueueInput) string { return needQueueURL(in.QueueUrl) },
		xmlListQueueTags),
	"ListDeadLetterSourceQueues": sqsOp(listDeadLetterSourceQueues, formListDeadLetterSourceQueues,
		func(in *queues.ListDeadLetterSourceQueuesInput) string { return needQueueURL(in.QueueUrl) },
		xmlListDeadLetterSourceQueues),
	"AddPermission": sqsOp(noOutput(queues.API.AddPermission), formAddPermission,
		func(in *queues.AddPermissionInput) string {
			return need(member{in.QueueUrl == "", "QueueUrl"}, member{in.Label == "", "Label"})
		}, nil),
	"RemovePermission": sqsOp(noOutput(queues.API.RemovePermission), formRemovePermission,
		func(in *queues.RemovePermissionInput) string {
			return need(member{in.QueueUrl == "", "QueueUrl"}, member{in.Label == "", "Label"})
		}, nil),

	"SendMessage": sqsOp(queues.API.SendMessage, formSendMessage,
		func(in *queues.SendMessageInput) string {
			return need(member{in.QueueUrl == "", "QueueUrl"}, member{in.MessageBody == nil, "MessageBody"})
		},
		xmlSendMessage),
	"SendMessageBatch": sqsOp(sendMessageBatch, formSendMessageBatch,
		func(in *queues.SendMessageBatchInput) string { return needQueueURL(in.QueueUrl) },
		xmlSendMessageBatch),
	"ReceiveMessage": sqsOp(receiveMessage, formReceiveMessage,
		func(in *queues.ReceiveMessageInput) string { return needQueueURL(in.QueueUrl) },
		xmlReceiveMessage),
	"DeleteMessage": sqsOp(noOutput(queues.API.DeleteMessage), formDeleteMessage,
		func(in *queues.DeleteMessageInput) string {
			return need(member{in.QueueUrl == "", "QueueUrl"}, member{in.ReceiptHandle == "", "ReceiptHandle"})
		}, nil),
	"DeleteMessageBatch": sqsOp(deleteMessageBatch, formDeleteMessageBatch,
		func(in *queues.DeleteMessageBatchInput) string { return needQueueURL(in.QueueUrl) },
		func(out *queues.BatchOutput) any { return xmlBatch("DeleteMessageBatchResultEntry", out) }),
	"ChangeMessageVisibility": sqsOp(noOutput(queues.API.ChangeMessageVisibility), formChangeMessageVisibility,
		func(in *queues.ChangeMessageVisibilityInput) string {
			return need(member{in.QueueUrl == "", "QueueUrl"}, member{in.ReceiptHandle == "", "ReceiptHandle"},
				member{in.VisibilityTimeout == nil, "VisibilityTimeout"})
		}, nil),
	"ChangeMessageVisibilityBatch": sqsOp(changeMessageVisibilityBatch, formChangeMessageVisibilityBatch,
		func(in *queues.ChangeMessageVisibilityBatchInput) string { return needQueueURL(in.QueueUrl) },
		func(out *queues.BatchOutput) any { return xmlBatch("ChangeMessageVisibilityBatchResultEntry", out) }),

	"StartMessageMoveTask": sqsOp(queues.API.StartMessageMoveTask, formStartMessageMoveTask,
		func(in *queues.StartMessageMoveTaskInput) string {
			return need(member{in.SourceArn == "", "SourceArn"})
		},
		func(out *queues.StartMessageMoveTaskOutput) any { return out }),
	"ListMessageMoveTasks": sqsOp(queues.API.ListMessageMoveTasks, formListMessageMoveTasks,
		func(in *queues.ListMessageMoveTasksInput) string {
			return need(member{in.SourceArn == "", "SourceArn"})
		},
		xmlListMessageMoveTasks),
	"CancelMessageMoveTask": sqsOp(queues.API.CancelMessageMoveTask, formCancelMessageMoveTask,
		func(in *queues.CancelMessageMoveTaskInput) string {
			return need(member{in.TaskHandle == "", "TaskHandle"})
		},
		func(out *queues.CancelMessageMoveTaskOutput) any { return out }),
}

// member is a required member of an input and whether it is missing.
type member struct {
	missing bool
	name    string
}

// need returns the name of the first missing member, or "".
func need(members ...member) string {
	for _, m := range members {
		if m.missing {
			return m.name
		}
	}
	return ""
}

// The batch results and the dead-letter source list are required members:
// SQS sends them empty rather than leaving them out.

func sendMessageBatch(api queues.API, ctx context.Context, in *queues.SendMessageBatchInput) (*queues.SendMessageBatchOutput, error) {
	out, err := api.SendMessageBatch(ctx, in)
	if err != nil || out == nil {
		return out, err
	}
	res := *out
	if res.Successful == nil {
		res.Successful = []queues.SendMessageBatchResultEntry{}
	}
	if res.Failed == nil {
		res.Failed = []queues.BatchResultErrorEntry{}
	}
	return &res, nil
}

func deleteMessageBatch(api queues.API, ctx context.Context, in *queues.DeleteMessageBatchInput) (*queues.BatchOutput, error) {
	return filledBatch(api.DeleteMessageBatch(ctx, in))
}

func changeMessageVisibilityBatch(api queues.API, ctx context.Context, in *queues.ChangeMessageVisibilityBatchInput) (*queues.BatchOutput, error) {
	return filledBatch(api.ChangeMessageVisibilityBatch(ctx, in))
}

func filledBatch(out *queues.BatchOutput, err error) (*queues.BatchOutput, error) {
	if err != nil || out == nil {
		return out, err
	}
	res := *out
	if res.Successful == nil {
		res.Successful = []queues.BatchIdEntry{}
	}
	if res.Failed == nil {
		res.Failed = []queues.BatchResultErrorEntry{}
	}
	return &res, nil
}

// receiveResult is ReceiveMessage's result as SQS's JSON protocol sends
// it: Messages is there, empty, when no message is.
type receiveResult struct {
	Messages []queues.Message `json:"Messages"`
}

func receiveMessage(api queues.API, ctx context.Context, in *queues.ReceiveMessageInput) (*receiveResult, error) {
	out, err := api.ReceiveMessage(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &receiveResult{Messages: []queues.Message{}}
	if out != nil && out.Messages != nil {
		res.Messages = out.Messages
	}
	return res, nil
}

func listDeadLetterSourceQueues(api queues.API, ctx context.Context, in *queues.ListDeadLetterSourceQueuesInput) (*queues.ListDeadLetterSourceQueuesOutput, error) {
	out, err := api.ListDeadLetterSourceQueues(ctx, in)
	if err != nil || out == nil {
		return out, err
	}
	res := *out
	if res.QueueUrls == nil {
		res.QueueUrls = []string{}
	}
	return &res, nil
}

// isSQSQuery reports whether a request that names no service is an SQS
// query request: a GET or form POST whose Action is an SQS operation. It
// reads no more of a body than it puts back.
func isSQSQuery(r *http.Request) bool {
	if a := r.URL.Query().Get("Action"); a != "" {
		_, ok := sqsOperations[a]
		return ok
	}
	if r.Method != http.MethodPost || mediaType(r) != "application/x-www-form-urlencoded" {
		return false
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxSQSRequest+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), r.Body), r.Body}
	if err != nil {
		return false
	}
	_, ok := sqsOperations[formAction(string(data))]
	return ok
}

// formAction returns the Action of a form without decoding all of it.
func formAction(form string) string {
	for form != "" {
		var pair string
		pair, form, _ = strings.Cut(form, "&")
		if k, v, _ := strings.Cut(pair, "="); k == "Action" {
			if a, err := url.QueryUnescape(v); err == nil {
				return a
			}
			return ""
		}
	}
	return ""
}
