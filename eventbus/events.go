package eventbus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/eventbus/pattern"
	"github.com/eddyserverless/eddy/queues"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Event is an event as EventBridge delivers it.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// envelope is a message of the event stream: an event put on a bus, or a
// tick of a scheduled rule or a schedule.
type envelope struct {
	Kind  string          // "event", "rule", "schedule" or "target"
	Bus   string          `json:",omitempty"`
	Key   string          `json:",omitempty"` // the rule's or schedule's catalog key
	Tick  time.Time       `json:",omitempty"`
	Event json.RawMessage `json:",omitempty"`
	// A delivery to one target ("target"): its id, the rule or schedule
	// it is for, the target, and what the target receives.
	ID      string  `json:",omitempty"`
	Source  string  `json:",omitempty"`
	Target  *Target `json:",omitempty"`
	Payload []byte  `json:",omitempty"`
}

const timeFormat = "2006-01-02T15:04:05Z"

// PutEvents accepts events: each is in the stream before PutEvents
// answers, and is then delivered to the targets of the rules it matches.
func (s *Service) PutEvents(ctx context.Context, in *PutEventsInput) (*PutEventsOutput, error) {
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		return nil, constraint("[PutEventsRequestEntry]", "entries", "Member must have length less than or equal to 10")
	}
	out := &PutEventsOutput{Entries: make([]PutEventsResultEntry, len(in.Entries))}
	for i, e := range in.Entries {
		id, code, msg, err := s.putEvent(ctx, &e)
		if err != nil {
			return nil, err
		}
		if code != "" {
			out.FailedEntryCount++
			out.Entries[i] = PutEventsResultEntry{ErrorCode: code, ErrorMessage: msg}
			continue
		}
		out.Entries[i] = PutEventsResultEntry{EventId: id}
	}
	return out, nil
}

func (s *Service) putEvent(ctx context.Context, e *PutEventsEntry) (id, code, msg string, err error) {
	switch {
	case e.Source == nil || *e.Source == "":
		return "", "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.", nil
	case e.DetailType == nil || *e.DetailType == "":
		return "", "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.", nil
	case e.Detail == nil || *e.Detail == "":
		return "", "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.", nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*e.Detail), &obj); err != nil || obj == nil {
		return "", "MalformedDetail", "Detail is malformed.", nil
	}
	bus := busName(e.EventBusName)
	if checkBusName(bus, "eventBusName") != nil {
		return "", "InvalidArgument", fmt.Sprintf("Parameter EventBusName is not valid. Reason: %s is not a valid event bus name.", e.EventBusName), nil
	}
	if _, err := s.bus(ctx, bus); err != nil {
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			return "", "NotAuthorizedForSourceException", eddy.ErrorMessage(err), nil
		}
		return "", "", "", err
	}
	t := s.cfg.Clock.Now()
	if e.Time != nil {
		t = e.Time.Time
	}
	ev := Event{Version: "0", ID: eddy.NewID(), DetailType: *e.DetailType, Source: *e.Source, Account: s.cfg.Account,
		Time: t.UTC().Format(timeFormat), Region: s.cfg.Region, Resources: e.Resources, Detail: json.RawMessage(*e.Detail)}
	if ev.Resources == nil {
		ev.Resources = []string{}
	}
	data, err := json.Marshal(&ev)
	if err != nil {
		return "", "InvalidArgument", "Parameter Detail is not valid.", nil
	}
	if len(data) > 256*1024 {
		return "", "InvalidArgument", "Total size of the entries in the request is over the limit.", nil
	}
	if err := s.publish(ctx, &envelope{Kind: "event", Bus: bus, Event: data}, ev.ID); err != nil {
		return "", "", "", err
	}
	return ev.ID, "", "", nil
}

// publish writes a message to the event stream; msgID, when JetStream saw
// it within the duplicate window, makes this a no-op.
func (s *Service) publish(ctx context.Context, env *envelope, msgID string) error {
	data, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("eventbus: encode: %w", err)
	}
	msg := nats.NewMsg(s.cfg.Prefix + ".event." + env.Kind)
	msg.Data = data
	msg.Header.Set(nats.MsgIdHdr, msgID)
	if _, err := s.cfg.Engine.JS.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("eventbus: publish: %w", err)
	}
	return nil
}

