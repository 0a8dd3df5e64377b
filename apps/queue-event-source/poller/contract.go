package poller

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Request is what the processor function is invoked with: one batch of
// up to ten messages of the queue.
type Request struct {
	Messages []Message `json:"messages"`
}

// Message is an SQS message as the processor sees it: SQS's own fields,
// named in lowerCamelCase.
type Message struct {
	MessageID         string                      `json:"messageId"`
	ReceiptHandle     string                      `json:"receiptHandle"`
	MD5OfBody         string                      `json:"md5OfBody"`
	Body              string                      `json:"body"`
	Attributes        map[string]string           `json:"attributes"`
	MessageAttributes map[string]MessageAttribute `json:"messageAttributes"`
}

// MessageAttribute is a message attribute as SQS describes it. A binary
// value is base64 in JSON.
type MessageAttribute struct {
	StringValue *string `json:"stringValue,omitempty"`
	BinaryValue []byte  `json:"binaryValue,omitempty"`
	DataType    string  `json:"dataType"`
}

// Response is what the processor answers: a result for each message it
// wants something done with.
type Response struct {
	MessageResults []MessageResult `json:"messageResults"`
}

// MessageResult is the processor's verdict on one message.
type MessageResult struct {
	MessageID string `json:"messageId"`
	// Status is StatusSuccess, StatusRetry or StatusError.
	Status string `json:"status"`
	// RetryDelayInSeconds is how long a retried message stays invisible;
	// DefaultRetryDelay when absent, clamped to 0..MaxRetryDelay.
	RetryDelayInSeconds *float64 `json:"retryDelayInSeconds,omitempty"`
}

// The statuses a processor may give a message.
const (
	// StatusSuccess deletes the message from the queue.
	StatusSuccess = "SUCCESS"
	// StatusRetry makes the message visible again after its retry delay.
	StatusRetry = "RETRY"
	// StatusError leaves the message alone: it is visible again when the
	// queue's visibility timeout has passed.
	StatusError = "ERROR"
)

const (
	// DefaultRetryDelay is the retry delay, in seconds, of a RETRY result
	// that gives none.
	DefaultRetryDelay = 10
	// MaxRetryDelay is the longest visibility timeout SQS accepts, in
	// seconds (12 hours).
	MaxRetryDelay = 43200
)

// newMessage converts a received SQS message.
func newMessage(m sqstypes.Message) Message {
	out := Message{
		MessageID:         deref(m.MessageId),
		ReceiptHandle:     deref(m.ReceiptHandle),
		MD5OfBody:         deref(m.MD5OfBody),
		Body:              deref(m.Body),
		Attributes:        make(map[string]string, len(m.Attributes)),
		MessageAttributes: make(map[string]MessageAttribute, len(m.MessageAttributes)),
	}
	for k, v := range m.Attributes {
		out.Attributes[k] = v
	}
	for k, v := range m.MessageAttributes {
		out.MessageAttributes[k] = MessageAttribute{StringValue: v.StringValue, BinaryValue: v.BinaryValue, DataType: deref(v.DataType)}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// errNoAnswer is the error of an empty answer.
var errNoAnswer = errors.New("the processor answered nothing")

// ParseResponse parses the processor's answer. It fails on anything that
// is not a JSON object of the Response shape.
func ParseResponse(payload []byte) (*Response, error) {
	if len(payload) == 0 {
		return nil, errNoAnswer
	}
	var r Response
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, fmt.Errorf("the processor's answer is not a messageResults object: %w", err)
	}
	return &r, nil
}

// action is what the poller does with one message of a batch.
type action int

const (
	leave  action = iota // leave it alone: an ERROR, or no valid verdict
	remove               // delete it: SUCCESS
	retry                // change its visibility: RETRY
)

// verdict is the action decided for one message and, for retry, the
// visibility timeout to give it.
type verdict struct {
	action action
	delay  int32
	reason string // why a message is left alone, for the log
}

// decide turns the processor's answer into a verdict for each message of
// the batch, by message id. A message the answer does not mention, or
// gives an unknown status, is left alone; results for messages that are
// not in the batch are ignored, and so is every result after the first
// for the same message.
func decide(batch []Message, r *Response) map[string]verdict {
	out := make(map[string]verdict, len(batch))
	in := make(map[string]bool, len(batch))
	for _, m := range batch {
		in[m.MessageID] = true
	}
	if r != nil {
		for _, res := range r.MessageResults {
			if !in[res.MessageID] {
				continue
			}
			if _, done := out[res.MessageID]; done {
				continue
			}
			switch res.Status {
			case StatusSuccess:
				out[res.MessageID] = verdict{action: remove}
			case StatusRetry:
				out[res.MessageID] = verdict{action: retry, delay: retryDelay(res.RetryDelayInSeconds)}
			case StatusError:
				out[res.MessageID] = verdict{action: leave, reason: "ERROR"}
			default:
				out[res.MessageID] = verdict{action: leave, reason: fmt.Sprintf("unknown status %.40q", res.Status)}
			}
		}
	}
	for _, m := range batch {
		if _, ok := out[m.MessageID]; !ok {
			out[m.MessageID] = verdict{action: leave, reason: "not in the answer"}
		}
	}
	return out
}

// retryDelay returns the visibility timeout of a RETRY result: whole
// seconds, DefaultRetryDelay if none is given, clamped to 0..MaxRetryDelay.
func retryDelay(d *float64) int32 {
	if d == nil || math.IsNaN(*d) {
		return DefaultRetryDelay
	}
	switch {
	case *d <= 0:
		return 0
	case *d >= MaxRetryDelay:
		return MaxRetryDelay
	}
	return int32(*d)
}
