package awsapi

import (
	"context"
	"encoding/json"
	"errors"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables"
)

// Tables is eddy's DynamoDB as the edge uses it; tables.Service implements
// it. Its request and result types are DynamoDB's wire shapes.
type Tables interface {
	Streams

	CreateTable(context.Context, *tables.CreateTableInput) (*tables.TableOutput, error)
	DescribeTable(ctx context.Context, name string) (*tables.DescribeTableOutput, error)
	ListTables(context.Context, *tables.ListTablesInput) (*tables.ListTablesOutput, error)
	DeleteTable(ctx context.Context, name string) (*tables.TableOutput, error)
	UpdateTable(context.Context, *tables.UpdateTableInput) (*tables.TableOutput, error)
	UpdateTimeToLive(ctx context.Context, name string, spec tables.TimeToLiveSpecification) (*tables.TimeToLiveSpecification, error)
	DescribeTimeToLive(ctx context.Context, name string) (*tables.TimeToLiveDescription, error)
	TagResource(ctx context.Context, arn string, tags []tables.Tag) error
	UntagResource(ctx context.Context, arn string, keys []string) error
	ListTagsOfResource(ctx context.Context, arn string) ([]tables.Tag, error)

	PutItem(context.Context, *tables.PutItemInput) (*tables.ItemOutput, error)
	GetItem(context.Context, *tables.GetItemInput) (*tables.GetItemOutput, error)
	UpdateItem(context.Context, *tables.UpdateItemInput) (*tables.ItemOutput, error)
	DeleteItem(context.Context, *tables.DeleteItemInput) (*tables.ItemOutput, error)
	Query(context.Context, *tables.QueryInput) (*tables.QueryOutput, error)
	Scan(context.Context, *tables.QueryInput) (*tables.QueryOutput, error)
	BatchGetItem(context.Context, *tables.BatchGetItemInput) (*tables.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *tables.BatchWriteItemInput) (*tables.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *tables.TransactWriteItemsInput) (*tables.TransactWriteItemsOutput, error)
	TransactGetItems(context.Context, *tables.TransactGetItemsInput) (*tables.TransactGetItemsOutput, error)
}

const (
	dynamoContentType = "application/x-amz-json-1.0"
	dynamoPrefix      = "DynamoDB_20120810."
	streamsPrefix     = "DynamoDBStreams_20120810."
	// maxDynamoRequest is DynamoDB's request size limit.
	maxDynamoRequest = 16 << 20
)

// dynamoTypeStatus is the HTTP status of DynamoDB errors that are not 400.
var dynamoTypeStatus = map[string]int{
	"InternalServerError":       500,
	"ServiceUnavailable":        503,
	"RequestEntityTooLarge":     413,
	"UnknownOperationException": 400,
}

// dynamoErrors maps eddy's codes to DynamoDB's errors.
var dynamoErrors = map[string]errorClass{
	eddy.ENOTFOUND:  {400, "ResourceNotFoundException"},
	eddy.ECONFLICT:  {400, "ResourceInUseException"},
	eddy.EINVALID:   {400, "ValidationException"},
	eddy.EMALFORMED: {400, "SerializationException"},
	eddy.EVALIDATE:  {400, "ValidationException"},
	eddy.ETOOLARGE:  {413, "RequestEntityTooLarge"},
	eddy.ETHROTTLED: {400, "ThrottlingException"},
	eddy.EUNSUPPORT: {400, "UnknownOperationException"},
	eddy.EPRECOND:   {400, "ConditionalCheckFailedException"},
	eddy.EUNAVAIL:   {503, "ServiceUnavailable"},
	eddy.EINTERNAL:  {500, "InternalServerError"},
}

// dynamoNamespace is the namespace DynamoDB writes before an error type in
// __type.
func dynamoNamespace(typ string) string {
	switch typ {
	case "ValidationException":
		return "com.amazon.coral.validate#"
	case "SerializationException", "UnknownOperationException", "InternalFailure", "MissingAuthenticationTokenException":
		return "com.amazon.coral.service#"
	case "ThrottlingException":
		return "com.amazon.coral.availability#"
	}
	return "com.amazonaws.dynamodb.v20120810#"
}

