package eventbus

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Timestamp is a time as AWS JSON protocols write it: seconds since the
// epoch, as a number.
type Timestamp struct{ time.Time }

// MarshalJSON writes seconds since the epoch, with milliseconds.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON reads seconds since the epoch (a number) or an RFC 3339 string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
			return &json.UnsupportedValueError{Str: string(b)}
		}
		// Milliseconds are what AWS keeps.
		t.Time = time.UnixMilli(int64(math.Round(f * 1000))).UTC()
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = v.UTC()
	return nil
}

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value string
}

// EventBus is an event bus as DescribeEventBus and ListEventBuses show it.
type EventBus struct {
	Name             string
	Arn              string
	Description      string     `json:",omitempty"`
	Policy           string     `json:",omitempty"`
	CreationTime     *Timestamp `json:",omitempty"`
	LastModifiedTime *Timestamp `json:",omitempty"`
}

// CreateEventBusInput is CreateEventBus's request.
type CreateEventBusInput struct {
	Name            string
	EventSourceName string
	Description     string
	Tags            []Tag
}

// CreateEventBusOutput is CreateEventBus's answer.
type CreateEventBusOutput struct {
	EventBusArn string
	Description string `json:",omitempty"`
}

// NameInput names a bus.
type NameInput struct{ Name string }

// ListEventBusesInput is ListEventBuses's request.
type ListEventBusesInput struct {
	NamePrefix string
	NextToken  string
	Limit      int
}

// ListEventBusesOutput is ListEventBuses's answer.
type ListEventBusesOutput struct {
	EventBuses []EventBus
	NextToken  string `json:",omitempty"`
}

// SqsParameters says which message group a FIFO queue target's messages join.
type SqsParameters struct {
	MessageGroupId string `json:",omitempty"`
}

// InputTransformer rewrites the event before delivery.
type InputTransformer struct {
	InputPathsMap map[string]string `json:",omitempty"`
	InputTemplate string
}

// RetryPolicy bounds delivery retries.
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:",omitempty"`
	MaximumEventAgeInSeconds *int `json:",omitempty"`
}

// DeadLetterConfig names a dead-letter queue.
type DeadLetterConfig struct {
	Arn string `json:",omitempty"`
}

// Target is a rule's target.
type Target struct {
	Id               string
	Arn              string
	RoleArn          string            `json:",omitempty"`
	Input            string            `json:",omitempty"`
	InputPath        string            `json:",omitempty"`
	InputTransformer *InputTransformer `json:",omitempty"`
	SqsParameters    *SqsParameters    `json:",omitempty"`
	RetryPolicy      *RetryPolicy      `json:",omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:",omitempty"`
}

// Rule is a rule as DescribeRule and ListRules show it.
type Rule struct {
	Name               string
	Arn                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	EventBusName       string
	CreatedBy          string `json:",omitempty"`
}

// PutRuleInput is PutRule's request.
type PutRuleInput struct {
	Name               string
	ScheduleExpression string
	EventPattern       string
	State              string
	Description        string
	RoleArn            string
	Tags               []Tag
	EventBusName       string
}

// PutRuleOutput is PutRule's answer.
type PutRuleOutput struct{ RuleArn string }

// RuleInput names a rule.
type RuleInput struct {
	Name         string
	EventBusName string
	Force        bool
}

// ListRulesInput is ListRules's request.
type ListRulesInput struct {
	NamePrefix   string
	EventBusName string
	NextToken    string
	Limit        int
}

// ListRulesOutput is ListRules's answer.
type ListRulesOutput struct {
	Rules     []Rule
	NextToken string `json:",omitempty"`
}

// PutTargetsInput is PutTargets's request.
type PutTargetsInput struct {
	Rule         string
	EventBusName string
	Targets      []Target
}

// FailedEntry is a target PutTargets or RemoveTargets did not take.
type FailedEntry struct {
	TargetId     string
	ErrorCode    string
	ErrorMessage string
}

// TargetsOutput is PutTargets's and RemoveTargets's answer.
type TargetsOutput struct {
	FailedEntryCount int
	FailedEntries    []FailedEntry
}

// RemoveTargetsInput is RemoveTargets's request.
type RemoveTargetsInput struct {
	Rule         string
	EventBusName string
	Ids          []string
	Force        bool
}

// ListTargetsByRuleInput is ListTargetsByRule's request.
type ListTargetsByRuleInput struct {
	Rule         string
	EventBusName string
	NextToken    string
	Limit        int
}

// ListTargetsByRuleOutput is ListTargetsByRule's answer.
type ListTargetsByRuleOutput struct {
	Targets   []Target
	NextToken string `json:",omitempty"`
}

// ListRuleNamesByTargetInput is ListRuleNamesByTarget's request.
type ListRuleNamesByTargetInput struct {
	TargetArn    string
	EventBusName string
	NextToken    string
	Limit        int
}

// ListRuleNamesByTargetOutput is ListRuleNamesByTarget's answer.
type ListRuleNamesByTargetOutput struct {
	RuleNames []string
	NextToken string `json:",omitempty"`
}

// TestEventPatternInput is TestEventPattern's request.
type TestEventPatternInput struct {
	EventPattern string
	Event        string
}

// TestEventPatternOutput is TestEventPattern's answer.
type TestEventPatternOutput struct{ Result bool }

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	ResourceARN string
	Tags        []Tag
}

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

// ListTagsForResourceInput is ListTagsForResource's request.
type ListTagsForResourceInput struct{ ResourceARN string }

// ListTagsForResourceOutput is ListTagsForResource's answer.
type ListTagsForResourceOutput struct{ Tags []Tag }

// PutEventsEntry is one event of PutEvents.
type PutEventsEntry struct {
	Time         *Timestamp
	Source       *string
	Resources    []string
	DetailType   *string
	Detail       *string
	EventBusName string
	TraceHeader  string
}

// PutEventsInput is PutEvents's request.
type PutEventsInput struct {
	Entries    []PutEventsEntry
	EndpointId string
}

// PutEventsResultEntry is the outcome of one event.
type PutEventsResultEntry struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

// PutEventsOutput is PutEvents's answer.
type PutEventsOutput struct {
	FailedEntryCount int
	Entries          []PutEventsResultEntry
}

// Empty is the answer of operations that return nothing.
type Empty struct{}
