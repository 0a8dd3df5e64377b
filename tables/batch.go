package tables

import (
	"context"
	"sync"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/store"
)

const (
	maxBatchGet   = 100
	maxBatchWrite = 25
)

// duplicateKeys reports whether keys (already validated) repeat a key.
func duplicateKeys(st *store.Table, items []attrs.Item) bool {
	seen := map[string]bool{}
	for _, it := range items {
		k, err := st.KeyString(it)
		if err != nil {
			continue
		}
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

// BatchGetItem reads up to 100 items from one or more tables.
func (s *Service) BatchGetItem(ctx context.Context, in *BatchGetItemInput) (*BatchGetItemOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	total := 0
	for _, ka := range in.RequestItems {
		total += len(ka.Keys)
	}
	if total > maxBatchGet {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	out := &BatchGetItemOutput{Responses: map[string][]attrs.Item{}, UnprocessedKeys: map[string]KeysAndAttributes{}}
	for name, ka := range in.RequestItems {
		m, o, err := s.table(ctx, name)
		if err != nil {
			return nil, err
		}
		if len(ka.Keys) == 0 {
			return nil, validation("1 validation error detected: Value '[]' at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		proj, err := readProjection(Expressions{ExpressionAttributeNames: ka.ExpressionAttributeNames}, ka.ProjectionExpression, ka.AttributesToGet)
		if err != nil {
			return nil, err
		}
		for _, k := range ka.Keys {
			if _, err := o.store.KeyString(k); err != nil {
				return nil, err
			}
		}
		if duplicateKeys(o.store, ka.Keys) {
			return nil, validation("Provided list of item keys contains duplicates")
		}
		items := make([]attrs.Item, len(ka.Keys))
		errs := make([]error, len(ka.Keys))
		var wg sync.WaitGroup
		for i, k := range ka.Keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				items[i], errs[i] = o.store.Get(ctx, k)
			}()
		}
		wg.Wait()
		got := []attrs.Item{}
		size := 0
		for i, it := range items {
			if errs[i] != nil {
				return nil, errs[i]
			}
			if it == nil {
				continue
			}
			size += attrs.Size(it)
			if proj != nil {
				it = proj.Apply(it)
			}
			got = append(got, it)
		}
		out.Responses[name] = got
		if c := capacity(in.ReturnConsumedCapacity, m.Name, readUnits(size, ka.ConsistentRead)); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

// BatchWriteItem puts or deletes up to 25 items in one or more tables.
// Each write is atomic on its own; the batch is not.
func (s *Service) BatchWriteItem(ctx context.Context, in *BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	total := 0
	for _, reqs := range in.RequestItems {
		total += len(reqs)
	}
	if total > maxBatchWrite {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	type write struct {
		st   *store.Table
		item attrs.Item // put
		key  attrs.Item // delete
	}
	var writes []write
	units := map[string]float64{}
	// Validate everything before writing anything, as DynamoDB does.
	for name, reqs := range in.RequestItems {
		_, o, err := s.table(ctx, name)
		if err != nil {
			return nil, err
		}
		if len(reqs) == 0 {
			return nil, validation("1 validation error detected: Value '[]' at 'requestItems.%s' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		var keys []attrs.Item
		for _, r := range reqs {
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				if r.PutRequest.Item == nil {
					return nil, validation("1 validation error detected: Value null at 'requestItems.%s.member.putRequest.item' failed to satisfy constraint: Member must not be null", name)
				}
				if err := o.store.CheckItem(r.PutRequest.Item); err != nil {
					return nil, err
				}
				keys = append(keys, o.store.Key(r.PutRequest.Item))
				writes = append(writes, write{st: o.store, item: r.PutRequest.Item})
				units[name] += writeUnits(r.PutRequest.Item)
			case r.DeleteRequest != nil && r.PutRequest == nil:
				if _, err := o.store.KeyString(r.DeleteRequest.Key); err != nil {
					return nil, err
				}
				keys = append(keys, r.DeleteRequest.Key)
				writes = append(writes, write{st: o.store, key: r.DeleteRequest.Key})
				units[name]++
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
		}
		if duplicateKeys(o.store, keys) {
			return nil, validation("Provided list of item keys contains duplicates")
		}
	}
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w.item != nil {
				_, errs[i] = w.st.Put(ctx, w.item, nil)
			} else {
				_, errs[i] = w.st.Delete(ctx, w.key, nil)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := &BatchWriteItemOutput{UnprocessedItems: map[string][]WriteRequest{}}
	for name, u := range units {
		if c := capacity(in.ReturnConsumedCapacity, name, u); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}
