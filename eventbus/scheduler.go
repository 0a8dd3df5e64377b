package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/eventbus/schedule"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultGroup is the schedule group every account has.
const DefaultGroup = "default"

// FlexibleTimeWindow is a schedule's flexible time window.
type FlexibleTimeWindow struct {
	Mode                   string
	MaximumWindowInMinutes int `json:",omitempty"`
}

// SchedulerTarget is what a schedule invokes.
type SchedulerTarget struct {
	Arn              string
	RoleArn          string
	Input            string            `json:",omitempty"`
	RetryPolicy      *RetryPolicy      `json:",omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:",omitempty"`
	SqsParameters    *SqsParameters    `json:",omitempty"`
}

// ScheduleInput is CreateSchedule's and UpdateSchedule's request.
type ScheduleInput struct {
	Name                       string `json:"-"`
	GroupName                  string
	ScheduleExpression         string
	ScheduleExpressionTimezone string
	StartDate                  *Timestamp
	EndDate                    *Timestamp
	FlexibleTimeWindow         *FlexibleTimeWindow
	State                      string
	Description                string
	ActionAfterCompletion      string
	KmsKeyArn                  string
	Target                     *SchedulerTarget
	ClientToken                string
}

// ScheduleArnOutput is CreateSchedule's and UpdateSchedule's answer.
type ScheduleArnOutput struct{ ScheduleArn string }

// ScheduleRef names a schedule.
type ScheduleRef struct {
	Name        string
	GroupName   string
	ClientToken string
}

// Schedule is GetSchedule's answer.
type Schedule struct {
	Arn                        string
	Name                       string
	GroupName                  string
	ScheduleExpression         string
	ScheduleExpressionTimezone string              `json:",omitempty"`
	StartDate                  *Timestamp          `json:",omitempty"`
	EndDate                    *Timestamp          `json:",omitempty"`
	FlexibleTimeWindow         *FlexibleTimeWindow `json:",omitempty"`
	State                      string
	Description                string `json:",omitempty"`
	ActionAfterCompletion      string `json:",omitempty"`
	KmsKeyArn                  string `json:",omitempty"`
	Target                     *SchedulerTarget
	CreationDate               Timestamp
	LastModificationDate       Timestamp
}

// ListSchedulesInput is ListSchedules's request.
type ListSchedulesInput struct {
	GroupName  string
	NamePrefix string
	State      string
	MaxResults int
	NextToken  string
}

// ScheduleSummary is one schedule of ListSchedules.
type ScheduleSummary struct {
	Arn                  string
	Name                 string
	GroupName            string
	State                string
	CreationDate         Timestamp
	LastModificationDate Timestamp
	Target               struct{ Arn string }
}

// ListSchedulesOutput is ListSchedules's answer.
type ListSchedulesOutput struct {
	Schedules []ScheduleSummary
	NextToken string `json:",omitempty"`
}

// ScheduleGroupInput is CreateScheduleGroup's request.
type ScheduleGroupInput struct {
	Name        string `json:"-"`
	ClientToken string
	Tags        []Tag
}

// ScheduleGroupArnOutput is CreateScheduleGroup's answer.
type ScheduleGroupArnOutput struct{ ScheduleGroupArn string }

// ScheduleGroup is a schedule group.
type ScheduleGroup struct {
	Arn                  string
	Name                 string
	State                string
	CreationDate         *Timestamp `json:",omitempty"`
	LastModificationDate *Timestamp `json:",omitempty"`
}

// ListScheduleGroupsInput is ListScheduleGroups's request.
type ListScheduleGroupsInput struct {
	NamePrefix string
	MaxResults int
	NextToken  string
}

// ListScheduleGroupsOutput is ListScheduleGroups's answer.
type ListScheduleGroupsOutput struct {
	ScheduleGroups []ScheduleGroup
	NextToken      string `json:",omitempty"`
}

type scheduleRecord struct {
	Name, Group                string
	ScheduleExpression         string
	ScheduleExpressionTimezone string `json:",omitempty"`
	StartDate, EndDate         time.Time
	FlexibleTimeWindow         FlexibleTimeWindow
	State                      string
	Description                string `json:",omitempty"`
	ActionAfterCompletion      string `json:",omitempty"`
	KmsKeyArn                  string `json:",omitempty"`
	Target                     SchedulerTarget
	ClientToken                string `json:",omitempty"`
	Created, Modified          time.Time
}

