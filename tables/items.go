package tables

import (
	"context"
	"errors"
	"math"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/store"
)

// CheckFailed is the error of a write whose condition did not hold. It
// unwraps to ConditionalCheckFailedException; Item is the item as it was,
// when the request asked for it with ReturnValuesOnConditionCheckFailure.
type CheckFailed struct {
	Item attrs.Item
}

func (e *CheckFailed) Error() string { return e.Unwrap().Error() }

// Unwrap returns the eddy error.
func (e *CheckFailed) Unwrap() error {
	return eddy.TypedErrorf(eddy.EPRECOND, "ConditionalCheckFailedException", "The conditional request failed")
}

// exprs holds one request's parsed expressions, to check for unused names
// and values once all are parsed.
type exprs struct {
	names  map[string]string
	values map[string]attrs.Value
	refs   []expression.Refs
	used   bool // whether any expression was given
}

func newExprs(e Expressions) (*exprs, error) {
	if err := expression.CheckParams(e.ExpressionAttributeNames, e.ExpressionAttributeValues); err != nil {
		return nil, err
	}
	return &exprs{names: e.ExpressionAttributeNames, values: e.ExpressionAttributeValues}, nil
}

func (x *exprs) condition(expr *string) (*expression.Condition, error) {
	if expr == nil {
		return nil, nil
	}
	x.used = true
	c, err := expression.ParseCondition(*expr, x.names, x.values)
	if err != nil {
		return nil, err
	}
	x.refs = append(x.refs, c.Refs())
	return c, nil
}

func (x *exprs) filter(expr *string) (*expression.Condition, error) {
	if expr == nil {
		return nil, nil
	}
	x.used = true
	c, err := expression.ParseFilter(*expr, x.names, x.values)
	if err != nil {
		return nil, err
	}
	x.refs = append(x.refs, c.Refs())
	return c, nil
}

func (x *exprs) projection(expr *string) (*expression.Projection, error) {
	if expr == nil {
		return nil, nil
	}
	x.used = true
	p, err := expression.ParseProjection(*expr, x.names)
	if err != nil {
		return nil, err
	}
	x.refs = append(x.refs, p.Refs())
	return p, nil
}

func (x *exprs) update(expr *string) (*expression.Update, error) {
	if expr == nil {
		return nil, nil
	}
	x.used = true
	u, err := expression.ParseUpdate(*expr, x.names, x.values)
	if err != nil {
		return nil, err
	}
	x.refs = append(x.refs, u.Refs())
	return u, nil
}

