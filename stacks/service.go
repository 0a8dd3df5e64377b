package stacks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// The bucket holds, under these keys (names base32hex-encoded):
//
//	n.NAME               the uuid of the live stack of that name
//	s.UUID               the stack record (deleted stacks stay)
//	r.UUID.LOGICALID     a resource of the stack
//	x.EXPORTNAME         an export and the stack that owns it
//	c.UUID.CHANGESET     a change set of the stack
//
// The stream holds each stack's events on eddy.stacks.events.UUID.
const (
	stateBucket  = "eddy_stacks"
	eventsStream = "EDDY_STACK_EVENTS"
	eventsPrefix = "eddy.stacks.events."
)

// Config configures a Service.
type Config struct {
	Engine  *engine.Engine
	Account string // "123456789012" when empty
	Region  string // "us-east-1" when empty
	Logger  *slog.Logger
	// Handlers apply the resources of each type, by type name.
	Handlers map[string]Handler
	// SSM answers AWS::SSM::Parameter::Value<…> parameters; nil finds none.
	SSM func(name string) (value string, found bool, err error)
	// Clock gives the time of records and events; time.Now when nil.
	Clock func() time.Time
	// Settle is how long a request that starts a stack operation waits
	// for it to finish before answering; 0 answers at once.
	Settle time.Duration
	// ReadTemplate reads the template a nested stack's TemplateURL names;
	// nil refuses nested stacks.
	ReadTemplate func(ctx context.Context, url string) (string, error)
	// Applications resolves an application of the repository an
	// AWS::Serverless::Application nests to the URL of the template of a
	// version, and the version: semanticVersion, or the latest when it is
	// empty. nil refuses such applications.
	Applications func(ctx context.Context, applicationID, semanticVersion string) (templateURL, version string, err error)
}

// Service applies templates as stacks.
type Service struct {
	cfg Config
	kv  jetstream.KeyValue
	js  jetstream.JetStream

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // counts stack operations in flight

	mu   sync.Mutex      // guards busy
	busy map[string]bool // stack uuids with an operation in flight

	closeOnce sync.Once
}

// NewService returns a Service for cfg with defaults filled in.
func NewService(cfg Config) *Service {
	if cfg.Account == "" {
		cfg.Account = "123456789012"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	handlers := make(map[string]Handler, len(cfg.Handlers)+1)
	for k, h := range cfg.Handlers {
		handlers[k] = h
	}
	cfg.Handlers = handlers
	s := &Service{cfg: cfg, busy: map[string]bool{}}
	if _, ok := handlers[NestedType]; !ok {
		handlers[NestedType] = nestedStack{s}
	}
	return s
}

// Open creates the bucket and stream the stacks live in, and resumes every
// operation a previous run left in progress (see resume).
func (s *Service) Open(ctx context.Context) error {
	var err error
	if s.kv, err = s.cfg.Engine.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: stateBucket, History: 1}); err != nil {
		return fmt.Errorf("stacks: open: %w", err)
	}
	if _, err = s.cfg.Engine.Stream(ctx, jetstream.StreamConfig{Name: eventsStream, Subjects: []string{eventsPrefix + ">"}}); err != nil {
		return fmt.Errorf("stacks: open: %w", err)
	}
	s.js = s.cfg.Engine.JS
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s.resumeAll(ctx)
}

// Close stops the operations in flight where they are, without recording
// an outcome for them (the next Open resumes them), and waits for them.
// Safe twice.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
	})
	return nil
}

// Parameter is a stack parameter as CloudFormation's API carries it.
type Parameter struct {
	Key              string
	Value            string
	UsePreviousValue bool
	ResolvedValue    string
}

// Tag is a stack tag.
type Tag struct{ Key, Value string }

// Output is a stack output.
type Output struct {
	Key, Value, Description, ExportName string
}

// StackInfo is a stack as DescribeStacks shows it.
type StackInfo struct {
	StackID, StackName string
	Description        string
	Status             string
	StatusReason       string
	Parameters         []Parameter
	Capabilities       []string
	Outputs            []Output
	Tags               []Tag
	CreationTime       time.Time
	LastUpdatedTime    time.Time
	DeletionTime       time.Time
	DisableRollback    bool
	ChangeSetID        string
	// ParentID and RootID are the stack ids of the stack that nests this
	// one and of the top of its nesting; empty for a stack not nested.
	ParentID, RootID string `json:",omitempty"`
}

