package resources

import (
	"context"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy/queues"
	"github.com/eddyserverless/eddy/stacks"
)

// queueHandler is AWS::SQS::Queue. Ref is the queue URL.
type queueHandler struct{ s queues.API }

// queueAttrs are the properties that are queue attributes of the same
// name, with the value SQS gives an attribute not set.
var queueAttrs = map[string]string{
	"ContentBasedDeduplication":     "false",
	"DeduplicationScope":            "",
	"DelaySeconds":                  "0",
	"FifoThroughputLimit":           "",
	"KmsDataKeyReusePeriodSeconds":  "",
	"KmsMasterKeyId":                "",
	"MaximumMessageSize":            "262144",
	"MessageRetentionPeriod":        "345600",
	"ReceiveMessageWaitTimeSeconds": "0",
	"RedriveAllowPolicy":            "",
	"RedrivePolicy":                 "",
	"SqsManagedSseEnabled":          "",
	"VisibilityTimeout":             "30",
}

func (h *queueHandler) Spec() stacks.Spec {
	p := []string{"FifoQueue", "QueueName", "Tags"}
	for k := range queueAttrs {
		p = append(p, k)
	}
	return stacks.Spec{Properties: p, Replace: []string{"FifoQueue", "QueueName"},
		Attributes: []string{"Arn", "QueueName", "QueueUrl"}}
}

type queueProps struct {
	name  string
	fifo  bool
	attrs map[string]string
	tags  map[string]string
}

func (h *queueHandler) parse(m map[string]any) (*queueProps, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	q := &queueProps{name: p.str("QueueName"), attrs: map[string]string{}, tags: p.tags("Tags")}
	if b := p.boolean("FifoQueue"); b != nil {
		q.fifo = *b
	}
	for k := range queueAttrs {
		if !p.has(k) {
			continue
		}
		switch k {
		case "RedrivePolicy", "RedriveAllowPolicy":
			q.attrs[k] = p.json(k)
		case "ContentBasedDeduplication", "SqsManagedSseEnabled":
			if b := p.boolean(k); b != nil {
				q.attrs[k] = strconv.FormatBool(*b)
			}
		case "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "KmsDataKeyReusePeriodSeconds":
			if n := p.integer(k); n != nil {
				q.attrs[k] = strconv.Itoa(*n)
			}
		default:
			q.attrs[k] = p.str(k)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if q.fifo && q.name != "" && !strings.HasSuffix(q.name, ".fifo") {
		return nil, invalid("/QueueName", "A FIFO queue name must end with the .fifo suffix")
	}
	return q, nil
}

func (h *queueHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	q, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	name := q.name
	if name == "" {
		if q.fifo {
			name = r.GeneratedName(80-len(".fifo")) + ".fifo"
		} else {
			name = r.GeneratedName(80)
		}
	}
	attrs := q.attrs
	if q.fifo {
		attrs["FifoQueue"] = "true"
	}
	out, err := h.s.CreateQueue(ctx, &queues.CreateQueueInput{QueueName: name, Attributes: attrs, Tags: q.tags})
	if err != nil {
		return nil, err
	}
	return h.result(ctx, out.QueueUrl, name)
}

func (h *queueHandler) result(ctx context.Context, url, name string) (*stacks.Result, error) {
	out, err := h.s.GetQueueAttributes(ctx, &queues.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"QueueArn"}})
	if err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: url, Attributes: map[string]any{
		"Arn": out.Attributes["QueueArn"], "QueueName": name, "QueueUrl": url,
	}}, nil
}

func (h *queueHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	q, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	old, err := h.parse(r.OldProperties)
	if err != nil {
		old = &queueProps{attrs: map[string]string{}}
	}
	if changed(r.OldProperties, r.Properties, "FifoQueue", "QueueName") {
		return nil, stacks.ErrReplace
	}
	set := map[string]string{}
	for k, v := range q.attrs {
		if old.attrs[k] != v {
			set[k] = v
		}
	}
	// A property removed from the template goes back to SQS's default.
	for k := range old.attrs {
		if _, ok := q.attrs[k]; !ok {
			set[k] = queueAttrs[k]
		}
	}
	url := r.PhysicalID
	if len(set) > 0 {
		if err := h.s.SetQueueAttributes(ctx, &queues.SetQueueAttributesInput{QueueUrl: url, Attributes: set}); err != nil {
			return nil, err
		}
	}
	tags, remove := diffTags(old.tags, q.tags)
	if len(remove) > 0 {
		if err := h.s.UntagQueue(ctx, &queues.UntagQueueInput{QueueUrl: url, TagKeys: remove}); err != nil {
			return nil, err
		}
	}
	if len(tags) > 0 {
		if err := h.s.TagQueue(ctx, &queues.TagQueueInput{QueueUrl: url, Tags: tags}); err != nil {
			return nil, err
		}
	}
	return h.result(ctx, url, url[strings.LastIndex(url, "/")+1:])
}

func (h *queueHandler) Delete(ctx context.Context, r *stacks.Request) error {
	url := r.PhysicalID
	if url == "" {
		q, err := h.parse(oldOr(r))
		if err != nil {
			return nil // nothing was created from properties that do not parse
		}
		name := ""
		if q.fifo {
			if name = interrupted(r, q.name, 80-len(".fifo")); name != "" {
				name += ".fifo"
			}
		} else {
			name = interrupted(r, q.name, 80)
		}
		if name == "" {
			return nil
		}
		out, err := h.s.GetQueueUrl(ctx, &queues.GetQueueUrlInput{QueueName: name})
		if err != nil {
			return ignoreNotFound(err)
		}
		url = out.QueueUrl
	}
	return ignoreNotFound(h.s.DeleteQueue(ctx, &queues.QueueInput{QueueUrl: url}))
}
