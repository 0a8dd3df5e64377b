package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/eventbus/pattern"
	"github.com/eddyserverless/eddy/eventbus/schedule"
	"github.com/nats-io/nats.go/jetstream"
)

// maxTargets is how many targets a rule may have, as in AWS.
const maxTargets = 5

// bus reads a bus; the default bus always exists.
func (s *Service) bus(ctx context.Context, name string) (*busRecord, error) {
	var b busRecord
	_, found, err := s.get(ctx, busKey(name), &b)
	if err != nil {
		return nil, err
	}
	if !found {
		if name == DefaultBus {
			return &busRecord{Name: DefaultBus}, nil
		}
		return nil, notFound("Event bus %s does not exist.", name)
	}
	return &b, nil
}

func (s *Service) busView(b *busRecord) EventBus {
	v := EventBus{Name: b.Name, Arn: s.busArn(b.Name), Description: b.Description}
	if !b.Created.IsZero() {
		v.CreationTime, v.LastModifiedTime = &Timestamp{b.Created}, &Timestamp{b.Modified}
	}
	return v
}

// CreateEventBus creates a custom event bus.
func (s *Service) CreateEventBus(ctx context.Context, in *CreateEventBusInput) (*CreateEventBusOutput, error) {
	if err := checkBusName(in.Name, "name"); err != nil {
		return nil, err
	}
	if in.Name == DefaultBus {
		return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceAlreadyExistsException", "Event bus %s already exists.", in.Name)
	}
	if strings.Contains(in.Name, "/") && in.EventSourceName == "" {
		return nil, validation("Event bus name must not contain '/'.")
	}
	now := s.cfg.Clock.Now().UTC()
	data, _ := json.Marshal(&busRecord{Name: in.Name, Description: in.Description, Created: now, Modified: now, Tags: in.Tags})
	if _, err := s.kv.Create(ctx, busKey(in.Name), data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceAlreadyExistsException", "Event bus %s already exists.", in.Name)
		}
		return nil, fmt.Errorf("eventbus: create bus: %w", err)
	}
	return &CreateEventBusOutput{EventBusArn: s.busArn(in.Name), Description: in.Description}, nil
}

// DeleteEventBus deletes a custom bus and its rules; deleting a bus that
// does not exist succeeds, as in AWS.
func (s *Service) DeleteEventBus(ctx context.Context, in *NameInput) (*Empty, error) {
	name := busName(in.Name)
	if err := checkBusName(name, "name"); err != nil {
		return nil, err
	}
	if name == DefaultBus {
		return nil, validation("Cannot delete event bus default.")
	}
	keys, err := s.keys(ctx, "rule."+enc(name)+".*")
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		_ = s.kv.Delete(ctx, k)
	}
	if err := s.kv.Delete(ctx, busKey(name)); err != nil {
		return nil, fmt.Errorf("eventbus: delete bus: %w", err)
	}
	return &Empty{}, nil
}

// DescribeEventBus shows a bus.
func (s *Service) DescribeEventBus(ctx context.Context, in *NameInput) (*EventBus, error) {
	name := busName(in.Name)
	if err := checkBusName(name, "name"); err != nil {
		return nil, err
	}
	b, err := s.bus(ctx, name)
	if err != nil {
		return nil, err
	}
	v := s.busView(b)
	return &v, nil
}

