package tables

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/store"
	"github.com/nats-io/nats.go/jetstream"
)

const maxTransactItems = 100

// TransactionCanceled is TransactionCanceledException with its reasons.
type TransactionCanceled struct {
	Reasons []CancellationReason
}

func (e *TransactionCanceled) Error() string { return e.Unwrap().Error() }

// Unwrap returns the eddy error.
func (e *TransactionCanceled) Unwrap() error {
	codes := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		codes[i] = r.Code
	}
	return eddy.TypedErrorf(eddy.EPRECOND, "TransactionCanceledException",
		"Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
}

// TransactWriteItems applies up to 100 writes and condition checks to
// items of one or more tables, all or none.
func (s *Service) TransactWriteItems(ctx context.Context, in *TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	if len(in.TransactItems) == 0 || len(in.TransactItems) > maxTransactItems {
		return nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxTransactItems)
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if len(in.ClientRequestToken) > 36 {
		return nil, validation("1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", in.ClientRequestToken)
	}
	var fingerprint string
	if in.ClientRequestToken != "" {
		data, _ := json.Marshal(in.TransactItems)
		sum := sha256.Sum256(data)
		fingerprint = hex.EncodeToString(sum[:])
		ent, err := s.tokens.Get(ctx, tokenKey(in.ClientRequestToken))
		switch {
		case err == nil && string(ent.Value()) == fingerprint:
			return &TransactWriteItemsOutput{}, nil // already applied
		case err == nil:
			return nil, eddy.TypedErrorf(eddy.ECONFLICT, "IdempotentParameterMismatchException",
				"One or more parameter values were invalid: The request with ClientRequestToken %s has different parameters than a request made with the same token earlier", in.ClientRequestToken)
		case !errors.Is(err, jetstream.ErrKeyNotFound):
			return nil, err
		}
	}
	writes := make([]store.TxWrite, len(in.TransactItems))
	returnOld := make([]bool, len(in.TransactItems))
	units := map[string]float64{}
	for i, ti := range in.TransactItems {
		var a *TransactAction
		var op store.WriteOp
		n := 0
		for _, c := range []struct {
			a  *TransactAction
			op store.WriteOp
		}{{ti.ConditionCheck, store.OpCheck}, {ti.Put, store.OpPut}, {ti.Delete, store.OpDelete}, {ti.Update, store.OpUpdate}} {
			if c.a != nil {
				a, op = c.a, c.op
				n++
			}
		}
		if n != 1 {
			return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		w, err := s.transactWrite(ctx, a, op)
		if err != nil {
			return nil, err
		}
		writes[i] = w
		returnOld[i] = a.ReturnValuesOnConditionCheckFailure == "ALL_OLD"
		units[a.TableName] += 2 * writeUnits(a.Item)
	}
	_, err := store.Transact(ctx, writes)
	var tc *store.TxCanceled
	if errors.As(err, &tc) {
		out := &TransactionCanceled{Reasons: make([]CancellationReason, len(tc.Reasons))}
		for i, r := range tc.Reasons {
			out.Reasons[i] = CancellationReason{Code: r.Code, Message: r.Message}
			if r.Code == store.ReasonConditionalCheckFailed && returnOld[i] {
				out.Reasons[i].Item = r.Old
			}
		}
		return nil, out
	}
	if err != nil {
		return nil, err
	}
	if fingerprint != "" {
		// A concurrent twin may have stored it first; either is fine.
		_, _ = s.tokens.Create(ctx, tokenKey(in.ClientRequestToken), []byte(fingerprint))
	}
	out := &TransactWriteItemsOutput{}
	for name, u := range units {
		if c := capacity(in.ReturnConsumedCapacity, name, u); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// transactWrite validates one action and parses its expressions.
func (s *Service) transactWrite(ctx context.Context, a *TransactAction, op store.WriteOp) (store.TxWrite, error) {
	_, o, err := s.table(ctx, a.TableName)
	if err != nil {
		return store.TxWrite{}, err
	}
	if err := checkReturnOnFailure(a.ReturnValuesOnConditionCheckFailure); err != nil {
		return store.TxWrite{}, err
	}
	x, err := newExprs(a.Expressions)
	if err != nil {
		return store.TxWrite{}, err
	}
	w := store.TxWrite{Table: o.store, Op: op, Key: a.Key}
	switch op {
	case store.OpPut:
		if a.Item == nil {
			return w, validation("1 validation error detected: Value null at 'transactItems.member.put.item' failed to satisfy constraint: Member must not be null")
		}
		if err := o.store.CheckItem(a.Item); err != nil {
			return w, err
		}
		w.Item, w.Key = a.Item, nil
	case store.OpUpdate:
		if a.UpdateExpression == nil {
			return w, validation("1 validation error detected: Value null at 'transactItems.member.update.updateExpression' failed to satisfy constraint: Member must not be null")
		}
		if w.Update, err = x.update(a.UpdateExpression); err != nil {
			return w, err
		}
	case store.OpCheck:
		if a.ConditionExpression == nil {
			return w, validation("1 validation error detected: Value null at 'transactItems.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null")
		}
	}
	if op != store.OpPut && a.Key == nil {
		return w, validation("1 validation error detected: Value null at 'transactItems.member.key' failed to satisfy constraint: Member must not be null")
	}
	if w.Cond, err = x.condition(a.ConditionExpression); err != nil {
		return w, err
	}
	return w, x.done()
}

// TransactGetItems reads up to 100 items of one or more tables as one
// consistent snapshot.
func (s *Service) TransactGetItems(ctx context.Context, in *TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	if len(in.TransactItems) == 0 || len(in.TransactItems) > maxTransactItems {
		return nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxTransactItems)
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	gets := make([]store.TxGet, len(in.TransactItems))
	projs := make([]*expression.Projection, len(in.TransactItems))
	tablesOf := make([]string, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		if ti.Get == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.get' failed to satisfy constraint: Member must not be null", i+1)
		}
		_, o, err := s.table(ctx, ti.Get.TableName)
		if err != nil {
			return nil, err
		}
		if ti.Get.Key == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.get.key' failed to satisfy constraint: Member must not be null", i+1)
		}
		projs[i], err = readProjection(Expressions{ExpressionAttributeNames: ti.Get.ExpressionAttributeNames}, ti.Get.ProjectionExpression, nil)
		if err != nil {
			return nil, err
		}
		gets[i] = store.TxGet{Table: o.store, Key: ti.Get.Key}
		tablesOf[i] = ti.Get.TableName
	}
	items, err := store.TransactGet(ctx, gets)
	var tc *store.TxCanceled
	if errors.As(err, &tc) {
		out := &TransactionCanceled{Reasons: make([]CancellationReason, len(tc.Reasons))}
		for i, r := range tc.Reasons {
			out.Reasons[i] = CancellationReason{Code: r.Code, Message: r.Message}
		}
		return nil, out
	}
	if err != nil {
		return nil, err
	}
	out := &TransactGetItemsOutput{Responses: make([]ItemResponse, len(items))}
	units := map[string]float64{}
	for i, it := range items {
		units[tablesOf[i]] += 2 * readUnits(attrs.Size(it), true)
		if it != nil && projs[i] != nil {
			it = projs[i].Apply(it)
		}
		out.Responses[i] = ItemResponse{Item: it}
	}
	for name, u := range units {
		if c := capacity(in.ReturnConsumedCapacity, name, u); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}
