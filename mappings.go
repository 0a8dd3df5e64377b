package eddy

import (
	"context"
	"time"
)

// Event source kinds: the services whose records an event source mapping
// delivers. The kind is stored with each mapping, so that a kind added
// later (queues) finds its own mappings and leaves the others alone.
const (
	SourceTableStream = "dynamodb-stream" // a table's change stream
	SourceQueue       = "sqs"             // a queue's messages
)

// Event source mapping states, as Lambda reports them. A mapping at rest
// is Enabled or Disabled; the others are what the response to a change
// reports while it takes effect.
const (
	MappingCreating  = "Creating"
	MappingEnabled   = "Enabled"
	MappingDisabled  = "Disabled"
	MappingEnabling  = "Enabling"
	MappingDisabling = "Disabling"
	MappingUpdating  = "Updating"
	MappingDeleting  = "Deleting"
)

// Starting positions of a stream mapping.
const (
	StartTrimHorizon = "TRIM_HORIZON"
	StartLatest      = "LATEST"
	StartAtTimestamp = "AT_TIMESTAMP"
)

// ReportBatchItemFailures is the function response type that lets a
// function report which records of a batch failed.
const ReportBatchItemFailures = "ReportBatchItemFailures"

// EventSourceMapping reads records from an event source and invokes a
// function with them in batches.
type EventSourceMapping struct {
	UUID    string `json:"uuid"`
	Region  string `json:"region"`
	Account string `json:"account"`
	// FunctionName and Qualifier name the function invoked ("" for the
	// unqualified function).
	FunctionName   string `json:"function_name"`
	Qualifier      string `json:"qualifier,omitempty"`
	EventSourceArn string `json:"event_source_arn"`
	SourceKind     string `json:"source_kind"` // one of the Source* constants
	Enabled        bool   `json:"enabled"`

	BatchSize                      int    `json:"batch_size"`
	MaximumBatchingWindowInSeconds int    `json:"maximum_batching_window_in_seconds"`
	StartingPosition               string `json:"starting_position,omitempty"`
	ParallelizationFactor          int    `json:"parallelization_factor"`
	// MaximumRetryAttempts and MaximumRecordAgeInSeconds are -1 for no limit.
	MaximumRetryAttempts       int      `json:"maximum_retry_attempts"`
	MaximumRecordAgeInSeconds  int      `json:"maximum_record_age_in_seconds"`
	BisectBatchOnFunctionError bool     `json:"bisect_batch_on_function_error,omitempty"`
	FunctionResponseTypes      []string `json:"function_response_types,omitempty"`
	TumblingWindowInSeconds    int      `json:"tumbling_window_in_seconds,omitempty"`
	// MaximumConcurrency is ScalingConfig.MaximumConcurrency of a queue
	// mapping: at most this many invocations at once (2–1000; 0 for no
	// limit but the function's own).
	MaximumConcurrency int `json:"maximum_concurrency,omitempty"`
	// OnFailure is the ARN that receives the description of a batch that
	// was given up on ("" for none).
	OnFailure string `json:"on_failure,omitempty"`
	// Filters are event filtering patterns (JSON); a record is delivered
	// if it matches any of them, or if there are none.
	Filters      []string          `json:"filters,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	LastModified time.Time         `json:"last_modified"`

	// State and LastProcessingResult are reported, not stored: State is
	// one of the Mapping* constants, LastProcessingResult what the last
	// batch came to ("OK", "PROBLEM: …", "No records processed").
	State                 string `json:"-"`
	StateTransitionReason string `json:"-"`
	LastProcessingResult  string `json:"-"`
}

// FunctionArn returns the ARN of the function the mapping invokes,
// qualified if the mapping names a version or alias.
func (m *EventSourceMapping) FunctionArn() string {
	arn := FunctionARN(m.Region, m.Account, m.FunctionName)
	if m.Qualifier != "" {
		arn += ":" + m.Qualifier
	}
	return arn
}

// ARN returns the mapping's own ARN.
func (m *EventSourceMapping) ARN() string {
	return "arn:aws:lambda:" + m.Region + ":" + m.Account + ":event-source-mapping:" + m.UUID
}

// ReportsItemFailures reports whether the function may answer with the
// records of a batch that failed.
func (m *EventSourceMapping) ReportsItemFailures() bool {
	for _, t := range m.FunctionResponseTypes {
		if t == ReportBatchItemFailures {
			return true
		}
	}
	return false
}

// EventSourceMappingInput is what CreateEventSourceMapping and
// UpdateEventSourceMapping take. A nil field is left at its default (on
// create) or as it is (on update); EventSourceArn, StartingPosition and
// Tags are set on create only.
type EventSourceMappingInput struct {
	// FunctionName is a function name or ARN, optionally qualified, as
	// the request gives it.
	FunctionName                   *string
	EventSourceArn                 string
	Enabled                        *bool
	BatchSize                      *int
	MaximumBatchingWindowInSeconds *int
	StartingPosition               string
	StartingPositionTimestamp      *time.Time
	ParallelizationFactor          *int
	MaximumRetryAttempts           *int
	MaximumRecordAgeInSeconds      *int
	BisectBatchOnFunctionError     *bool
	FunctionResponseTypes          *[]string
	TumblingWindowInSeconds        *int
	// ScalingConfig is set for queue sources only; an empty one removes
	// the limit.
	ScalingConfig *ScalingConfig
	// OnFailure is the failure destination ARN ("" to remove it).
	OnFailure *string
	// OnSuccess is refused for stream and queue sources, as Lambda
	// refuses it.
	OnSuccess *string
	Filters   *[]string
	Tags      map[string]string
}

// ScalingConfig is a queue mapping's scaling configuration.
type ScalingConfig struct {
	// MaximumConcurrency caps the mapping's concurrent invocations
	// (2–1000); nil for no cap.
	MaximumConcurrency *int
}

// EventSourceMappingService keeps event source mappings and runs them.
type EventSourceMappingService interface {
	// CreateEventSourceMapping returns ENOTFOUND if the function does not
	// exist and EINVALID for a source eddy cannot read.
	CreateEventSourceMapping(ctx context.Context, region string, in *EventSourceMappingInput) (*EventSourceMapping, error)
	// GetEventSourceMapping returns ENOTFOUND for an unknown UUID.
	GetEventSourceMapping(ctx context.Context, region, uuid string) (*EventSourceMapping, error)
	// ListEventSourceMappings lists mappings after marker, at most max,
	// keeping those of function (a name or ARN, "" for any) and of
	// sourceArn ("" for any). The returned marker is "" on the last page.
	ListEventSourceMappings(ctx context.Context, region, function, sourceArn, marker string, max int) ([]*EventSourceMapping, string, error)
	UpdateEventSourceMapping(ctx context.Context, region, uuid string, in *EventSourceMappingInput) (*EventSourceMapping, error)
	// DeleteEventSourceMapping returns the mapping as it was, Deleting.
	DeleteEventSourceMapping(ctx context.Context, region, uuid string) (*EventSourceMapping, error)
}
