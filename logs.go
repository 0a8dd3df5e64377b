package eddy

import "context"

// LogEvent is one line of a log stream. Times are Unix milliseconds.
type LogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime,omitempty"`
	// StreamName is set on events returned by FilterLogEvents.
	StreamName string `json:"logStreamName,omitempty"`
	// EventID is a stable, unique id of the event within its group.
	EventID string `json:"eventId,omitempty"`
}

// LogGroup describes a log group.
type LogGroup struct {
	Name         string
	CreationTime int64
	// RetentionInDays is how long events are kept; 0 keeps them forever.
	RetentionInDays int
	StoredBytes     int64
}

// LogStream describes a log stream of a group.
type LogStream struct {
	Name                string
	CreationTime        int64
	FirstEventTimestamp int64
	LastEventTimestamp  int64
	LastIngestionTime   int64
	StoredBytes         int64
}

// LogWriter accepts log events. The runtime writes every instance's output
// through it; WriteLogs must not block for long, since it is called on the
// invocation path.
type LogWriter interface {
	// WriteLogs appends events to the stream, creating the group and stream
	// if they do not exist.
	WriteLogs(ctx context.Context, group, stream string, events []LogEvent) error
}

// LogQuery selects events of one group for GetLogEvents and FilterLogEvents.
type LogQuery struct {
	Group   string
	Streams []string // empty: every stream of the group
	// StreamPrefix selects streams whose name starts with it.
	StreamPrefix string
	StartTime    int64 // inclusive, 0 for none
	EndTime      int64 // exclusive, 0 for none
	// Pattern is a CloudWatch Logs filter pattern; "" matches every event.
	Pattern string
	Limit   int
	// NextToken continues an earlier query.
	NextToken string
	// FromHead reads oldest first (the default for FilterLogEvents);
	// GetLogEvents reads newest first unless it is set.
	FromHead bool
}

// Orders of DescribeLogStreams, as CloudWatch Logs names them.
const (
	OrderByLogStreamName = "LogStreamName"
	OrderByLastEventTime = "LastEventTime"
)

// LogStreamQuery selects the streams of a group for DescribeLogStreams.
type LogStreamQuery struct {
	Group string
	// Prefix selects streams whose name starts with it; it cannot be
	// combined with OrderByLastEventTime.
	Prefix string
	// OrderBy is OrderByLogStreamName (the default when empty) or
	// OrderByLastEventTime.
	OrderBy    string
	Descending bool
	Limit      int
	NextToken  string
}

// RetentionDays are the retention periods, in days, that a log group may
// have, as CloudWatch Logs lists them.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// LogService stores and serves the logs of functions, as CloudWatch Logs does.
type LogService interface {
	LogWriter
	CreateLogGroup(ctx context.Context, group string) error
	CreateLogStream(ctx context.Context, group, stream string) error
	DeleteLogGroup(ctx context.Context, group string) error
	// PutRetentionPolicy makes the events of a group expire after days, one
	// of RetentionDays; EINVALID for another value, ENOTFOUND for an
	// unknown group.
	PutRetentionPolicy(ctx context.Context, group string, days int) error
	// DeleteRetentionPolicy makes the events of a group never expire.
	DeleteRetentionPolicy(ctx context.Context, group string) error
	DescribeLogGroups(ctx context.Context, prefix, nextToken string, limit int) ([]LogGroup, string, error)
	// DescribeLogStreams lists the streams of q.Group; ENOTFOUND if the
	// group does not exist.
	DescribeLogStreams(ctx context.Context, q *LogStreamQuery) ([]LogStream, string, error)
	// GetLogEvents reads one stream (q.Streams[0]). It returns the events and
	// the forward and backward tokens.
	GetLogEvents(ctx context.Context, q *LogQuery) (events []LogEvent, forward, backward string, err error)
	// FilterLogEvents reads the group, oldest first, matching q.Pattern.
	FilterLogEvents(ctx context.Context, q *LogQuery) ([]LogEvent, string, error)
}