// compiled returns the compiled form of a rule's event pattern, nil if
// it does not compile (PutRule refused it then).
func (s *Service) compiled(src string) *pattern.Pattern {
	if p, ok := s.patterns.Load(src); ok {
		return p.(*pattern.Pattern)
	}
	p, err := pattern.Compile(src)
	if err != nil {
		return nil
	}
	s.patterns.Store(src, p)
	return p
}

// handle delivers one message of the stream. A delivery that fails in a
// way a retry may get past is retried with backoff; deliveries that
// succeeded before are repeated then, but a function is not invoked twice
// for one (event, rule, target): the request id is derived from them and
// the invoker drops a repeated one.
func (s *Service) handle(msg jetstream.Msg) {
	var env envelope
	if err := json.Unmarshal(msg.Data(), &env); err != nil {
		s.cfg.Logger.Error("eventbus: undecodable message", "err", err)
		_ = msg.Term()
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.LeaseTTL)
	defer cancel()
	var err error
	switch env.Kind {
	case "event":
		err = s.deliverEvent(ctx, &env)
	case "rule":
		err = s.deliverTick(ctx, &env)
	case "schedule":
		err = s.deliverSchedule(ctx, &env)
	case "target":
		s.deliverTarget(ctx, msg, &env)
		return
	}
	if err == nil {
		_ = msg.Ack()
		return
	}
	// Fanning out failed (the stream or the catalog did not answer):
	// again in a while. Deliveries published before are not published
	// twice (their ids are message ids).
	s.cfg.Logger.Warn("eventbus: fan-out will be retried", "err", err)
	_ = msg.NakWithDelay(time.Second)
}

// Retries of a target, as EventBridge's defaults.
const (
	defaultRetries = 185
	defaultMaxAge  = 24 * time.Hour
)

// deliverTarget sends one delivery to its target. One that fails in a way
// a retry may get past is retried with backoff, within the target's
// RetryPolicy; one that fails for good, or runs out of retries, goes to
// the target's dead-letter queue when it has one.
func (s *Service) deliverTarget(ctx context.Context, msg jetstream.Msg, env *envelope) {
	t := env.Target
	err := s.send(ctx, t.Arn, t.SqsParameters, env.Payload, env.ID)
	if err == nil {
		_ = msg.Ack()
		return
	}
	retries, maxAge := defaultRetries, defaultMaxAge
	if p := t.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			retries = *p.MaximumRetryAttempts
		}
		if p.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
		}
	}
	attempts, age := 1, time.Duration(0)
	if meta, merr := msg.Metadata(); merr == nil {
		attempts, age = int(meta.NumDelivered), time.Since(meta.Timestamp)
	}
	if !undeliverable(err) && attempts <= retries && age < maxAge && s.ctx.Err() == nil {
		s.cfg.Logger.Debug("eventbus: delivery will be retried", "source", env.Source, "target", t.Id, "attempts", attempts, "err", err)
		_ = msg.NakWithDelay(min(time.Duration(1<<min(attempts, 6))*time.Second, time.Minute))
		return
	}
	if s.ctx.Err() != nil {
		return // closing: another node, or this one restarted, retries it
	}
	s.cfg.Logger.Warn("eventbus: delivery failed", "source", env.Source, "target", t.Id, "attempts", attempts, "err", err)
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != "" {
		if derr := s.deadLetter(ctx, env, err); derr != nil {
			s.cfg.Logger.Warn("eventbus: dead-letter queue refused the event", "source", env.Source, "target", t.Id, "err", derr)
			_ = msg.NakWithDelay(time.Minute)
			return
		}
	}
	_ = msg.Term()
}

// deadLetter sends the event of a failed delivery to the target's
// dead-letter queue, with the attributes EventBridge sets.
func (s *Service) deadLetter(ctx context.Context, env *envelope, cause error) error {
	parts := strings.Split(env.Target.DeadLetterConfig.Arn, ":")
	if len(parts) != 6 || parts[2] != "sqs" {
		return eddy.Errorf(eddy.EINVALID, "not a queue: %s", env.Target.DeadLetterConfig.Arn)
	}
	body := string(env.Event)
	if body == "" {
		body = string(env.Payload)
	}
	in := queuesSend(parts[4], parts[5], &body)
	code := eddy.ErrorCode(cause)
	if e := eddy.AsError(cause); e != nil && e.Type != "" {
		code = e.Type
	}
	str := func(v string) queues.MessageAttributeValue {
		return queues.MessageAttributeValue{DataType: "String", StringValue: &v}
	}
	in.MessageAttributes = map[string]queues.MessageAttributeValue{
		"RULE_ARN": str(env.Source), "TARGET_ARN": str(env.Target.Arn),
		"ERROR_CODE": str(code), "ERROR_MESSAGE": str(eddy.ErrorMessage(cause)),
	}
	_, err := s.cfg.Queues.SendMessage(ctx, in)
	return err
}

