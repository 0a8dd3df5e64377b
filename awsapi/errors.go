package awsapi

import (
	"encoding/json"
	"net/http"

	"github.com/eddyserverless/eddy"
)

// errorClass is how one protocol family renders one eddy error code.
type errorClass struct {
	Status int
	Type   string
}

// lambdaErrors maps eddy's codes to Lambda's REST-JSON errors.
var lambdaErrors = map[string]errorClass{
	eddy.ENOTFOUND:  {404, "ResourceNotFoundException"},
	eddy.ECONFLICT:  {409, "ResourceConflictException"},
	eddy.EINVALID:   {400, "InvalidParameterValueException"},
	eddy.EMALFORMED: {400, "InvalidRequestContentException"},
	eddy.EVALIDATE:  {400, "ValidationException"},
	eddy.ETOOLARGE:  {413, "RequestTooLargeException"},
	eddy.ETHROTTLED: {429, "TooManyRequestsException"},
	eddy.EUNSUPPORT: {400, "InvalidParameterValueException"},
	eddy.EPRECOND:   {412, "PreconditionFailedException"},
	eddy.EUNAVAIL:   {503, "ServiceException"},
	eddy.EINTERNAL:  {500, "ServiceException"},
}

// lambdaTypeStatus is the HTTP status of each Lambda error type, from the
// service model, for errors that name their type.
var lambdaTypeStatus = map[string]int{
	"InvalidRuntimeException":                       502,
	"InvalidZipFileException":                       502,
	"ResourceNotReadyException":                     502,
	"RequestTooLargeException":                      413,
	"SerializedRequestEntityTooLargeException":      413,
	"RequestEntityTooLargeException":                413,
	"UnsupportedMediaTypeException":                 415,
	"PreconditionFailedException":                   412,
	"ProvisionedConcurrencyConfigNotFoundException": 404,
	"ResourceNotFoundException":                     404,
	"ResourceConflictException":                     409,
	"ResourceInUseException":                        400,
	"TooManyRequestsException":                      429,
	"UnknownOperationException":                     404,
}

// jsonErrors maps eddy's codes to the errors of JSON-protocol services
// (CloudWatch Logs and, later, DynamoDB and SQS), where client faults are 400.
var jsonErrors = map[string]errorClass{
	eddy.ENOTFOUND:  {400, "ResourceNotFoundException"},
	eddy.ECONFLICT:  {400, "ResourceAlreadyExistsException"},
	eddy.EINVALID:   {400, "InvalidParameterException"},
	eddy.EMALFORMED: {400, "SerializationException"},
	eddy.EVALIDATE:  {400, "ValidationException"},
	eddy.ETOOLARGE:  {413, "RequestEntityTooLarge"},
	eddy.ETHROTTLED: {400, "ThrottlingException"},
	eddy.EUNSUPPORT: {400, "InvalidOperationException"},
	eddy.EPRECOND:   {400, "InvalidParameterException"},
	eddy.EUNAVAIL:   {503, "ServiceUnavailableException"},
	eddy.EINTERNAL:  {500, "ServiceUnavailableException"},
}

// classify returns the status, type and client message of err for a table.
func classify(err error, table map[string]errorClass, typeStatus map[string]int) (int, string, string) {
	code := eddy.ErrorCode(err)
	c, ok := table[code]
	if !ok {
		c = table[eddy.EINTERNAL]
	}
	status, typ := c.Status, c.Type
	if e := eddy.AsError(err); e != nil && e.Type != "" {
		typ = e.Type
		if s, ok := typeStatus[e.Type]; ok {
			status = s
		}
	}
	return status, typ, eddy.ErrorMessage(err)
}

// writeLambdaError renders err as Lambda's REST-JSON protocol does.
func (h *Handler) writeLambdaError(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, msg := classify(err, lambdaErrors, lambdaTypeStatus)
	h.logError(r, err, status)
	body := map[string]any{"Type": "User", "message": msg}
	if status >= 500 {
		body["Type"] = "Service"
	}
	if e := eddy.AsError(err); e != nil && e.Reason != "" {
		body["Reason"] = e.Reason
	}
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSON(w, status, body)
}

// writeJSONError renders err as the AWS JSON protocols (1.0 and 1.1) do.
func (h *Handler) writeJSONError(w http.ResponseWriter, r *http.Request, err error, contentType string) {
	status, typ, msg := classify(err, jsonErrors, nil)
	h.logError(r, err, status)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func (h *Handler) logError(r *http.Request, err error, status int) {
	if status >= 500 {
		h.Logger.Error("request failed", "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		h.Logger.Debug("request rejected", "request_id", requestID(r.Context()), "status", status, "err", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONTyped(w, status, v, "application/json")
}

func writeJSONTyped(w http.ResponseWriter, status int, v any, contentType string) {
	w.Header().Set("Content-Type", contentType)
	data, err := json.Marshal(v)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Length", itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
