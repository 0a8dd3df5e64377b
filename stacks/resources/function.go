package resources

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/functions"
	"github.com/eddyserverless/eddy/stacks"
)

// functionHandler is AWS::Lambda::Function. Ref is the function name.
type functionHandler struct {
	s       *functions.Service
	buckets buckets.API
}

func (h *functionHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Architectures", "Code", "DeadLetterConfig", "Description", "Environment",
			"EphemeralStorage", "FunctionName", "Handler", "KmsKeyArn", "Layers", "LoggingConfig",
			"MemorySize", "PackageType", "ReservedConcurrentExecutions", "Role", "Runtime", "Tags",
			"Timeout", "TracingConfig"},
		Required:   []string{"Code", "Role"},
		Replace:    []string{"FunctionName"},
		Attributes: []string{"Arn"},
	}
}

type functionProps struct {
	fn       eddy.Function
	code     props
	reserved *int
}

func (h *functionHandler) parse(m map[string]any) (*functionProps, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	f := &functionProps{}
	fn := &f.fn
	fn.Name = p.str("FunctionName")
	fn.Runtime = p.str("Runtime")
	fn.Handler = p.str("Handler")
	fn.Role = p.str("Role")
	fn.Description = p.str("Description")
	if n := p.integer("Timeout"); n != nil {
		fn.Timeout = *n
	}
	if n := p.integer("MemorySize"); n != nil {
		fn.MemorySize = *n
	}
	env := p.sub("Environment")
	env.only("Variables")
	fn.Environment = env.strMap("Variables")
	fn.Architectures = p.strs("Architectures")
	es := p.sub("EphemeralStorage")
	es.only("Size")
	if n := es.integer("Size"); n != nil {
		fn.EphemeralStorage = *n
	}
	fn.Tags = p.tags("Tags")
	fn.PackageType = p.str("PackageType")
	tc := p.sub("TracingConfig")
	tc.only("Mode")
	fn.TracingMode = tc.str("Mode")
	fn.Layers = p.strs("Layers")
	dl := p.sub("DeadLetterConfig")
	dl.only("TargetArn")
	fn.DeadLetterTarget = dl.str("TargetArn")
	fn.KMSKeyArn = p.str("KmsKeyArn")
	lc := p.sub("LoggingConfig")
	lc.only("ApplicationLogLevel", "LogFormat", "LogGroup", "SystemLogLevel")
	fn.LogFormat = lc.str("LogFormat")
	fn.LogGroup = lc.str("LogGroup")
	f.reserved = p.integer("ReservedConcurrentExecutions")
	f.code = p.sub("Code")
	f.code.only("ImageUri", "S3Bucket", "S3Key", "S3ObjectVersion", "SourceKMSKeyArn", "ZipFile")
	if err := p.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// zipOf returns the deployment package of Code: ZipFile is the source of
// one file, which CloudFormation packages as index.py or index.js after
// the runtime; S3Bucket and S3Key name an object in eddy's S3.
func (h *functionHandler) zipOf(ctx context.Context, f *functionProps) ([]byte, error) {
	c := f.code
	switch {
	case c.has("ImageUri"):
		return nil, eddy.TypedErrorf(eddy.EUNSUPPORT, "ValidationError",
			"Container image functions are not supported by eddy; use Code.ZipFile or Code.S3Bucket and Code.S3Key.")
	case c.has("ZipFile"):
		src := c.str("ZipFile")
		if err := c.Err(); err != nil {
			return nil, err
		}
		file := "index.js"
		switch {
		case strings.HasPrefix(f.fn.Runtime, "python"):
			file = "index.py"
		case strings.HasPrefix(f.fn.Runtime, "nodejs"):
			file = "index.js"
		case f.fn.Runtime == "":
			return nil, invalid("/Runtime", "Runtime is required with Code.ZipFile")
		default:
			return nil, invalid("/Code/ZipFile", "ZipFile is supported only for Python and Node.js runtimes")
		}
		return inlineZip(file, src)
	case c.has("S3Bucket") || c.has("S3Key"):
		bucket, key := c.str("S3Bucket"), c.str("S3Key")
		if bucket == "" || key == "" {
			return nil, invalid("/Code", "Code.S3Bucket and Code.S3Key go together")
		}
		if h.buckets == nil {
			return nil, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
		}
		out, err := h.buckets.GetObject(ctx, &buckets.GetObjectInput{Bucket: bucket, Key: key})
		if err != nil {
			if e := eddy.AsError(err); e != nil && e.Type != "" && eddy.ErrorCode(err) != eddy.EINTERNAL {
				return nil, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
					"Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", e.Type, e.Message)
			}
			return nil, fmt.Errorf("code from s3: %w", err)
		}
		defer out.Body.Close()
		const limit = 262144000
		data, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
		if err != nil {
			return nil, fmt.Errorf("code from s3: %w", err)
		}
		if len(data) > limit {
			return nil, eddy.TypedErrorf(eddy.ETOOLARGE, "InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes")
		}
		return data, nil
	}
	return nil, invalid("/Code", "Code needs ZipFile, or S3Bucket and S3Key")
}

