package triggers

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables"
)

// Conditions under which a batch is given up on, as Lambda names them.
const (
	condRetries = "RetryAttemptsExhausted"
	condAge     = "RecordAgeExceeded"
)

// deliver takes a batch, the head of its lane, to its end: the function
// takes it, or it is given up on and described to the failure
// destination. Throttled invocations wait and do not count as attempts.
// It returns false if the poller stopped first: the rest of the batch
// stays undone, for whoever runs the shard next.
func (p *streamPoller) deliver(l *lane, batch []*item) bool {
	m := p.m
	attempts := 0
	var last *eddy.InvokeResult
	lastID := ""
	delay := p.s.cfg.RetryDelay
	backoff := 10 * time.Millisecond
	for len(batch) > 0 {
		if n := p.expired(batch); n > 0 {
			p.fail(batch[:n], condAge, attempts, last, lastID)
			p.complete(l, n)
			batch = batch[n:]
			continue
		}
		if p.stopped() {
			return false
		}
		res, id, err := p.invoke(batch)
		if err != nil {
			if p.stopped() {
				return false
			}
			switch eddy.ErrorCode(err) {
			case eddy.ETHROTTLED:
				p.setResult(resultThrottle)
				backoff = min(2*backoff, time.Second)
			case eddy.ENOTFOUND:
				p.setResult(resultNoFunc)
				backoff = time.Second
			default:
				p.log.Warn("triggers: invoke", "err", err)
				backoff = time.Second
			}
			if !sleep(p.ctx, p.stop, backoff) {
				return false
			}
			continue
		}
		backoff = 10 * time.Millisecond
		attempts++
		last, lastID = res, id
		done := p.outcome(batch, res)
		if done == len(batch) {
			p.setResult(resultOK)
			p.complete(l, done)
			return true
		}
		p.setResult(resultFailed)
		switch {
		case done > 0:
			// The function reported the records from batch[done] on as
			// failed: the ones before it are done, the retry starts there.
			p.complete(l, done)
			batch = batch[done:]
		case m.BisectBatchOnFunctionError && len(batch) > 1:
			// Split and retry the halves; splitting is not an attempt.
			half := len(batch) / 2
			if !p.deliver(l, batch[:half]) {
				return false
			}
			batch, attempts, last, delay = batch[half:], 0, nil, p.s.cfg.RetryDelay
			continue
		}
		if m.MaximumRetryAttempts >= 0 && attempts > m.MaximumRetryAttempts {
			p.fail(batch, condRetries, attempts, res, id)
			p.complete(l, len(batch))
			return true
		}
		if !sleep(p.ctx, p.stop, delay) {
			return false
		}
		delay = min(2*delay, p.s.cfg.MaxRetryDelay)
	}
	return true
}

// expired returns how many records at the start of batch are older than
// the mapping's MaximumRecordAgeInSeconds.
func (p *streamPoller) expired(batch []*item) int {
	if p.m.MaximumRecordAgeInSeconds < 0 {
		return 0
	}
	limit := time.Duration(p.m.MaximumRecordAgeInSeconds) * time.Second
	now := p.s.cfg.Now()
	n := 0
	for n < len(batch) && now.Sub(batch[n].created) > limit {
		n++
	}
	return n
}

// invoke runs the function with a batch; it returns the request id.
func (p *streamPoller) invoke(batch []*item) (*eddy.InvokeResult, string, error) {
	size := 16
	for _, it := range batch {
		size += len(it.data) + 1
	}
	payload := make([]byte, 0, size)
	payload = append(payload, `{"Records":[`...)
	for i, it := range batch {
		if i > 0 {
			payload = append(payload, ',')
		}
		payload = append(payload, it.data...)
	}
	payload = append(payload, "]}"...)
	id := eddy.NewID()
	res, err := p.s.cfg.Invoker.Invoke(p.ctx, &eddy.InvokeRequest{
		Region: p.m.Region, FunctionName: p.m.FunctionName, Qualifier: p.m.Qualifier,
		Type: eddy.InvokeRequestResponse, Payload: payload, RequestID: id,
	})
	return res, id, err
}

