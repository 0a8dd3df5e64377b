package triggers

import (
	"encoding/json"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/queues"
)

// BatchItemFailures exposes the partial batch response reader to tests.
var BatchItemFailures = batchItemFailures

// Settle exposes the result rules of queue mappings: it returns the ids of
// the messages of batch that are to be deleted.
func Settle(batch []queues.Message, res *eddy.InvokeResult, reportsFailures, fifo bool) []string {
	ms := make([]*message, len(batch))
	for i := range batch {
		ms[i] = &message{msg: batch[i]}
	}
	var ids []string
	for _, m := range settle(ms, res, reportsFailures, fifo) {
		ids = append(ids, m.msg.MessageId)
	}
	return ids
}

// QueueRecord exposes the event record of a message.
func QueueRecord(msg queues.Message, arn, region string) ([]byte, error) {
	return json.Marshal(queueRecord(msg, arn, region))
}

// MatchQueueRecord exposes how filters select queue records.
func MatchQueueRecord(patterns []string, record []byte) (bool, error) {
	var ps []*Pattern
	for _, s := range patterns {
		p, err := ParsePattern(s)
		if err != nil {
			return false, err
		}
		ps = append(ps, p)
	}
	return matchQueueRecord(ps, record), nil
}

// NewQueueMapping applies a create input to a new mapping of the queue
// arn and validates it, as CreateEventSourceMapping does before it looks
// the queue up.
func NewQueueMapping(arn string, in *eddy.EventSourceMappingInput) (*eddy.EventSourceMapping, error) {
	m := &eddy.EventSourceMapping{EventSourceArn: arn, SourceKind: eddy.SourceQueue}
	return m, newQueueMapping(m, in)
}
