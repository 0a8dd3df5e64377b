package queues

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

// CreateQueue creates a queue, or returns the URL of an existing one with
// the same attributes.
func (s *Service) CreateQueue(ctx context.Context, in *CreateQueueInput) (*QueueURLOutput, error) {
	if in.QueueName == "" {
		return nil, missing("QueueName")
	}
	if err := checkName(in.QueueName); err != nil {
		return nil, err
	}
	fifo := strings.HasSuffix(in.QueueName, ".fifo")
	if v, ok := in.Attributes["FifoQueue"]; ok && v == "true" && !fifo {
		return nil, invalidValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	}
	if fifo && in.Attributes["FifoQueue"] != "true" {
		if _, ok := in.Attributes["FifoQueue"]; ok {
			return nil, invalidValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil, invalidValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if err := s.checkAttrs(in.Attributes, fifo, true); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	out := &QueueURLOutput{QueueUrl: s.urlOf(endpointOf(ctx, s.cfg.Endpoint), in.QueueName)}
	if old := s.metaByName(in.QueueName); old != nil {
		for k, v := range in.Attributes {
			if old.Attrs[k] != v {
				return nil, eddy.TypedErrorf(eddy.ECONFLICT, "QueueNameExists", "A queue already exists with the same name and a different value for attribute %s", k)
			}
		}
		return out, nil
	}
	now := s.cfg.Now().Unix()
	m := &meta{Name: in.QueueName, ID: newQueueID(), Created: now, Modified: now, Attrs: map[string]string{}, Tags: in.Tags}
	maps.Copy(m.Attrs, commonDefaults)
	if fifo {
		maps.Copy(m.Attrs, fifoDefaults)
	}
	for k, v := range in.Attributes {
		if v == "" && (k == "Policy" || k == "RedrivePolicy" || k == "RedriveAllowPolicy") {
			continue
		}
		m.Attrs[k] = v
	}
	dup := 2 * time.Minute
	if fifo {
		dup = 5 * time.Minute
	}
	if _, err := s.cfg.Engine.Stream(ctx, jetstream.StreamConfig{
		Name: streamName(m.ID), Subjects: []string{"eq." + m.ID + ".>"}, Storage: jetstream.FileStorage,
		Retention: jetstream.WorkQueuePolicy, Duplicates: dup, MaxAge: 15 * 24 * time.Hour, AllowDirect: true,
	}); err != nil {
		return nil, fmt.Errorf("queues: create %s: %w", m.Name, err)
	}
	data, _ := json.Marshal(m)
	if _, err := s.kv.Create(ctx, m.Name, data); err != nil {
		_ = s.cfg.Engine.JS.DeleteStream(context.WithoutCancel(ctx), streamName(m.ID))
		if errors.Is(err, jetstream.ErrKeyExists) {
			// Created meanwhile by another request: judge against it.
			if cur, gerr := s.kv.Get(ctx, m.Name); gerr == nil {
				var other meta
				if json.Unmarshal(cur.Value(), &other) == nil {
					s.apply(cur)
					return s.CreateQueue(ctx, in)
				}
			}
		}
		return nil, fmt.Errorf("queues: create %s: %w", m.Name, err)
	}
	s.mu.Lock()
	if s.metas[m.Name] == nil || s.metas[m.Name].ID != m.ID {
		s.metas[m.Name] = m.cache()
	}
	s.mu.Unlock()
	if _, err := s.claim(ctx, m); err != nil {
		s.cfg.Logger.Warn("queues: claim new queue", "queue", m.Name, "err", err)
	}
	return out, nil
}

func newQueueID() string {
	return strings.ReplaceAll(strings.ToLower(eddy.NewID()), "-", "")
}

func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return invalidValue("Too many tags added for queue. The maximum number of tags is 50.")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return invalidValue("Tag keys must be between 1 and 128 characters and tag values at most 256 characters.")
		}
	}
	return nil
}

// lookup returns the definition of the queue a URL names.
func (s *Service) lookup(queueURL string) (*meta, error) {
	name, err := s.nameOfURL(queueURL)
	if err != nil {
		return nil, err
	}
	m := s.metaByName(name)
	if m == nil {
		return nil, noQueue()
	}
	return m, nil
}

