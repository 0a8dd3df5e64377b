package eddy

import (
	"context"
	"io"
	"time"
)

// LatestVersion is the name of the unpublished, mutable version of a function.
const LatestVersion = "$LATEST"

// Function is one version of a Lambda function: its configuration and a
// reference to its code. The zero values of optional fields mean the AWS
// defaults, which the functions service fills in on create.
type Function struct {
	Name          string            `json:"name"`
	Version       string            `json:"version"` // "$LATEST" or a published number
	Runtime       string            `json:"runtime"`
	Handler       string            `json:"handler"`
	Role          string            `json:"role"`
	Description   string            `json:"description,omitempty"`
	Timeout       int               `json:"timeout"`     // seconds, 1–900
	MemorySize    int               `json:"memory_size"` // MB, 128–10240
	Environment   map[string]string `json:"environment,omitempty"`
	Architectures []string          `json:"architectures"`
	// EphemeralStorage is the size of /tmp in MB, 512–10240.
	EphemeralStorage int               `json:"ephemeral_storage"`
	Tags             map[string]string `json:"tags,omitempty"`
	PackageType      string            `json:"package_type"`
	TracingMode      string            `json:"tracing_mode,omitempty"`
	Layers           []string          `json:"layers,omitempty"`
	DeadLetterTarget string            `json:"dead_letter_target,omitempty"`
	KMSKeyArn        string            `json:"kms_key_arn,omitempty"`
	LogFormat        string            `json:"log_format,omitempty"`
	LogGroup         string            `json:"log_group,omitempty"`

	// CodeSha256 is the base64 SHA-256 of the deployment package, as Lambda
	// reports it; CodeKey is the hex SHA-256 under which the code is stored.
	CodeSha256 string `json:"code_sha256"`
	CodeKey    string `json:"code_key"`
	CodeSize   int64  `json:"code_size"`

	LastModified time.Time `json:"last_modified"`
	// RevisionId changes on every update of code or configuration.
	RevisionID string `json:"revision_id"`
	// Region and Account are where the function lives; they form its ARN.
	Region  string `json:"region"`
	Account string `json:"account"`

	// ReservedConcurrency is the function's reserved concurrency (nil for
	// none). It is a setting of the function, not of a version: the invoker
	// fills it in from the registry before handing a version to the runtime.
	ReservedConcurrency *int `json:"-"`
}

// ARN returns the unqualified ARN of the function.
func (f *Function) ARN() string {
	return FunctionARN(f.Region, f.Account, f.Name)
}

// LogGroupName returns the function's log group, /aws/lambda/NAME unless the
// function configures another.
func (f *Function) LogGroupName() string {
	if f.LogGroup != "" {
		return f.LogGroup
	}
	return "/aws/lambda/" + f.Name
}

