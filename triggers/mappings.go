package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables"
	"github.com/nats-io/nats.go/jetstream"
)

// Limits and defaults of stream mappings, as Lambda has them.
const (
	defaultBatchSize = 100
	maxBatchSize     = 10000
	maxWindow        = 300
	maxParallel      = 10
	maxRetries       = 10000
	minRecordAge     = 60
	maxRecordAge     = 604800
	maxFilters       = 5
	maxPatternLength = 4096
	maxTumbling      = 900
	maxCASAttempts   = 50
	stateReason      = "User action"
)

func invalid(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", format, args...)
}

func mappingNotFound() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The resource you requested does not exist.")
}

// arnPattern is the Arn shape of Lambda's model.
var arnPattern = regexp.MustCompile(`^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$`)

// CreateEventSourceMapping validates the input, resolves the function and
// the source, fixes the starting position and stores the mapping.
func (s *Service) CreateEventSourceMapping(ctx context.Context, region string, in *eddy.EventSourceMappingInput) (*eddy.EventSourceMapping, error) {
	if in.FunctionName == nil {
		return nil, eddy.ValidationError("null", "functionName", "Member must not be null")
	}
	m := &eddy.EventSourceMapping{
		UUID: eddy.NewID(), Region: region, Account: s.cfg.Account, EventSourceArn: in.EventSourceArn,
		Enabled: true, BatchSize: defaultBatchSize, ParallelizationFactor: 1,
		MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: -1,
		StartingPosition: in.StartingPosition, Tags: maps.Clone(in.Tags),
	}
	if err := s.setFunction(ctx, m, *in.FunctionName); err != nil {
		return nil, err
	}
	kind, err := sourceKind(m)
	if err != nil {
		return nil, err
	}
	m.SourceKind = kind
	if kind == eddy.SourceQueue {
		return s.createQueueMapping(ctx, m, in)
	}
	if err := applyInput(m, in); err != nil {
		return nil, err
	}
	st, err := s.resolveSource(ctx, m)
	if err != nil {
		return nil, err
	}
	if err := validate(m); err != nil {
		return nil, err
	}
	switch m.StartingPosition {
	case eddy.StartLatest, eddy.StartTrimHorizon:
	case "":
		return nil, invalid("StartingPosition is required for DynamoDB Streams event sources.")
	case eddy.StartAtTimestamp:
		return nil, invalid("AT_TIMESTAMP is supported for Kinesis streams only, not for DynamoDB Streams.")
	default:
		return nil, eddy.ValidationError(m.StartingPosition, "startingPosition", "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]")
	}
	if err := s.checkUnique(m); err != nil {
		return nil, err
	}
	// The position is fixed now, not when a poller first runs: LATEST
	// means the changes after this call.
	seq, err := startPosition(ctx, st, m.StartingPosition)
	if err != nil {
		return nil, fmt.Errorf("create event source mapping: %w", err)
	}
	cp, _ := json.Marshal(checkpoint{Seq: seq, Result: resultNone, Updated: s.cfg.Now().UTC()})
	if _, err := s.checkpoints.Put(ctx, checkpointKey(m.UUID, st.ShardID), cp); err != nil {
		return nil, fmt.Errorf("create event source mapping: %w", err)
	}
	if err := s.put(ctx, m); err != nil {
		return nil, err
	}
	m.State, m.StateTransitionReason, m.LastProcessingResult = eddy.MappingCreating, stateReason, resultNone
	return m, nil
}

// put stores a new mapping and starts running it.
func (s *Service) put(ctx context.Context, m *eddy.EventSourceMapping) error {
	m.LastModified = s.cfg.Now().UTC()
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("create event source mapping: %w", err)
	}
	rev, err := s.kv.Create(ctx, m.UUID, data)
	if err != nil {
		return fmt.Errorf("create event source mapping: %w", err)
	}
	s.store(m.UUID, clone(m), rev)
	return nil
}

// setFunction resolves the function a mapping invokes; it must exist.
func (s *Service) setFunction(ctx context.Context, m *eddy.EventSourceMapping, raw string) error {
	ref, err := eddy.ParseFunctionRef(raw, "functionName")
	if err != nil {
		return err
	}
	if ref.Region != "" && ref.Region != m.Region {
		return invalid("Region %s in the function ARN does not match the region of the request, %s.", ref.Region, m.Region)
	}
	arn := eddy.FunctionARN(m.Region, s.cfg.Account, ref.Name)
	if ref.Qualifier != "" {
		arn += ":" + ref.Qualifier
	}
	if ref.Account != "" && ref.Account != s.cfg.Account {
		return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Function not found: %s", arn)
	}
	switch {
	case ref.Qualifier == "":
		_, err = s.cfg.Functions.GetFunction(ctx, m.Region, ref.Name)
	case s.cfg.Versions != nil:
		_, err = s.cfg.Versions.GetFunctionVersion(ctx, m.Region, ref.Name, ref.Qualifier)
	default:
		err = eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Function not found: %s", arn)
	}
	if eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Function not found: %s", arn)
	}
	if err != nil {
		return err
	}
	m.FunctionName, m.Qualifier = ref.Name, ref.Qualifier
	return nil
}

