package stacks

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

// CreateStackInput is CreateStack's request.
type CreateStackInput struct {
	StackName       string
	TemplateBody    string
	Parameters      []Parameter
	Capabilities    []string
	Tags            []Tag
	DisableRollback bool
}

// UpdateStackInput is UpdateStack's request. UsePreviousTemplate keeps the
// stack's template; a parameter with UsePreviousValue keeps its value.
type UpdateStackInput struct {
	StackName           string
	TemplateBody        string
	UsePreviousTemplate bool
	Parameters          []Parameter
	Capabilities        []string
	Tags                []Tag
	DisableRollback     bool
}

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

func checkName(name string) error {
	if len(name) > 128 || !stackNameRE.MatchString(name) {
		return validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	return nil
}

// givenParams reads a request's parameter values. UsePreviousValue takes
// the value given before, from prev; a parameter the previous template
// declared (one of declared) but that took its default keeps taking the
// default.
func givenParams(ps []Parameter, prev map[string]string, declared []Parameter) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range ps {
		if p.UsePreviousValue {
			v, ok := prev[p.Key]
			if !ok && slices.ContainsFunc(declared, func(d Parameter) bool { return d.Key == p.Key }) {
				continue
			}
			if !ok {
				return nil, validation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", p.Key)
			}
			out[p.Key] = v
			continue
		}
		out[p.Key] = p.Value
	}
	return out, nil
}

func shownParams(p *plan) []Parameter {
	var out []Parameter
	for _, v := range p.bound.ParameterValues {
		out = append(out, Parameter{Key: v.Key, Value: v.Value, ResolvedValue: v.ResolvedValue})
	}
	return out
}

