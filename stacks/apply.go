package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/templates"
)

// errStopped ends an operation when the service closes: nothing more is
// recorded, and the next Open resumes the stack.
var errStopped = errors.New("stacks: service closing")

// op is one operation in flight on one stack.
type op struct {
	s   *Service
	ctx context.Context
	st  *stackRecord
	p   *plan // nil when resuming

	mu  sync.Mutex // guards res
	res map[string]*resourceRecord
}

func (o *op) stopped() bool { return o.ctx.Err() != nil }

func (o *op) get(id string) *resourceRecord {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.res[id]
	if r == nil || r.Status == "DELETE_COMPLETE" {
		return nil
	}
	return r
}

// Ref implements templates.Resources over the stack's resource table.
func (o *op) Ref(id string) (any, error) {
	r := o.get(id)
	if r == nil || r.PhysicalID == "" {
		return nil, validation("Template error: resource %s is not created", id)
	}
	return r.PhysicalID, nil
}

// GetAtt implements templates.Resources over the stack's resource table.
func (o *op) GetAtt(id, attr string) (any, error) {
	r := o.get(id)
	if r == nil {
		return nil, validation("Template error: resource %s is not created", id)
	}
	v, ok := r.Attributes[attr]
	if !ok {
		return nil, validation("Template error: resource %s does not support attribute type %s in Fn::GetAtt", id, attr)
	}
	return v, nil
}

// put records a resource's state and its event, before anything else
// happens to it.
func (o *op) put(r *resourceRecord, status, reason string) error {
	return o.record(r, status, reason, true)
}

// record is put, or with save false only the event (for the old resource
// of a replacement, which lives in the new one's record).
func (o *op) record(r *resourceRecord, status, reason string, save bool) error {
	// Records are written with the service's context cancelled or not:
	// a state change that happened must be on record.
	ctx := context.WithoutCancel(o.ctx)
	o.mu.Lock()
	r.Status, r.StatusReason, r.Timestamp = status, reason, o.s.cfg.Clock().UTC()
	if save {
		o.res[r.LogicalID] = r
		b, err := json.Marshal(r)
		if err == nil {
			_, err = o.s.kv.Put(ctx, resKey(o.st.UUID, r.LogicalID), b)
		}
		if err != nil {
			o.mu.Unlock()
			return fmt.Errorf("stacks: record %s: %w", r.LogicalID, err)
		}
	}
	o.mu.Unlock()
	props := ""
	if r.Properties != nil && strings.HasSuffix(status, "_IN_PROGRESS") {
		pb, _ := json.Marshal(r.Properties)
		props = string(pb)
	}
	return o.s.event(ctx, o.st, Event{LogicalResourceID: r.LogicalID, PhysicalResourceID: r.PhysicalID,
		ResourceType: r.Type, ResourceStatus: status, ResourceStatusReason: reason, ResourceProperties: props})
}

func (o *op) drop(id string) error {
	o.mu.Lock()
	delete(o.res, id)
	o.mu.Unlock()
	if err := o.s.kv.Delete(context.WithoutCancel(o.ctx), resKey(o.st.UUID, id)); err != nil {
		return fmt.Errorf("stacks: drop %s: %w", id, err)
	}
	return nil
}

func (o *op) status(status, reason string) error {
	return o.s.setStatus(context.WithoutCancel(o.ctx), o.st, status, reason)
}

func (o *op) request(r *resourceRecord) *Request {
	req := &Request{Stack: Stack{Name: o.st.StackName, ID: o.st.StackID, Region: o.s.cfg.Region, Account: o.s.cfg.Account},
		LogicalID: r.LogicalID, Type: r.Type, PhysicalID: r.PhysicalID, Attributes: r.Attributes, NameSuffix: r.NameSuffix}
	if r.Replaced != nil {
		req.Replaces = r.Replaced.PhysicalID
	}
	return req
}

func (o *op) handler(typ string) (Handler, error) {
	h := o.s.cfg.Handlers[typ]
	if h == nil {
		return nil, fmt.Errorf("no handler for resource type %s", typ)
	}
	return h, nil
}

