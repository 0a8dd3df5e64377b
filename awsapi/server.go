// Package awsapi is eddy's HTTP edge: one handler that routes every request
// to its AWS service (by the SigV4 credential scope, then X-Amz-Target, then
// the path), decodes it in that service's wire protocol, calls the capability
// behind it through eddy's interfaces, and renders results and errors exactly
// as AWS does.
package awsapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/queues"
	sar "github.com/eddyserverless/eddy/serverlessrepo"
	"github.com/eddyserverless/eddy/stacks"
)

// Handler serves all of eddy's AWS APIs on one port.
type Handler struct {
	Functions eddy.FunctionService
	Versions  eddy.VersionService // versions, aliases and per-function settings; nil for none
	Code      eddy.CodeStore
	Invoker   eddy.Invoker
	Logs      eddy.LogService
	Tables    Tables     // nil for none
	Queues    queues.API // nil for none
	// Buckets serves S3; nil for none.
	Buckets buckets.API
	// S3Hosts are host names (without port) under which BUCKET.<host> names
	// a bucket (virtual-hosted style), besides localhost and any
	// BUCKET.s3.<anything>.
	S3Hosts []string
	// Mappings serves event source mappings; nil for none.
	Mappings eddy.EventSourceMappingService
	// Policies stores functions' resource-based policies; nil for none.
	Policies eddy.PolicyService
	// Params serves the parameter store (SSM); nil for none.
	Params ParamsAPI
	// Events serves EventBridge (buses, rules, targets, PutEvents) and
	// Scheduler serves EventBridge Scheduler; nil for none.
	Events    EventsAPI
	Scheduler SchedulerAPI
	// HTTPAPIs serves API Gateway v2 (HTTP APIs) and invokes them; RestAPIs
	// serves API Gateway's REST APIs and invokes them; FunctionURLs serves
	// Lambda function URLs' configuration and invokes them. nil for none.
	HTTPAPIs     HTTPAPIsAPI
	RestAPIs     RestAPIsAPI
	FunctionURLs FunctionURLsAPI
	// Stacks serves CloudFormation; nil for none.
	Stacks *stacks.Service
	// Repo serves the Serverless Application Repository; nil for none.
	Repo RepoAPI
	// Account is the account id in ARNs; Region is the default region for
	// requests that do not name one.
	Account string
	Region  string
	Logger  *slog.Logger
	// Health reports extra facts for /_eddy/health; nil for none.
	Health func(ctx context.Context) map[string]any
	// Extra serves paths under /_eddy/ that this package does not know.
	Extra http.Handler
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyRegion
)

func requestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

// regionOf returns the region a request is for.
func (h *Handler) regionOf(r *http.Request) string {
	if s, _ := r.Context().Value(keyRegion).(string); s != "" {
		return s
	}
	return h.Region
}

func itoa(n int) string { return strconv.Itoa(n) }

// ServeHTTP routes a request to its service.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	if h.Region == "" {
		h.Region = "us-east-1"
	}
	id := eddy.NewID()
	ctx := context.WithValue(r.Context(), keyRequestID, id)
	cred, signed := ParseCredential(r)
	if signed && cred.Region != "" {
		ctx = context.WithValue(ctx, keyRegion, cred.Region)
	}
	r = r.WithContext(ctx)
	w.Header().Set("X-Amzn-RequestId", id)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.Logger.Error("panic serving request", "request_id", id, "path", r.URL.Path, "panic", v)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "An internal error occurred."})
		}
	}()

	if kind, id, path, ok := invokeAddress(r); ok {
		h.serveInvokeAddress(w, r, kind, id, path)
		return
	}
	if b, website := bucketOfHost(r.Host, h.S3Hosts); website {
		h.serveWebsite(w, r, b, "", r.URL.Path)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_eddy/") {
		h.serveEddy(w, r)
		return
	}
	service := ""
	if signed {
		service = cred.Service
	}
	target := r.Header.Get("X-Amz-Target")
	if service == "" {
		switch {
		case strings.HasPrefix(target, "Logs_20140328."):
			service = "logs"
		case strings.HasPrefix(target, dynamoPrefix), strings.HasPrefix(target, streamsPrefix):
			service = "dynamodb"
		case strings.HasPrefix(r.URL.Path, "/2015-03-31/"), strings.HasPrefix(r.URL.Path, "/2014-11-13/"),
			strings.HasPrefix(r.URL.Path, "/2016-08-19/"), strings.HasPrefix(r.URL.Path, "/2017-03-31/"), strings.HasPrefix(r.URL.Path, "/2017-10-31/"),
			strings.HasPrefix(r.URL.Path, "/2019-09-25/"), strings.HasPrefix(r.URL.Path, "/2018-10-31/"),
			strings.HasPrefix(r.URL.Path, "/2019-09-30/"), strings.HasPrefix(r.URL.Path, "/2020-04-22/"),
			strings.HasPrefix(r.URL.Path, "/2020-06-30/"), strings.HasPrefix(r.URL.Path, "/2021-10-31/"):
			service = "lambda"
		case strings.HasPrefix(target, sqsTargetPrefix), isSQSQuery(r):
			service = "sqs"
		case strings.HasPrefix(target, "AmazonSSM."):
			service = "ssm"
		case strings.HasPrefix(target, "AWSEvents."):
			service = "events"
		case strings.HasPrefix(r.URL.Path, "/v2/apis"), strings.HasPrefix(r.URL.Path, "/restapis"):
			service = "apigateway"
		case strings.HasPrefix(r.URL.Path, "/schedules"), strings.HasPrefix(r.URL.Path, "/schedule-groups"):
			service = "scheduler"
		}
	}
	if service == "" && h.Buckets != nil {
		service = "s3" // S3 is what an unsigned request for nothing else is for
	}
	switch service {
	case "lambda":
		h.serveLambda(w, r)
	case "logs":
		h.serveLogs(w, r, target)
	case "dynamodb":
		h.serveDynamoDB(w, r, target)
	case "sqs":
		h.serveSQS(w, r, target)
	case "s3":
		h.serveS3(w, r)
	case "ssm":
		h.serveSSM(w, r, target)
	case "events":
		h.serveEvents(w, r, target)
	case "scheduler":
		h.serveScheduler(w, r)
	case "cloudformation":
		h.serveCloudFormation(w, r)
	case "serverlessrepo":
		h.serveServerlessRepo(w, r)
	case "apigateway":
		if strings.HasPrefix(r.URL.Path, "/v2/") {
			h.serveAPIGatewayV2(w, r)
		} else {
			h.serveAPIGateway(w, r)
		}
	default:
		unknownService(w, service)
	}
}