// stackRecord is what the bucket holds of a stack.
type stackRecord struct {
	StackInfo
	UUID string
	// Given are the parameter values given (unmasked), Template the
	// original body, Processed the template after transforms (JSON), Order
	// the creation levels of the applied resources.
	Given     map[string]string
	Template  string
	Processed string
	Order     [][]string
	Imports   []string
	Exports   []string
	// Prev is the stack as it was before the update in progress.
	Prev *stackRecord `json:",omitempty"`
}

// resourceRecord is a resource of a stack.
type resourceRecord struct {
	LogicalID, Type, PhysicalID string
	Status, StatusReason        string
	Timestamp                   time.Time
	Properties                  map[string]any
	Attributes                  map[string]any
	DeletionPolicy              string
	UpdateReplacePolicy         string `json:",omitempty"`
	// During an update: Added marks a resource the update created;
	// Replaced is the resource this one replaces (deleted in cleanup);
	// Old the resource as it was before an in-place update.
	Added    bool            `json:",omitempty"`
	Replaced *resourceRecord `json:",omitempty"`
	Old      *resourceRecord `json:",omitempty"`
	Removed  bool            `json:",omitempty"`
	// NameSuffix is the random part of a generated name, chosen before
	// the create (see Request.NameSuffix).
	NameSuffix string `json:",omitempty"`
}

// ResourceInfo is a resource as DescribeStackResources shows it.
type ResourceInfo struct {
	StackName, StackID   string
	LogicalResourceID    string
	PhysicalResourceID   string
	ResourceType         string
	ResourceStatus       string
	ResourceStatusReason string
	Timestamp            time.Time
	Properties           map[string]any
	Attributes           map[string]any
}

// Event is a stack event as DescribeStackEvents shows it.
type Event struct {
	EventID, StackName, StackID string
	LogicalResourceID           string
	PhysicalResourceID          string
	ResourceType                string
	Timestamp                   time.Time
	ResourceStatus              string
	ResourceStatusReason        string
	ResourceProperties          string `json:",omitempty"`
}

// Export is a value a stack exports.
type Export struct {
	ExportingStackID string
	Name, Value      string
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *Service) stackARN(name, id string) string {
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", s.cfg.Region, s.cfg.Account, name, id)
}

func validation(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError", format, args...)
}

func notExist(name string) error {
	return validation("Stack with id %s does not exist", name)
}

func nameKey(name string) string       { return "n." + engine.EncodeKey(name) }
func stackKey(id string) string        { return "s." + id }
func resKey(id, logical string) string { return "r." + id + "." + engine.EncodeKey(logical) }
func exportKey(name string) string     { return "x." + engine.EncodeKey(name) }

func (s *Service) getJSON(ctx context.Context, key string, v any) (uint64, bool, error) {
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("stacks: get %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return 0, false, fmt.Errorf("stacks: decode %s: %w", key, err)
	}
	return e.Revision(), true, nil
}

func (s *Service) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("stacks: encode %s: %w", key, err)
	}
	if _, err := s.kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("stacks: put %s: %w", key, err)
	}
	return nil
}

func (s *Service) keys(ctx context.Context, filter string) ([]string, error) {
	l, err := s.kv.ListKeysFiltered(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("stacks: list %s: %w", filter, err)
	}
	var out []string
	for k := range l.Keys() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// find returns the stack a name or stack ARN names: by name the live stack,
// by ARN any stack, deleted ones included.
func (s *Service) find(ctx context.Context, nameOrID string) (*stackRecord, error) {
	var id string
	if strings.HasPrefix(nameOrID, "arn:") {
		i := strings.LastIndex(nameOrID, "/")
		id = nameOrID[i+1:]
		if !uuidRE.MatchString(id) {
			return nil, notExist(nameOrID)
		}
	} else {
		e, err := s.kv.Get(ctx, nameKey(nameOrID))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, notExist(nameOrID)
		}
		if err != nil {
			return nil, fmt.Errorf("stacks: find %s: %w", nameOrID, err)
		}
		id = string(e.Value())
	}
	var r stackRecord
	_, ok, err := s.getJSON(ctx, stackKey(id), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notExist(nameOrID)
	}
	return &r, nil
}

func (s *Service) saveStack(ctx context.Context, r *stackRecord) error {
	return s.putJSON(ctx, stackKey(r.UUID), r)
}