// level runs fn for each id of a level concurrently and returns the
// logical ids that failed, sorted, or errStopped.
func (o *op) level(ids []string, fn func(id string) error) ([]string, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	var hard error
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(id); err != nil {
				mu.Lock()
				if errors.Is(err, errStopped) || o.stopped() {
					hard = errStopped
				} else if ee := (*failure)(nil); errors.As(err, &ee) {
					failed = append(failed, id)
				} else if hard == nil {
					hard = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Strings(failed)
	return failed, hard
}

// failure is a resource operation that failed and is recorded as such.
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func reasonOf(err error) string {
	var e *eddy.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// createOne creates a resource of the plan, recording it first.
func (o *op) createOne(id string, added bool) error {
	if o.stopped() {
		return errStopped
	}
	tr := o.p.bound.Resource(id)
	r := &resourceRecord{LogicalID: id, Type: tr.Type, DeletionPolicy: tr.DeletionPolicy, UpdateReplacePolicy: tr.UpdateReplacePolicy, Added: added,
		NameSuffix: newNameSuffix()}
	props, err := o.p.bound.ResolveProperties(id, o)
	if err != nil {
		if err := o.put(r, "CREATE_FAILED", reasonOf(err)); err != nil {
			return err
		}
		return &failure{reasonOf(err)}
	}
	r.Properties = props
	if err := o.put(r, "CREATE_IN_PROGRESS", ""); err != nil {
		return err
	}
	h, err := o.handler(r.Type)
	if err != nil {
		return err
	}
	req := o.request(r)
	req.Properties = props
	res, err := h.Create(o.ctx, req)
	if err != nil && o.stopped() {
		// A call cut short by the service closing is not a failure: the
		// resource stays CREATE_IN_PROGRESS and resuming deletes it by
		// what the handler can find of it. A call that succeeded is
		// recorded even while closing.
		return errStopped
	}
	if err != nil {
		if err := o.put(r, "CREATE_FAILED", reasonOf(err)); err != nil {
			return err
		}
		return &failure{reasonOf(err)}
	}
	r.PhysicalID, r.Attributes = res.PhysicalID, res.Attributes
	return o.put(r, "CREATE_COMPLETE", "")
}

// deleteOne deletes a recorded resource (Retain keeps it). onCreate says
// the deletion rolls back a creation (RetainExceptOnCreate deletes then).
func (o *op) deleteOne(r *resourceRecord, onCreate bool) error {
	return o.deleteAs(r, onCreate, true)
}

func (o *op) deleteAs(r *resourceRecord, onCreate, save bool) error {
	if o.stopped() {
		return errStopped
	}
	put := func(r *resourceRecord, status, reason string) error { return o.record(r, status, reason, save) }
	if r.DeletionPolicy == "Retain" || (r.DeletionPolicy == "RetainExceptOnCreate" && !onCreate) {
		return put(r, "DELETE_SKIPPED", "")
	}
	if r.PhysicalID == "" && r.Status == "CREATE_FAILED" {
		return put(r, "DELETE_COMPLETE", "")
	}
	if err := put(r, "DELETE_IN_PROGRESS", ""); err != nil {
		return err
	}
	h, err := o.handler(r.Type)
	if err != nil {
		return err
	}
	req := o.request(r)
	req.OldProperties = r.Properties
	err = h.Delete(o.ctx, req)
	if err != nil && o.stopped() {
		return errStopped
	}
	if err != nil {
		if err := put(r, "DELETE_FAILED", reasonOf(err)); err != nil {
			return err
		}
		return &failure{reasonOf(err)}
	}
	return put(r, "DELETE_COMPLETE", "")
}

// reverse returns the levels of order in reverse, followed by a level of
// the recorded resources order does not list.
func (o *op) reverse(order [][]string) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for i := len(order) - 1; i >= 0; i-- {
		out = append(out, order[i])
		for _, id := range order[i] {
			seen[id] = true
		}
	}
	var rest []string
	o.mu.Lock()
	for id := range o.res {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	o.mu.Unlock()
	sort.Strings(rest)
	if len(rest) > 0 {
		out = append([][]string{rest}, out...)
	}
	return out
}

func failedList(verb string, ids []string) string {
	return fmt.Sprintf("The following resource(s) failed to %s: [%s]. ", verb, strings.Join(ids, ", "))
}

// runCreate creates the plan's resources level by level.
func (o *op) runCreate() error {
	for _, lvl := range o.st.Order {
		failed, err := o.level(lvl, func(id string) error { return o.createOne(id, false) })
		if err != nil {
			return err
		}
		if len(failed) > 0 {
			return o.createFailed(failedList("create", failed))
		}
	}
	if err := o.outputs(); err != nil {
		if errors.Is(err, errStopped) {
			return err
		}
		return o.createFailed(reasonOf(err))
	}
	return o.status("CREATE_COMPLETE", "")
}

func (o *op) createFailed(reason string) error {
	if o.st.DisableRollback {
		return o.status("CREATE_FAILED", reason)
	}
	if err := o.status("ROLLBACK_IN_PROGRESS", reason); err != nil {
		return err
	}
	return o.rollbackCreate()
}

// rollbackCreate deletes every resource a failed creation recorded.
func (o *op) rollbackCreate() error {
	if err := o.dropExports(nil); err != nil {
		return err
	}
	var all []string
	for _, lvl := range o.reverse(o.st.Order) {
		failed, err := o.level(lvl, func(id string) error {
			r := o.get(id)
			if r == nil || r.Status == "DELETE_SKIPPED" {
				return nil
			}
			return o.deleteOne(r, true)
		})
		if err != nil {
			return err
		}
		all = append(all, failed...)
	}
	if len(all) > 0 {
		return o.status("ROLLBACK_FAILED", failedList("delete", all))
	}
	o.st.Outputs = nil
	return o.status("ROLLBACK_COMPLETE", "")
}

// runDelete deletes every resource of the stack.
func (o *op) runDelete() error {
	var all []string
	for _, lvl := range o.reverse(o.st.Order) {
		failed, err := o.level(lvl, func(id string) error {
			r := o.get(id)
			if r == nil || r.Status == "DELETE_SKIPPED" {
				return nil
			}
			return o.deleteOne(r, false)
		})
		if err != nil {
			return err
		}
		all = append(all, failed...)
	}
	if len(all) > 0 {
		return o.status("DELETE_FAILED", failedList("delete", all))
	}
	if err := o.dropExports(nil); err != nil {
		return err
	}
	ctx := context.WithoutCancel(o.ctx)
	if e, err := o.s.kv.Get(ctx, nameKey(o.st.StackName)); err == nil && string(e.Value()) == o.st.UUID {
		if err := o.s.kv.Delete(ctx, nameKey(o.st.StackName)); err != nil {
			return err
		}
	}
	keys, err := o.s.keys(ctx, "c."+o.st.UUID+".*")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := o.s.kv.Delete(ctx, k); err != nil {
			return fmt.Errorf("stacks: delete change set: %w", err)
		}
	}
	o.st.DeletionTime = o.s.cfg.Clock().UTC()
	return o.status("DELETE_COMPLETE", "")
}

// outputs resolves the outputs and claims their exports.
func (o *op) outputs() error {
	if o.stopped() {
		return errStopped
	}
	outs, err := o.p.bound.Outputs(o)
	if err != nil {
		return err
	}
	o.st.Outputs = nil
	keep := map[string]string{}
	for _, v := range outs {
		o.st.Outputs = append(o.st.Outputs, Output(v))
		if v.ExportName != "" {
			keep[v.ExportName] = v.Value
		}
	}
	ctx := context.WithoutCancel(o.ctx)
	names := make([]string, 0, len(keep))
	for n := range keep {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var x Export
		_, ok, err := o.s.getJSON(ctx, exportKey(n), &x)
		if err != nil {
			return err
		}
		if ok && x.ExportingStackID != o.st.StackID {
			return validation("Export with name %s is already exported by stack %s", n, stackNameOf(x.ExportingStackID))
		}
		if ok && x.Value != keep[n] {
			if users, err := o.s.importers(ctx, n, o.st.UUID); err != nil {
				return err
			} else if len(users) > 0 {
				return validation("Cannot update export %s as it is in use by %s", n, strings.Join(users, ", "))
			}
		}
	}
	for _, n := range o.st.Exports {
		if _, ok := keep[n]; ok {
			continue
		}
		if users, err := o.s.importers(ctx, n, o.st.UUID); err != nil {
			return err
		} else if len(users) > 0 {
			return validation("Export %s cannot be deleted as it is in use by %s", n, strings.Join(users, ", "))
		}
	}
	if err := o.dropExports(keep); err != nil {
		return err
	}
	for _, n := range names {
		if err := o.s.putJSON(ctx, exportKey(n), Export{ExportingStackID: o.st.StackID, Name: n, Value: keep[n]}); err != nil {
			return err
		}
	}
	o.st.Exports = names
	o.st.Imports = o.p.importList()
	return o.s.saveStack(ctx, o.st)
}

// dropExports deletes the stack's exports not in keep.
func (o *op) dropExports(keep map[string]string) error {
	ctx := context.WithoutCancel(o.ctx)
	var left []string
	for _, n := range o.st.Exports {
		if _, ok := keep[n]; ok {
			left = append(left, n)
			continue
		}
		var x Export
		_, ok, err := o.s.getJSON(ctx, exportKey(n), &x)
		if err != nil {
			return err
		}
		if ok && x.ExportingStackID == o.st.StackID {
			if err := o.s.kv.Delete(ctx, exportKey(n)); err != nil {
				return err
			}
		}
	}
	o.st.Exports = left
	return nil
}

func stackNameOf(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return arn
}

// propsEqual compares properties as their JSON forms would.
func propsEqual(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var x, y any
	_ = json.Unmarshal(ja, &x)
	_ = json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y)
}

// replaces reports whether changing from old to new properties changes a
// property whose change replaces the resource.
func replaces(spec Spec, old, new map[string]any) bool {
	for _, k := range spec.Replace {
		if !propsEqual(map[string]any{"v": old[k]}, map[string]any{"v": new[k]}) {
			return true
		}
	}
	return false
}

func clone(r *resourceRecord) *resourceRecord {
	c := *r
	c.Old, c.Replaced, c.Added = nil, nil, false
	return &c
}

// updateOne brings one resource to the plan's template.
func (o *op) updateOne(id string) error {
	if o.stopped() {
		return errStopped
	}
	cur := o.get(id)
	if cur == nil {
		return o.createOne(id, true)
	}
	tr := o.p.bound.Resource(id)
	props, err := o.p.bound.ResolveProperties(id, o)
	if err != nil {
		if err := o.put(cur, "UPDATE_FAILED", reasonOf(err)); err != nil {
			return err
		}
		return &failure{reasonOf(err)}
	}
	cur.DeletionPolicy, cur.UpdateReplacePolicy = tr.DeletionPolicy, tr.UpdateReplacePolicy
	h, err := o.handler(tr.Type)
	if err != nil {
		return err
	}
	if cur.Type == tr.Type && propsEqual(cur.Properties, props) {
		return nil
	}
	if cur.Type == tr.Type && !replaces(h.Spec(), cur.Properties, props) {
		r := clone(cur)
		r.Old = clone(cur)
		r.Properties = props
		if err := o.put(r, "UPDATE_IN_PROGRESS", ""); err != nil {
			return err
		}
		req := o.request(r)
		req.Properties, req.OldProperties = props, cur.Properties
		res, err := h.Update(o.ctx, req)
		if err != nil && o.stopped() {
			return errStopped
		}
		if err == nil {
			r.PhysicalID, r.Attributes = res.PhysicalID, res.Attributes
			return o.put(r, "UPDATE_COMPLETE", "")
		}
		if !errors.Is(err, ErrReplace) {
			if err := o.put(r, "UPDATE_FAILED", reasonOf(err)); err != nil {
				return err
			}
			return &failure{reasonOf(err)}
		}
		cur = r.Old
	}
	// Replacement: create the new resource now, delete the old one in
	// the cleanup phase.
	r := &resourceRecord{LogicalID: id, Type: tr.Type, DeletionPolicy: tr.DeletionPolicy, UpdateReplacePolicy: tr.UpdateReplacePolicy, Properties: props,
		Replaced: clone(cur), NameSuffix: newNameSuffix()}
	if err := o.put(r, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one."); err != nil {
		return err
	}
	req := o.request(r)
	req.Properties = props
	res, err := h.Create(o.ctx, req)
	if err != nil && o.stopped() {
		return errStopped
	}
	if err != nil {
		if err := o.put(r, "UPDATE_FAILED", reasonOf(err)); err != nil {
			return err
		}
		return &failure{reasonOf(err)}
	}
	r.PhysicalID, r.Attributes = res.PhysicalID, res.Attributes
	return o.put(r, "UPDATE_COMPLETE", "")
}

// runUpdate applies the plan to the stack's resources.
func (o *op) runUpdate() error {
	for _, lvl := range o.st.Order {
		failed, err := o.level(lvl, o.updateOne)
		if err != nil {
			return err
		}
		if len(failed) > 0 {
			return o.updateFailed(failedList("update", failed))
		}
	}
	if err := o.outputs(); err != nil {
		if errors.Is(err, errStopped) {
			return err
		}
		return o.updateFailed(reasonOf(err))
	}
	if err := o.status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", ""); err != nil {
		return err
	}
	return o.cleanup()
}