// serveDynamoDB serves the DynamoDB and DynamoDB Streams JSON 1.0 APIs.
func (h *Handler) serveDynamoDB(w http.ResponseWriter, r *http.Request, target string) {
	if strings.HasPrefix(target, streamsPrefix) {
		h.serveDynamoDBStreams(w, r, target)
		return
	}
	op, ok := strings.CutPrefix(target, dynamoPrefix)
	if !ok || r.Method != http.MethodPost || h.Tables == nil {
		h.writeDynamoError(w, r, eddy.TypedErrorf(eddy.EUNSUPPORT, "UnknownOperationException", "Unknown operation %s", target))
		return
	}
	data, err := readBody(r, maxDynamoRequest, eddy.TypedErrorf(eddy.ETOOLARGE, "RequestEntityTooLarge", "Request size exceeds the limit of %d bytes", maxDynamoRequest))
	if err != nil {
		h.writeDynamoError(w, r, err)
		return
	}
	ctx := r.Context()
	t := h.Tables
	var out any
	switch op {
	case "CreateTable":
		out, err = dynamoCall(ctx, data, t.CreateTable)
	case "DescribeTable":
		out, err = dynamoCall(ctx, data, func(ctx context.Context, in *struct{ TableName string }) (any, error) {
			return t.DescribeTable(ctx, in.TableName)
		})
	case "ListTables":
		out, err = dynamoCall(ctx, data, t.ListTables)
	case "DeleteTable":
		out, err = dynamoCall(ctx, data, func(ctx context.Context, in *struct{ TableName string }) (any, error) {
			return t.DeleteTable(ctx, in.TableName)
		})
	case "UpdateTable":
		out, err = dynamoCall(ctx, data, t.UpdateTable)
	case "UpdateTimeToLive":
		out, err = dynamoCall(ctx, data, func(ctx context.Context, in *struct {
			TableName               string
			TimeToLiveSpecification *tables.TimeToLiveSpecification
		}) (any, error) {
			if in.TimeToLiveSpecification == nil {
				return nil, dynamoValidation("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null")
			}
			spec, err := t.UpdateTimeToLive(ctx, in.TableName, *in.TimeToLiveSpecification)
			if err != nil {
				return nil, err
			}
			return map[string]any{"TimeToLiveSpecification": spec}, nil
		})
	case "DescribeTimeToLive":
		out, err = dynamoCall(ctx, data, func(ctx context.Context, in *struct{ TableName string }) (any, error) {
			d, err := t.DescribeTimeToLive(ctx, in.TableName)
			if err != nil {
				return nil, err
			}
			return map[string]any{"TimeToLiveDescription": d}, nil
		})
	case "TagResource":
		out, err = dynamoCall(ctx, data, func(ctx context.Context, in *struct {
			ResourceArn string
			Tags        []tables.Tag
		}) (any, error) {
			return struct{}{}, t.TagResource(ctx, in.ResourceArn, in.Tags)
		})
	case "UntagResource":
		out, err = dynamoCall(ctx, data, func(ctx context.Context, in *struct {
			ResourceArn string
			TagKeys     []string
		}) (any, error) {
			return struct{}{}, t.UntagResource(ctx, in.ResourceArn, in.TagKeys)
		})
	case "ListTagsOfResource":
		out, err = dynamoCall(ctx, data, func(ctx context.Context, in *struct {
			ResourceArn string
			NextToken   string
		}) (any, error) {
			tags, err := t.ListTagsOfResource(ctx, in.ResourceArn)
			if err != nil {
				return nil, err
			}
			return map[string]any{"Tags": tags}, nil
		})
	case "DescribeEndpoints":
		out = map[string]any{"Endpoints": []map[string]any{{"Address": r.Host, "CachePeriodInMinutes": 1440}}}
	case "DescribeLimits":
		out = map[string]int{"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
			"TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}
	case "PutItem":
		out, err = dynamoCall(ctx, data, t.PutItem)
	case "GetItem":
		out, err = dynamoCall(ctx, data, t.GetItem)
	case "UpdateItem":
		out, err = dynamoCall(ctx, data, t.UpdateItem)
	case "DeleteItem":
		out, err = dynamoCall(ctx, data, t.DeleteItem)
	case "Query":
		out, err = dynamoCall(ctx, data, t.Query)
	case "Scan":
		out, err = dynamoCall(ctx, data, t.Scan)
	case "BatchGetItem":
		out, err = dynamoCall(ctx, data, t.BatchGetItem)
	case "BatchWriteItem":
		out, err = dynamoCall(ctx, data, t.BatchWriteItem)
	case "TransactWriteItems":
		out, err = dynamoCall(ctx, data, t.TransactWriteItems)
	case "TransactGetItems":
		out, err = dynamoCall(ctx, data, t.TransactGetItems)
	default:
		err = eddy.TypedErrorf(eddy.EUNSUPPORT, "UnknownOperationException", "The operation %s is not supported by eddy", op)
	}
	if err != nil {
		h.writeDynamoError(w, r, err)
		return
	}
	writeDynamo(w, http.StatusOK, out)
}

// dynamoCall decodes a request body into fn's input and calls it.
func dynamoCall[I, O any](ctx context.Context, data []byte, fn func(context.Context, *I) (O, error)) (any, error) {
	in := new(I)
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := json.Unmarshal(data, in); err != nil {
			if eddy.AsError(err) != nil {
				return nil, err // a validation error of an attribute value
			}
			return nil, eddy.TypedErrorf(eddy.EMALFORMED, "SerializationException", "%s", dynamoJSONProblem(err))
		}
	}
	return fn(ctx, in)
}

func dynamoJSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "Unexpected value type in payload for field " + te.Field
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "Unexpected character at offset " + strconv.FormatInt(se.Offset, 10)
	}
	return "Start of structure or map found where not expected"
}

func dynamoValidation(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

// writeDynamo writes a JSON 1.0 result with the CRC32 checksum header that
// DynamoDB sends and its clients verify.
func writeDynamo(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		data, status = []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}`), 500
	}
	w.Header().Set("Content-Type", dynamoContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(data)), 10))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeDynamoError renders err as DynamoDB does.
func (h *Handler) writeDynamoError(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, msg := classify(err, dynamoErrors, dynamoTypeStatus)
	h.logError(r, err, status)
	if status >= 500 {
		msg = "Internal server error"
	}
	body := map[string]any{"__type": dynamoNamespace(typ) + typ, "message": msg}
	var cf *tables.CheckFailed
	if errors.As(err, &cf) && cf.Item != nil {
		body["Item"] = cf.Item
	}
	var tc *tables.TransactionCanceled
	if errors.As(err, &tc) {
		delete(body, "message")
		body["Message"] = msg
		body["CancellationReasons"] = tc.Reasons
	}
	writeDynamo(w, status, body)
}