// claim marks a stack busy; it fails if an operation is in flight. An
// operation records its final status just before it lets go of the stack:
// a request that has read that status waits for it to let go.
func (s *Service) claim(st *stackRecord) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		s.mu.Lock()
		if !s.busy[st.UUID] {
			s.busy[st.UUID] = true
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		if strings.HasSuffix(st.Status, "_IN_PROGRESS") || time.Now().After(deadline) {
			return validation("Stack:%s is in %s state and can not be updated.", st.StackID, st.Status)
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *Service) release(id string) {
	s.mu.Lock()
	delete(s.busy, id)
	s.mu.Unlock()
}

// start runs an operation on a claimed stack in the background. The
// request that started it waits for it up to Config.Settle (see settle).
func (s *Service) start(ctx context.Context, st *stackRecord, p *plan, run func(o *op) error) error {
	done, err := s.launch(st, p, run)
	if err != nil {
		return err
	}
	s.settle(ctx, done)
	return nil
}

// settle waits up to Config.Settle for an operation to finish. CloudFormation
// answers at once and clients poll, some (the aws CLI's waiters) every 30 s;
// answering once a quick operation has finished spares them the wait, and
// what they then read is what they would have read later.
func (s *Service) settle(ctx context.Context, done <-chan struct{}) {
	if s.cfg.Settle <= 0 {
		return
	}
	t := time.NewTimer(s.cfg.Settle)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// launch runs an operation in the background; done closes when it ends.
func (s *Service) launch(st *stackRecord, p *plan, run func(o *op) error) (<-chan struct{}, error) {
	rs, err := s.resources(s.ctx, st.UUID)
	if err != nil {
		s.release(st.UUID)
		return nil, err
	}
	o := &op{s: s, ctx: s.ctx, st: st, p: p, res: rs}
	done := make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(done)
		defer s.release(st.UUID)
		if err := run(o); err != nil && !errors.Is(err, errStopped) {
			s.cfg.Logger.Error("stack operation", "stack", st.StackName, "err", err)
		}
	}()
	return done, nil
}

// CreateStack validates the template and starts creating the stack; it
// returns the stack's id at once. DescribeStacks follows the creation.
func (s *Service) CreateStack(ctx context.Context, in CreateStackInput) (string, error) {
	return s.createStack(ctx, in, "", "")
}

// createStack is CreateStack of a stack the stack parent nests (root at
// the top of the nesting), or of a stack not nested when parent is empty.
func (s *Service) createStack(ctx context.Context, in CreateStackInput, parent, root string) (string, error) {
	if err := checkName(in.StackName); err != nil {
		return "", err
	}
	if _, err := s.find(ctx, in.StackName); err == nil {
		return "", eddy.TypedErrorf(eddy.ECONFLICT, "AlreadyExistsException", "Stack [%s] already exists", in.StackName)
	}
	st, p, err := s.newStack(ctx, in.StackName, in.TemplateBody, in.Parameters, in.Capabilities, true)
	if err != nil {
		return "", err
	}
	st.Tags, st.DisableRollback = in.Tags, in.DisableRollback
	st.ParentID, st.RootID = parent, root
	if err := s.register(ctx, st); err != nil {
		return "", err
	}
	if err := s.claim(st); err != nil {
		return "", err
	}
	if err := s.setStatus(ctx, st, "CREATE_IN_PROGRESS", "User Initiated"); err != nil {
		s.release(st.UUID)
		return "", err
	}
	return st.StackID, s.start(ctx, st, p, (*op).runCreate)
}

// newStack prepares a stack record and plan for a template.
func (s *Service) newStack(ctx context.Context, name, body string, params []Parameter, caps []string, direct bool) (*stackRecord, *plan, error) {
	given, err := givenParams(params, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.parse(name, body, given, caps, direct, nil)
	if err != nil {
		return nil, nil, err
	}
	id := newUUID()
	st := &stackRecord{UUID: id}
	st.StackName, st.StackID = name, s.stackARN(name, id)
	if err := s.bind(ctx, p, name, st.StackID); err != nil {
		return nil, nil, err
	}
	st.CreationTime = s.cfg.Clock().UTC()
	s.applyPlan(st, p, caps)
	return st, p, nil
}

func (s *Service) applyPlan(st *stackRecord, p *plan, caps []string) {
	st.Description = p.tmpl.Description
	st.Template, st.Processed, st.Order, st.Given = p.body, p.processed, p.order, p.given
	st.Parameters, st.Capabilities, st.Imports = shownParams(p), caps, p.importList()
}

// register makes the stack's name resolve to it; the name must be free.
func (s *Service) register(ctx context.Context, st *stackRecord) error {
	if _, err := s.kv.Create(ctx, nameKey(st.StackName), []byte(st.UUID)); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return eddy.TypedErrorf(eddy.ECONFLICT, "AlreadyExistsException", "Stack [%s] already exists", st.StackName)
		}
		return fmt.Errorf("stacks: register %s: %w", st.StackName, err)
	}
	return nil
}

// UpdateStack validates the new template and starts updating the stack.
func (s *Service) UpdateStack(ctx context.Context, in UpdateStackInput) (string, error) {
	st, err := s.find(ctx, in.StackName)
	if err != nil {
		return "", err
	}
	st, p, err := s.prepareUpdate(ctx, st, in.TemplateBody, in.UsePreviousTemplate, in.Parameters, in.Capabilities, in.Tags, true)
	if err != nil {
		return "", err
	}
	st.DisableRollback = in.DisableRollback
	return st.StackID, s.beginUpdate(ctx, st, p)
}

func (s *Service) checkUpdatable(st *stackRecord) error {
	switch st.Status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE":
		return nil
	}
	return validation("Stack:%s is in %s state and can not be updated.", st.StackID, st.Status)
}