// FunctionARN returns the unqualified ARN of a function.
func FunctionARN(region, account, name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

// CreateFunctionInput is what CreateFunction needs. ZipFile is the deployment
// package; the other fields are as in Function.
type CreateFunctionInput struct {
	Function Function
	ZipFile  []byte
	Publish  bool
}

// FunctionUpdate holds the configuration fields UpdateFunctionConfiguration
// changes; a nil field is left as it is.
type FunctionUpdate struct {
	Runtime          *string
	Handler          *string
	Role             *string
	Description      *string
	Timeout          *int
	MemorySize       *int
	Environment      *map[string]string
	EphemeralStorage *int
	TracingMode      *string
	Layers           *[]string
	DeadLetterTarget *string
	KMSKeyArn        *string
	LogFormat        *string
	LogGroup         *string
	// RevisionID, when set, must equal the function's current revision.
	RevisionID string
}

// CodeUpdate is what UpdateFunctionCode needs.
type CodeUpdate struct {
	ZipFile       []byte
	Architectures []string
	Publish       bool
	DryRun        bool
	// RevisionID, when set, must equal the function's current revision.
	RevisionID string
}

// FunctionService is the registry of functions. Names are plain function
// names; the edge resolves ARNs before calling it.
type FunctionService interface {
	// CreateFunction stores the code and the configuration. It returns
	// ECONFLICT if the function exists and EINVALID for a bad package.
	CreateFunction(ctx context.Context, region string, in *CreateFunctionInput) (*Function, error)
	// GetFunction returns ENOTFOUND if no function has that name.
	GetFunction(ctx context.Context, region, name string) (*Function, error)
	// ListFunctions returns functions in name order after marker, at most max.
	// The returned marker is "" on the last page.
	ListFunctions(ctx context.Context, region, marker string, max int) ([]*Function, string, error)
	UpdateFunctionCode(ctx context.Context, region, name string, in *CodeUpdate) (*Function, error)
	UpdateFunctionConfiguration(ctx context.Context, region, name string, in *FunctionUpdate) (*Function, error)
	// TagFunction and UntagFunction change the function's tags.
	TagFunction(ctx context.Context, region, name string, tags map[string]string) error
	UntagFunction(ctx context.Context, region, name string, keys []string) error
	DeleteFunction(ctx context.Context, region, name string) error
}

// CodeStore holds deployment packages by their hex SHA-256.
type CodeStore interface {
	// PutCode stores a package and returns its hex SHA-256.
	PutCode(ctx context.Context, zip []byte) (string, error)
	// OpenCode returns the package stored under key; ENOTFOUND if none.
	OpenCode(ctx context.Context, key string) (io.ReadCloser, error)
	// UnpackCode extracts the package stored under key into dir, which must
	// not exist yet. Nothing is written outside dir.
	UnpackCode(ctx context.Context, key, dir string) error
}

// Invocation types, as Lambda's X-Amz-Invocation-Type names them.
const (
	InvokeRequestResponse = "RequestResponse"
	InvokeEvent           = "Event"
	InvokeDryRun          = "DryRun"
)

// Payload limits, as Lambda enforces them.
const (
	MaxSyncPayload  = 6 * 1024 * 1024 // request and response of a synchronous invoke
	MaxAsyncPayload = 1024 * 1024     // request of an asynchronous invoke
)

// InvokeRequest is one invocation of a function.
type InvokeRequest struct {
	Region       string
	FunctionName string // a plain name
	Qualifier    string // "" or "$LATEST" for now; versions and aliases later
	Type         string // one of the Invoke* constants
	Payload      []byte
	// ClientContext is the base64 X-Amz-Client-Context, passed to the
	// function as Lambda-Runtime-Client-Context (decoded).
	ClientContext string
	// LogTail asks for the last 4 KB of the invocation's log.
	LogTail   bool
	RequestID string
	TraceID   string
}

// InvokeResult is the outcome of a synchronous invocation. A function error
// is a result, not an error: FunctionError is "Unhandled" (or "Handled") and
// Payload holds the error document.
type InvokeResult struct {
	StatusCode      int
	Payload         []byte
	FunctionError   string
	LogTail         string // the last 4 KB of log, plain text (the edge encodes it)
	ExecutedVersion string
}

// Invoker runs invocations. Invoke returns an error only when the invocation
// could not be made (ENOTFOUND, ETHROTTLED, ETOOLARGE …); what the function
// itself did is in the result.
type Invoker interface {
	Invoke(ctx context.Context, req *InvokeRequest) (*InvokeResult, error)
}

// Runtime runs functions as local processes, one request per instance.
type Runtime interface {
	// Invoke runs req on a warm or new instance of fn and waits for its
	// outcome. It returns ETHROTTLED when fn's reserved concurrency or the
	// node's capacity is exhausted.
	Invoke(ctx context.Context, fn *Function, req *InvokeRequest) (*InvokeResult, error)
}

// Throttle reasons, as Lambda's TooManyRequestsException carries them.
const (
	ReasonReservedConcurrency = "ReservedFunctionConcurrentInvocationLimitExceeded"
	ReasonAccountConcurrency  = "ConcurrentInvocationLimitExceeded"
)