// GetQueueUrl returns the URL of a queue.
func (s *Service) GetQueueUrl(ctx context.Context, in *GetQueueUrlInput) (*QueueURLOutput, error) {
	if in.QueueName == "" {
		return nil, missing("QueueName")
	}
	if in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.cfg.Account {
		return nil, noQueue()
	}
	if s.metaByName(in.QueueName) == nil {
		return nil, noQueue()
	}
	return &QueueURLOutput{QueueUrl: s.urlOf(endpointOf(ctx, s.cfg.Endpoint), in.QueueName)}, nil
}

// ListQueues lists queues by name prefix, 1,000 at most without paging.
func (s *Service) ListQueues(ctx context.Context, in *ListQueuesInput) (*ListQueuesOutput, error) {
	max := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, rangeError("MaxResults", *in.MaxResults, "MaxResults must be an integer between 1 and 1000.")
		}
		max = *in.MaxResults
	} else if in.NextToken != "" {
		return nil, invalidValue("MaxResults is a mandatory parameter when you provide a value for NextToken.")
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil {
			return nil, invalidValue("Invalid NextToken value.")
		}
		after = string(b)
	}
	s.mu.Lock()
	names := make([]string, 0, len(s.metas))
	for n := range s.metas {
		if strings.HasPrefix(n, in.QueueNamePrefix) && n > after {
			names = append(names, n)
		}
	}
	s.mu.Unlock()
	slices.Sort(names)
	out := &ListQueuesOutput{}
	if len(names) > max {
		names = names[:max]
		if in.MaxResults != nil {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(names[max-1]))
		}
	}
	ep := endpointOf(ctx, s.cfg.Endpoint)
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.urlOf(ep, n))
	}
	return out, nil
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(ctx context.Context, in *QueueInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, m.Name); err != nil {
		return fmt.Errorf("queues: delete %s: %w", m.Name, err)
	}
	s.mu.Lock()
	if cur := s.metas[m.Name]; cur != nil && cur.ID == m.ID {
		delete(s.metas, m.Name)
	}
	q := s.owned[m.ID]
	delete(s.owned, m.ID)
	s.mu.Unlock()
	if q != nil {
		q.close()
		q.lease.release()
	}
	if err := s.cfg.Engine.JS.DeleteStream(ctx, streamName(m.ID)); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("queues: delete %s: %w", m.Name, err)
	}
	return nil
}

// update changes a queue's definition with f, retrying on a concurrent
// change.
func (s *Service) update(ctx context.Context, name string, f func(m *meta) error) error {
	for range 10 {
		ent, err := s.kv.Get(ctx, name)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return noQueue()
		}
		if err != nil {
			return fmt.Errorf("queues: %s: %w", name, err)
		}
		var m meta
		if err := json.Unmarshal(ent.Value(), &m); err != nil {
			return fmt.Errorf("queues: %s: %w", name, err)
		}
		if err := f(&m); err != nil {
			return err
		}
		data, _ := json.Marshal(&m)
		rev, err := s.kv.Update(ctx, name, data, ent.Revision())
		if err != nil {
			if errors.Is(err, jetstream.ErrKeyExists) {
				continue
			}
			return fmt.Errorf("queues: %s: %w", name, err)
		}
		// Apply at once: the watch brings the same change.
		s.mu.Lock()
		if cur := s.metas[name]; cur != nil && cur.ID == m.ID && rev > s.revs[name] {
			s.revs[name] = rev
			s.metas[name] = m.cache()
			if q := s.owned[m.ID]; q != nil {
				q.setSettings(m.settings())
			}
		}
		s.mu.Unlock()
		return nil
	}
	return eddy.Errorf(eddy.ECONFLICT, "The queue %s is changing; try again.", name)
}

// SetQueueAttributes changes a queue's attributes.
func (s *Service) SetQueueAttributes(ctx context.Context, in *SetQueueAttributesInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	if in.Attributes == nil {
		return missing("Attributes")
	}
	fifo := m.Attrs["FifoQueue"] == "true"
	for k := range in.Attributes {
		if slices.Contains(readOnlyAttrs, k) {
			return badAttrName(k)
		}
	}
	if err := s.checkAttrs(in.Attributes, fifo, false); err != nil {
		return err
	}
	return s.update(ctx, m.Name, func(m *meta) error {
		for k, v := range in.Attributes {
			if v == "" && slices.Contains(optionalAttrs, k) {
				delete(m.Attrs, k)
				continue
			}
			m.Attrs[k] = v
		}
		m.Modified = s.cfg.Now().Unix()
		return nil
	})
}