func (s *Service) prepareUpdate(ctx context.Context, st *stackRecord, body string, usePrev bool, params []Parameter, caps []string, tags []Tag, direct bool) (*stackRecord, *plan, error) {
	if err := s.checkUpdatable(st); err != nil {
		return nil, nil, err
	}
	if usePrev {
		body = st.Template
	}
	given, err := givenParams(params, st.Given, st.Parameters)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.parse(st.StackName, body, given, caps, direct, st)
	if err != nil {
		return nil, nil, err
	}
	if err := s.bind(ctx, p, st.StackName, st.StackID); err != nil {
		return nil, nil, err
	}
	if tags == nil {
		tags = st.Tags
	}
	if p.processed == st.Processed && equalMaps(p.given, st.Given) && equalTags(tags, st.Tags) {
		return nil, nil, validation("No updates are to be performed.")
	}
	prev := *st
	prev.Prev = nil
	st.Prev = &prev
	s.applyPlan(st, p, caps)
	st.Tags = tags
	return st, p, nil
}

func (s *Service) beginUpdate(ctx context.Context, st *stackRecord, p *plan) error {
	if err := s.claim(st); err != nil {
		return err
	}
	if err := s.setStatus(ctx, st, "UPDATE_IN_PROGRESS", "User Initiated"); err != nil {
		s.release(st.UUID)
		return err
	}
	return s.start(ctx, st, p, (*op).runUpdate)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func equalTags(a, b []Tag) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// DeleteStack starts deleting the stack. Deleting a stack that does not
// exist, or is already deleted, succeeds, as in CloudFormation.
func (s *Service) DeleteStack(ctx context.Context, nameOrID string) error {
	st, err := s.find(ctx, nameOrID)
	if err != nil {
		var e *eddy.Error
		if errors.As(err, &e) && e.Code == eddy.EVALIDATE {
			return nil
		}
		return err
	}
	if st.Status == "DELETE_COMPLETE" || st.Status == "DELETE_IN_PROGRESS" {
		return nil
	}
	for _, n := range st.Exports {
		users, err := s.importers(ctx, n, st.UUID)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return validation("Export %s cannot be deleted as it is in use by %s", n, strings.Join(users, ", "))
		}
	}
	if strings.HasSuffix(st.Status, "_IN_PROGRESS") && st.Status != "REVIEW_IN_PROGRESS" {
		return validation("Stack [%s] cannot be deleted while in status %s", st.StackName, st.Status)
	}
	if err := s.claim(st); err != nil {
		return err
	}
	if err := s.setStatus(ctx, st, "DELETE_IN_PROGRESS", "User Initiated"); err != nil {
		s.release(st.UUID)
		return err
	}
	return s.start(ctx, st, nil, (*op).runDelete)
}

// resumeAll finishes what a previous run left in progress. eddy does not
// know whether a handler call in flight when it stopped took effect, so it
// never continues forward: an interrupted create rolls back (every
// recorded resource, those CREATE_IN_PROGRESS included, is deleted), an
// interrupted update rolls back to the previous template, and rollbacks,
// cleanups and deletes continue where they stopped.
func (s *Service) resumeAll(ctx context.Context) error {
	all, err := s.allStacks(ctx)
	if err != nil {
		return err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].CreationTime.Before(all[j].CreationTime) })
	const reason = "eddy stopped during the stack operation"
	for _, st := range all {
		var run func(o *op) error
		switch st.Status {
		case "CREATE_IN_PROGRESS":
			run = func(o *op) error {
				if err := o.status("ROLLBACK_IN_PROGRESS", reason); err != nil {
					return err
				}
				return o.rollbackCreate()
			}
		case "ROLLBACK_IN_PROGRESS":
			run = (*op).rollbackCreate
		case "DELETE_IN_PROGRESS":
			run = (*op).runDelete
		case "UPDATE_IN_PROGRESS":
			run = func(o *op) error {
				if err := o.status("UPDATE_ROLLBACK_IN_PROGRESS", reason); err != nil {
					return err
				}
				return o.rollbackUpdate()
			}
		case "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
			run = (*op).rollbackUpdate
		case "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
			run = (*op).cleanup
		default:
			continue
		}
		if err := s.claim(st); err != nil {
			return err
		}
		s.cfg.Logger.Info("resuming stack", "stack", st.StackName, "status", st.Status)
		if _, err := s.launch(st, nil, run); err != nil {
			return err
		}
	}
	return nil
}
