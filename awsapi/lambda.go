package awsapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
)

// Lambda request bodies are limited as Lambda limits them: a deployment
// package of 50 MB arrives base64-encoded.
const (
	maxCodeRequest   = 69905067
	maxConfigRequest = 1 << 20
)

// serveLambda routes the Lambda REST-JSON API.
func (h *Handler) serveLambda(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 {
		h.lambdaUnknown(w, r)
		return
	}
	ver, res, rest := parts[0], parts[1], parts[2:]
	m := r.Method
	switch {
	case ver == "2021-10-31" && res == "functions" && len(rest) == 2 && (rest[1] == "url" || rest[1] == "urls"):
		h.serveFunctionURLConfig(w, r, rest[0], rest[1])
	case ver == "2015-03-31" && res == "functions":
		switch {
		case len(rest) == 0 || (len(rest) == 1 && rest[0] == ""):
			switch m {
			case http.MethodPost:
				h.createFunction(w, r)
			case http.MethodGet:
				h.listFunctions(w, r)
			default:
				h.lambdaUnknown(w, r)
			}
		case len(rest) == 1:
			switch m {
			case http.MethodGet:
				h.getFunction(w, r, rest[0])
			case http.MethodDelete:
				h.deleteFunction(w, r, rest[0])
			default:
				h.lambdaUnknown(w, r)
			}
		case len(rest) == 2 && rest[1] == "configuration" && m == http.MethodGet:
			h.getFunctionConfiguration(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "configuration" && m == http.MethodPut:
			h.updateFunctionConfiguration(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "code" && m == http.MethodPut:
			h.updateFunctionCode(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "invocations" && m == http.MethodPost:
			h.invoke(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "versions" && m == http.MethodPost:
			h.publishVersion(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "versions" && m == http.MethodGet:
			h.listVersions(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "aliases" && m == http.MethodPost:
			h.createAlias(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "aliases" && m == http.MethodGet:
			h.listAliases(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "policy" && m == http.MethodPost:
			h.addPermission(w, r, rest[0])
		case len(rest) == 2 && rest[1] == "policy" && m == http.MethodGet:
			h.getPolicy(w, r, rest[0])
		case len(rest) == 3 && rest[1] == "policy" && m == http.MethodDelete:
			h.removePermission(w, r, rest[0], rest[2])
		case len(rest) == 3 && rest[1] == "aliases":
			switch m {
			case http.MethodGet:
				h.getAlias(w, r, rest[0], rest[2])
			case http.MethodPut:
				h.updateAlias(w, r, rest[0], rest[2])
			case http.MethodDelete:
				h.deleteAlias(w, r, rest[0], rest[2])
			default:
				h.lambdaUnknown(w, r)
			}
		default:
			h.lambdaUnknown(w, r)
		}
	case ver == "2015-03-31" && res == "event-source-mappings":
		h.serveMappings(w, r, rest)
	case (ver == "2017-10-31" || ver == "2019-09-30") && res == "functions" && len(rest) == 2 && rest[1] == "concurrency":
		h.concurrency(w, r, rest[0])
	case ver == "2019-09-25" && res == "functions" && len(rest) == 2 && rest[1] == "event-invoke-config":
		h.eventInvokeConfig(w, r, rest[0])
	case ver == "2019-09-25" && res == "functions" && len(rest) == 3 && rest[1] == "event-invoke-config" && rest[2] == "list" && m == http.MethodGet:
		h.listEventInvokeConfigs(w, r, rest[0])
	case ver == "2019-09-30" && res == "functions" && len(rest) == 2 && rest[1] == "provisioned-concurrency":
		h.provisionedConcurrency(w, r, rest[0])
	case ver == "2014-11-13" && res == "functions" && len(rest) >= 2 && rest[1] == "invoke-async" && m == http.MethodPost:
		h.invokeAsync(w, r, rest[0])
	case ver == "2017-03-31" && res == "tags" && len(rest) == 1:
		h.tags(w, r, rest[0])
	case ver == "2016-08-19" && res == "account-settings":
		h.accountSettings(w, r)
	default:
		h.lambdaUnknown(w, r)
	}
}

func (h *Handler) lambdaUnknown(w http.ResponseWriter, r *http.Request) {
	h.writeLambdaError(w, r, eddy.TypedErrorf(eddy.ENOTFOUND, "UnknownOperationException",
		"Unknown operation %s %s", r.Method, r.URL.Path))
}

// functionRef resolves a FunctionName path member to a plain name and a
// qualifier, refusing ARNs of another region or account.
func (h *Handler) functionRef(r *http.Request, raw string) (eddy.FunctionRef, error) {
	ref, err := eddy.ParseFunctionRef(raw, "functionName")
	if err != nil {
		return ref, err
	}
	region := h.regionOf(r)
	if ref.Region != "" && ref.Region != region {
		return ref, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
			"Region %s in the function ARN does not match the region of the request, %s.", ref.Region, region)
	}
	if ref.Account != "" && ref.Account != h.Account {
		return ref, eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException",
			"Function not found: %s", eddy.FunctionARN(region, ref.Account, ref.Name))
	}
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		if len(q) > 128 || !qualifierPattern.MatchString(q) {
			return ref, eddy.ValidationError(q, "qualifier", `Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`)
		}
		if ref.Qualifier != "" && ref.Qualifier != q {
			return ref, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
				"The derived qualifier from the function name does not match the specified qualifier.")
		}
		ref.Qualifier = q
	}
	return ref, nil
}

// qualifierPattern is the Qualifier query member's pattern in Lambda's model.
var qualifierPattern = regexp.MustCompile(`^(\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+)$`)

// Wire shapes of the Lambda API.

type environment struct {
	Variables map[string]string `json:"Variables"`
}

type functionCode struct {
	ZipFile         []byte `json:"ZipFile"`
	S3Bucket        string `json:"S3Bucket"`
	S3Key           string `json:"S3Key"`
	S3ObjectVersion string `json:"S3ObjectVersion"`
	ImageURI        string `json:"ImageUri"`
}

type createFunctionRequest struct {
	FunctionName     string                      `json:"FunctionName"`
	Runtime          string                      `json:"Runtime"`
	Role             string                      `json:"Role"`
	Handler          string                      `json:"Handler"`
	Code             *functionCode               `json:"Code"`
	Description      string                      `json:"Description"`
	Timeout          *int                        `json:"Timeout"`
	MemorySize       *int                        `json:"MemorySize"`
	Publish          bool                        `json:"Publish"`
	PackageType      string                      `json:"PackageType"`
	Environment      *environment                `json:"Environment"`
	Tags             map[string]string           `json:"Tags"`
	Architectures    []string                    `json:"Architectures"`
	EphemeralStorage *struct{ Size int }         `json:"EphemeralStorage"`
	TracingConfig    *struct{ Mode string }      `json:"TracingConfig"`
	DeadLetterConfig *struct{ TargetArn string } `json:"DeadLetterConfig"`
	KMSKeyArn        string                      `json:"KMSKeyArn"`
	Layers           []string                    `json:"Layers"`
	LoggingConfig    *loggingConfig              `json:"LoggingConfig"`
}

type loggingConfig struct {
	LogFormat string `json:"LogFormat,omitempty"`
	LogGroup  string `json:"LogGroup,omitempty"`
}

type functionConfiguration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	Environment      *environment      `json:"Environment,omitempty"`
	TracingConfig    map[string]string `json:"TracingConfig"`
	DeadLetterConfig map[string]string `json:"DeadLetterConfig,omitempty"`
	KMSKeyArn        string            `json:"KMSKeyArn,omitempty"`
	Layers           []map[string]any  `json:"Layers,omitempty"`
	RevisionID       string            `json:"RevisionId"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus,omitempty"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage map[string]int    `json:"EphemeralStorage"`
	SnapStart        map[string]string `json:"SnapStart"`
	LoggingConfig    loggingConfig     `json:"LoggingConfig"`
}

// lastModified is Lambda's timestamp format, e.g. 2026-11-22T10:54:53.123+0000.
const lastModified = "2006-01-02T15:04:05.000-0700"

// published reports whether fn is a published version rather than $LATEST.
func published(fn *eddy.Function) bool {
	return fn.Version != "" && fn.Version != eddy.LatestVersion
}

// toConfiguration renders a function's configuration; the FunctionArn of a
// published version is qualified with its number.
func toConfiguration(fn *eddy.Function) *functionConfiguration {
	if published(fn) {
		return toConfigurationAt(fn, fn.Version)
	}
	return toConfigurationAt(fn, "")
}

// toConfigurationAt renders a function's configuration with its FunctionArn
// qualified by qualifier, unless that is empty.
func toConfigurationAt(fn *eddy.Function, qualifier string) *functionConfiguration {
	arn := fn.ARN()
	if qualifier != "" {
		arn += ":" + qualifier
	}
	c := &functionConfiguration{
		FunctionName: fn.Name, FunctionArn: arn, Runtime: fn.Runtime, Role: fn.Role, Handler: fn.Handler,
		CodeSize: fn.CodeSize, Description: fn.Description, Timeout: fn.Timeout, MemorySize: fn.MemorySize,
		LastModified: fn.LastModified.UTC().Format(lastModified), CodeSha256: fn.CodeSha256, Version: fn.Version,
		TracingConfig: map[string]string{"Mode": fn.TracingMode}, KMSKeyArn: fn.KMSKeyArn,
		RevisionID: fn.RevisionID, State: "Active", LastUpdateStatus: "Successful", PackageType: fn.PackageType,
		Architectures: fn.Architectures, EphemeralStorage: map[string]int{"Size": fn.EphemeralStorage},
		SnapStart:     map[string]string{"ApplyOn": "None", "OptimizationStatus": "Off"},
		LoggingConfig: loggingConfig{LogFormat: fn.LogFormat, LogGroup: fn.LogGroupName()},
	}
	if c.Version == "" {
		c.Version = eddy.LatestVersion
	}
	if published(fn) {
		c.LastUpdateStatus = "" // a published version never updates
	}
	if len(fn.Environment) > 0 {
		c.Environment = &environment{Variables: fn.Environment}
	}
	if fn.DeadLetterTarget != "" {
		c.DeadLetterConfig = map[string]string{"TargetArn": fn.DeadLetterTarget}
	}
	for _, l := range fn.Layers {
		c.Layers = append(c.Layers, map[string]any{"Arn": l, "CodeSize": 0})
	}
	return c
}

// maxS3Package bounds a deployment package read from S3. Lambda's 50 MB
// limit on a zipped package applies to one uploaded directly; from S3 only
// the 250 MB limit on the unzipped package does (functions.CheckZip counts
// that by decompressing). A zip is not smaller than what it stores by more
// than its headers, so an object above this size cannot pass and is refused
// before it is read.
const maxS3Package = 262144000

// zipOf returns the package of a Code member: its ZipFile, or the object
// its S3Bucket and S3Key name in eddy's S3, refusing sources eddy cannot
// read.
func (h *Handler) zipOf(ctx context.Context, c *functionCode) ([]byte, error) {
	switch {
	case c == nil:
		return nil, eddy.ValidationError("null", "code", "Member must not be null")
	case c.ImageURI != "":
		return nil, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
			"Container image functions are not supported by eddy; use a .zip file archive.")
	case c.S3Bucket != "" || c.S3Key != "":
		return h.zipFromS3(ctx, c)
	case len(c.ZipFile) == 0:
		return nil, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Please provide a source for function code.")
	}
	return c.ZipFile, nil
}

// zipFromS3 reads a deployment package from eddy's S3. S3's errors reach
// the client as Lambda reports them: InvalidParameterValueException with
// S3's code and message.
func (h *Handler) zipFromS3(ctx context.Context, c *functionCode) ([]byte, error) {
	if h.Buckets == nil || c.S3Bucket == "" || c.S3Key == "" {
		return nil, s3CodeError("NoSuchBucket", "The specified bucket does not exist")
	}
	// Buckets are unversioned: the one version of an object is "null".
	if c.S3ObjectVersion != "" && c.S3ObjectVersion != "null" {
		return nil, s3CodeError("NoSuchVersion", "The specified version does not exist.")
	}
	out, err := h.Buckets.GetObject(ctx, &buckets.GetObjectInput{Bucket: c.S3Bucket, Key: c.S3Key})
	if err != nil {
		if e := eddy.AsError(err); e != nil && e.Type != "" && eddy.ErrorCode(err) != eddy.EINTERNAL {
			return nil, s3CodeError(e.Type, e.Message)
		}
		return nil, fmt.Errorf("code from s3: %w", err)
	}
	defer out.Body.Close()
	if out.Size > maxS3Package {
		return nil, errS3PackageSize()
	}
	data, err := io.ReadAll(io.LimitReader(out.Body, maxS3Package+1))
	if err != nil {
		return nil, fmt.Errorf("code from s3: %w", err)
	}
	if len(data) > maxS3Package {
		return nil, errS3PackageSize()
	}
	return data, nil
}

func s3CodeError(code, message string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
		"Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", code, message)
}

func errS3PackageSize() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
		"Unzipped size must be smaller than %d bytes", maxS3Package)
}

func codeTooLarge(op string) error {
	return eddy.TypedErrorf(eddy.ETOOLARGE, "RequestEntityTooLargeException",
		"Request must be smaller than %d bytes for the %s operation", maxCodeRequest, op)
}

func (h *Handler) createFunction(w http.ResponseWriter, r *http.Request) {
	data, err := readBody(r, maxCodeRequest, codeTooLarge("CreateFunction"))
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	var in createFunctionRequest
	if err := decodeJSON(data, &in); err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	ref, err := eddy.ParseFunctionRef(in.FunctionName, "functionName")
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	fn := eddy.Function{
		Name: ref.Name, Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		PackageType: in.PackageType, Tags: in.Tags, Architectures: in.Architectures, KMSKeyArn: in.KMSKeyArn,
		Layers: in.Layers,
	}
	if in.Timeout != nil {
		fn.Timeout = *in.Timeout
		if fn.Timeout == 0 {
			fn.Timeout = -1 // explicitly zero: invalid, not the default
		}
	}
	if in.MemorySize != nil {
		fn.MemorySize = *in.MemorySize
		if fn.MemorySize == 0 {
			fn.MemorySize = -1
		}
	}
	if in.Environment != nil {
		fn.Environment = in.Environment.Variables
	}
	if in.EphemeralStorage != nil {
		fn.EphemeralStorage = in.EphemeralStorage.Size
		if fn.EphemeralStorage == 0 {
			fn.EphemeralStorage = -1
		}
	}
	if in.TracingConfig != nil {
		fn.TracingMode = in.TracingConfig.Mode
	}
	if in.DeadLetterConfig != nil {
		fn.DeadLetterTarget = in.DeadLetterConfig.TargetArn
	}
	if in.LoggingConfig != nil {
		fn.LogFormat, fn.LogGroup = in.LoggingConfig.LogFormat, in.LoggingConfig.LogGroup
	}
	if in.PackageType == "Image" {
		h.writeLambdaError(w, r, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
			"Container image functions are not supported by eddy; use a .zip file archive."))
		return
	}
	zip, err := h.zipOf(r.Context(), in.Code)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	out, err := h.Functions.CreateFunction(r.Context(), h.regionOf(r), &eddy.CreateFunctionInput{Function: fn, ZipFile: zip, Publish: in.Publish})
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toConfiguration(out))
}

func (h *Handler) getFunction(w http.ResponseWriter, r *http.Request, raw string) {
	fn, ref, ok := h.lookupFunction(w, r, raw)
	if !ok {
		return
	}
	ctx, region := r.Context(), h.regionOf(r)
	body := map[string]any{
		"Configuration": toConfigurationAt(fn, ref.Qualifier),
		"Code": map[string]string{
			"RepositoryType": "S3",
			"Location":       "http://" + r.Host + "/_eddy/code/" + fn.CodeKey,
		},
	}
	// Tags and reserved concurrency belong to the function, not a version.
	tags := fn.Tags
	if ref.Qualifier != "" {
		latest, err := h.Functions.GetFunction(ctx, region, ref.Name)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		tags = latest.Tags
	}
	if len(tags) > 0 {
		body["Tags"] = tags
	}
	if h.Versions != nil {
		n, err := h.Versions.GetFunctionConcurrency(ctx, region, ref.Name)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		if n != nil {
			body["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": *n}
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// lookupFunction resolves a FunctionName and Qualifier to the function
// version they name: $LATEST, a published version, or an alias's primary
// version.
func (h *Handler) lookupFunction(w http.ResponseWriter, r *http.Request, raw string) (*eddy.Function, eddy.FunctionRef, bool) {
	ref, err := h.functionRef(r, raw)
	var fn *eddy.Function
	if err == nil {
		fn, err = h.functionAt(r.Context(), h.regionOf(r), ref)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return nil, ref, false
	}
	return fn, ref, true
}

// functionAt returns the function version a reference names.
func (h *Handler) functionAt(ctx context.Context, region string, ref eddy.FunctionRef) (*eddy.Function, error) {
	if ref.Qualifier == "" {
		return h.Functions.GetFunction(ctx, region, ref.Name)
	}
	if h.Versions == nil {
		if ref.Qualifier == eddy.LatestVersion {
			return h.Functions.GetFunction(ctx, region, ref.Name)
		}
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException",
			"Function not found: %s:%s", eddy.FunctionARN(region, h.Account, ref.Name), ref.Qualifier)
	}
	return h.Versions.GetFunctionVersion(ctx, region, ref.Name, ref.Qualifier)
}

func (h *Handler) getFunctionConfiguration(w http.ResponseWriter, r *http.Request, raw string) {
	fn, ref, ok := h.lookupFunction(w, r, raw)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, toConfigurationAt(fn, ref.Qualifier))
}

func (h *Handler) listFunctions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	max := 50
	if s := q.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			h.writeLambdaError(w, r, eddy.ValidationError(s, "maxItems", "Member must have value between 1 and 10000"))
			return
		}
		max = n
	}
	var out []*functionConfiguration
	var next string
	switch v := q.Get("FunctionVersion"); v {
	case "":
		fns, marker, err := h.Functions.ListFunctions(r.Context(), h.regionOf(r), q.Get("Marker"), max)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		out = make([]*functionConfiguration, 0, len(fns))
		for _, fn := range fns {
			out = append(out, toConfiguration(fn))
		}
		next = marker
	case "ALL":
		page, marker, err := h.listAllVersions(r.Context(), h.regionOf(r), q.Get("Marker"), max)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		out, next = page, marker
	default:
		h.writeLambdaError(w, r, eddy.ValidationError(v, "functionVersion", "Member must satisfy enum value set: [ALL]"))
		return
	}
	if out == nil {
		out = []*functionConfiguration{}
	}
	body := map[string]any{"Functions": out}
	if next != "" {
		body["NextMarker"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

// deleteFunction deletes a function with everything it has, or with a
// Qualifier one published version.
func (h *Handler) deleteFunction(w http.ResponseWriter, r *http.Request, raw string) {
	ref, err := h.functionRef(r, raw)
	if err == nil {
		switch {
		case ref.Qualifier == "":
			err = h.Functions.DeleteFunction(r.Context(), h.regionOf(r), ref.Name)
			if err == nil && h.FunctionURLs != nil {
				err = h.FunctionURLs.DeleteFunctionURLs(r.Context(), h.regionOf(r), ref.Name)
			}
		case h.Versions != nil:
			err = h.Versions.DeleteFunctionVersion(r.Context(), h.regionOf(r), ref.Name, ref.Qualifier)
		default:
			err = latestOnly(ref)
		}
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type updateCodeRequest struct {
	functionCode
	Publish       bool     `json:"Publish"`
	DryRun        bool     `json:"DryRun"`
	RevisionID    string   `json:"RevisionId"`
	Architectures []string `json:"Architectures"`
}

func (h *Handler) updateFunctionCode(w http.ResponseWriter, r *http.Request, raw string) {
	ref, err := h.functionRef(r, raw)
	if err == nil {
		err = latestOnly(ref)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	data, err := readBody(r, maxCodeRequest, codeTooLarge("UpdateFunctionCode"))
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	var in updateCodeRequest
	if err := decodeJSON(data, &in); err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	zip, err := h.zipOf(r.Context(), &in.functionCode)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	fn, err := h.Functions.UpdateFunctionCode(r.Context(), h.regionOf(r), ref.Name, &eddy.CodeUpdate{
		ZipFile: zip, Publish: in.Publish, DryRun: in.DryRun, RevisionID: in.RevisionID, Architectures: in.Architectures,
	})
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toConfiguration(fn))
}

type updateConfigRequest struct {
	Role             *string                     `json:"Role"`
	Handler          *string                     `json:"Handler"`
	Description      *string                     `json:"Description"`
	Timeout          *int                        `json:"Timeout"`
	MemorySize       *int                        `json:"MemorySize"`
	Environment      *environment                `json:"Environment"`
	Runtime          *string                     `json:"Runtime"`
	DeadLetterConfig *struct{ TargetArn string } `json:"DeadLetterConfig"`
	KMSKeyArn        *string                     `json:"KMSKeyArn"`
	TracingConfig    *struct{ Mode string }      `json:"TracingConfig"`
	RevisionID       string                      `json:"RevisionId"`
	Layers           *[]string                   `json:"Layers"`
	EphemeralStorage *struct{ Size int }         `json:"EphemeralStorage"`
	LoggingConfig    *loggingConfig              `json:"LoggingConfig"`
}

func (h *Handler) updateFunctionConfiguration(w http.ResponseWriter, r *http.Request, raw string) {
	ref, err := h.functionRef(r, raw)
	if err == nil {
		err = latestOnly(ref)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	data, err := readBody(r, maxConfigRequest, codeTooLarge("UpdateFunctionConfiguration"))
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	var in updateConfigRequest
	if err := decodeJSON(data, &in); err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	upd := &eddy.FunctionUpdate{
		Runtime: in.Runtime, Handler: in.Handler, Role: in.Role, Description: in.Description,
		Timeout: in.Timeout, MemorySize: in.MemorySize, KMSKeyArn: in.KMSKeyArn, Layers: in.Layers,
		RevisionID: in.RevisionID,
	}
	if in.Timeout != nil && *in.Timeout == 0 {
		v := -1
		upd.Timeout = &v
	}
	if in.MemorySize != nil && *in.MemorySize == 0 {
		v := -1
		upd.MemorySize = &v
	}
	if in.Environment != nil {
		vars := in.Environment.Variables
		if vars == nil {
			vars = map[string]string{}
		}
		upd.Environment = &vars
	}
	if in.EphemeralStorage != nil {
		upd.EphemeralStorage = &in.EphemeralStorage.Size
	}
	if in.TracingConfig != nil {
		upd.TracingMode = &in.TracingConfig.Mode
	}
	if in.DeadLetterConfig != nil {
		upd.DeadLetterTarget = &in.DeadLetterConfig.TargetArn
	}
	if in.LoggingConfig != nil {
		if in.LoggingConfig.LogFormat != "" {
			upd.LogFormat = &in.LoggingConfig.LogFormat
		}
		if in.LoggingConfig.LogGroup != "" {
			upd.LogGroup = &in.LoggingConfig.LogGroup
		}
	}
	fn, err := h.Functions.UpdateFunctionConfiguration(r.Context(), h.regionOf(r), ref.Name, upd)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toConfiguration(fn))
}

func (h *Handler) invoke(w http.ResponseWriter, r *http.Request, raw string) {
	ref, err := h.functionRef(r, raw)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	if typ == "" {
		typ = eddy.InvokeRequestResponse
	}
	if typ != eddy.InvokeRequestResponse && typ != eddy.InvokeEvent && typ != eddy.InvokeDryRun {
		h.writeLambdaError(w, r, eddy.ValidationError(typ, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]"))
		return
	}
	logType := r.Header.Get("X-Amz-Log-Type")
	if logType != "" && logType != "None" && logType != "Tail" {
		h.writeLambdaError(w, r, eddy.ValidationError(logType, "logType", "Member must satisfy enum value set: [None, Tail]"))
		return
	}
	limit, op := int64(eddy.MaxSyncPayload), "Invoke"
	if typ == eddy.InvokeEvent {
		limit, op = eddy.MaxAsyncPayload, "InvokeAsync"
	}
	payload, err := readBody(r, limit, eddy.TypedErrorf(eddy.ETOOLARGE, "RequestTooLargeException",
		"Request must be smaller than %d bytes for the %s operation", limit, op))
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	cc := r.Header.Get("X-Amz-Client-Context")
	if cc != "" {
		dec, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || len(cc) > 3583 || !json.Valid(dec) {
			h.writeLambdaError(w, r, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
				"Client context must be a valid Base64-encoded JSON object."))
			return
		}
	}
	res, err := h.Invoker.Invoke(r.Context(), &eddy.InvokeRequest{
		Region: h.regionOf(r), FunctionName: ref.Name, Qualifier: ref.Qualifier, Type: typ, Payload: payload,
		ClientContext: cc, LogTail: logType == "Tail" && typ == eddy.InvokeRequestResponse,
		RequestID: requestID(r.Context()), TraceID: r.Header.Get("X-Amzn-Trace-Id"),
	})
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	hd := w.Header()
	switch res.StatusCode {
	case http.StatusAccepted, http.StatusNoContent:
		w.WriteHeader(res.StatusCode)
		return
	}
	if res.ExecutedVersion != "" {
		hd.Set("X-Amz-Executed-Version", res.ExecutedVersion)
	}
	if res.FunctionError != "" {
		hd.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if logType == "Tail" {
		hd.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(res.LogTail)))
	}
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", itoa(len(res.Payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
}

// invokeAsync is the deprecated InvokeAsync API: an Event invoke.
func (h *Handler) invokeAsync(w http.ResponseWriter, r *http.Request, raw string) {
	ref, err := h.functionRef(r, raw)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	payload, err := readBody(r, eddy.MaxAsyncPayload, eddy.TypedErrorf(eddy.ETOOLARGE, "RequestTooLargeException",
		"Request must be smaller than %d bytes for the InvokeAsync operation", eddy.MaxAsyncPayload))
	if err == nil {
		_, err = h.Invoker.Invoke(r.Context(), &eddy.InvokeRequest{
			Region: h.regionOf(r), FunctionName: ref.Name, Qualifier: ref.Qualifier, Type: eddy.InvokeEvent, Payload: payload,
			RequestID: requestID(r.Context()),
		})
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"Status": 202})
}

// tags serves ListTags, TagResource and UntagResource for functions.
func (h *Handler) tags(w http.ResponseWriter, r *http.Request, rawARN string) {
	arn, _ := url.PathUnescape(rawARN)
	ref, err := eddy.ParseFunctionRef(arn, "resource")
	if err == nil && (ref.Region == "" || ref.Qualifier != "") {
		err = eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Resource must be an unqualified function ARN: %s", arn)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	ctx, region := r.Context(), ref.Region
	switch r.Method {
	case http.MethodGet:
		fn, err := h.Functions.GetFunction(ctx, region, ref.Name)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		tags := fn.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"Tags": tags})
	case http.MethodPost:
		data, err := readBody(r, maxConfigRequest, codeTooLarge("TagResource"))
		var in struct{ Tags map[string]string }
		if err == nil {
			err = decodeJSON(data, &in)
		}
		if err == nil && len(in.Tags) == 0 {
			err = eddy.ValidationError("null", "tags", "Member must not be null")
		}
		if err == nil {
			err = h.Functions.TagFunction(ctx, region, ref.Name, in.Tags)
		}
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		keys := r.URL.Query()["tagKeys"]
		sort.Strings(keys)
		if err := h.Functions.UntagFunction(ctx, region, ref.Name, keys); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		h.lambdaUnknown(w, r)
	}
}

func (h *Handler) accountSettings(w http.ResponseWriter, r *http.Request) {
	fns, _, err := h.Functions.ListFunctions(r.Context(), h.regionOf(r), "", 10000)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	var total, reserved int64
	for _, fn := range fns {
		total += fn.CodeSize
		if h.Versions == nil {
			continue
		}
		if n, err := h.Versions.GetFunctionConcurrency(r.Context(), h.regionOf(r), fn.Name); err == nil && n != nil {
			reserved += int64(*n)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"AccountLimit": map[string]int64{
			"TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000, "CodeSizeZipped": 52428800,
			"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 1000 - reserved,
		},
		"AccountUsage": map[string]int64{"TotalCodeSize": total, "FunctionCount": int64(len(fns))},
	})
}