// GetQueueAttributes returns a queue's attributes.
func (s *Service) GetQueueAttributes(ctx context.Context, in *GetQueueAttributesInput) (*AttributesOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	fifo := m.Attrs["FifoQueue"] == "true"
	known := func(k string) bool {
		if _, ok := commonDefaults[k]; ok {
			return true
		}
		if _, ok := fifoDefaults[k]; ok {
			return fifo
		}
		return slices.Contains(optionalAttrs, k) || slices.Contains(readOnlyAttrs, k)
	}
	want := map[string]bool{}
	for _, n := range in.AttributeNames {
		switch {
		case n == "All":
			for k := range m.Attrs {
				want[k] = true
			}
			for _, k := range readOnlyAttrs {
				want[k] = true
			}
		case known(n):
			want[n] = true
		default:
			return nil, badAttrName(n)
		}
	}
	out := &AttributesOutput{}
	if len(want) == 0 {
		return out, nil
	}
	out.Attributes = map[string]string{}
	for k := range want {
		if v, ok := m.Attrs[k]; ok {
			out.Attributes[k] = v
		}
	}
	if want["QueueArn"] {
		out.Attributes["QueueArn"] = s.arn(m.Name)
	}
	if want["CreatedTimestamp"] {
		out.Attributes["CreatedTimestamp"] = strconv.FormatInt(m.Created, 10)
	}
	if want["LastModifiedTimestamp"] {
		out.Attributes["LastModifiedTimestamp"] = strconv.FormatInt(m.Modified, 10)
	}
	if want["ApproximateNumberOfMessages"] || want["ApproximateNumberOfMessagesNotVisible"] || want["ApproximateNumberOfMessagesDelayed"] {
		c, err := onOwner(ctx, s, m, "counts", countsOp, &struct{}{}, &countsOut{})
		if err != nil {
			return nil, err
		}
		set := func(k string, n int) {
			if want[k] {
				out.Attributes[k] = strconv.Itoa(n)
			}
		}
		set("ApproximateNumberOfMessages", c.Visible)
		set("ApproximateNumberOfMessagesNotVisible", c.Inflight)
		set("ApproximateNumberOfMessagesDelayed", c.Delayed)
	}
	return out, nil
}

type countsOut struct {
	Visible, Inflight, Delayed int
}

var countsOp = register("counts", func(ctx context.Context, q *queue, _ *struct{}) (*countsOut, error) {
	v, i, d := q.counts()
	return &countsOut{v, i, d}, nil
})

// PurgeQueue deletes every message of a queue.
func (s *Service) PurgeQueue(ctx context.Context, in *QueueInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	_, err = onOwner(ctx, s, m, "purge", purgeOp, &struct{}{}, &struct{}{})
	return err
}

