package stacks

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

// CreateChangeSetInput is CreateChangeSet's request. ChangeSetType is
// "CREATE" (a new stack, left in REVIEW_IN_PROGRESS) or "UPDATE" (the
// default).
type CreateChangeSetInput struct {
	StackName, ChangeSetName string
	TemplateBody             string
	UsePreviousTemplate      bool
	Parameters               []Parameter
	Capabilities             []string
	Tags                     []Tag
	ChangeSetType            string
	Description              string
}

// Change is one resource change of a change set.
type Change struct {
	Action             string // Add, Modify, Remove
	LogicalResourceID  string
	PhysicalResourceID string
	ResourceType       string
	Replacement        string // True, False, Conditional (Modify only)
	Scope              []string
}

// ChangeSetInfo is a change set as DescribeChangeSet shows it; ListChangeSets
// leaves out Changes.
type ChangeSetInfo struct {
	ChangeSetID, ChangeSetName string
	StackID, StackName         string
	Description                string
	ChangeSetType              string
	Status, StatusReason       string
	ExecutionStatus            string
	Parameters                 []Parameter
	Capabilities               []string
	Tags                       []Tag
	Changes                    []Change
	CreationTime               time.Time
}

type changeSetRecord struct {
	ChangeSetInfo
	UUID, StackUUID string
	Body            string
	Given           map[string]string
}

func csKey(stack, name string) string { return "c." + stack + "." + engine.EncodeKey(name) }