// sourceKind returns the kind of a mapping's event source ARN: a table's
// stream or a queue.
func sourceKind(m *eddy.EventSourceMapping) (string, error) {
	arn := m.EventSourceArn
	if arn == "" {
		return "", invalid("Unrecognized event source, must be kinesis, dynamodb stream or sqs.")
	}
	if !arnPattern.MatchString(arn) {
		return "", eddy.ValidationError(arn, "eventSourceArn", `Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)`)
	}
	switch service := strings.SplitN(arn, ":", 6)[2]; service {
	case "dynamodb":
		return eddy.SourceTableStream, nil
	case "sqs":
		return eddy.SourceQueue, nil
	case "kinesis", "kafka", "mq", "rds", "docdb":
		return "", invalid("eddy does not provide %s event sources yet; mappings read DynamoDB streams and SQS queues only.", service)
	default:
		return "", invalid("Unrecognized event source, must be kinesis, dynamodb stream or sqs.")
	}
}

// resolveSource finds the table stream a mapping reads; it must exist.
func (s *Service) resolveSource(ctx context.Context, m *eddy.EventSourceMapping) (*tables.Stream, error) {
	arn := m.EventSourceArn
	parts := strings.SplitN(arn, ":", 6)
	if parts[3] != m.Region || parts[4] != m.Account {
		return nil, invalid("Stream not found: %s", arn)
	}
	st, err := s.cfg.Tables.StreamByArn(ctx, arn)
	switch eddy.ErrorCode(err) {
	case "":
	case eddy.ENOTFOUND, eddy.EVALIDATE, eddy.EINVALID:
		return nil, invalid("Stream not found: %s", arn)
	default:
		return nil, err
	}
	return st, nil
}

// applyInput sets the fields the input sets, refusing those the
// mapping's kind of source does not take.
func applyInput(m *eddy.EventSourceMapping, in *eddy.EventSourceMappingInput) error {
	if m.SourceKind == eddy.SourceQueue {
		if err := queueInput(m, in); err != nil {
			return err
		}
	} else if in.ScalingConfig != nil && in.ScalingConfig.MaximumConcurrency != nil {
		return unsupported("ScalingConfig")
	}
	setIf(&m.Enabled, in.Enabled)
	setIf(&m.BatchSize, in.BatchSize)
	setIf(&m.MaximumBatchingWindowInSeconds, in.MaximumBatchingWindowInSeconds)
	setIf(&m.ParallelizationFactor, in.ParallelizationFactor)
	setIf(&m.MaximumRetryAttempts, in.MaximumRetryAttempts)
	setIf(&m.MaximumRecordAgeInSeconds, in.MaximumRecordAgeInSeconds)
	setIf(&m.BisectBatchOnFunctionError, in.BisectBatchOnFunctionError)
	setIf(&m.TumblingWindowInSeconds, in.TumblingWindowInSeconds)
	setIf(&m.OnFailure, in.OnFailure)
	if in.FunctionResponseTypes != nil {
		m.FunctionResponseTypes = slices.Clone(*in.FunctionResponseTypes)
	}
	if in.Filters != nil {
		m.Filters = slices.Clone(*in.Filters)
	}
	if in.OnSuccess != nil && *in.OnSuccess != "" {
		return invalid("Unsupported OnSuccess destination config for DynamoDB Streams event sources.")
	}
	return nil
}