// outcome returns how many records at the start of batch the function
// took: all of them, none (a function error), or — with
// ReportBatchItemFailures — those before the lowest one it reported.
func (p *streamPoller) outcome(batch []*item, res *eddy.InvokeResult) int {
	if res.FunctionError != "" {
		return 0
	}
	if !p.m.ReportsItemFailures() {
		return len(batch)
	}
	ids, ok := batchItemFailures(res.Payload)
	if !ok {
		return 0
	}
	done := len(batch)
	for _, id := range ids {
		seq, ok := tables.ParseSequenceNumber(id)
		i := sort.Search(len(batch), func(i int) bool { return batch[i].seq >= seq })
		if !ok || i == len(batch) || batch[i].seq != seq {
			return 0 // not a record of the batch: the whole batch failed
		}
		done = min(done, i)
	}
	return done
}

// batchItemFailures reads a partial batch response: the item identifiers
// the function reported as failed. ok is false for a response that is
// not one — invalid JSON, or an entry without an identifier — which fails
// the whole batch. An empty or null response, or an empty or null list,
// means every record succeeded.
func batchItemFailures(payload []byte) (ids []string, ok bool) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || string(payload) == "null" {
		return nil, true
	}
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		return nil, false
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return nil, false
	}
	raw := obj["batchItemFailures"]
	if raw == nil {
		return nil, true
	}
	list, isList := raw.([]any)
	if !isList {
		return nil, false
	}
	for _, e := range list {
		o, isObj := e.(map[string]any)
		if !isObj {
			return nil, false
		}
		id, isStr := o["itemIdentifier"].(string)
		if !isStr || id == "" {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// streamFailure is what a failure destination receives about a stream
// batch that was given up on, as Lambda writes it.
type streamFailure struct {
	RequestContext  failureRequest   `json:"requestContext"`
	ResponseContext *failureResponse `json:"responseContext,omitempty"`
	Version         string           `json:"version"`
	Timestamp       string           `json:"timestamp"`
	BatchInfo       streamBatchInfo  `json:"DDBStreamBatchInfo"`
}

type failureRequest struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type failureResponse struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

type streamBatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

// fail gives a batch up: it is described to the failure destination, if
// the mapping has one, and skipped.
func (p *streamPoller) fail(batch []*item, condition string, attempts int, res *eddy.InvokeResult, requestID string) {
	if requestID == "" {
		requestID = eddy.NewID()
	}
	first, last := batch[0], batch[len(batch)-1]
	rec := streamFailure{
		RequestContext: failureRequest{RequestID: requestID, FunctionArn: p.m.FunctionArn(), Condition: condition, ApproximateInvokeCount: attempts},
		Version:        "1.0",
		Timestamp:      p.s.cfg.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		BatchInfo: streamBatchInfo{
			ShardID: p.shard, StreamArn: p.arn, BatchSize: len(batch),
			StartSequenceNumber:             tables.SequenceNumber(first.seq),
			EndSequenceNumber:               tables.SequenceNumber(last.seq),
			ApproximateArrivalOfFirstRecord: first.created.UTC().Format(time.RFC3339),
			ApproximateArrivalOfLastRecord:  last.created.UTC().Format(time.RFC3339),
		},
	}
	if res != nil {
		rec.ResponseContext = &failureResponse{StatusCode: res.StatusCode, ExecutedVersion: res.ExecutedVersion, FunctionError: res.FunctionError}
	}
	p.log.Info("triggers: batch given up", "condition", condition, "attempts", attempts,
		"first", rec.BatchInfo.StartSequenceNumber, "last", rec.BatchInfo.EndSequenceNumber, "records", len(batch))
	if p.m.OnFailure == "" {
		return
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return
	}
	p.s.sendFailure(p.ctx, p.m, data)
}

// destinationService names the service of a destination ARN.
func destinationService(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}