// CreateChangeSet computes what applying a template would change, without
// changing anything. It returns the change set's id and the stack's id.
func (s *Service) CreateChangeSet(ctx context.Context, in CreateChangeSetInput) (string, string, error) {
	if err := checkName(in.StackName); err != nil {
		return "", "", err
	}
	if !stackNameRE.MatchString(in.ChangeSetName) || len(in.ChangeSetName) > 128 {
		return "", "", validation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	typ := in.ChangeSetType
	if typ == "" {
		typ = "UPDATE"
	}
	var given map[string]string
	var st *stackRecord
	var p *plan
	existing, err := s.find(ctx, in.StackName)
	switch typ {
	case "CREATE":
		if err == nil && existing.Status != "REVIEW_IN_PROGRESS" {
			return "", "", eddy.TypedErrorf(eddy.ECONFLICT, "AlreadyExistsException", "Stack [%s] already exists and cannot be created again with the changeSet [%s].", in.StackName, in.ChangeSetName)
		}
		if given, err = givenParams(in.Parameters, nil, nil); err != nil {
			return "", "", err
		}
		if existing != nil {
			st = existing
			if p, err = s.parse(st.StackName, in.TemplateBody, given, in.Capabilities, false, st); err != nil {
				return "", "", err
			}
			if err := s.bind(ctx, p, st.StackName, st.StackID); err != nil {
				return "", "", err
			}
		} else {
			if st, p, err = s.newStack(ctx, in.StackName, in.TemplateBody, in.Parameters, in.Capabilities, false); err != nil {
				return "", "", err
			}
		}
	case "UPDATE":
		if err != nil {
			return "", "", validation("Stack [%s] does not exist", in.StackName)
		}
		st = existing
		if st.Status == "REVIEW_IN_PROGRESS" {
			return "", "", validation("Stack [%s] does not exist", in.StackName)
		}
		if err := s.checkUpdatable(st); err != nil {
			return "", "", err
		}
		body := in.TemplateBody
		if in.UsePreviousTemplate {
			body = st.Template
		}
		if given, err = givenParams(in.Parameters, st.Given, st.Parameters); err != nil {
			return "", "", err
		}
		if p, err = s.parse(st.StackName, body, given, in.Capabilities, false, st); err != nil {
			return "", "", err
		}
		if err := s.bind(ctx, p, st.StackName, st.StackID); err != nil {
			return "", "", err
		}
	default:
		return "", "", validation("1 validation error detected: Value '%s' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]", typ)
	}
	var old stackRecord
	if _, ok, err := s.getJSON(ctx, csKey(st.UUID, in.ChangeSetName), &old); err != nil {
		return "", "", err
	} else if ok {
		return "", "", eddy.TypedErrorf(eddy.ECONFLICT, "AlreadyExistsException", "ChangeSet [%s] already exists", in.ChangeSetName)
	}
	changes, err := s.diff(ctx, p, st)
	if err != nil {
		return "", "", err
	}
	id := newUUID()
	cs := &changeSetRecord{UUID: id, StackUUID: st.UUID, Body: p.body, Given: given}
	cs.ChangeSetInfo = ChangeSetInfo{
		ChangeSetID:   fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", s.cfg.Region, s.cfg.Account, in.ChangeSetName, id),
		ChangeSetName: in.ChangeSetName, StackID: st.StackID, StackName: st.StackName, Description: in.Description,
		ChangeSetType: typ, Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Parameters: shownParams(p),
		Capabilities: in.Capabilities, Tags: in.Tags, Changes: changes, CreationTime: s.cfg.Clock().UTC(),
	}
	if typ == "UPDATE" && len(changes) == 0 && p.processed == st.Processed && equalMaps(given, st.Given) {
		cs.Status, cs.ExecutionStatus = "FAILED", "UNAVAILABLE"
		cs.StatusReason = "The submitted information didn't contain changes. Submit different information to create a change set."
	}
	if typ == "CREATE" && existing == nil {
		if err := s.register(ctx, st); err != nil {
			return "", "", err
		}
		st.Template, st.Processed, st.Order = "", "", nil
		if err := s.setStatus(ctx, st, "REVIEW_IN_PROGRESS", "User Initiated"); err != nil {
			return "", "", err
		}
	}
	if err := s.putJSON(ctx, csKey(st.UUID, in.ChangeSetName), cs); err != nil {
		return "", "", err
	}
	return cs.ChangeSetID, st.StackID, nil
}

// tracker resolves against the stack's resources, noting references to
// resources the change set changes (their new values are not known yet).
type tracker struct {
	o        *op
	changing map[string]bool
	touched  bool
}

func (t *tracker) Ref(id string) (any, error) {
	if t.changing[id] {
		t.touched = true
		return "{{changing}}", nil
	}
	return t.o.Ref(id)
}

func (t *tracker) GetAtt(id, attr string) (any, error) {
	if t.changing[id] {
		t.touched = true
		return "{{changing}}", nil
	}
	return t.o.GetAtt(id, attr)
}

// diff returns the changes applying p to the stack makes.
func (s *Service) diff(ctx context.Context, p *plan, st *stackRecord) ([]Change, error) {
	rs, err := s.resources(ctx, st.UUID)
	if err != nil {
		return nil, err
	}
	o := &op{s: s, ctx: ctx, st: st, p: p, res: rs}
	changing := map[string]bool{}
	var out []Change
	for _, lvl := range p.order {
		for _, id := range lvl {
			tr := p.bound.Resource(id)
			cur := o.get(id)
			if cur == nil {
				changing[id] = true
				out = append(out, Change{Action: "Add", LogicalResourceID: id, ResourceType: tr.Type})
				continue
			}
			c := Change{Action: "Modify", LogicalResourceID: id, PhysicalResourceID: cur.PhysicalID, ResourceType: tr.Type, Scope: []string{"Properties"}}
			t := &tracker{o: o, changing: changing}
			props, err := p.bound.ResolveProperties(id, t)
			switch {
			case cur.Type != tr.Type:
				c.Replacement = "True"
			case err != nil || t.touched:
				c.Replacement = "Conditional"
			case propsEqual(cur.Properties, props):
				continue
			case replaces(s.cfg.Handlers[tr.Type].Spec(), cur.Properties, props):
				c.Replacement = "True"
			default:
				c.Replacement = "False"
			}
			changing[id] = true
			out = append(out, c)
		}
	}
	included := inOrder(p.order)
	var removed []string
	for id, r := range rs {
		if !included[id] && r.Status != "DELETE_COMPLETE" {
			removed = append(removed, id)
		}
	}
	sort.Strings(removed)
	for _, id := range removed {
		out = append(out, Change{Action: "Remove", LogicalResourceID: id, PhysicalResourceID: rs[id].PhysicalID, ResourceType: rs[id].Type})
	}
	return out, nil
}

// findChangeSet finds a change set by name and stack, or by its ARN.
func (s *Service) findChangeSet(ctx context.Context, name, stack string) (*changeSetRecord, error) {
	notFound := eddy.TypedErrorf(eddy.ENOTFOUND, "ChangeSetNotFoundException", "ChangeSet [%s] does not exist", name)
	if strings.HasPrefix(name, "arn:") {
		keys, err := s.keys(ctx, "c.>")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			var cs changeSetRecord
			if _, ok, err := s.getJSON(ctx, k, &cs); err != nil {
				return nil, err
			} else if ok && cs.ChangeSetID == name {
				return &cs, nil
			}
		}
		return nil, notFound
	}
	if stack == "" {
		return nil, validation("StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	st, err := s.find(ctx, stack)
	if err != nil {
		return nil, err
	}
	var cs changeSetRecord
	if _, ok, err := s.getJSON(ctx, csKey(st.UUID, name), &cs); err != nil {
		return nil, err
	} else if !ok {
		return nil, notFound
	}
	return &cs, nil
}

// DescribeChangeSet returns a change set and its changes.
func (s *Service) DescribeChangeSet(ctx context.Context, name, stack string) (*ChangeSetInfo, error) {
	cs, err := s.findChangeSet(ctx, name, stack)
	if err != nil {
		return nil, err
	}
	return &cs.ChangeSetInfo, nil
}

// ListChangeSets returns the stack's change sets, without their changes.
func (s *Service) ListChangeSets(ctx context.Context, stack string) ([]ChangeSetInfo, error) {
	st, err := s.find(ctx, stack)
	if err != nil {
		return nil, err
	}
	keys, err := s.keys(ctx, "c."+st.UUID+".*")
	if err != nil {
		return nil, err
	}
	var out []ChangeSetInfo
	for _, k := range keys {
		var cs changeSetRecord
		if _, ok, err := s.getJSON(ctx, k, &cs); err != nil {
			return nil, err
		} else if ok {
			cs.Changes = nil
			out = append(out, cs.ChangeSetInfo)
		}
	}
	return out, nil
}

// DeleteChangeSet deletes a change set that has not been executed.
func (s *Service) DeleteChangeSet(ctx context.Context, name, stack string) error {
	cs, err := s.findChangeSet(ctx, name, stack)
	if err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, csKey(cs.StackUUID, cs.ChangeSetName)); err != nil {
		return fmt.Errorf("stacks: delete change set: %w", err)
	}
	return nil
}

// ExecuteChangeSet starts applying a change set: creating the stack of a
// CREATE change set, updating it for an UPDATE one. The stack's change
// sets are deleted, as CloudFormation does. disableRollback keeps what a
// failed operation did.
func (s *Service) ExecuteChangeSet(ctx context.Context, name, stack string, disableRollback bool) error {
	cs, err := s.findChangeSet(ctx, name, stack)
	if err != nil {
		return err
	}
	if cs.ExecutionStatus != "AVAILABLE" {
		return eddy.TypedErrorf(eddy.EINVALID, "InvalidChangeSetStatusException", "ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.ChangeSetID, cs.ExecutionStatus)
	}
	st, err := s.find(ctx, cs.StackID)
	if err != nil {
		return err
	}
	params := make([]Parameter, 0, len(cs.Given))
	for k, v := range cs.Given {
		params = append(params, Parameter{Key: k, Value: v})
	}
	var p *plan
	if cs.ChangeSetType == "CREATE" {
		if st.Status != "REVIEW_IN_PROGRESS" {
			return eddy.TypedErrorf(eddy.EINVALID, "InvalidChangeSetStatusException", "ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ChangeSetID, st.Status)
		}
		if p, err = s.parse(st.StackName, cs.Body, cs.Given, cs.Capabilities, false, st); err != nil {
			return err
		}
		if err := s.bind(ctx, p, st.StackName, st.StackID); err != nil {
			return err
		}
		s.applyPlan(st, p, cs.Capabilities)
		st.Tags, st.ChangeSetID, st.DisableRollback = cs.Tags, cs.ChangeSetID, disableRollback
		if err := s.claim(st); err != nil {
			return err
		}
		if err := s.setStatus(ctx, st, "CREATE_IN_PROGRESS", "User Initiated"); err != nil {
			s.release(st.UUID)
			return err
		}
		if err := s.start(ctx, st, p, (*op).runCreate); err != nil {
			return err
		}
	} else {
		st, p, err = s.prepareUpdate(ctx, st, cs.Body, false, params, cs.Capabilities, cs.Tags, false)
		if err != nil {
			return err
		}
		st.ChangeSetID, st.DisableRollback = cs.ChangeSetID, disableRollback
		if err := s.beginUpdate(ctx, st, p); err != nil {
			return err
		}
	}
	keys, err := s.keys(ctx, "c."+cs.StackUUID+".*")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.kv.Delete(ctx, k); err != nil {
			return fmt.Errorf("stacks: delete change set: %w", err)
		}
	}
	return nil
}