// ListEventBuses lists the buses, the default one included.
func (s *Service) ListEventBuses(ctx context.Context, in *ListEventBusesInput) (*ListEventBusesOutput, error) {
	keys, err := s.keys(ctx, "bus.*")
	if err != nil {
		return nil, err
	}
	names := []string{DefaultBus}
	for _, k := range keys {
		if n := lastName(k); n != DefaultBus {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	names = slices.DeleteFunc(names, func(n string) bool { return !strings.HasPrefix(n, in.NamePrefix) })
	from, to, next := page(names, in.NextToken, in.Limit, 100)
	out := &ListEventBusesOutput{EventBuses: []EventBus{}, NextToken: next}
	for _, n := range names[from:to] {
		b, err := s.bus(ctx, n)
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.EventBuses = append(out.EventBuses, s.busView(b))
	}
	return out, nil
}

// rule reads a rule after checking its bus exists.
func (s *Service) rule(ctx context.Context, bus, name string) (*ruleRecord, error) {
	var r ruleRecord
	_, found, err := s.get(ctx, ruleKey(bus, name), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		if _, err := s.bus(ctx, bus); err != nil {
			return nil, err
		}
		return nil, notFound("Rule %s does not exist on EventBus %s.", name, bus)
	}
	return &r, nil
}

// PutRule creates or updates a rule.
func (s *Service) PutRule(ctx context.Context, in *PutRuleInput) (*PutRuleOutput, error) {
	if err := checkRuleName(in.Name, "name"); err != nil {
		return nil, err
	}
	bus := busName(in.EventBusName)
	if err := checkBusName(bus, "eventBusName"); err != nil {
		return nil, err
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	switch in.State {
	case "":
		in.State = "ENABLED"
	case "ENABLED", "DISABLED":
	default:
		return nil, constraint(in.State, "state", "Member must satisfy enum value set: [ENABLED, DISABLED]")
	}
	if len(in.Description) > 512 {
		return nil, constraint(in.Description, "description", "Member must have length less than or equal to 512")
	}
	if in.EventPattern != "" {
		if _, err := pattern.Compile(in.EventPattern); err != nil {
			return nil, eddy.TypedErrorf(eddy.EINVALID, "InvalidEventPatternException", "%s", err.Error())
		}
	}
	if in.ScheduleExpression != "" {
		if bus != DefaultBus {
			return nil, validation("ScheduleExpression is supported only on the default event bus.")
		}
		if _, err := schedule.Parse(in.ScheduleExpression); err != nil {
			return nil, validation("Parameter ScheduleExpression is not valid.")
		}
	}
	if _, err := s.bus(ctx, bus); err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now().UTC()
	key := ruleKey(bus, in.Name)
	for range 20 {
		var r ruleRecord
		rev, found, err := s.get(ctx, key, &r)
		if err != nil {
			return nil, err
		}
		if !found {
			r = ruleRecord{Name: in.Name, Bus: bus, Created: now, Anchor: now, Tags: in.Tags}
		}
		if r.State != "ENABLED" && in.State == "ENABLED" || r.ScheduleExpression != in.ScheduleExpression {
			r.Anchor = now
		}
		r.EventPattern, r.ScheduleExpression, r.State = in.EventPattern, in.ScheduleExpression, in.State
		r.Description, r.RoleArn = in.Description, in.RoleArn
		data, _ := json.Marshal(&r)
		if found {
			_, err = s.kv.Update(ctx, key, data, rev)
		} else {
			_, err = s.kv.Create(ctx, key, data)
		}
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("eventbus: put rule: %w", err)
		}
		return &PutRuleOutput{RuleArn: s.ruleArn(bus, in.Name)}, nil
	}
	return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ConcurrentModificationException", "Another request modified the rule at the same time; retry.")
}

func (s *Service) ruleIn(in *RuleInput) (string, error) {
	if err := checkRuleName(in.Name, "name"); err != nil {
		return "", err
	}
	bus := busName(in.EventBusName)
	return bus, checkBusName(bus, "eventBusName")
}

// DescribeRule shows a rule.
func (s *Service) DescribeRule(ctx context.Context, in *RuleInput) (*Rule, error) {
	bus, err := s.ruleIn(in)
	if err != nil {
		return nil, err
	}
	r, err := s.rule(ctx, bus, in.Name)
	if err != nil {
		return nil, err
	}
	v := r.view(s)
	return &v, nil
}

// DeleteRule deletes a rule that has no targets left.
func (s *Service) DeleteRule(ctx context.Context, in *RuleInput) (*Empty, error) {
	bus, err := s.ruleIn(in)
	if err != nil {
		return nil, err
	}
	var r ruleRecord
	rev, found, err := s.get(ctx, ruleKey(bus, in.Name), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return &Empty{}, nil // deleting what is gone succeeds, as in AWS
	}
	if len(r.Targets) > 0 {
		return nil, validation("Rule can't be deleted since it has targets.")
	}
	if err := s.kv.Delete(ctx, ruleKey(bus, in.Name), jetstream.LastRevision(rev)); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ConcurrentModificationException", "Another request modified the rule at the same time; retry.")
		}
		return nil, fmt.Errorf("eventbus: delete rule: %w", err)
	}
	return &Empty{}, nil
}

