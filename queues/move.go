package queues

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
)

// moveTask moves the messages of a dead-letter queue back to their source
// queues, or to another queue.
type moveTask struct {
	mu   sync.Mutex
	info MessageMoveTask
	stop context.CancelFunc
}

func (t *moveTask) snapshot() MessageMoveTask {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.info
}

type taskHandle struct {
	Task   string `json:"taskId"`
	Source string `json:"sourceArn"`
}

func notFound(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", format, args...)
}

// StartMessageMoveTask starts moving the messages of a dead-letter queue.
func (s *Service) StartMessageMoveTask(ctx context.Context, in *StartMessageMoveTaskInput) (*StartMessageMoveTaskOutput, error) {
	if in.SourceArn == "" {
		return nil, missing("SourceArn")
	}
	src := s.metaByName(nameOfArn(in.SourceArn))
	if src == nil || in.SourceArn != s.arn(src.Name) {
		return nil, notFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	isDLQ := false
	s.mu.Lock()
	for _, o := range s.metas {
		if o.settings().dlq == src.Name {
			isDLQ = true
		}
	}
	s.mu.Unlock()
	if !isDLQ {
		return nil, invalidValue("Source queue must be configured as a Dead Letter Queue.")
	}
	if in.DestinationArn != "" {
		dst := s.metaByName(nameOfArn(in.DestinationArn))
		if dst == nil || in.DestinationArn != s.arn(dst.Name) {
			return nil, notFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		if (dst.Attrs["FifoQueue"] == "true") != (src.Attrs["FifoQueue"] == "true") {
			return nil, invalidValue("The source queue and the destination queue must be of the same queue type.")
		}
	}
	if r := in.MaxNumberOfMessagesPerSecond; r != nil && (*r < 1 || *r > 500) {
		return nil, invalidValue("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.", *r)
	}
	return onOwner(ctx, s, src, "startMove", startMoveOp, in, &StartMessageMoveTaskOutput{})
}

var startMoveOp = register("startMove", func(ctx context.Context, q *queue, in *StartMessageMoveTaskInput) (*StartMessageMoveTaskOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, t := range q.tasks {
		if st := t.snapshot().Status; st == "RUNNING" || st == "CANCELLING" {
			return nil, invalidValue("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	h, _ := json.Marshal(taskHandle{Task: newMessageID(), Source: in.SourceArn})
	toMove := int64(q.count[stReady] + q.count[stInflight] + q.count[stDelayed])
	t := &moveTask{info: MessageMoveTask{
		TaskHandle: base64.StdEncoding.EncodeToString(h), Status: "RUNNING", SourceArn: in.SourceArn,
		DestinationArn: in.DestinationArn, MaxNumberOfMessagesPerSecond: in.MaxNumberOfMessagesPerSecond,
		ApproximateNumberOfMessagesToMove: &toMove, StartedTimestamp: q.s.cfg.Now().UnixMilli(),
	}}
	tctx, cancel := context.WithCancel(q.ctx())
	t.stop = cancel
	q.tasks = append(q.tasks, t)
	if len(q.tasks) > 10 {
		q.tasks = q.tasks[len(q.tasks)-10:]
	}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		q.runMove(tctx, t, toMove)
	}()
	return &StartMessageMoveTaskOutput{TaskHandle: t.info.TaskHandle}, nil
})

// runMove moves messages until the queue has no visible ones left, the
// task has moved as many as the queue held when it started, or it is
// cancelled.
func (q *queue) runMove(ctx context.Context, t *moveTask, toMove int64) {
	rate := 0
	if r := t.info.MaxNumberOfMessagesPerSecond; r != nil {
		rate = *r
	}
	finish := func(status, reason string) {
		t.mu.Lock()
		if t.info.Status == "CANCELLING" {
			status = "CANCELLED"
		}
		t.info.Status, t.info.FailureReason = status, reason
		t.mu.Unlock()
	}
	var moved int64
	for moved < toMove {
		if ctx.Err() != nil {
			finish("CANCELLED", "")
			return
		}
		now := q.s.cfg.Now().UnixMilli()
		q.mu.Lock()
		q.advance(now)
		var batch []*msg
		if q.set.fifo {
			for _, g := range slices.Clone(q.gready) {
				for _, m := range g.msgs {
					if m.state != stReady || len(batch) >= 10 {
						break
					}
					q.take(m)
					batch = append(batch, m)
				}
			}
		} else {
			for q.ready.Len() > 0 && len(batch) < 10 {
				m := q.ready.msgHeap[0]
				q.take(m)
				batch = append(batch, m)
			}
		}
		q.mu.Unlock()
		if len(batch) == 0 {
			break
		}
		var done []*msg
		var failure string
		for _, m := range batch {
			env, err := q.body(ctx, m)
			if err != nil {
				failure = "AWS.SimpleQueueService.InternalError"
				break
			}
			dest := t.info.DestinationArn
			if dest == "" {
				dest = env.Source
			}
			dm := q.s.metaByName(nameOfArn(dest))
			if dm == nil {
				failure = "AWS.SimpleQueueService.NonExistentQueue"
				break
			}
			cp := *env
			cp.Source, cp.Delay = "", 0
			if err := q.s.publishTo(ctx, dm, &cp); err != nil {
				failure = "AWS.SimpleQueueService.InternalError"
				break
			}
			done = append(done, m)
			moved++
			t.mu.Lock()
			t.info.ApproximateNumberOfMessagesMoved = moved
			t.mu.Unlock()
			if rate > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(time.Second / time.Duration(rate)):
				}
			}
		}
		q.finish(context.WithoutCancel(ctx), done)
		// The rest go back.
		q.mu.Lock()
		for _, m := range batch {
			if !slices.Contains(done, m) {
				q.putBack(m)
			}
		}
		q.mu.Unlock()
		if failure != "" {
			finish("FAILED", failure)
			return
		}
	}
	finish("COMPLETED", "")
}

// ListMessageMoveTasks lists the latest move tasks of a queue, newest
// first.
func (s *Service) ListMessageMoveTasks(ctx context.Context, in *ListMessageMoveTasksInput) (*ListMessageMoveTasksOutput, error) {
	if in.SourceArn == "" {
		return nil, missing("SourceArn")
	}
	src := s.metaByName(nameOfArn(in.SourceArn))
	if src == nil || in.SourceArn != s.arn(src.Name) {
		return nil, notFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	max := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return nil, invalidValue("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", *in.MaxResults)
		}
		max = *in.MaxResults
	}
	out, err := onOwner(ctx, s, src, "listMoves", listMovesOp, &struct{}{}, &ListMessageMoveTasksOutput{})
	if err != nil {
		return nil, err
	}
	if len(out.Results) > max {
		out.Results = out.Results[:max]
	}
	return out, nil
}

var listMovesOp = register("listMoves", func(ctx context.Context, q *queue, _ *struct{}) (*ListMessageMoveTasksOutput, error) {
	q.mu.Lock()
	tasks := slices.Clone(q.tasks)
	q.mu.Unlock()
	out := &ListMessageMoveTasksOutput{}
	for i := len(tasks) - 1; i >= 0; i-- {
		info := tasks[i].snapshot()
		if info.Status != "RUNNING" {
			info.TaskHandle = ""
		}
		out.Results = append(out.Results, info)
	}
	return out, nil
})

// CancelMessageMoveTask cancels a running move task.
func (s *Service) CancelMessageMoveTask(ctx context.Context, in *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error) {
	if in.TaskHandle == "" {
		return nil, missing("TaskHandle")
	}
	raw, err := base64.StdEncoding.DecodeString(in.TaskHandle)
	var h taskHandle
	if err != nil || json.Unmarshal(raw, &h) != nil || h.Task == "" {
		return nil, notFound("Task does not exist.")
	}
	src := s.metaByName(nameOfArn(h.Source))
	if src == nil {
		return nil, notFound("Task does not exist.")
	}
	return onOwner(ctx, s, src, "cancelMove", cancelMoveOp, in, &CancelMessageMoveTaskOutput{})
}

var cancelMoveOp = register("cancelMove", func(ctx context.Context, q *queue, in *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error) {
	q.mu.Lock()
	i := slices.IndexFunc(q.tasks, func(t *moveTask) bool { return t.info.TaskHandle == in.TaskHandle })
	var t *moveTask
	if i >= 0 {
		t = q.tasks[i]
	}
	q.mu.Unlock()
	if t == nil {
		return nil, notFound("Task does not exist.")
	}
	t.mu.Lock()
	if t.info.Status != "RUNNING" {
		t.mu.Unlock()
		return nil, eddy.TypedErrorf(eddy.EINVALID, "UnsupportedOperation", "Only active tasks can be cancelled.")
	}
	t.info.Status = "CANCELLING"
	moved := t.info.ApproximateNumberOfMessagesMoved
	t.mu.Unlock()
	t.stop()
	return &CancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: moved}, nil
})