// unsupported refuses a parameter the mapping's source does not take.
func unsupported(param string) error {
	return invalid("Unsupported %s parameter for given event source mapping type.", param)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func rangeError(v int, member string, lo, hi int) error {
	if v < lo {
		return eddy.ValidationError(strconv.Itoa(v), member, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	if v > hi {
		return eddy.ValidationError(strconv.Itoa(v), member, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
	return nil
}

// validate checks a mapping's settings as Lambda does.
func validate(m *eddy.EventSourceMapping) error {
	if m.SourceKind == eddy.SourceQueue {
		return validateQueue(m)
	}
	return validateStream(m)
}

// validateStream checks a stream mapping's settings.
func validateStream(m *eddy.EventSourceMapping) error {
	for _, c := range []struct {
		v      int
		member string
		lo, hi int
	}{
		{m.BatchSize, "batchSize", 1, maxBatchSize},
		{m.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, maxWindow},
		{m.ParallelizationFactor, "parallelizationFactor", 1, maxParallel},
		{m.MaximumRetryAttempts, "maximumRetryAttempts", -1, maxRetries},
		{m.MaximumRecordAgeInSeconds, "maximumRecordAgeInSeconds", -1, maxRecordAge},
		{m.TumblingWindowInSeconds, "tumblingWindowInSeconds", 0, maxTumbling},
	} {
		if err := rangeError(c.v, c.member, c.lo, c.hi); err != nil {
			return err
		}
	}
	if a := m.MaximumRecordAgeInSeconds; a != -1 && a < minRecordAge {
		return invalid("MaximumRecordAgeInSeconds must be -1 (no limit) or between %d and %d.", minRecordAge, maxRecordAge)
	}
	if m.TumblingWindowInSeconds > 0 {
		return invalid("eddy does not provide tumbling windows yet; TumblingWindowInSeconds must be 0.")
	}
	if err := validateResponsesAndFilters(m); err != nil {
		return err
	}
	return validateDestination(m.OnFailure)
}

// validateResponsesAndFilters checks the settings every kind of mapping
// has: FunctionResponseTypes and FilterCriteria.
func validateResponsesAndFilters(m *eddy.EventSourceMapping) error {
	if len(m.FunctionResponseTypes) > 1 {
		return eddy.ValidationError(fmt.Sprint(m.FunctionResponseTypes), "functionResponseTypes", "Member must have length less than or equal to 1")
	}
	for _, t := range m.FunctionResponseTypes {
		if t != eddy.ReportBatchItemFailures {
			return eddy.ValidationError(fmt.Sprint(m.FunctionResponseTypes), "functionResponseTypes", "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]")
		}
	}
	if len(m.Filters) > maxFilters {
		return invalid("The number of filters in FilterCriteria exceeds the limit of %d.", maxFilters)
	}
	for _, f := range m.Filters {
		if len(f) > maxPatternLength {
			return eddy.ValidationError(f, "filterCriteria.filters.member.pattern", "Member must have length less than or equal to 4096")
		}
		if _, err := ParsePattern(f); err != nil {
			return invalid("Invalid filter pattern definition.")
		}
	}
	return nil
}

// validateDestination checks a failure destination ARN. Functions receive
// failure records now; queues, topics and buckets are accepted, and their
// records logged, until eddy provides them.
func validateDestination(dest string) error {
	if dest == "" {
		return nil
	}
	if len(dest) > 350 || !arnPattern.MatchString(dest) {
		return eddy.ValidationError(dest, "destinationConfig.onFailure.destination", `Member must satisfy regular expression pattern: $|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`)
	}
	switch destinationService(dest) {
	case "lambda":
		if _, err := eddy.ParseFunctionRef(dest, "destinationConfig.onFailure.destination"); err != nil {
			return invalid("The destination ARN %s is not a function ARN.", dest)
		}
	case "sqs", "sns", "s3":
	default:
		return invalid("Unsupported destination type for the OnFailure destination: %s", dest)
	}
	return nil
}

// checkUnique refuses a second mapping of one source to one function.
func (s *Service) checkUnique(m *eddy.EventSourceMapping) error {
	fa := m.FunctionArn()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, c := range s.mappings {
		if c.m != nil && id != m.UUID && c.m.EventSourceArn == m.EventSourceArn && c.m.FunctionArn() == fa {
			if m.SourceKind == eddy.SourceQueue {
				return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
					`An event source mapping with SQS arn (" %s ") and function (" %s ") already exists. Please update or delete the existing mapping with UUID %s`,
					m.EventSourceArn, m.FunctionName, id)
			}
			return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
				"The event source arn (%s) and function (%s) provided mapping already exists. Please update or delete the existing mapping with UUID %s",
				m.EventSourceArn, fa, id)
		}
	}
	return nil
}

func clone(m *eddy.EventSourceMapping) *eddy.EventSourceMapping {
	c := *m
	c.FunctionResponseTypes = slices.Clone(m.FunctionResponseTypes)
	c.Filters = slices.Clone(m.Filters)
	c.Tags = maps.Clone(m.Tags)
	return &c
}

// lookup returns a mapping and its revision. A miss in the cache is
// confirmed against the bucket, since another node may have just written
// the mapping.
func (s *Service) lookup(ctx context.Context, region, uuid string) (*eddy.EventSourceMapping, uint64, error) {
	s.mu.Lock()
	c, ok := s.mappings[uuid]
	s.mu.Unlock()
	if !ok || c.m == nil {
		if !validKey(uuid) {
			return nil, 0, mappingNotFound()
		}
		e, err := s.kv.Get(ctx, uuid)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, 0, mappingNotFound()
		}
		if err != nil {
			return nil, 0, fmt.Errorf("get event source mapping: %w", err)
		}
		s.apply(e)
		m := &eddy.EventSourceMapping{}
		if err := json.Unmarshal(e.Value(), m); err != nil {
			return nil, 0, fmt.Errorf("get event source mapping: %w", err)
		}
		c = cachedMapping{m: m, rev: e.Revision()}
	}
	if c.m.Region != region {
		return nil, 0, mappingNotFound()
	}
	return clone(c.m), c.rev, nil
}

// validKey reports whether s can be a bucket key (a UUID can).
func validKey(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// report fills in what a response reports besides the stored settings.
func (s *Service) report(ctx context.Context, m *eddy.EventSourceMapping, state string) *eddy.EventSourceMapping {
	if state == "" {
		state = eddy.MappingDisabled
		if m.Enabled {
			state = eddy.MappingEnabled
		}
	}
	if m.SourceKind == eddy.SourceQueue {
		// Lambda reports no processing result for a queue mapping.
		m.State, m.StateTransitionReason, m.LastProcessingResult = state, queueStateReason, ""
		return m
	}
	m.State, m.StateTransitionReason, m.LastProcessingResult = state, stateReason, resultNone
	if st, err := s.cfg.Tables.StreamByArn(ctx, m.EventSourceArn); err == nil {
		if cp, _, ok, err := s.readCheckpoint(ctx, checkpointKey(m.UUID, st.ShardID)); err == nil && ok && cp.Result != "" {
			m.LastProcessingResult = cp.Result
		}
	}
	return m
}

// GetEventSourceMapping returns a mapping with its state and last
// processing result.
func (s *Service) GetEventSourceMapping(ctx context.Context, region, uuid string) (*eddy.EventSourceMapping, error) {
	m, _, err := s.lookup(ctx, region, uuid)
	if err != nil {
		return nil, err
	}
	return s.report(ctx, m, ""), nil
}

// ListEventSourceMappings lists mappings in UUID order.
func (s *Service) ListEventSourceMappings(ctx context.Context, region, function, sourceArn, marker string, max int) ([]*eddy.EventSourceMapping, string, error) {
	if max <= 0 {
		max = 100
	}
	var name, qualifier string
	if function != "" {
		ref, err := eddy.ParseFunctionRef(function, "functionName")
		if err != nil {
			return nil, "", err
		}
		name, qualifier = ref.Name, ref.Qualifier
	}
	s.mu.Lock()
	var all []*eddy.EventSourceMapping
	for _, c := range s.mappings {
		m := c.m
		if m == nil || m.Region != region || (sourceArn != "" && m.EventSourceArn != sourceArn) {
			continue
		}
		if name != "" && (m.FunctionName != name || (qualifier != "" && m.Qualifier != qualifier)) {
			continue
		}
		all = append(all, clone(m))
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].UUID < all[j].UUID })
	start := 0
	if marker != "" {
		start = sort.Search(len(all), func(i int) bool { return all[i].UUID > marker })
	}
	out := []*eddy.EventSourceMapping{}
	next := ""
	for _, m := range all[start:] {
		if len(out) == max {
			next = out[len(out)-1].UUID
			break
		}
		out = append(out, s.report(ctx, m, ""))
	}
	return out, next, nil
}

// UpdateEventSourceMapping changes the settings the input sets, under a
// compare-and-set on the mapping's revision.
func (s *Service) UpdateEventSourceMapping(ctx context.Context, region, uuid string, in *eddy.EventSourceMappingInput) (*eddy.EventSourceMapping, error) {
	for attempt := 0; ; attempt++ {
		cur, rev, err := s.lookup(ctx, region, uuid)
		if err != nil {
			return nil, err
		}
		m := clone(cur)
		if in.FunctionName != nil {
			if err := s.setFunction(ctx, m, *in.FunctionName); err != nil {
				return nil, err
			}
		}
		if err := applyInput(m, in); err != nil {
			return nil, err
		}
		if err := validate(m); err != nil {
			return nil, err
		}
		if m.FunctionArn() != cur.FunctionArn() {
			if err := s.checkUnique(m); err != nil {
				return nil, err
			}
		}
		m.LastModified = s.cfg.Now().UTC()
		data, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("update event source mapping: %w", err)
		}
		newRev, err := s.kv.Update(ctx, uuid, data, rev)
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
			if attempt >= maxCASAttempts {
				return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException", "An update is in progress for the event source mapping %s.", uuid)
			}
			if err := s.refresh(ctx, uuid, attempt); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update event source mapping: %w", err)
		}
		s.store(uuid, clone(m), newRev)
		state := eddy.MappingUpdating
		switch {
		case m.Enabled && !cur.Enabled:
			state = eddy.MappingEnabling
		case !m.Enabled && cur.Enabled:
			state = eddy.MappingDisabling
		}
		return s.report(ctx, m, state), nil
	}
}