var purgeOp = register("purge", func(ctx context.Context, q *queue, _ *struct{}) (*struct{}, error) {
	q.mu.Lock()
	now := q.s.cfg.Now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < 60*time.Second {
		q.mu.Unlock()
		return nil, eddy.TypedErrorf(eddy.EINVALID, "PurgeQueueInProgress",
			"Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.name)
	}
	q.lastPurge = now
	// Everything sent before now goes; messages in flight go too.
	var all []*msg
	for _, m := range q.msgs {
		if m.state != stMoving {
			q.take(m)
			all = append(all, m)
		}
	}
	q.mu.Unlock()
	if err := q.stream.Purge(ctx, jetstream.WithPurgeSubject(bodySubject(q.id))); err != nil {
		return nil, fmt.Errorf("queues: purge %s: %w", q.name, err)
	}
	q.mu.Lock()
	for _, m := range all {
		q.remove(m)
	}
	// What was sent before the purge will not be delivered.
	if sent := q.sentSeq.Load(); sent > q.applied {
		q.applied = sent
		q.appliedC.Broadcast()
	}
	q.mu.Unlock()
	return &struct{}{}, nil
})

// TagQueue adds or replaces tags.
func (s *Service) TagQueue(ctx context.Context, in *TagQueueInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	if len(in.Tags) == 0 {
		return missing("Tags")
	}
	return s.update(ctx, m.Name, func(m *meta) error {
		if m.Tags == nil {
			m.Tags = map[string]string{}
		}
		maps.Copy(m.Tags, in.Tags)
		return checkTags(m.Tags)
	})
}

// UntagQueue removes tags.
func (s *Service) UntagQueue(ctx context.Context, in *UntagQueueInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	if len(in.TagKeys) == 0 {
		return missing("TagKeys")
	}
	return s.update(ctx, m.Name, func(m *meta) error {
		for _, k := range in.TagKeys {
			delete(m.Tags, k)
		}
		return nil
	})
}

// ListQueueTags returns a queue's tags.
func (s *Service) ListQueueTags(ctx context.Context, in *QueueInput) (*ListQueueTagsOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &ListQueueTagsOutput{}
	if len(m.Tags) > 0 {
		out.Tags = maps.Clone(m.Tags)
	}
	return out, nil
}

// ListDeadLetterSourceQueues lists the queues whose redrive policy names
// this one.
func (s *Service) ListDeadLetterSourceQueues(ctx context.Context, in *ListDeadLetterSourceQueuesInput) (*ListDeadLetterSourceQueuesOutput, error) {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	max := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, rangeError("MaxResults", *in.MaxResults, "MaxResults must be an integer between 1 and 1000.")
		}
		max = *in.MaxResults
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil {
			return nil, invalidValue("Invalid NextToken value.")
		}
		after = string(b)
	}
	s.mu.Lock()
	var names []string
	for n, o := range s.metas {
		if o.settings().dlq == m.Name && n > after {
			names = append(names, n)
		}
	}
	s.mu.Unlock()
	slices.Sort(names)
	out := &ListDeadLetterSourceQueuesOutput{QueueUrls: []string{}}
	if len(names) > max {
		names = names[:max]
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(names[max-1]))
	}
	ep := endpointOf(ctx, s.cfg.Endpoint)
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.urlOf(ep, n))
	}
	return out, nil
}

// policy is a queue policy document.
type policy struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal"`
	Action    any            `json:"Action"`
	Resource  string         `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// AddPermission adds a statement to the queue's policy.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	switch {
	case in.Label == "":
		return missing("Label")
	case len(in.AWSAccountIds) == 0:
		return missing("AWSAccountIds")
	case len(in.Actions) == 0:
		return missing("Actions")
	}
	return s.update(ctx, m.Name, func(m *meta) error {
		var p policy
		if v := m.Attrs["Policy"]; v != "" {
			_ = json.Unmarshal([]byte(v), &p)
		}
		if p.Version == "" {
			p = policy{Version: "2012-10-17", ID: s.arn(m.Name) + "/SQSDefaultPolicy"}
		}
		for _, st := range p.Statement {
			if st.Sid == in.Label {
				return invalidValue("Value %s for parameter Label is invalid. Reason: Already exists.", in.Label)
			}
		}
		var principals []string
		for _, a := range in.AWSAccountIds {
			principals = append(principals, "arn:aws:iam::"+a+":root")
		}
		var actions []string
		for _, a := range in.Actions {
			actions = append(actions, "SQS:"+a)
		}
		st := statement{Sid: in.Label, Effect: "Allow", Principal: map[string]any{"AWS": principals}, Resource: s.arn(m.Name)}
		if len(actions) == 1 {
			st.Action = actions[0]
		} else {
			st.Action = actions
		}
		p.Statement = append(p.Statement, st)
		data, _ := json.Marshal(p)
		m.Attrs["Policy"] = string(data)
		return nil
	})
}

// RemovePermission removes a statement from the queue's policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) error {
	m, err := s.lookup(in.QueueUrl)
	if err != nil {
		return err
	}
	if in.Label == "" {
		return missing("Label")
	}
	return s.update(ctx, m.Name, func(m *meta) error {
		var p policy
		if v := m.Attrs["Policy"]; v != "" {
			_ = json.Unmarshal([]byte(v), &p)
		}
		i := slices.IndexFunc(p.Statement, func(st statement) bool { return st.Sid == in.Label })
		if i < 0 {
			return invalidValue("Value %s for parameter Label is invalid. Reason: can't find label on existing policy.", in.Label)
		}
		p.Statement = slices.Delete(p.Statement, i, i+1)
		if len(p.Statement) == 0 {
			delete(m.Attrs, "Policy")
			return nil
		}
		data, _ := json.Marshal(p)
		m.Attrs["Policy"] = string(data)
		return nil
	})
}