// unknownService answers a request for a service eddy does not provide.
func unknownService(w http.ResponseWriter, service string) {
	name := service
	if name == "" {
		name = "this request"
	}
	w.Header().Set("X-Amzn-ErrorType", "UnknownServiceException")
	writeJSON(w, http.StatusBadRequest, map[string]string{
		"__type":  "UnknownServiceException",
		"message": "eddy does not provide the service of " + name + " (yet).",
	})
}

// serveEddy serves eddy's own endpoints, under a path no AWS API uses.
func (h *Handler) serveEddy(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_eddy/health":
		body := map[string]any{"status": "ok", "time": time.Now().UTC().Format(time.RFC3339)}
		if h.Health != nil {
			for k, v := range h.Health(r.Context()) {
				body[k] = v
			}
		}
		writeJSON(w, http.StatusOK, body)
	case strings.HasPrefix(r.URL.Path, "/_eddy/code/") && r.Method == http.MethodGet:
		key := strings.TrimPrefix(r.URL.Path, "/_eddy/code/")
		rc, err := h.Code.OpenCode(r.Context(), key)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Type", "application/zip")
		_, _ = io.Copy(w, rc)
	case strings.HasPrefix(r.URL.Path, websitePathPrefix):
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, websitePathPrefix), "/")
		h.serveWebsite(w, r, bucket, websitePathPrefix+bucket, "/"+key)
	case h.Repo != nil && r.URL.Path == sar.SearchPath && r.Method == http.MethodGet:
		h.serveRepoSearch(w, r)
	case h.Repo != nil && isRepoPackagePath(r.URL.Path):
		h.serveRepoPackage(w, r)
	case h.Repo != nil && strings.HasPrefix(r.URL.Path, sar.CatalogPrefix):
		h.serveCatalog(w, r)
	case h.Repo != nil && isRepoSourcesPath(r.URL.Path):
		h.serveRepoSources(w, r)
	case h.Repo != nil && strings.HasPrefix(r.URL.Path, sar.PathPrefix) && r.Method == http.MethodGet:
		h.serveRepoTemplate(w, r)
	case h.Extra != nil:
		h.Extra.ServeHTTP(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
}

// readBody reads at most limit bytes of the request body; tooLarge is the
// error to return beyond that.
func readBody(r *http.Request, limit int64, tooLarge error) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, eddy.TypedErrorf(eddy.EMALFORMED, "InvalidRequestContentException", "Could not read the request body.")
	}
	if int64(len(data)) > limit {
		return nil, tooLarge
	}
	return data, nil
}

// decodeJSON decodes a request body into v; an empty body is an empty object.
func decodeJSON(data []byte, v any) error {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return eddy.TypedErrorf(eddy.EMALFORMED, "InvalidRequestContentException",
			"Could not parse request body into json: %s", jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a JSON decoding error without Go type names.
func jsonProblem(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return "Unexpected character at offset " + strconv.FormatInt(e.Offset, 10)
	case *json.UnmarshalTypeError:
		return "Cannot deserialize value of field '" + e.Field + "' from " + e.Value
	}
	return "malformed JSON"
}