// refresh rereads a mapping after a lost compare-and-set race, after a
// short wait with jitter so that writers do not collide in lockstep.
func (s *Service) refresh(ctx context.Context, uuid string, attempt int) error {
	backoff := min(time.Millisecond<<min(attempt, 5), 20*time.Millisecond)
	select {
	case <-time.After(backoff/2 + rand.N(backoff)):
	case <-ctx.Done():
		return ctx.Err()
	}
	e, err := s.kv.Get(ctx, uuid)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		s.forget(uuid)
		return mappingNotFound()
	}
	if err != nil {
		return fmt.Errorf("update event source mapping: %w", err)
	}
	s.apply(e)
	return nil
}

// forget marks a mapping deleted in the cache (keeping its revision, so
// that a late update from the watch cannot bring it back) and stops its
// runner.
func (s *Service) forget(uuid string) {
	s.mu.Lock()
	if c, ok := s.mappings[uuid]; ok {
		s.mappings[uuid] = cachedMapping{rev: c.rev}
	}
	s.mu.Unlock()
	s.reconcile(uuid)
}

// DeleteEventSourceMapping deletes a mapping and its checkpoints. Its
// poller, wherever it runs, stops after the invocation under way.
func (s *Service) DeleteEventSourceMapping(ctx context.Context, region, uuid string) (*eddy.EventSourceMapping, error) {
	m, _, err := s.lookup(ctx, region, uuid)
	if err != nil {
		return nil, err
	}
	m = s.report(ctx, m, eddy.MappingDeleting)
	if err := s.kv.Delete(ctx, uuid); err != nil {
		return nil, fmt.Errorf("delete event source mapping: %w", err)
	}
	s.forget(uuid)
	lister, err := s.checkpoints.ListKeysFiltered(ctx, uuid+".>")
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, fmt.Errorf("delete event source mapping: %w", err)
	}
	if lister != nil {
		var keys []string
		for k := range lister.Keys() {
			keys = append(keys, k)
		}
		_ = lister.Stop()
		for _, k := range keys {
			if err := s.checkpoints.Delete(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
				return nil, fmt.Errorf("delete event source mapping: %w", err)
			}
		}
	}
	return m, nil
}