// done reports names or values no expression used, or given without any
// expression.
func (x *exprs) done() error {
	if !x.used {
		if x.names != nil {
			return validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if x.values != nil {
			return validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		return nil
	}
	return expression.CheckUnused(x.names, x.values, x.refs...)
}

// mixed reports the use of legacy and expression parameters together.
func mixed(pairs ...any) error {
	var legacy, expr []string
	for i := 0; i+2 < len(pairs)+1; i += 3 {
		name, present := pairs[i].(string), pairs[i+1].(bool)
		isExpr := pairs[i+2].(bool)
		if !present {
			continue
		}
		if isExpr {
			expr = append(expr, name)
		} else {
			legacy = append(legacy, name)
		}
	}
	if len(legacy) > 0 && len(expr) > 0 {
		return expression.MixedParams(legacy, expr)
	}
	return nil
}

// writeCondition parses a write's ConditionExpression or legacy Expected.
func writeCondition(x *exprs, condExpr *string, expected map[string]expression.ExpectedAttributeValue, op string) (*expression.Condition, error) {
	if err := mixed("Expected", expected != nil, false, "ConditionExpression", condExpr != nil, true); err != nil {
		return nil, err
	}
	if op != "" && expected == nil {
		return nil, validation("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
	}
	if expected != nil {
		return expression.ExpectedCondition(expected, op)
	}
	return x.condition(condExpr)
}

func checkReturnOnFailure(v string) error {
	switch v {
	case "", "NONE", "ALL_OLD":
		return nil
	}
	return validation("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", v)
}

// conditionFailed turns the store's error into the client's, with the old
// item when asked for.
func conditionFailed(err error, returnOld string) error {
	var cf *store.ConditionFailed
	if errors.As(err, &cf) {
		out := &CheckFailed{}
		if returnOld == "ALL_OLD" {
			out.Item = cf.Old
		}
		return out
	}
	return err
}

// checkItemKeys returns a check of the index keys a written item carries.
func (m *meta) itemCheck() func(attrs.Item) error {
	type ik struct {
		index, attr string
		kind        attrs.Kind
	}
	types := keyTypes(m.AttributeDefinitions)
	hash, rng := m.keys()
	var keys []ik
	for _, ix := range m.indexes() {
		for _, k := range ix.KeySchema {
			if k.AttributeName != hash && k.AttributeName != rng {
				keys = append(keys, ik{ix.IndexName, k.AttributeName, types[k.AttributeName]})
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return func(item attrs.Item) error {
		for _, k := range keys {
			v, ok := item[k.attr]
			if !ok {
				continue
			}
			if v.Kind != k.kind {
				return validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", k.attr, k.kind, v.Kind, k.index)
			}
			if (v.Kind == attrs.S && v.S == "") || (v.Kind == attrs.B && len(v.B) == 0) {
				return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
					map[bool]string{true: "string", false: "binary"}[v.Kind == attrs.S], k.index, k.attr)
			}
		}
		return nil
	}
}

// capacity reports consumed capacity when the request asked for it.
func capacity(mode, table string, units float64) *ConsumedCapacity {
	switch mode {
	case "TOTAL":
		return &ConsumedCapacity{TableName: table, CapacityUnits: units}
	case "INDEXES":
		return &ConsumedCapacity{TableName: table, CapacityUnits: units, Table: &Capacity{CapacityUnits: units}}
	}
	return nil
}

func checkReturnConsumed(v string) error {
	switch v {
	case "", "NONE", "TOTAL", "INDEXES":
		return nil
	}
	return validation("1 validation error detected: Value '%s' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]", v)
}

// writeUnits is the capacity a write of an item of size bytes costs.
func writeUnits(items ...attrs.Item) float64 {
	size := 0
	for _, it := range items {
		size = max(size, attrs.Size(it))
	}
	return math.Max(1, math.Ceil(float64(size)/1024))
}

// readUnits is the capacity reading size bytes costs.
func readUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

// checkWrite validates the return options of PutItem and DeleteItem.
func checkWrite(returnValues, onFailure, consumed string) error {
	switch returnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return validation("Return values set to invalid value")
	}
	if err := checkReturnOnFailure(onFailure); err != nil {
		return err
	}
	return checkReturnConsumed(consumed)
}

// conditionOnly parses the condition of a write whose only expression it
// is (PutItem, DeleteItem).
func conditionOnly(e Expressions, condExpr *string, expected map[string]expression.ExpectedAttributeValue, op string) (*expression.Condition, error) {
	x, err := newExprs(e)
	if err != nil {
		return nil, err
	}
	cond, err := writeCondition(x, condExpr, expected, op)
	if err != nil {
		return nil, err
	}
	return cond, x.done()
}

// PutItem writes an item.
func (s *Service) PutItem(ctx context.Context, in *PutItemInput) (*ItemOutput, error) {
	m, o, err := s.table(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if in.Item == nil {
		return nil, validation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")
	}
	if err := checkWrite(in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	cond, err := conditionOnly(in.Expressions, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	old, err := o.store.Put(ctx, in.Item, cond)
	if err != nil {
		return nil, conditionFailed(err, in.ReturnValuesOnConditionCheckFailure)
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, m.Name, writeUnits(in.Item, old))}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = old
	}
	return out, nil
}

// GetItem reads an item.
func (s *Service) GetItem(ctx context.Context, in *GetItemInput) (*GetItemOutput, error) {
	m, o, err := s.table(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if in.Key == nil {
		return nil, validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	proj, err := readProjection(in.Expressions, in.ProjectionExpression, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	item, err := o.store.Get(ctx, in.Key)
	if err != nil {
		return nil, err
	}
	out := &GetItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, m.Name, readUnits(attrs.Size(item), in.ConsistentRead))}
	if item != nil {
		out.Item = item
		if proj != nil {
			out.Item = proj.Apply(item)
		}
	}
	return out, nil
}

// readProjection parses a read's ProjectionExpression or AttributesToGet.
func readProjection(e Expressions, expr *string, toGet []string) (*expression.Projection, error) {
	if err := mixed("AttributesToGet", toGet != nil, false, "ProjectionExpression", expr != nil, true); err != nil {
		return nil, err
	}
	if e.ExpressionAttributeValues != nil {
		if expr == nil {
			return nil, validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		return nil, validation("ExpressionAttributeValues can only be specified when using expressions: ProjectionExpression")
	}
	x, err := newExprs(e)
	if err != nil {
		return nil, err
	}
	var p *expression.Projection
	if toGet != nil {
		p, err = expression.AttributesToGet(toGet)
	} else {
		p, err = x.projection(expr)
	}
	if err != nil {
		return nil, err
	}
	return p, x.done()
}

// UpdateItem changes an item, creating it if absent.
func (s *Service) UpdateItem(ctx context.Context, in *UpdateItemInput) (*ItemOutput, error) {
	m, o, err := s.table(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if in.Key == nil {
		return nil, validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
	}
	if err := checkReturnOnFailure(in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if err := mixed("AttributeUpdates", in.AttributeUpdates != nil, false, "Expected", in.Expected != nil, false,
		"UpdateExpression", in.UpdateExpression != nil, true, "ConditionExpression", in.ConditionExpression != nil, true); err != nil {
		return nil, err
	}
	x, err := newExprs(in.Expressions)
	if err != nil {
		return nil, err
	}
	var upd *expression.Update
	if in.AttributeUpdates != nil {
		upd, err = expression.AttributeUpdates(in.AttributeUpdates)
	} else {
		upd, err = x.update(in.UpdateExpression)
	}
	if err != nil {
		return nil, err
	}
	cond, err := writeCondition(x, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	old, nw, err := o.store.Update(ctx, in.Key, upd, cond)
	if err != nil {
		return nil, conditionFailed(err, in.ReturnValuesOnConditionCheckFailure)
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, m.Name, writeUnits(old, nw))}
	switch in.ReturnValues {
	case "ALL_OLD":
		out.Attributes = old
	case "ALL_NEW":
		out.Attributes = nw
	case "UPDATED_OLD", "UPDATED_NEW":
		src := old
		if in.ReturnValues == "UPDATED_NEW" {
			src = nw
		}
		if upd != nil && src != nil {
			out.Attributes = expression.Project(src, upd.Paths())
		}
	}
	if len(out.Attributes) == 0 {
		out.Attributes = nil
	}
	return out, nil
}

// DeleteItem deletes an item.
func (s *Service) DeleteItem(ctx context.Context, in *DeleteItemInput) (*ItemOutput, error) {
	m, o, err := s.table(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if in.Key == nil {
		return nil, validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	if err := checkWrite(in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	cond, err := conditionOnly(in.Expressions, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	old, err := o.store.Delete(ctx, in.Key, cond)
	if err != nil {
		return nil, conditionFailed(err, in.ReturnValuesOnConditionCheckFailure)
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, m.Name, writeUnits(old))}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = old
	}
	return out, nil
}
