package tables

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	maxGSIs = 20
	maxLSIs = 5
)

// CreateTable creates a table. Like DynamoDB it answers CREATING; the table
// is ACTIVE by the time anyone asks again.
func (s *Service) CreateTable(ctx context.Context, in *CreateTableInput) (*TableOutput, error) {
	if err := checkTableName("tableName", in.TableName); err != nil {
		return nil, err
	}
	defs := keyTypes(in.AttributeDefinitions)
	for i, d := range in.AttributeDefinitions {
		if _, ok := defs[d.AttributeName]; !ok {
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.%d.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType, i+1)
		}
	}
	if len(defs) != len(in.AttributeDefinitions) {
		return nil, validation("Cannot have two attributes with the same name")
	}
	if err := checkKeySchema("keySchema", in.KeySchema, defs); err != nil {
		return nil, err
	}
	if err := checkThroughput(in.BillingMode, in.ProvisionedThroughput); err != nil {
		return nil, err
	}
	if err := checkStreamSpec(in.StreamSpecification); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, k := range in.KeySchema {
		used[k.AttributeName] = true
	}
	hash, rng := hashRange(in.KeySchema)
	m := &meta{
		Name: in.TableName, ID: eddy.NewID(), Created: s.cfg.Now(), Status: statusActive,
		AttributeDefinitions: in.AttributeDefinitions, KeySchema: in.KeySchema,
		BillingMode: in.BillingMode, TableClass: in.TableClass, Tags: in.Tags,
	}
	if m.BillingMode == "" {
		m.BillingMode = "PROVISIONED"
	}
	if in.ProvisionedThroughput != nil && m.BillingMode == "PROVISIONED" {
		m.Throughput = *in.ProvisionedThroughput
	}
	if in.DeletionProtectionEnabled != nil {
		m.DeletionProtection = *in.DeletionProtectionEnabled
	}
	if len(in.LocalSecondaryIndexes) > maxLSIs {
		return nil, validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %d", maxLSIs)
	}
	if len(in.GlobalSecondaryIndexes) > maxGSIs {
		return nil, validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs)
	}
	names := map[string]bool{}
	for _, spec := range in.LocalSecondaryIndexes {
		if rng == "" {
			return nil, validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		if err := checkIndex(spec, defs, names, m.BillingMode, false); err != nil {
			return nil, err
		}
		if h, r := hashRange(spec.KeySchema); h != hash || r == "" {
			return nil, validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", spec.IndexName, h, hash)
		}
		spec.ProvisionedThroughput = nil
		m.LSIs = append(m.LSIs, indexMeta{IndexSpec: spec, Local: true})
		for _, k := range spec.KeySchema {
			used[k.AttributeName] = true
		}
	}
	for _, spec := range in.GlobalSecondaryIndexes {
		if err := checkIndex(spec, defs, names, m.BillingMode, true); err != nil {
			return nil, err
		}
		m.GSIs = append(m.GSIs, indexMeta{IndexSpec: spec})
		for _, k := range spec.KeySchema {
			used[k.AttributeName] = true
		}
	}
	if len(used) != len(defs) {
		return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	// A table deleted a moment ago may still be dropping its streams.
	if old, err := s.lookup(ctx, in.TableName); err == nil {
		if old.Status == statusDeleting {
			return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being deleted: %s", in.TableName)
		}
		return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceInUseException", "Table already exists: %s", in.TableName)
	}
	if spec := in.StreamSpecification; spec != nil && spec.StreamEnabled {
		m.Streams = []streamMeta{{Label: streamLabel(m.Created), ViewType: spec.StreamViewType, StartSeq: 1, Created: m.Created}}
	}
	if err := s.save(ctx, m); err != nil {
		return nil, err
	}
	o, err := s.opened(ctx, m)
	if err != nil {
		return nil, err
	}
	d := s.describe(m, o, tableStats{})
	d.TableStatus = "CREATING"
	for i := range d.GlobalSecondaryIndexes {
		d.GlobalSecondaryIndexes[i].IndexStatus = "CREATING"
	}
	return &TableOutput{TableDescription: d}, nil
}

func checkIndex(spec IndexSpec, defs map[string]attrs.Kind, names map[string]bool, billing string, global bool) error {
	if err := checkTableName("indexName", spec.IndexName); err != nil {
		return err
	}
	if names[spec.IndexName] {
		return validation("One or more parameter values were invalid: Duplicate index name: %s", spec.IndexName)
	}
	names[spec.IndexName] = true
	if err := checkKeySchema("keySchema", spec.KeySchema, defs); err != nil {
		return err
	}
	if err := checkProjection(spec.Projection); err != nil {
		return err
	}
	if global && billing == "PROVISIONED" && spec.ProvisionedThroughput == nil {
		return validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", spec.IndexName)
	}
	if global && billing == "PAY_PER_REQUEST" && spec.ProvisionedThroughput != nil {
		return validation("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", spec.IndexName)
	}
	return nil
}

// streamLabel is a stream's label, its creation time as DynamoDB writes it.
func streamLabel(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000") }

// tableStats is a table's item count and size, and each index's.
type tableStats struct {
	items, size int64
	indexes     map[string][2]int64
}

// statsTTL bounds how stale DescribeTable's counts may be (DynamoDB's are
// up to six hours old): 2 s, or 50 times what counting took, so that
// polling DescribeTable on a large table does not keep a core busy.
const statsTTL = 2 * time.Second

func (s *Service) tableStats(ctx context.Context, m *meta, o *opened) (tableStats, error) {
	s.mu.Lock()
	memo, ok := s.stats[m.ID]
	s.mu.Unlock()
	if ok && s.cfg.Now().Sub(memo.at) < max(statsTTL, 50*memo.took) {
		return memo.tableStats, nil
	}
	began := time.Now()
	var st tableStats
	var err error
	st.items, st.size, err = o.store.Stats(ctx)
	if err != nil {
		return st, err
	}
	st.indexes = map[string][2]int64{}
	for name, r := range o.indexes {
		n, size, err := r.Stats(ctx)
		if err != nil {
			return st, err
		}
		st.indexes[name] = [2]int64{n, size}
	}
	s.mu.Lock()
	s.stats[m.ID] = statsMemo{at: s.cfg.Now(), took: time.Since(began), tableStats: st}
	s.mu.Unlock()
	return st, nil
}

// DescribeTable describes a table.
func (s *Service) DescribeTable(ctx context.Context, name string) (*DescribeTableOutput, error) {
	m, o, err := s.table(ctx, name)
	if err != nil {
		return nil, err
	}
	st, err := s.tableStats(ctx, m, o)
	if err != nil {
		return nil, err
	}
	return &DescribeTableOutput{Table: s.describe(m, o, st)}, nil
}

// ListTables lists table names in order, in pages of at most 100.
func (s *Service) ListTables(ctx context.Context, in *ListTablesInput) (*ListTablesOutput, error) {
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value %s", *in.Limit,
				map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 100"}[*in.Limit < 1])
		}
		limit = *in.Limit
	}
	s.mu.Lock()
	var names []string
	for name, m := range s.metas {
		if m.Status != statusDeleting && name > in.ExclusiveStartTableName {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	slices.Sort(names)
	out := &ListTablesOutput{TableNames: names}
	if len(names) > limit {
		out.TableNames = names[:limit]
		out.LastEvaluatedTableName = names[limit-1]
	}
	if out.TableNames == nil {
		out.TableNames = []string{}
	}
	return out, nil
}

// DeleteTable deletes a table, its indexes and its change records.
func (s *Service) DeleteTable(ctx context.Context, name string) (*TableOutput, error) {
	m, o, err := s.table(ctx, name)
	if err != nil {
		return nil, err
	}
	if m.DeletionProtection {
		return nil, validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	st, _ := s.tableStats(ctx, m, o)
	d := s.describe(m, o, st)
	d.TableStatus = statusDeleting
	m = m.clone()
	m.Status = statusDeleting
	if err := s.save(ctx, m); err != nil {
		return nil, err
	}
	for _, r := range o.indexes {
		if err := r.Drop(ctx); err != nil {
			return nil, err
		}
	}
	s.forget(name)
	if err := o.store.Drop(ctx); err != nil {
		return nil, err
	}
	if err := s.kv.Delete(ctx, engine.EncodeKey(name), jetstream.LastRevision(m.revision)); err != nil {
		return nil, fmt.Errorf("tables: delete %s: %w", name, err)
	}
	s.mu.Lock()
	delete(s.metas, name)
	delete(s.stats, m.ID)
	s.mu.Unlock()
	return &TableOutput{TableDescription: d}, nil
}

// UpdateTable changes a table's billing, throughput, stream, global
// secondary indexes, class or deletion protection.
func (s *Service) UpdateTable(ctx context.Context, in *UpdateTableInput) (*TableOutput, error) {
	cur, before, err := s.table(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	m := cur.clone()
	changed := false
	if in.BillingMode != "" || in.ProvisionedThroughput != nil {
		mode := in.BillingMode
		if mode == "" {
			mode = m.BillingMode
		}
		if err := checkThroughput(mode, in.ProvisionedThroughput); err != nil {
			return nil, err
		}
		m.BillingMode = mode
		m.Throughput = ProvisionedThroughput{}
		if in.ProvisionedThroughput != nil {
			m.Throughput = *in.ProvisionedThroughput
		}
		changed = true
	}
	if in.TableClass != "" {
		m.TableClass, changed = in.TableClass, true
	}
	if in.DeletionProtectionEnabled != nil {
		m.DeletionProtection, changed = *in.DeletionProtectionEnabled, true
	}
	if spec := in.StreamSpecification; spec != nil {
		if err := checkStreamSpec(spec); err != nil {
			return nil, err
		}
		if err := s.updateStream(ctx, m, spec); err != nil {
			return nil, err
		}
		changed = true
	}
	if len(in.GlobalSecondaryIndexUpdates) > 0 {
		if err := s.updateIndexes(m, in); err != nil {
			return nil, err
		}
		changed = true
	}
	if !changed {
		return nil, validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if err := s.save(ctx, m); err != nil {
		return nil, err
	}
	s.dropRemovedIndexes(ctx, cur, m, before)
	o, err := s.opened(ctx, m)
	if err != nil {
		return nil, err
	}
	d := s.describe(m, o, tableStats{})
	d.TableStatus = "UPDATING"
	return &TableOutput{TableDescription: d}, nil
}

func (s *Service) updateStream(ctx context.Context, m *meta, spec *StreamSpecification) error {
	cur := m.stream()
	if !spec.StreamEnabled {
		if cur == nil {
			return validation("Table already has no stream enabled")
		}
		_, o, err := s.table(ctx, m.Name)
		if err != nil {
			return err
		}
		last, err := o.store.LastSeq(ctx)
		if err != nil {
			return err
		}
		cur.EndSeq = last + 1
		return nil
	}
	if cur != nil {
		return validation("Table already has an enabled stream: TableName: %s", m.Name)
	}
	_, o, err := s.table(ctx, m.Name)
	if err != nil {
		return err
	}
	last, err := o.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	label := streamLabel(now)
	if n := len(m.Streams); n > 0 && m.Streams[n-1].Label >= label {
		label = streamLabel(m.Streams[n-1].Created.Add(time.Millisecond))
	}
	m.Streams = append(m.Streams, streamMeta{Label: label, ViewType: spec.StreamViewType, StartSeq: last + 1, Created: now})
	return nil
}

func (s *Service) updateIndexes(m *meta, in *UpdateTableInput) error {
	defs := keyTypes(m.AttributeDefinitions)
	for _, d := range in.AttributeDefinitions {
		k, ok := keyTypes([]AttributeDefinition{d})[d.AttributeName]
		if !ok {
			return validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType)
		}
		if old, ok := defs[d.AttributeName]; ok && old != k {
			return validation("One or more parameter values were invalid: Cannot change the type of an attribute already defined: %s", d.AttributeName)
		}
		defs[d.AttributeName] = k
	}
	if len(in.GlobalSecondaryIndexUpdates) > 1 {
		return validation("One or more parameter values were invalid: Only 1 online index can be created or deleted simultaneously per table")
	}
	u := in.GlobalSecondaryIndexUpdates[0]
	switch {
	case u.Create != nil:
		names := map[string]bool{}
		for _, ix := range m.indexes() {
			names[ix.IndexName] = true
		}
		if names[u.Create.IndexName] {
			return validation("One or more parameter values were invalid: Index with name: %s already exists", u.Create.IndexName)
		}
		if len(m.GSIs) >= maxGSIs {
			return eddy.TypedErrorf(eddy.EINVALID, "LimitExceededException", "Subscriber limit exceeded: The number of global secondary indexes on table %s exceeds the limit of %d", m.Name, maxGSIs)
		}
		if err := checkIndex(*u.Create, defs, names, m.BillingMode, true); err != nil {
			return err
		}
		m.GSIs = append(m.GSIs, indexMeta{IndexSpec: *u.Create})
		// Keep exactly the definitions some key uses.
		used := map[string]bool{}
		for _, k := range m.KeySchema {
			used[k.AttributeName] = true
		}
		for _, ix := range m.indexes() {
			for _, k := range ix.KeySchema {
				used[k.AttributeName] = true
			}
		}
		var out []AttributeDefinition
		for name, k := range defs {
			if used[name] {
				out = append(out, AttributeDefinition{AttributeName: name, AttributeType: k.String()})
			}
		}
		slices.SortFunc(out, func(a, b AttributeDefinition) int { return strings.Compare(a.AttributeName, b.AttributeName) })
		m.AttributeDefinitions = out
	case u.Delete != nil:
		i := slices.IndexFunc(m.GSIs, func(ix indexMeta) bool { return ix.IndexName == u.Delete.IndexName })
		if i < 0 {
			return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Requested resource not found: Index: %s not found for table: %s", u.Delete.IndexName, m.Name)
		}
		m.GSIs = slices.Delete(m.GSIs, i, i+1)
	case u.Update != nil:
		i := slices.IndexFunc(m.GSIs, func(ix indexMeta) bool { return ix.IndexName == u.Update.IndexName })
		if i < 0 {
			return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Requested resource not found: Index: %s not found for table: %s", u.Update.IndexName, m.Name)
		}
		m.GSIs[i].ProvisionedThroughput = u.Update.ProvisionedThroughput
	default:
		return validation("One or more parameter values were invalid: One of Create, Update or Delete must be specified in GlobalSecondaryIndexUpdate")
	}
	return nil
}

// dropRemovedIndexes drops the streams of indexes m no longer has.
func (s *Service) dropRemovedIndexes(ctx context.Context, before, after *meta, o *opened) {
	for _, ix := range before.indexes() {
		if _, ok := after.index(ix.IndexName); ok {
			continue
		}
		if r := o.indexes[ix.IndexName]; r != nil {
			if err := r.Drop(ctx); err != nil {
				s.cfg.Logger.Error("tables: drop index", "table", after.Name, "index", ix.IndexName, "err", err)
			}
		}
	}
}

// UpdateTimeToLive turns expiry on or off.
func (s *Service) UpdateTimeToLive(ctx context.Context, name string, spec TimeToLiveSpecification) (*TimeToLiveSpecification, error) {
	cur, _, err := s.table(ctx, name)
	if err != nil {
		return nil, err
	}
	if spec.AttributeName == "" {
		return nil, validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	m := cur.clone()
	switch {
	case spec.Enabled && m.TTL != nil && m.TTL.Enabled:
		return nil, validation("TimeToLive is already enabled")
	case !spec.Enabled && (m.TTL == nil || !m.TTL.Enabled):
		return nil, validation("TimeToLive is already disabled")
	case !spec.Enabled && m.TTL.AttributeName != spec.AttributeName:
		return nil, validation("TimeToLive is active on a different AttributeName: current AttributeName is %s", m.TTL.AttributeName)
	}
	m.TTL = &spec
	if err := s.save(ctx, m); err != nil {
		return nil, err
	}
	return &spec, nil
}

// DescribeTimeToLive reports whether expiry is on.
func (s *Service) DescribeTimeToLive(ctx context.Context, name string) (*TimeToLiveDescription, error) {
	m, _, err := s.table(ctx, name)
	if err != nil {
		return nil, err
	}
	if m.TTL == nil || !m.TTL.Enabled {
		return &TimeToLiveDescription{TimeToLiveStatus: "DISABLED"}, nil
	}
	return &TimeToLiveDescription{TimeToLiveStatus: "ENABLED", AttributeName: m.TTL.AttributeName}, nil
}

// tableOfArn returns the table a resource ARN names.
func (s *Service) tableOfArn(arn string) (string, error) {
	const prefix = "arn:aws:dynamodb:"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return "", validation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	_, res, ok := strings.Cut(rest, ":table/")
	if !ok || res == "" {
		return "", validation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	name, _, _ := strings.Cut(res, "/")
	return name, nil
}

// TagResource adds or replaces tags on a table.
func (s *Service) TagResource(ctx context.Context, arn string, tags []Tag) error {
	return s.editTags(ctx, arn, func(m *meta) error {
		for _, t := range tags {
			if t.Key == "" {
				return validation("1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null")
			}
			i := slices.IndexFunc(m.Tags, func(x Tag) bool { return x.Key == t.Key })
			if i >= 0 {
				m.Tags[i] = t
			} else {
				m.Tags = append(m.Tags, t)
			}
		}
		if len(m.Tags) > 50 {
			return validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50")
		}
		return nil
	})
}

// UntagResource removes tags from a table.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	return s.editTags(ctx, arn, func(m *meta) error {
		m.Tags = slices.DeleteFunc(m.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		return nil
	})
}

func (s *Service) editTags(ctx context.Context, arn string, edit func(*meta) error) error {
	name, err := s.tableOfArn(arn)
	if err != nil {
		return err
	}
	for range 10 {
		cur, _, err := s.table(ctx, name)
		if err != nil {
			return err
		}
		m := cur.clone()
		if err := edit(m); err != nil {
			return err
		}
		err = s.save(ctx, m)
		if eddy.ErrorCode(err) == eddy.ECONFLICT {
			if ent, gerr := s.kv.Get(ctx, engine.EncodeKey(name)); gerr == nil {
				s.apply(ent)
			}
			continue
		}
		return err
	}
	return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceInUseException", "Attempt to change a resource which is still in use: %s", name)
}

// ListTagsOfResource lists a table's tags.
func (s *Service) ListTagsOfResource(ctx context.Context, arn string) ([]Tag, error) {
	name, err := s.tableOfArn(arn)
	if err != nil {
		return nil, err
	}
	m, _, err := s.table(ctx, name)
	if err != nil {
		return nil, err
	}
	if m.Tags == nil {
		return []Tag{}, nil
	}
	return m.Tags, nil
}