func (s *Service) setState(ctx context.Context, in *RuleInput, state string) (*Empty, error) {
	bus, err := s.ruleIn(in)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now().UTC()
	_, err = update(ctx, s, ruleKey(bus, in.Name), func() error {
		_, err := s.rule(ctx, bus, in.Name)
		return err
	}, func(r *ruleRecord) error {
		if r.State != state && state == "ENABLED" {
			r.Anchor = now
		}
		r.State = state
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// EnableRule enables a rule; a scheduled rule's ticks count from now.
func (s *Service) EnableRule(ctx context.Context, in *RuleInput) (*Empty, error) {
	return s.setState(ctx, in, "ENABLED")
}

// DisableRule disables a rule.
func (s *Service) DisableRule(ctx context.Context, in *RuleInput) (*Empty, error) {
	return s.setState(ctx, in, "DISABLED")
}

// ListRules lists the rules of a bus.
func (s *Service) ListRules(ctx context.Context, in *ListRulesInput) (*ListRulesOutput, error) {
	bus := busName(in.EventBusName)
	if err := checkBusName(bus, "eventBusName"); err != nil {
		return nil, err
	}
	if _, err := s.bus(ctx, bus); err != nil {
		return nil, err
	}
	rules, err := s.rules(ctx, bus)
	if err != nil {
		return nil, err
	}
	rules = slices.DeleteFunc(rules, func(r *ruleRecord) bool { return !strings.HasPrefix(r.Name, in.NamePrefix) })
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.Name
	}
	from, to, next := page(names, in.NextToken, in.Limit, 100)
	out := &ListRulesOutput{Rules: []Rule{}, NextToken: next}
	for _, r := range rules[from:to] {
		out.Rules = append(out.Rules, r.view(s))
	}
	return out, nil
}

// rules reads every rule of a bus, sorted by name.
func (s *Service) rules(ctx context.Context, bus string) ([]*ruleRecord, error) {
	keys, err := s.keys(ctx, "rule."+enc(bus)+".*")
	if err != nil {
		return nil, err
	}
	var out []*ruleRecord
	for _, k := range keys {
		var r ruleRecord
		_, found, err := s.get(ctx, k, &r)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, &r)
		}
	}
	return out, nil
}

var targetIDRE = ruleNameRE

// checkTarget returns the failure of one target, or "" and "".
func checkTarget(t *Target) (code, msg string) {
	switch {
	case t.Id == "" || len(t.Id) > 64 || !targetIDRE.MatchString(t.Id):
		return "ValidationException", fmt.Sprintf("Target Id %q is not valid.", t.Id)
	case t.Arn == "":
		return "ValidationException", "Parameter Arn must not be empty."
	}
	if err := checkInput(t); err != nil {
		return "ValidationException", err.Error()
	}
	if p := t.RetryPolicy; p != nil {
		if n := p.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 185) {
			return "ValidationException", fmt.Sprintf("1 validation error detected: Value '%d' at 'targets.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185", *n)
		}
		if n := p.MaximumEventAgeInSeconds; n != nil && (*n < 60 || *n > 86400) {
			return "ValidationException", fmt.Sprintf("1 validation error detected: Value '%d' at 'targets.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400", *n)
		}
	}
	if d := t.DeadLetterConfig; d != nil && d.Arn != "" {
		if k, _ := targetKind(d.Arn); k != "queue" {
			return "ValidationException", fmt.Sprintf("Parameter DeadLetterConfig.Arn is not valid. Reason: %s is not an SQS queue ARN.", d.Arn)
		}
	}
	kind, _ := targetKind(t.Arn)
	if kind == "" {
		return "ValidationException", fmt.Sprintf("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.Arn)
	}
	if kind == "queue" && strings.HasSuffix(t.Arn, ".fifo") && (t.SqsParameters == nil || t.SqsParameters.MessageGroupId == "") {
		return "ValidationException", fmt.Sprintf("Parameter(s) SqsParameters must be specified for target: %s.", t.Id)
	}
	return "", ""
}

// targetKind says what an ARN names: "function" (with its name and
// qualifier) or "queue".
func targetKind(arn string) (kind string, ref eddy.FunctionRef) {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return "", ref
	}
	switch parts[2] {
	case "lambda":
		r, err := eddy.ParseFunctionRef(arn, "Arn")
		if err != nil || r.Region == "" {
			return "", ref
		}
		return "function", r
	case "sqs":
		if len(parts) == 6 && parts[5] != "" && !strings.Contains(parts[5], "/") {
			return "queue", ref
		}
	}
	return "", ref
}