func (s *Service) deliverEvent(ctx context.Context, env *envelope) error {
	rules, err := s.rules(ctx, env.Bus)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if r.State != "ENABLED" || r.EventPattern == "" {
			continue
		}
		p := s.compiled(r.EventPattern)
		if p == nil || !p.Match(env.Event) {
			continue
		}
		if err := s.toTargets(ctx, r, env.Event); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) deliverTick(ctx context.Context, env *envelope) error {
	var r ruleRecord
	_, found, err := s.get(ctx, env.Key, &r)
	if err != nil {
		return err
	}
	if !found || r.State != "ENABLED" || r.ScheduleExpression == "" {
		return nil
	}
	return s.toTargets(ctx, &r, env.Event)
}

// toTargets fans an event out to the targets of a rule: one delivery
// message each, retried on its own.
func (s *Service) toTargets(ctx context.Context, r *ruleRecord, event []byte) error {
	var ev struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(event, &ev)
	arn := s.ruleArn(r.Bus, r.Name)
	for _, t := range r.Targets {
		payload, err := applyInput(&t, event, arn, r.Name)
		if err != nil {
			s.cfg.Logger.Warn("eventbus: input transformation failed", "rule", arn, "target", t.Id, "err", err)
			continue
		}
		id := deliveryID(ev.ID, arn, t.Id)
		env := &envelope{Kind: "target", ID: id, Source: arn, Target: &t, Payload: payload, Event: event}
		if err := s.publish(ctx, env, "target/"+id); err != nil {
			return err
		}
	}
	return nil
}

// send delivers a payload to a function (an asynchronous invocation with
// request id id) or a queue.
func (s *Service) send(ctx context.Context, arn string, sqs *SqsParameters, payload []byte, id string) error {
	kind, ref := targetKind(arn)
	switch kind {
	case "function":
		if s.cfg.Invoker == nil {
			return eddy.Errorf(eddy.EUNSUPPORT, "no invoker")
		}
		_, err := s.cfg.Invoker.Invoke(ctx, &eddy.InvokeRequest{
			Region: ref.Region, FunctionName: ref.Name, Qualifier: ref.Qualifier,
			Type: eddy.InvokeEvent, Payload: payload, RequestID: id,
		})
		return err
	case "queue":
		if s.cfg.Queues == nil {
			return eddy.Errorf(eddy.EUNSUPPORT, "no queue service")
		}
		parts := strings.Split(arn, ":")
		body := string(payload)
		in := queuesSend(parts[4], parts[5], &body)
		if strings.HasSuffix(parts[5], ".fifo") {
			group := "default" // PutTargets requires one; a schedule may lack it
			if sqs != nil && sqs.MessageGroupId != "" {
				group = sqs.MessageGroupId
			}
			dedup := id
			in.MessageGroupId, in.MessageDeduplicationId = &group, &dedup
		}
		_, err := s.cfg.Queues.SendMessage(ctx, in)
		return err
	}
	return eddy.Errorf(eddy.EINVALID, "not a target: %s", arn)
}

// undeliverable reports whether a delivery failed for good: the target
// does not exist or refuses the payload.
func undeliverable(err error) bool {
	switch eddy.ErrorCode(err) {
	case eddy.ENOTFOUND, eddy.EINVALID, eddy.EVALIDATE, eddy.ETOOLARGE, eddy.EMALFORMED, eddy.EUNSUPPORT:
		return true
	}
	return false
}

// deliveryID names the delivery of one event to one target of one rule:
// the same for every retry, a UUID so that it can be a request id.
func deliveryID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)
	sum[6] = sum[6]&0x0f | 0x80
	sum[8] = sum[8]&0x3f | 0x80
	x := hex.EncodeToString(sum[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
