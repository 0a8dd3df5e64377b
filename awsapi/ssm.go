package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/params"
)

// ParamsAPI is the service behind this part of the edge: SSM's parameter
// store; params.Service implements it. Each operation takes the region of
// the request; its inputs and outputs are SSM's wire shapes.
type ParamsAPI interface {
	PutParameter(ctx context.Context, region string, in *params.PutParameterInput) (*params.PutParameterOutput, error)
	GetParameter(ctx context.Context, region string, in *params.GetParameterInput) (*params.GetParameterOutput, error)
	GetParameters(ctx context.Context, region string, in *params.GetParametersInput) (*params.GetParametersOutput, error)
	GetParametersByPath(ctx context.Context, region string, in *params.GetParametersByPathInput) (*params.GetParametersByPathOutput, error)
	DeleteParameter(ctx context.Context, region string, in *params.DeleteParameterInput) (*params.Empty, error)
	DeleteParameters(ctx context.Context, region string, in *params.DeleteParametersInput) (*params.DeleteParametersOutput, error)
	DescribeParameters(ctx context.Context, region string, in *params.DescribeParametersInput) (*params.DescribeParametersOutput, error)
	GetParameterHistory(ctx context.Context, region string, in *params.GetParameterHistoryInput) (*params.GetParameterHistoryOutput, error)
	LabelParameterVersion(ctx context.Context, region string, in *params.LabelParameterVersionInput) (*params.LabelParameterVersionOutput, error)
	UnlabelParameterVersion(ctx context.Context, region string, in *params.UnlabelParameterVersionInput) (*params.UnlabelParameterVersionOutput, error)
	AddTagsToResource(ctx context.Context, region string, in *params.AddTagsToResourceInput) (*params.Empty, error)
	RemoveTagsFromResource(ctx context.Context, region string, in *params.RemoveTagsFromResourceInput) (*params.Empty, error)
	ListTagsForResource(ctx context.Context, region string, in *params.ListTagsForResourceInput) (*params.ListTagsForResourceOutput, error)
}

var _ ParamsAPI = (*params.Service)(nil)

const (
	ssmTargetPrefix = "AmazonSSM."
	ssmContentType  = "application/x-amz-json-1.1"
	// maxSSMRequest bounds a request body: a value is at most 8 KB, which
	// JSON escaping can make six times longer, and a request may carry up
	// to 1,000 tags.
	maxSSMRequest = 1 << 20
)

// ssmOperation decodes one operation's input and calls the service.
type ssmOperation func(h *Handler, ctx context.Context, region string, body []byte) (any, error)

// ssmCall returns the operation that decodes a body into I and calls fn.
func ssmCall[I, O any](fn func(ParamsAPI, context.Context, string, *I) (O, error)) ssmOperation {
	return func(h *Handler, ctx context.Context, region string, body []byte) (any, error) {
		in := new(I)
		if err := decodeSSM(body, in); err != nil {
			return nil, err
		}
		return fn(h.Params, ctx, region, in)
	}
}

var ssmOperations = map[string]ssmOperation{
	"PutParameter":            ssmCall(ParamsAPI.PutParameter),
	"GetParameter":            ssmCall(ParamsAPI.GetParameter),
	"GetParameters":           ssmCall(ParamsAPI.GetParameters),
	"GetParametersByPath":     ssmCall(ParamsAPI.GetParametersByPath),
	"DeleteParameter":         ssmCall(ParamsAPI.DeleteParameter),
	"DeleteParameters":        ssmCall(ParamsAPI.DeleteParameters),
	"DescribeParameters":      ssmCall(ParamsAPI.DescribeParameters),
	"GetParameterHistory":     ssmCall(ParamsAPI.GetParameterHistory),
	"LabelParameterVersion":   ssmCall(ParamsAPI.LabelParameterVersion),
	"UnlabelParameterVersion": ssmCall(ParamsAPI.UnlabelParameterVersion),
	"AddTagsToResource":       ssmCall(ParamsAPI.AddTagsToResource),
	"RemoveTagsFromResource":  ssmCall(ParamsAPI.RemoveTagsFromResource),
	"ListTagsForResource":     ssmCall(ParamsAPI.ListTagsForResource),
}

// decodeSSM decodes a request body as SSM does: an empty body is an empty
// input; anything but a JSON object of the right member types is a
// SerializationException.
func decodeSSM(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return ssmSerialization("Start of structure or map found where not expected.")
	}
	if err := json.Unmarshal(body, in); err != nil {
		return ssmSerialization(jsonProblem(err))
	}
	return nil
}

func ssmSerialization(msg string) error {
	return eddy.TypedErrorf(eddy.EMALFORMED, "SerializationException", "%s", msg)
}

// serveSSM serves SSM's parameter store in the AWS JSON 1.1 protocol.
func (h *Handler) serveSSM(w http.ResponseWriter, r *http.Request, target string) {
	name, ok := strings.CutPrefix(target, ssmTargetPrefix)
	op := ssmOperations[name]
	if !ok || op == nil || r.Method != http.MethodPost {
		h.writeSSMError(w, r, eddy.TypedErrorf(eddy.EUNSUPPORT, "UnknownOperationException", "The operation %s is not supported by eddy's SSM.", strings.TrimPrefix(target, ssmTargetPrefix)))
		return
	}
	if h.Params == nil {
		unknownService(w, "ssm")
		return
	}
	body, err := readBody(r, maxSSMRequest, eddy.TypedErrorf(eddy.ETOOLARGE, "ValidationException", "The request is larger than %d bytes.", maxSSMRequest))
	if err != nil {
		h.writeSSMError(w, r, err)
		return
	}
	out, err := op(h, r.Context(), h.regionOf(r), body)
	if err != nil {
		h.writeSSMError(w, r, err)
		return
	}
	writeJSONTyped(w, http.StatusOK, out, ssmContentType)
}

// ssmMessageMember is the member that holds the message of the error
// shapes that spell it "Message"; the others spell it "message".
var ssmMessageMember = map[string]string{
	"InternalServerError": "Message",
	"TooManyUpdates":      "Message",
	"InvalidFilterValue":  "Message",
	"InvalidNextToken":    "Message",
}

// writeSSMError renders err as SSM does: {"__type": code, "message": …},
// status 400 for a client's fault and 500 for eddy's.
func (h *Handler) writeSSMError(w http.ResponseWriter, r *http.Request, err error) {
	status, typ := http.StatusBadRequest, "InternalServerError"
	msg := "An internal error occurred."
	e := eddy.AsError(err)
	switch {
	case e != nil && e.Type == "InternalServerError":
		status, msg = http.StatusInternalServerError, e.Message
	case e != nil && e.Type != "":
		typ, msg = e.Type, e.Message
	case e != nil && e.Code == eddy.EUNAVAIL:
		status, typ = http.StatusServiceUnavailable, "ServiceUnavailable"
	default:
		status = http.StatusInternalServerError
	}
	if e != nil && e.Code == eddy.ETOOLARGE {
		status = http.StatusRequestEntityTooLarge
	}
	h.logError(r, err, status)
	member := ssmMessageMember[typ]
	if member == "" {
		member = "message"
	}
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSONTyped(w, status, map[string]string{"__type": typ, member: msg}, ssmContentType)
}