// PutTargets adds or replaces targets of a rule.
func (s *Service) PutTargets(ctx context.Context, in *PutTargetsInput) (*TargetsOutput, error) {
	bus, err := s.ruleIn(&RuleInput{Name: in.Rule, EventBusName: in.EventBusName})
	if err != nil {
		return nil, err
	}
	if len(in.Targets) == 0 || len(in.Targets) > 10 {
		return nil, constraint(fmt.Sprint(len(in.Targets)), "targets", "Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	out := &TargetsOutput{FailedEntries: []FailedEntry{}}
	_, err = update(ctx, s, ruleKey(bus, in.Rule), func() error {
		_, err := s.rule(ctx, bus, in.Rule)
		return err
	}, func(r *ruleRecord) error {
		out.FailedEntries = out.FailedEntries[:0]
		targets := slices.Clone(r.Targets)
		for _, t := range in.Targets {
			if code, msg := checkTarget(&t); code != "" {
				if code == "ValidationException" {
					return validation("%s", msg)
				}
				out.FailedEntries = append(out.FailedEntries, FailedEntry{TargetId: t.Id, ErrorCode: code, ErrorMessage: msg})
				continue
			}
			if i := slices.IndexFunc(targets, func(o Target) bool { return o.Id == t.Id }); i >= 0 {
				targets[i] = t
			} else {
				targets = append(targets, t)
			}
		}
		if len(targets) > maxTargets {
			return eddy.TypedErrorf(eddy.ETOOLARGE, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
		}
		r.Targets = targets
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

// RemoveTargets removes targets from a rule.
func (s *Service) RemoveTargets(ctx context.Context, in *RemoveTargetsInput) (*TargetsOutput, error) {
	bus, err := s.ruleIn(&RuleInput{Name: in.Rule, EventBusName: in.EventBusName})
	if err != nil {
		return nil, err
	}
	if len(in.Ids) == 0 || len(in.Ids) > 100 {
		return nil, constraint(fmt.Sprint(len(in.Ids)), "ids", "Member must have length less than or equal to 100 and greater than or equal to 1")
	}
	_, err = update(ctx, s, ruleKey(bus, in.Rule), func() error {
		_, err := s.rule(ctx, bus, in.Rule)
		return err
	}, func(r *ruleRecord) error {
		r.Targets = slices.DeleteFunc(r.Targets, func(t Target) bool { return slices.Contains(in.Ids, t.Id) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TargetsOutput{FailedEntries: []FailedEntry{}}, nil
}

// ListTargetsByRule lists a rule's targets.
func (s *Service) ListTargetsByRule(ctx context.Context, in *ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
	bus, err := s.ruleIn(&RuleInput{Name: in.Rule, EventBusName: in.EventBusName})
	if err != nil {
		return nil, err
	}
	r, err := s.rule(ctx, bus, in.Rule)
	if err != nil {
		return nil, err
	}
	targets := slices.Clone(r.Targets)
	slices.SortFunc(targets, func(a, b Target) int { return strings.Compare(a.Id, b.Id) })
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.Id
	}
	from, to, next := page(ids, in.NextToken, in.Limit, 100)
	return &ListTargetsByRuleOutput{Targets: append([]Target{}, targets[from:to]...), NextToken: next}, nil
}

// ListRuleNamesByTarget lists the rules of a bus with a target of an ARN.
func (s *Service) ListRuleNamesByTarget(ctx context.Context, in *ListRuleNamesByTargetInput) (*ListRuleNamesByTargetOutput, error) {
	if in.TargetArn == "" {
		return nil, constraint("", "targetArn", "Member must have length greater than or equal to 1")
	}
	bus := busName(in.EventBusName)
	if _, err := s.bus(ctx, bus); err != nil {
		return nil, err
	}
	rules, err := s.rules(ctx, bus)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range rules {
		if slices.ContainsFunc(r.Targets, func(t Target) bool { return t.Arn == in.TargetArn }) {
			names = append(names, r.Name)
		}
	}
	from, to, next := page(names, in.NextToken, in.Limit, 100)
	return &ListRuleNamesByTargetOutput{RuleNames: append([]string{}, names[from:to]...), NextToken: next}, nil
}

// TestEventPattern reports whether an event matches a pattern. The event
// must carry every field AWS requires of one.
func (s *Service) TestEventPattern(ctx context.Context, in *TestEventPatternInput) (*TestEventPatternOutput, error) {
	p, err := pattern.Compile(in.EventPattern)
	if err != nil {
		return nil, eddy.TypedErrorf(eddy.EINVALID, "InvalidEventPatternException", "%s", err.Error())
	}
	var ev map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in.Event), &ev); err != nil || ev == nil {
		return nil, validation("Parameter Event is not valid.")
	}
	for _, f := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		var v string
		if err := json.Unmarshal(ev[f], &v); err != nil || ev[f] == nil {
			return nil, validation("Parameter Event is not valid.")
		}
	}
	var res []string
	if err := json.Unmarshal(ev["resources"], &res); err != nil || ev["resources"] == nil {
		return nil, validation("Parameter Event is not valid.")
	}
	return &TestEventPatternOutput{Result: p.Match([]byte(in.Event))}, nil
}

// resource finds the record an ARN names: a bus or a rule.
func (s *Service) resourceKey(ctx context.Context, arn string) (string, error) {
	prefix := fmt.Sprintf("arn:aws:events:%s:%s:", s.cfg.Region, s.cfg.Account)
	rest, ok := strings.CutPrefix(arn, prefix)
	switch {
	case ok && strings.HasPrefix(rest, "event-bus/"):
		name := strings.TrimPrefix(rest, "event-bus/")
		if name == DefaultBus {
			// The default bus is stored the first time it is tagged.
			var b busRecord
			if _, found, err := s.get(ctx, busKey(name), &b); err != nil {
				return "", err
			} else if !found {
				data, _ := json.Marshal(&busRecord{Name: DefaultBus})
				_, _ = s.kv.Create(ctx, busKey(name), data)
			}
		}
		if _, err := s.bus(ctx, name); err != nil {
			return "", err
		}
		return busKey(name), nil
	case ok && strings.HasPrefix(rest, "rule/"):
		path := strings.TrimPrefix(rest, "rule/")
		bus, name := DefaultBus, path
		if i := strings.LastIndexByte(path, '/'); i >= 0 {
			bus, name = path[:i], path[i+1:]
		}
		if _, err := s.rule(ctx, bus, name); err != nil {
			return "", err
		}
		return ruleKey(bus, name), nil
	}
	return "", notFound("Resource %s does not exist.", arn)
}

type tagged interface{ tags() *[]Tag }

func (b *busRecord) tags() *[]Tag  { return &b.Tags }
func (r *ruleRecord) tags() *[]Tag { return &r.Tags }

func (s *Service) editTags(ctx context.Context, arn string, fn func(*[]Tag)) error {
	key, err := s.resourceKey(ctx, arn)
	if err != nil {
		return err
	}
	missing := func() error { return notFound("Resource %s does not exist.", arn) }
	if strings.HasPrefix(key, "bus.") {
		_, err = update(ctx, s, key, missing, func(b *busRecord) error { fn(b.tags()); return nil })
	} else {
		_, err = update(ctx, s, key, missing, func(r *ruleRecord) error { fn(r.tags()); return nil })
	}
	return err
}

// TagResource adds or replaces tags of a bus or rule.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	err := s.editTags(ctx, in.ResourceARN, func(tags *[]Tag) {
		for _, t := range in.Tags {
			*tags = slices.DeleteFunc(*tags, func(o Tag) bool { return o.Key == t.Key })
			*tags = append(*tags, t)
		}
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// UntagResource removes tags of a bus or rule.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	err := s.editTags(ctx, in.ResourceARN, func(tags *[]Tag) {
		*tags = slices.DeleteFunc(*tags, func(o Tag) bool { return slices.Contains(in.TagKeys, o.Key) })
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListTagsForResource lists the tags of a bus or rule.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	key, err := s.resourceKey(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	var t tagged
	if strings.HasPrefix(key, "bus.") {
		t = &busRecord{}
	} else {
		t = &ruleRecord{}
	}
	if _, _, err := s.get(ctx, key, t); err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: append([]Tag{}, *t.tags()...)}, nil
}