// sendFailure delivers a failure record to a mapping's destination. A
// function receives it as an asynchronous invocation, a queue as a
// message. Topics and buckets are not provided by eddy yet: the record is
// logged instead.
func (s *Service) sendFailure(ctx context.Context, m *eddy.EventSourceMapping, data []byte) {
	dest := m.OnFailure
	var err error
	switch destinationService(dest) {
	case "lambda":
		var ref eddy.FunctionRef
		ref, err = eddy.ParseFunctionRef(dest, "destination")
		if err == nil {
			region := m.Region
			if ref.Region != "" {
				region = ref.Region
			}
			_, err = s.cfg.Invoker.Invoke(ctx, &eddy.InvokeRequest{
				Region: region, FunctionName: ref.Name, Qualifier: ref.Qualifier,
				Type: eddy.InvokeEvent, Payload: data, RequestID: eddy.NewID(),
			})
		}
	case "sqs":
		err = s.sendToQueue(ctx, dest, string(data))
	default:
		s.cfg.Logger.Warn("triggers: failure destination not available in eddy yet; record logged instead",
			"mapping", m.UUID, "destination", dest, "record", string(data))
		return
	}
	if err != nil {
		s.cfg.Logger.Warn("triggers: failure destination delivery failed", "mapping", m.UUID, "destination", dest, "err", err, "record", string(data))
	}
}

// decodeNumber decodes JSON keeping numbers as json.Number, as patterns
// expect.
func decodeNumber(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