func (o *op) updateFailed(reason string) error {
	if o.st.DisableRollback {
		return o.status("UPDATE_FAILED", reason)
	}
	if err := o.status("UPDATE_ROLLBACK_IN_PROGRESS", reason); err != nil {
		return err
	}
	return o.rollbackUpdate()
}

// inOrder reports the ids order lists.
func inOrder(order [][]string) map[string]bool {
	m := map[string]bool{}
	for _, l := range order {
		for _, id := range l {
			m[id] = true
		}
	}
	return m
}

// cleanup deletes what an update replaced or removed, then completes it.
func (o *op) cleanup() error {
	keep := inOrder(o.st.Order)
	var prevOrder [][]string
	if o.st.Prev != nil {
		prevOrder = o.st.Prev.Order
	}
	var failed []string
	for _, lvl := range o.reverse(append(append([][]string{}, prevOrder...), o.st.Order...)) {
		f, err := o.level(lvl, func(id string) error {
			r := o.get(id)
			if r == nil {
				return nil
			}
			if !keep[id] {
				if err := o.deleteOne(r, false); err != nil {
					return err
				}
				return o.drop(id)
			}
			if r.Replaced != nil {
				// The old resource goes by UpdateReplacePolicy.
				old := clone(r.Replaced)
				old.DeletionPolicy = ""
				if r.UpdateReplacePolicy == "Retain" {
					old.DeletionPolicy = "Retain"
				}
				if err := o.deleteAs(old, false, false); err != nil {
					return err
				}
			}
			if r.Replaced != nil || r.Old != nil || r.Added {
				r.Replaced, r.Old, r.Added = nil, nil, false
				o.mu.Lock()
				b, _ := json.Marshal(r)
				o.mu.Unlock()
				if _, err := o.s.kv.Put(context.WithoutCancel(o.ctx), resKey(o.st.UUID, id), b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		failed = append(failed, f...)
	}
	// AWS completes the update even if cleanup fails to delete something;
	// the resource's DELETE_FAILED event says what is left.
	if len(failed) > 0 {
		o.s.cfg.Logger.Warn("stack cleanup left resources", "stack", o.st.StackName, "resources", failed)
	}
	o.st.Prev = nil
	o.st.LastUpdatedTime = o.s.cfg.Clock().UTC()
	return o.status("UPDATE_COMPLETE", "")
}

// rollbackUpdate restores the resources an update changed.
func (o *op) rollbackUpdate() error {
	var failed []string
	for _, lvl := range o.reverse(o.st.Order) {
		f, err := o.level(lvl, func(id string) error {
			r := o.get(id)
			if r == nil {
				return nil
			}
			switch {
			case r.Added:
				if err := o.deleteOne(r, true); err != nil {
					return err
				}
				return o.drop(id)
			case r.Replaced != nil:
				if r.PhysicalID != "" || r.Status == "UPDATE_IN_PROGRESS" {
					nr := clone(r)
					if err := o.deleteAs(nr, true, false); err != nil {
						return err
					}
				}
				return o.put(clone(r.Replaced), "UPDATE_COMPLETE", "")
			case r.Old != nil:
				old := clone(r.Old)
				if err := o.put(r, "UPDATE_IN_PROGRESS", ""); err != nil {
					return err
				}
				h, err := o.handler(r.Type)
				if err != nil {
					return err
				}
				req := o.request(r)
				req.Properties, req.OldProperties = old.Properties, r.Properties
				res, err := h.Update(o.ctx, req)
				if err != nil && o.stopped() {
					return errStopped
				}
				if err != nil {
					if err := o.put(r, "UPDATE_FAILED", reasonOf(err)); err != nil {
						return err
					}
					return &failure{reasonOf(err)}
				}
				old.PhysicalID, old.Attributes = res.PhysicalID, res.Attributes
				return o.put(old, "UPDATE_COMPLETE", "")
			}
			return nil
		})
		if err != nil {
			return err
		}
		failed = append(failed, f...)
	}
	if len(failed) > 0 {
		return o.status("UPDATE_ROLLBACK_FAILED", failedList("update", failed))
	}
	if p := o.st.Prev; p != nil {
		newExports := o.st.Exports
		o.st.Template, o.st.Processed, o.st.Order = p.Template, p.Processed, p.Order
		o.st.Given, o.st.Parameters, o.st.Outputs, o.st.Imports = p.Given, p.Parameters, p.Outputs, p.Imports
		o.st.Description, o.st.Tags, o.st.Capabilities = p.Description, p.Tags, p.Capabilities
		o.st.Exports = newExports
		keep := map[string]string{}
		for _, out := range p.Outputs {
			if out.ExportName != "" {
				keep[out.ExportName] = out.Value
			}
		}
		if err := o.dropExports(keep); err != nil {
			return err
		}
		ctx := context.WithoutCancel(o.ctx)
		var names []string
		for n, v := range keep {
			names = append(names, n)
			if err := o.s.putJSON(ctx, exportKey(n), Export{ExportingStackID: o.st.StackID, Name: n, Value: v}); err != nil {
				return err
			}
		}
		sort.Strings(names)
		o.st.Exports = names
		o.st.Prev = nil
	}
	if err := o.status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", ""); err != nil {
		return err
	}
	return o.status("UPDATE_ROLLBACK_COMPLETE", "")
}

var _ templates.Resources = (*op)(nil)
