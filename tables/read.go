package tables

import (
	"context"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
)

// maxPage is the most data one Query or Scan reads before it stops and
// returns a LastEvaluatedKey.
const maxPage = 1 << 20

// readPlan is a parsed Query or Scan.
type readPlan struct {
	m          *meta
	o          *opened
	ix         *indexMeta // nil for the table
	filter     *expression.Condition
	proj       *expression.Projection
	count      bool
	fetchBase  bool // an LSI read that needs attributes the index lacks
	limit      int
	consistent bool
}

// plan validates what Query and Scan share.
func (s *Service) plan(ctx context.Context, in *QueryInput, x *exprs, legacyFilter map[string]expression.LegacyCondition, filterName string) (*readPlan, error) {
	m, o, err := s.table(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	p := &readPlan{m: m, o: o, consistent: in.ConsistentRead}
	if in.IndexName != "" {
		ix, ok := m.index(in.IndexName)
		if !ok {
			return nil, validation("The table does not have the specified index: %s", in.IndexName)
		}
		if in.ConsistentRead && !ix.Local {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
		p.ix = &ix
	}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		p.limit = *in.Limit
	}
	if err := mixed("AttributesToGet", in.AttributesToGet != nil, false, filterName, legacyFilter != nil, false,
		"ProjectionExpression", in.ProjectionExpression != nil, true, "FilterExpression", in.FilterExpression != nil, true); err != nil {
		return nil, err
	}
	if in.ConditionalOperator != "" && legacyFilter == nil {
		return nil, validation("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
	}
	if legacyFilter != nil {
		p.filter, err = expression.LegacyFilter(legacyFilter, in.ConditionalOperator)
	} else {
		p.filter, err = x.filter(in.FilterExpression)
	}
	if err != nil {
		return nil, err
	}
	if in.AttributesToGet != nil {
		p.proj, err = expression.AttributesToGet(in.AttributesToGet)
	} else {
		p.proj, err = x.projection(in.ProjectionExpression)
	}
	if err != nil {
		return nil, err
	}
	sel := in.Select
	switch sel {
	case "":
		if p.proj != nil {
			sel = "SPECIFIC_ATTRIBUTES"
		} else if p.ix != nil {
			sel = "ALL_PROJECTED_ATTRIBUTES"
		} else {
			sel = "ALL_ATTRIBUTES"
		}
	case "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT":
		if p.proj != nil {
			if in.AttributesToGet != nil {
				return nil, validation("Cannot specify the AttributesToGet when choosing to get %s", sel)
			}
			return nil, validation("Cannot specify the ProjectionExpression when choosing to get %s", sel)
		}
	case "SPECIFIC_ATTRIBUTES":
		if p.proj == nil {
			return nil, validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	if sel == "ALL_PROJECTED_ATTRIBUTES" && p.ix == nil {
		return nil, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
	}
	p.count = sel == "COUNT"
	if p.ix != nil && p.ix.Projection.ProjectionType != "ALL" {
		switch {
		case sel == "ALL_ATTRIBUTES" && !p.ix.Local:
			return nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", p.ix.IndexName)
		case sel == "ALL_ATTRIBUTES", sel == "SPECIFIC_ATTRIBUTES" && p.ix.Local && !p.projected(p.proj):
			p.fetchBase = true
		}
	}
	return p, nil
}

// projected reports whether every attribute proj names is in the index.
func (p *readPlan) projected(proj *expression.Projection) bool {
	have := map[string]bool{}
	for _, k := range p.m.KeySchema {
		have[k.AttributeName] = true
	}
	for _, k := range p.ix.KeySchema {
		have[k.AttributeName] = true
	}
	for _, a := range p.ix.Projection.NonKeyAttributes {
		have[a] = true
	}
	for _, name := range proj.TopLevel() {
		if !have[name] {
			return false
		}
	}
	return true
}

// startKeyError is DynamoDB's message for an ExclusiveStartKey of the
// wrong shape.
func (p *readPlan) checkStartKey(k attrs.Item) error {
	if k == nil {
		return nil
	}
	want := map[string]bool{}
	for _, e := range p.m.KeySchema {
		want[e.AttributeName] = true
	}
	if p.ix != nil {
		for _, e := range p.ix.KeySchema {
			want[e.AttributeName] = true
		}
	}
	for name := range k {
		if !want[name] {
			return validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
	}
	return nil
}

// lastKey is the LastEvaluatedKey for item: the table's keys, and the
// index's when reading one.
func (p *readPlan) lastKey(item attrs.Item) attrs.Item {
	k := attrs.Item{}
	add := func(ks []KeySchemaElement) {
		for _, e := range ks {
			if v, ok := item[e.AttributeName]; ok {
				k[e.AttributeName] = v
			}
		}
	}
	add(p.m.KeySchema)
	if p.ix != nil {
		add(p.ix.KeySchema)
	}
	return k
}

// finish applies the page size limit, the filter, base fetches and the
// projection to the items read, and builds the result.
func (p *readPlan) finish(ctx context.Context, items []attrs.Item, lek attrs.Item, consumed string) (*QueryOutput, error) {
	size := 0
	for i, it := range items {
		size += attrs.Size(it)
		if size >= maxPage && i < len(items)-1 {
			items, lek = items[:i+1], p.lastKey(it)
			break
		}
	}
	out := &QueryOutput{ScannedCount: len(items), LastEvaluatedKey: lek}
	kept := items[:0:0]
	for _, it := range items {
		if p.fetchBase {
			full, err := p.o.store.Get(ctx, p.o.store.Key(it))
			if err != nil {
				return nil, err
			}
			if full == nil {
				continue
			}
			it = full
		}
		if p.filter != nil {
			ok, err := p.filter.Eval(it)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		if p.proj != nil {
			it = p.proj.Apply(it)
		}
		kept = append(kept, it)
	}
	out.Count = len(kept)
	if !p.count {
		out.Items = kept
		if out.Items == nil {
			out.Items = []attrs.Item{}
		}
	}
	name := p.m.Name
	out.ConsumedCapacity = capacity(consumed, name, readUnits(size, p.consistent))
	return out, nil
}

// Query reads the items of one partition of a table or index.
func (s *Service) Query(ctx context.Context, in *QueryInput) (*QueryOutput, error) {
	if in.ScanFilter != nil || in.Segment != nil || in.TotalSegments != nil {
		return nil, validation("Query does not accept ScanFilter, Segment or TotalSegments")
	}
	if err := mixed("KeyConditions", in.KeyConditions != nil, false, "KeyConditionExpression", in.KeyConditionExpression != nil, true); err != nil {
		return nil, err
	}
	x, err := newExprs(in.Expressions)
	if err != nil {
		return nil, err
	}
	p, err := s.plan(ctx, in, x, in.QueryFilter, "QueryFilter")
	if err != nil {
		return nil, err
	}
	hash, rng := p.m.keys()
	if p.ix != nil {
		hash, rng = hashRange(p.ix.KeySchema)
	}
	var kc *expression.KeyCondition
	switch {
	case in.KeyConditionExpression != nil:
		x.used = true
		kc, err = expression.ParseKeyCondition(*in.KeyConditionExpression, x.names, x.values, hash, rng)
		if err == nil {
			x.refs = append(x.refs, kc.Refs())
		}
	case in.KeyConditions != nil:
		kc, err = expression.LegacyKeyConditions(in.KeyConditions, hash, rng)
	default:
		err = validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	if err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	if p.filter != nil {
		for _, name := range p.filter.TopLevel() {
			if name == hash || name == rng {
				if in.QueryFilter != nil {
					return nil, validation("QueryFilter can only contain non-primary key attributes: Primary key attribute: %s", name)
				}
				return nil, validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", name)
			}
		}
	}
	types := keyTypes(p.m.AttributeDefinitions)
	if v := kc.HashValue; (v.Kind == attrs.S && v.S == "") || (v.Kind == attrs.B && len(v.B) == 0) {
		return nil, validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
			map[bool]string{true: "string", false: "binary"}[v.Kind == attrs.S], hash)
	}
	if kc.HashValue.Kind != types[hash] {
		return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	if kc.Range != nil {
		for _, v := range kc.Range.Values {
			if v.Kind != types[rng] {
				return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
		if kc.Range.Op == "begins_with" && types[rng] == attrs.N {
			return nil, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
		}
	}
	if err := p.checkStartKey(in.ExclusiveStartKey); err != nil {
		return nil, err
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	var items []attrs.Item
	var lek attrs.Item
	if p.ix != nil {
		items, lek, err = p.o.indexes[p.ix.IndexName].Query(ctx, kc, forward, p.limit, in.ExclusiveStartKey)
	} else {
		items, lek, err = p.o.store.Query(ctx, kc, forward, p.limit, in.ExclusiveStartKey)
	}
	if err != nil {
		return nil, err
	}
	return p.finish(ctx, items, lek, in.ReturnConsumedCapacity)
}

// Scan reads every item of a table or index, or one segment of them.
func (s *Service) Scan(ctx context.Context, in *QueryInput) (*QueryOutput, error) {
	if in.KeyConditions != nil || in.KeyConditionExpression != nil || in.QueryFilter != nil || in.ScanIndexForward != nil {
		return nil, validation("Scan does not accept KeyConditions, KeyConditionExpression, QueryFilter or ScanIndexForward")
	}
	x, err := newExprs(in.Expressions)
	if err != nil {
		return nil, err
	}
	p, err := s.plan(ctx, in, x, in.ScanFilter, "ScanFilter")
	if err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	segment, total := 0, 0
	switch {
	case in.Segment != nil && in.TotalSegments == nil:
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.Segment == nil && in.TotalSegments != nil:
		return nil, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	case in.TotalSegments != nil:
		segment, total = *in.Segment, *in.TotalSegments
		if total < 1 || total > 1000000 {
			return nil, validation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value %s", total,
				map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 1000000"}[total < 1])
		}
		if segment < 0 || segment >= total {
			return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is out of bounds of TotalSegments: %d", segment, total)
		}
	}
	if err := p.checkStartKey(in.ExclusiveStartKey); err != nil {
		return nil, err
	}
	var items []attrs.Item
	var lek attrs.Item
	if p.ix != nil {
		items, lek, err = p.o.indexes[p.ix.IndexName].Scan(ctx, p.limit, in.ExclusiveStartKey, segment, total)
	} else {
		items, lek, err = p.o.store.Scan(ctx, p.limit, in.ExclusiveStartKey, segment, total)
	}
	if err != nil {
		return nil, err
	}
	return p.finish(ctx, items, lek, in.ReturnConsumedCapacity)
}