func (s *Service) resources(ctx context.Context, id string) (map[string]*resourceRecord, error) {
	keys, err := s.keys(ctx, "r."+id+".*")
	if err != nil {
		return nil, err
	}
	out := map[string]*resourceRecord{}
	for _, k := range keys {
		var r resourceRecord
		_, ok, err := s.getJSON(ctx, k, &r)
		if err != nil {
			return nil, err
		}
		if ok {
			out[r.LogicalID] = &r
		}
	}
	return out, nil
}

// event appends an event to the stack's events.
func (s *Service) event(ctx context.Context, st *stackRecord, ev Event) error {
	ev.EventID = newUUID()
	ev.StackName, ev.StackID = st.StackName, st.StackID
	if ev.Timestamp.IsZero() {
		ev.Timestamp = s.cfg.Clock().UTC()
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if _, err := s.js.Publish(ctx, eventsPrefix+st.UUID, b); err != nil {
		return fmt.Errorf("stacks: record event: %w", err)
	}
	return nil
}

// setStatus records a stack status and its event.
func (s *Service) setStatus(ctx context.Context, st *stackRecord, status, reason string) error {
	st.Status, st.StatusReason = status, reason
	if err := s.saveStack(ctx, st); err != nil {
		return err
	}
	return s.event(ctx, st, Event{LogicalResourceID: st.StackName, PhysicalResourceID: st.StackID,
		ResourceType: "AWS::CloudFormation::Stack", ResourceStatus: status, ResourceStatusReason: reason})
}

// DescribeStacks returns the stack nameOrID names, or every live stack
// (and those deleted within the retention of the bucket are not listed)
// when it is empty.
func (s *Service) DescribeStacks(ctx context.Context, nameOrID string) ([]StackInfo, error) {
	if nameOrID != "" {
		r, err := s.find(ctx, nameOrID)
		if err != nil {
			return nil, err
		}
		return []StackInfo{r.StackInfo}, nil
	}
	all, err := s.allStacks(ctx)
	if err != nil {
		return nil, err
	}
	var out []StackInfo
	for _, r := range all {
		if r.Status != "DELETE_COMPLETE" {
			out = append(out, r.StackInfo)
		}
	}
	return out, nil
}

func (s *Service) allStacks(ctx context.Context) ([]*stackRecord, error) {
	keys, err := s.keys(ctx, "s.*")
	if err != nil {
		return nil, err
	}
	var out []*stackRecord
	for _, k := range keys {
		var r stackRecord
		_, ok, err := s.getJSON(ctx, k, &r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, &r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreationTime.After(out[j].CreationTime) })
	return out, nil
}

// StackSummary is a stack as ListStacks shows it.
type StackSummary struct {
	StackID, StackName, TemplateDescription string
	StackStatus, StackStatusReason          string
	CreationTime, LastUpdatedTime           time.Time
	DeletionTime                            time.Time
	ParentID, RootID                        string
}

// ListStacks returns every stack, deleted ones included, whose status is
// one of filter (all when filter is empty).
func (s *Service) ListStacks(ctx context.Context, filter []string) ([]StackSummary, error) {
	all, err := s.allStacks(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, f := range filter {
		want[f] = true
	}
	var out []StackSummary
	for _, r := range all {
		if len(want) > 0 && !want[r.Status] {
			continue
		}
		out = append(out, StackSummary{StackID: r.StackID, StackName: r.StackName, TemplateDescription: r.Description,
			StackStatus: r.Status, StackStatusReason: r.StatusReason, CreationTime: r.CreationTime,
			LastUpdatedTime: r.LastUpdatedTime, DeletionTime: r.DeletionTime, ParentID: r.ParentID, RootID: r.RootID})
	}
	return out, nil
}

// DescribeStackEvents returns the stack's events, newest first.
func (s *Service) DescribeStackEvents(ctx context.Context, nameOrID string) ([]Event, error) {
	st, err := s.find(ctx, nameOrID)
	if err != nil {
		return nil, err
	}
	return s.events(ctx, st.UUID)
}

func (s *Service) events(ctx context.Context, id string) ([]Event, error) {
	str, err := s.js.Stream(ctx, eventsStream)
	if err != nil {
		return nil, fmt.Errorf("stacks: events: %w", err)
	}
	subj := eventsPrefix + id
	info, err := str.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return nil, fmt.Errorf("stacks: events: %w", err)
	}
	n := info.State.Subjects[subj]
	if n == 0 {
		return nil, nil
	}
	cons, err := str.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}})
	if err != nil {
		return nil, fmt.Errorf("stacks: events: %w", err)
	}
	out := make([]Event, 0, n)
	for uint64(len(out)) < n {
		batch, err := cons.Fetch(int(n)-len(out), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, fmt.Errorf("stacks: events: %w", err)
		}
		got := 0
		for m := range batch.Messages() {
			var ev Event
			if err := json.Unmarshal(m.Data(), &ev); err == nil {
				out = append(out, ev)
			}
			got++
		}
		if batch.Error() != nil || got == 0 {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func (s *Service) resourceInfo(st *stackRecord, r *resourceRecord) ResourceInfo {
	return ResourceInfo{StackName: st.StackName, StackID: st.StackID, LogicalResourceID: r.LogicalID,
		PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, ResourceStatus: r.Status,
		ResourceStatusReason: r.StatusReason, Timestamp: r.Timestamp, Properties: r.Properties, Attributes: r.Attributes}
}

// DescribeStackResources returns the stack's resources in logical id order.
func (s *Service) DescribeStackResources(ctx context.Context, nameOrID string) ([]ResourceInfo, error) {
	st, err := s.find(ctx, nameOrID)
	if err != nil {
		return nil, err
	}
	rs, err := s.resources(ctx, st.UUID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(rs))
	for id := range rs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]ResourceInfo, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.resourceInfo(st, rs[id]))
	}
	return out, nil
}