// inlineZip packages src as the one file of a zip, with a fixed time so
// that the same source gives the same CodeSha256.
func inlineZip(file, src string) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: file, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	hdr.SetMode(0o644)
	fw, err := w.CreateHeader(hdr)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(fw, src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (h *functionHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	f, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	code, err := h.zipOf(ctx, f)
	if err != nil {
		return nil, err
	}
	f.fn.Name = nameOr(f.fn.Name, r, 64)
	fn, err := h.s.CreateFunction(ctx, r.Stack.Region, &eddy.CreateFunctionInput{Function: f.fn, ZipFile: code})
	if err != nil {
		return nil, err
	}
	if f.reserved != nil {
		if err := h.s.PutFunctionConcurrency(ctx, r.Stack.Region, fn.Name, *f.reserved); err != nil {
			_ = h.s.DeleteFunction(ctx, r.Stack.Region, fn.Name)
			return nil, err
		}
	}
	return functionResult(fn), nil
}

func functionResult(fn *eddy.Function) *stacks.Result {
	return &stacks.Result{PhysicalID: fn.Name, Attributes: map[string]any{"Arn": fn.ARN()}}
}

func (h *functionHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	f, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	old, err := h.parse(r.OldProperties)
	if err != nil {
		old = &functionProps{code: newProps(nil)}
	}
	region, name := r.Stack.Region, r.PhysicalID
	n := &f.fn
	// A property removed from the template goes back to Lambda's default.
	timeout, memory, storage := or(n.Timeout, 3), or(n.MemorySize, 128), or(n.EphemeralStorage, 512)
	tracing, format := n.TracingMode, n.LogFormat
	if tracing == "" {
		tracing = "PassThrough"
	}
	if format == "" {
		format = "Text"
	}
	env := n.Environment
	if env == nil {
		env = map[string]string{}
	}
	layers := n.Layers
	if layers == nil {
		layers = []string{}
	}
	upd := &eddy.FunctionUpdate{
		Runtime: &n.Runtime, Handler: &n.Handler, Role: &n.Role, Description: &n.Description,
		Timeout: &timeout, MemorySize: &memory, Environment: &env, EphemeralStorage: &storage,
		TracingMode: &tracing, Layers: &layers, DeadLetterTarget: &n.DeadLetterTarget,
		KMSKeyArn: &n.KMSKeyArn, LogFormat: &format, LogGroup: &n.LogGroup,
	}
	if _, err := h.s.UpdateFunctionConfiguration(ctx, region, name, upd); err != nil {
		return nil, err
	}
	arch := n.Architectures
	if len(arch) == 0 {
		arch = []string{"x86_64"}
	}
	oldArch := old.fn.Architectures
	if len(oldArch) == 0 {
		oldArch = []string{"x86_64"}
	}
	if changed(r.OldProperties, r.Properties, "Code", "Runtime") || !slices.Equal(arch, oldArch) {
		code, err := h.zipOf(ctx, f)
		if err != nil {
			return nil, err
		}
		if _, err := h.s.UpdateFunctionCode(ctx, region, name, &eddy.CodeUpdate{ZipFile: code, Architectures: arch}); err != nil {
			return nil, err
		}
	}
	set, remove := diffTags(old.fn.Tags, n.Tags)
	if len(remove) > 0 {
		if err := h.s.UntagFunction(ctx, region, name, remove); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if err := h.s.TagFunction(ctx, region, name, set); err != nil {
			return nil, err
		}
	}
	switch {
	case f.reserved != nil:
		err = h.s.PutFunctionConcurrency(ctx, region, name, *f.reserved)
	case old.reserved != nil:
		err = h.s.DeleteFunctionConcurrency(ctx, region, name)
	}
	if err != nil {
		return nil, err
	}
	fn, err := h.s.GetFunction(ctx, region, name)
	if err != nil {
		return nil, err
	}
	return functionResult(fn), nil
}

func or(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

func (h *functionHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		if f, err := h.parse(oldOr(r)); err == nil {
			name = interrupted(r, f.fn.Name, 64)
		}
		if name == "" {
			return nil
		}
	}
	return ignoreNotFound(h.s.DeleteFunction(ctx, r.Stack.Region, name))
}