type groupRecord struct {
	Name              string
	Tags              []Tag `json:",omitempty"`
	Created, Modified time.Time
}

func (s *Service) scheduleArn(group, name string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", s.cfg.Region, s.cfg.Account, group, name)
}

func (s *Service) groupArn(name string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", s.cfg.Region, s.cfg.Account, name)
}

var (
	schedNameRE = regexp.MustCompile(`^[0-9a-zA-Z-_.]+$`)
	roleArnRE   = regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$`)
)

func checkSchedName(name, member string) error {
	switch {
	case name == "" || len(name) > 64:
		return constraint(name, member, "Member must have length less than or equal to 64 and greater than or equal to 1")
	case !schedNameRE.MatchString(name):
		return constraint(name, member, "Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$")
	}
	return nil
}

func conflict(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.ECONFLICT, "ConflictException", format, args...)
}

// parseScheduleExpr parses a schedule's expression in its time zone.
func parseScheduleExpr(expr, tz string) (schedule.Schedule, *time.Location, error) {
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return nil, nil, validation("Invalid ScheduleExpressionTimezone %s.", tz)
		}
		loc = l
	}
	sc, err := schedule.ParseIn(expr, loc)
	if err != nil {
		return nil, nil, validation("Invalid Schedule Expression %s.", expr)
	}
	return sc, loc, nil
}

func groupOf(name string) string {
	if name == "" {
		return DefaultGroup
	}
	return name
}

func (s *Service) group(ctx context.Context, name string) (*groupRecord, error) {
	var g groupRecord
	_, found, err := s.get(ctx, groupKey(name), &g)
	if err != nil {
		return nil, err
	}
	if !found {
		if name == DefaultGroup {
			return &groupRecord{Name: DefaultGroup}, nil
		}
		return nil, notFound("Schedule group %s does not exist.", name)
	}
	return &g, nil
}

// checkSchedule validates a schedule and builds its record.
func (s *Service) scheduleFrom(in *ScheduleInput) (*scheduleRecord, error) {
	if err := checkSchedName(in.Name, "name"); err != nil {
		return nil, err
	}
	group := groupOf(in.GroupName)
	if err := checkSchedName(group, "groupName"); err != nil {
		return nil, err
	}
	if in.ScheduleExpression == "" {
		return nil, constraint("", "scheduleExpression", "Member must not be null")
	}
	if in.FlexibleTimeWindow == nil {
		return nil, constraint("null", "flexibleTimeWindow", "Member must not be null")
	}
	if in.Target == nil || in.Target.Arn == "" || in.Target.RoleArn == "" {
		return nil, constraint("null", "target", "Member must not be null")
	}
	if _, _, err := parseScheduleExpr(in.ScheduleExpression, in.ScheduleExpressionTimezone); err != nil {
		return nil, err
	}
	ftw := *in.FlexibleTimeWindow
	switch ftw.Mode {
	case "OFF":
		if ftw.MaximumWindowInMinutes != 0 {
			return nil, validation("MaximumWindowInMinutes must not be provided when Mode is OFF.")
		}
	case "FLEXIBLE":
		if ftw.MaximumWindowInMinutes < 1 || ftw.MaximumWindowInMinutes > 1440 {
			return nil, validation("MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.")
		}
	default:
		return nil, constraint(ftw.Mode, "flexibleTimeWindow.mode", "Member must satisfy enum value set: [OFF, FLEXIBLE]")
	}
	switch in.State {
	case "":
		in.State = "ENABLED"
	case "ENABLED", "DISABLED":
	default:
		return nil, constraint(in.State, "state", "Member must satisfy enum value set: [ENABLED, DISABLED]")
	}
	switch in.ActionAfterCompletion {
	case "", "NONE", "DELETE":
	default:
		return nil, constraint(in.ActionAfterCompletion, "actionAfterCompletion", "Member must satisfy enum value set: [NONE, DELETE]")
	}
	k, _ := targetKind(in.Target.Arn)
	switch {
	case k == "":
		return nil, validation("Invalid target Arn %s.", in.Target.Arn)
	case !roleArnRE.MatchString(in.Target.RoleArn):
		return nil, constraint(in.Target.RoleArn, "target.roleArn", `Member must satisfy regular expression pattern: arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+`)
	case k == "function" && in.Target.Input != "" && !json.Valid([]byte(in.Target.Input)):
		return nil, validation("Invalid Target Input: the input of a Lambda target must be well-formed JSON.")
	}
	r := &scheduleRecord{Name: in.Name, Group: group, ScheduleExpression: in.ScheduleExpression,
		ScheduleExpressionTimezone: in.ScheduleExpressionTimezone, FlexibleTimeWindow: ftw, State: in.State,
		Description: in.Description, ActionAfterCompletion: in.ActionAfterCompletion, KmsKeyArn: in.KmsKeyArn,
		Target: *in.Target, ClientToken: in.ClientToken}
	if in.StartDate != nil {
		r.StartDate = in.StartDate.Time
	}
	if in.EndDate != nil {
		r.EndDate = in.EndDate.Time
	}
	recurring := !strings.HasPrefix(r.ScheduleExpression, "at(")
	if recurring && !r.StartDate.IsZero() && r.StartDate.Before(s.cfg.Clock.Now().Add(-5*time.Minute)) {
		return nil, validation("The StartDate you specify cannot be earlier than 5 minutes ago.")
	}
	if !r.StartDate.IsZero() && !r.EndDate.IsZero() && !r.EndDate.After(r.StartDate) {
		return nil, validation("The EndDate must be after the StartDate.")
	}
	if r.ActionAfterCompletion == "" {
		r.ActionAfterCompletion = "NONE"
	}
	// Scheduler's retry defaults, shown by GetSchedule as AWS shows them.
	rp := RetryPolicy{}
	if r.Target.RetryPolicy != nil {
		rp = *r.Target.RetryPolicy
	}
	if rp.MaximumRetryAttempts == nil {
		n := defaultRetries
		rp.MaximumRetryAttempts = &n
	}
	if rp.MaximumEventAgeInSeconds == nil {
		n := int(defaultMaxAge / time.Second)
		rp.MaximumEventAgeInSeconds = &n
	}
	if *rp.MaximumRetryAttempts < 0 || *rp.MaximumRetryAttempts > 185 {
		return nil, constraint(fmt.Sprint(*rp.MaximumRetryAttempts), "target.retryPolicy.maximumRetryAttempts", "Member must have value less than or equal to 185")
	}
	if *rp.MaximumEventAgeInSeconds < 60 || *rp.MaximumEventAgeInSeconds > 86400 {
		return nil, constraint(fmt.Sprint(*rp.MaximumEventAgeInSeconds), "target.retryPolicy.maximumEventAgeInSeconds", "Member must have value between 60 and 86400")
	}
	r.Target.RetryPolicy = &rp
	return r, nil
}

// CreateSchedule creates a schedule; a retry with the same ClientToken
// answers as the first call did.
func (s *Service) CreateSchedule(ctx context.Context, in *ScheduleInput) (*ScheduleArnOutput, error) {
	r, err := s.scheduleFrom(in)
	if err != nil {
		return nil, err
	}
	if _, err := s.group(ctx, r.Group); err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now().UTC()
	r.Created, r.Modified = now, now
	data, _ := json.Marshal(r)
	if _, err := s.kv.Create(ctx, schedKey(r.Group, r.Name), data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			var old scheduleRecord
			if _, found, _ := s.get(ctx, schedKey(r.Group, r.Name), &old); found && in.ClientToken != "" && old.ClientToken == in.ClientToken {
				return &ScheduleArnOutput{ScheduleArn: s.scheduleArn(r.Group, r.Name)}, nil
			}
			return nil, conflict("Schedule %s already exists.", r.Name)
		}
		return nil, fmt.Errorf("eventbus: create schedule: %w", err)
	}
	return &ScheduleArnOutput{ScheduleArn: s.scheduleArn(r.Group, r.Name)}, nil
}

// UpdateSchedule replaces a schedule.
func (s *Service) UpdateSchedule(ctx context.Context, in *ScheduleInput) (*ScheduleArnOutput, error) {
	r, err := s.scheduleFrom(in)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now().UTC()
	_, err = update(ctx, s, schedKey(r.Group, r.Name), func() error {
		if _, err := s.group(ctx, r.Group); err != nil {
			return err
		}
		return notFound("Schedule %s does not exist.", r.Name)
	}, func(old *scheduleRecord) error {
		r.Created, r.Modified = old.Created, now
		*old = *r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ScheduleArnOutput{ScheduleArn: s.scheduleArn(r.Group, r.Name)}, nil
}

func (s *Service) schedule(ctx context.Context, in *ScheduleRef) (*scheduleRecord, uint64, error) {
	if err := checkSchedName(in.Name, "name"); err != nil {
		return nil, 0, err
	}
	group := groupOf(in.GroupName)
	var r scheduleRecord
	rev, found, err := s.get(ctx, schedKey(group, in.Name), &r)
	if err != nil {
		return nil, 0, err
	}
	if !found {
		if _, err := s.group(ctx, group); err != nil {
			return nil, 0, err
		}
		return nil, 0, notFound("Schedule %s does not exist.", in.Name)
	}
	return &r, rev, nil
}

// GetSchedule shows a schedule.
func (s *Service) GetSchedule(ctx context.Context, in *ScheduleRef) (*Schedule, error) {
	r, _, err := s.schedule(ctx, in)
	if err != nil {
		return nil, err
	}
	ftw, target := r.FlexibleTimeWindow, r.Target
	out := &Schedule{Arn: s.scheduleArn(r.Group, r.Name), Name: r.Name, GroupName: r.Group,
		ScheduleExpression: r.ScheduleExpression, ScheduleExpressionTimezone: r.ScheduleExpressionTimezone,
		FlexibleTimeWindow: &ftw, State: r.State, Description: r.Description, ActionAfterCompletion: r.ActionAfterCompletion,
		KmsKeyArn: r.KmsKeyArn, Target: &target, CreationDate: Timestamp{r.Created}, LastModificationDate: Timestamp{r.Modified}}
	if !r.StartDate.IsZero() {
		out.StartDate = &Timestamp{r.StartDate}
	}
	if !r.EndDate.IsZero() {
		out.EndDate = &Timestamp{r.EndDate}
	}
	return out, nil
}

// DeleteSchedule deletes a schedule.
func (s *Service) DeleteSchedule(ctx context.Context, in *ScheduleRef) (*Empty, error) {
	r, rev, err := s.schedule(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.kv.Delete(ctx, schedKey(r.Group, r.Name), jetstream.LastRevision(rev)); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return nil, conflict("Schedule %s was modified at the same time; retry.", r.Name)
		}
		return nil, fmt.Errorf("eventbus: delete schedule: %w", err)
	}
	return &Empty{}, nil
}

// ListSchedules lists schedules, of one group or of all.
func (s *Service) ListSchedules(ctx context.Context, in *ListSchedulesInput) (*ListSchedulesOutput, error) {
	filter := "sched.*.*"
	if in.GroupName != "" {
		if _, err := s.group(ctx, in.GroupName); err != nil {
			return nil, err
		}
		filter = "sched." + enc(in.GroupName) + ".*"
	}
	switch in.State {
	case "", "ENABLED", "DISABLED":
	default:
		return nil, constraint(in.State, "state", "Member must satisfy enum value set: [ENABLED, DISABLED]")
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return nil, constraint(fmt.Sprint(in.MaxResults), "maxResults", "Member must have value less than or equal to 100")
	}
	keys, err := s.keys(ctx, filter)
	if err != nil {
		return nil, err
	}
	var recs []*scheduleRecord
	var ids []string
	for _, k := range keys {
		var r scheduleRecord
		if _, found, err := s.get(ctx, k, &r); err != nil {
			return nil, err
		} else if !found || !strings.HasPrefix(r.Name, in.NamePrefix) || in.State != "" && r.State != in.State {
			continue
		}
		recs = append(recs, &r)
	}
	slices.SortFunc(recs, func(a, b *scheduleRecord) int {
		return strings.Compare(a.Group+"/"+a.Name, b.Group+"/"+b.Name)
	})
	for _, r := range recs {
		ids = append(ids, r.Group+"/"+r.Name)
	}
	from, to, next := page(ids, in.NextToken, in.MaxResults, 100)
	out := &ListSchedulesOutput{Schedules: []ScheduleSummary{}, NextToken: next}
	for _, r := range recs[from:to] {
		sum := ScheduleSummary{Arn: s.scheduleArn(r.Group, r.Name), Name: r.Name, GroupName: r.Group, State: r.State,
			CreationDate: Timestamp{r.Created}, LastModificationDate: Timestamp{r.Modified}}
		sum.Target.Arn = r.Target.Arn
		out.Schedules = append(out.Schedules, sum)
	}
	return out, nil
}

// CreateScheduleGroup creates a schedule group.
func (s *Service) CreateScheduleGroup(ctx context.Context, in *ScheduleGroupInput) (*ScheduleGroupArnOutput, error) {
	if err := checkSchedName(in.Name, "name"); err != nil {
		return nil, err
	}
	if in.Name == DefaultGroup {
		return nil, conflict("Schedule group %s already exists.", in.Name)
	}
	now := s.cfg.Clock.Now().UTC()
	data, _ := json.Marshal(&groupRecord{Name: in.Name, Tags: in.Tags, Created: now, Modified: now})
	if _, err := s.kv.Create(ctx, groupKey(in.Name), data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return nil, conflict("Schedule group %s already exists.", in.Name)
		}
		return nil, fmt.Errorf("eventbus: create group: %w", err)
	}
	return &ScheduleGroupArnOutput{ScheduleGroupArn: s.groupArn(in.Name)}, nil
}

func (s *Service) groupView(g *groupRecord) ScheduleGroup {
	v := ScheduleGroup{Arn: s.groupArn(g.Name), Name: g.Name, State: "ACTIVE"}
	if !g.Created.IsZero() {
		v.CreationDate, v.LastModificationDate = &Timestamp{g.Created}, &Timestamp{g.Modified}
	}
	return v
}

// GetScheduleGroup shows a schedule group.
func (s *Service) GetScheduleGroup(ctx context.Context, in *ScheduleGroupInput) (*ScheduleGroup, error) {
	if err := checkSchedName(in.Name, "name"); err != nil {
		return nil, err
	}
	g, err := s.group(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	v := s.groupView(g)
	return &v, nil
}

// DeleteScheduleGroup deletes a group and its schedules.
func (s *Service) DeleteScheduleGroup(ctx context.Context, in *ScheduleGroupInput) (*Empty, error) {
	if err := checkSchedName(in.Name, "name"); err != nil {
		return nil, err
	}
	if in.Name == DefaultGroup {
		return nil, validation("You cannot delete the default group.")
	}
	if _, err := s.group(ctx, in.Name); err != nil {
		return nil, err
	}
	keys, err := s.keys(ctx, "sched."+enc(in.Name)+".*")
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		_ = s.kv.Delete(ctx, k)
	}
	if err := s.kv.Delete(ctx, groupKey(in.Name)); err != nil {
		return nil, fmt.Errorf("eventbus: delete group: %w", err)
	}
	return &Empty{}, nil
}

// ListScheduleGroups lists the groups, the default one included.
func (s *Service) ListScheduleGroups(ctx context.Context, in *ListScheduleGroupsInput) (*ListScheduleGroupsOutput, error) {
	keys, err := s.keys(ctx, "group.*")
	if err != nil {
		return nil, err
	}
	names := []string{DefaultGroup}
	for _, k := range keys {
		if n := lastName(k); n != DefaultGroup {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	names = slices.DeleteFunc(names, func(n string) bool { return !strings.HasPrefix(n, in.NamePrefix) })
	from, to, next := page(names, in.NextToken, in.MaxResults, 100)
	out := &ListScheduleGroupsOutput{ScheduleGroups: []ScheduleGroup{}, NextToken: next}
	for _, n := range names[from:to] {
		g, err := s.group(ctx, n)
		if err != nil {
			continue
		}
		out.ScheduleGroups = append(out.ScheduleGroups, s.groupView(g))
	}
	return out, nil
}

// deliverSchedule sends a schedule's tick to its target, and deletes a
// schedule that is complete when it asks for that.
func (s *Service) deliverSchedule(ctx context.Context, env *envelope) error {
	var r scheduleRecord
	rev, found, err := s.get(ctx, env.Key, &r)
	if err != nil {
		return err
	}
	if !found || r.State != "ENABLED" {
		return nil
	}
	arn := s.scheduleArn(r.Group, r.Name)
	id := deliveryID(arn, env.Tick.Format(time.RFC3339Nano))
	// The Input goes to the target as it is, with Scheduler's context
	// attributes filled in.
	input := r.Target.Input
	if input == "" {
		input = "{}"
	}
	input = strings.NewReplacer("<aws.scheduler.schedule-arn>", arn,
		"<aws.scheduler.scheduled-time>", env.Tick.UTC().Format(timeFormat),
		"<aws.scheduler.execution-id>", id, "<aws.scheduler.attempt-number>", "1").Replace(input)
	t := &Target{Id: r.Name, Arn: r.Target.Arn, SqsParameters: r.Target.SqsParameters,
		RetryPolicy: r.Target.RetryPolicy, DeadLetterConfig: r.Target.DeadLetterConfig}
	if err := s.publish(ctx, &envelope{Kind: "target", ID: id, Source: arn, Target: t, Payload: []byte(input)}, "target/"+id); err != nil {
		return err
	}
	if r.ActionAfterCompletion == "DELETE" {
		sc, _, perr := parseScheduleExpr(r.ScheduleExpression, r.ScheduleExpressionTimezone)
		if perr == nil {
			n := sc.Next(env.Tick)
			if n.IsZero() || !r.EndDate.IsZero() && n.After(r.EndDate) {
				_ = s.kv.Delete(ctx, env.Key, jetstream.LastRevision(rev))
			}
		}
	}
	return nil
}

// groupOfArn is the schedule group a Scheduler ARN names.
func (s *Service) groupOfArn(ctx context.Context, arn string) (string, error) {
	name, ok := strings.CutPrefix(arn, fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/", s.cfg.Region, s.cfg.Account))
	if !ok || checkSchedName(name, "resourceArn") != nil {
		return "", notFound("Schedule group %s does not exist.", arn)
	}
	if name == DefaultGroup {
		// The default group is stored the first time it is tagged.
		data, _ := json.Marshal(&groupRecord{Name: DefaultGroup})
		_, _ = s.kv.Create(ctx, groupKey(name), data)
	}
	if _, err := s.group(ctx, name); err != nil {
		return "", err
	}
	return name, nil
}

// TagScheduleGroup adds or replaces tags of a schedule group.
func (s *Service) TagScheduleGroup(ctx context.Context, arn string, tags []Tag) error {
	name, err := s.groupOfArn(ctx, arn)
	if err != nil {
		return err
	}
	_, err = update(ctx, s, groupKey(name), func() error { return notFound("Schedule group %s does not exist.", name) }, func(g *groupRecord) error {
		for _, t := range tags {
			g.Tags = slices.DeleteFunc(g.Tags, func(o Tag) bool { return o.Key == t.Key })
			g.Tags = append(g.Tags, t)
		}
		return nil
	})
	return err
}

// UntagScheduleGroup removes tags of a schedule group.
func (s *Service) UntagScheduleGroup(ctx context.Context, arn string, keys []string) error {
	name, err := s.groupOfArn(ctx, arn)
	if err != nil {
		return err
	}
	_, err = update(ctx, s, groupKey(name), func() error { return notFound("Schedule group %s does not exist.", name) }, func(g *groupRecord) error {
		g.Tags = slices.DeleteFunc(g.Tags, func(o Tag) bool { return slices.Contains(keys, o.Key) })
		return nil
	})
	return err
}

// ScheduleGroupTags lists the tags of a schedule group.
func (s *Service) ScheduleGroupTags(ctx context.Context, arn string) (*ListTagsForResourceOutput, error) {
	name, err := s.groupOfArn(ctx, arn)
	if err != nil {
		return nil, err
	}
	g, err := s.group(ctx, name)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: append([]Tag{}, g.Tags...)}, nil
}