// ListStackResources is DescribeStackResources (eddy does not page).
func (s *Service) ListStackResources(ctx context.Context, nameOrID string) ([]ResourceInfo, error) {
	return s.DescribeStackResources(ctx, nameOrID)
}

// DescribeStackResource returns one resource of the stack.
func (s *Service) DescribeStackResource(ctx context.Context, nameOrID, logicalID string) (*ResourceInfo, error) {
	st, err := s.find(ctx, nameOrID)
	if err != nil {
		return nil, err
	}
	var r resourceRecord
	_, ok, err := s.getJSON(ctx, resKey(st.UUID, logicalID), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, validation("Resource %s does not exist for stack %s", logicalID, nameOrID)
	}
	info := s.resourceInfo(st, &r)
	return &info, nil
}

// GetTemplate returns the stack's template: stage "Original" (the default)
// as given, "Processed" after transforms.
func (s *Service) GetTemplate(ctx context.Context, nameOrID, stage string) (string, error) {
	st, err := s.find(ctx, nameOrID)
	if err != nil {
		return "", err
	}
	switch stage {
	case "", "Original":
		return st.Template, nil
	case "Processed":
		return st.Processed, nil
	}
	return "", validation("1 validation error detected: Value '%s' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]", stage)
}

// GetChangeSetTemplate returns the template of a change set: stage
// "Original" as given, "Processed" after transforms.
func (s *Service) GetChangeSetTemplate(ctx context.Context, name, stack, stage string) (string, error) {
	cs, err := s.findChangeSet(ctx, name, stack)
	if err != nil {
		return "", err
	}
	if stage != "Processed" {
		return cs.Body, nil
	}
	p, err := s.parse(cs.StackName, cs.Body, cs.Given, []string{"CAPABILITY_AUTO_EXPAND"}, false, nil)
	if err != nil {
		return "", err
	}
	return p.processed, nil
}

// ListExports returns every export.
func (s *Service) ListExports(ctx context.Context) ([]Export, error) {
	keys, err := s.keys(ctx, "x.*")
	if err != nil {
		return nil, err
	}
	var out []Export
	for _, k := range keys {
		var x Export
		if _, ok, err := s.getJSON(ctx, k, &x); err != nil {
			return nil, err
		} else if ok {
			out = append(out, x)
		}
	}
	return out, nil
}

// ListImports returns the names of the stacks that import an export.
func (s *Service) ListImports(ctx context.Context, exportName string) ([]string, error) {
	var x Export
	if _, ok, err := s.getJSON(ctx, exportKey(exportName), &x); err != nil {
		return nil, err
	} else if !ok {
		return nil, validation("Export '%s' does not exist.", exportName)
	}
	return s.importers(ctx, exportName, "")
}

// importers returns the live stacks other than except that import name.
func (s *Service) importers(ctx context.Context, name, except string) ([]string, error) {
	all, err := s.allStacks(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range all {
		if r.Status == "DELETE_COMPLETE" || r.UUID == except {
			continue
		}
		for _, i := range r.Imports {
			if i == name {
				out = append(out, r.StackName)
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
