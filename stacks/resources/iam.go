package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/stacks"
	"github.com/nats-io/nats.go/jetstream"
)

// iamBucket holds the IAM roles and policies stacks declare. eddy records
// them, so that their names, ARNs and ids are stable and unique, but does
// not enforce them.
const iamBucket = "eddy_iam"

// record is one resource eddy keeps but does not enforce.
type record struct {
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	Arn        string         `json:"arn,omitempty"`
	ID         string         `json:"id,omitempty"`
	Stack      string         `json:"stack"`
	Properties map[string]any `json:"properties"`
}

// records is the bucket of records, opened on first use.
type records struct {
	e  *engine.Engine
	mu sync.Mutex
	kv jetstream.KeyValue
}

func (r *records) bucket(ctx context.Context) (jetstream.KeyValue, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.kv == nil {
		kv, err := r.e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: iamBucket, History: 1, Storage: jetstream.FileStorage})
		if err != nil {
			return nil, fmt.Errorf("iam records: %w", err)
		}
		r.kv = kv
	}
	return r.kv, nil
}

func recordKey(kind, name string) string { return kind + "." + engine.EncodeKey(name) }

// create stores rec; ECONFLICT if one of that kind and name exists.
func (r *records) create(ctx context.Context, kind string, rec *record) error {
	kv, err := r.bucket(ctx)
	if err != nil {
		return err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := kv.Create(ctx, recordKey(kind, rec.Name), data); errors.Is(err, jetstream.ErrKeyExists) {
		return eddy.TypedErrorf(eddy.ECONFLICT, "EntityAlreadyExists", "%s with name %s already exists.", rec.Type, rec.Name)
	} else if err != nil {
		return fmt.Errorf("iam records: %w", err)
	}
	return nil
}

// get returns the record; ENOTFOUND if there is none.
func (r *records) get(ctx context.Context, kind, name string) (*record, error) {
	kv, err := r.bucket(ctx)
	if err != nil {
		return nil, err
	}
	e, err := kv.Get(ctx, recordKey(kind, name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchEntity", "The %s with name %s cannot be found.", kind, name)
	}
	if err != nil {
		return nil, fmt.Errorf("iam records: %w", err)
	}
	var rec record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return nil, fmt.Errorf("iam records: %w", err)
	}
	return &rec, nil
}

func (r *records) put(ctx context.Context, kind string, rec *record) error {
	kv, err := r.bucket(ctx)
	if err != nil {
		return err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, recordKey(kind, rec.Name), data); err != nil {
		return fmt.Errorf("iam records: %w", err)
	}
	return nil
}

func (r *records) delete(ctx context.Context, kind, name string) error {
	kv, err := r.bucket(ctx)
	if err != nil {
		return err
	}
	if err := kv.Delete(ctx, recordKey(kind, name)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("iam records: %w", err)
	}
	return nil
}

// deleteOf deletes the record of r's resource. Without a physical id
// (the create was cut short), name is the one the create would have used,
// and the record is deleted only if r's stack made it.
func (r *records) deleteOf(ctx context.Context, kind, name string, req *stacks.Request) error {
	if req.PhysicalID == "" {
		rec, err := r.get(ctx, kind, name)
		if err != nil {
			return ignoreNotFound(err)
		}
		if rec.Stack != req.Stack.ID {
			return nil
		}
	}
	return r.delete(ctx, kind, name)
}

// iamID returns an IAM unique id: a prefix (AROA for roles, ANPA for
// managed policies) and 17 uppercase alphanumerics.
func iamID(prefix string) string { return prefix + randomSuffix(17) }

// iamPath returns a path as IAM keeps it, "/" by default.
func iamPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || len(p) > 512 {
		return "", invalid("/Path", "Path must begin and end with /")
	}
	return p, nil
}

// roleHandler is AWS::IAM::Role: Ref is the role name; Arn and RoleId.
type roleHandler struct{ r *records }

func (h *roleHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration",
			"Path", "PermissionsBoundary", "Policies", "RoleName", "Tags"},
		Required:   []string{"AssumeRolePolicyDocument"},
		Replace:    []string{"Path", "RoleName"},
		Attributes: []string{"Arn", "RoleId"},
	}
}

func (h *roleHandler) check(m map[string]any) (name, path string, err error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	name = p.str("RoleName")
	path = p.str("Path")
	p.json("AssumeRolePolicyDocument")
	p.str("Description")
	p.strs("ManagedPolicyArns")
	p.integer("MaxSessionDuration")
	p.str("PermissionsBoundary")
	for _, pol := range p.objects("Policies") {
		pol.only("PolicyDocument", "PolicyName")
		pol.require("PolicyDocument", "PolicyName")
		pol.str("PolicyName")
		pol.json("PolicyDocument")
	}
	p.tags("Tags")
	if err := p.Err(); err != nil {
		return "", "", err
	}
	if len(name) > 64 {
		return "", "", invalid("/RoleName", "RoleName must be at most 64 characters")
	}
	path, err = iamPath(path)
	return name, path, err
}

func (h *roleHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	name, path, err := h.check(r.Properties)
	if err != nil {
		return nil, err
	}
	name = nameOr(name, r, 64)
	rec := &record{Type: r.Type, Name: name, Stack: r.Stack.ID, Properties: r.Properties,
		Arn: "arn:aws:iam::" + r.Stack.Account + ":role" + path + name, ID: iamID("AROA")}
	if err := h.r.create(ctx, "role", rec); err != nil {
		return nil, err
	}
	return recordResult(rec, "RoleId"), nil
}

func recordResult(rec *record, idAttr string) *stacks.Result {
	attrs := map[string]any{}
	if rec.Arn != "" {
		attrs["Arn"] = rec.Arn
	}
	if idAttr != "" {
		attrs[idAttr] = rec.ID
	}
	return &stacks.Result{PhysicalID: rec.Name, Attributes: attrs}
}

func (h *roleHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if _, _, err := h.check(r.Properties); err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	rec, err := h.r.get(ctx, "role", r.PhysicalID)
	if err != nil {
		return nil, err
	}
	rec.Properties = r.Properties
	if err := h.r.put(ctx, "role", rec); err != nil {
		return nil, err
	}
	return recordResult(rec, "RoleId"), nil
}

func (h *roleHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		// A role name that exists fails the create, so a role by the
		// create's name is the create's.
		given, _, err := h.check(oldOr(r))
		if err != nil {
			return nil // nothing was created from properties that do not parse
		}
		if name = interruptedOwn(r, given, 64, r.Replaces); name == "" {
			return nil
		}
	}
	return h.r.deleteOf(ctx, "role", name, r)
}

// policyHandler is AWS::IAM::Policy, an inline policy of roles, users and
// groups. Its physical id is generated as CloudFormation's is.
type policyHandler struct{ r *records }

func (h *policyHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Groups", "PolicyDocument", "PolicyName", "Roles", "Users"},
		Required:   []string{"PolicyDocument", "PolicyName"},
		Attributes: []string{"Id"},
	}
}

func (h *policyHandler) check(m map[string]any) error {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	p.json("PolicyDocument")
	p.str("PolicyName")
	p.strs("Groups")
	p.strs("Roles")
	p.strs("Users")
	return p.Err()
}

func (h *policyHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if err := h.check(r.Properties); err != nil {
		return nil, err
	}
	rec := &record{Type: r.Type, Name: r.GeneratedName(64), Stack: r.Stack.ID, Properties: r.Properties}
	if err := h.r.create(ctx, "policy", rec); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: rec.Name, Attributes: map[string]any{"Id": rec.Name}}, nil
}

func (h *policyHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if err := h.check(r.Properties); err != nil {
		return nil, err
	}
	rec := &record{Type: r.Type, Name: r.PhysicalID, Stack: r.Stack.ID, Properties: r.Properties}
	if err := h.r.put(ctx, "policy", rec); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: rec.Name, Attributes: map[string]any{"Id": rec.Name}}, nil
}

func (h *policyHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		if name = interrupted(r, "", 64); name == "" {
			return nil
		}
	}
	return h.r.deleteOf(ctx, "policy", name, r)
}

// managedPolicyHandler is AWS::IAM::ManagedPolicy: Ref is the policy ARN.
type managedPolicyHandler struct{ r *records }

func (h *managedPolicyHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"Description", "Groups", "ManagedPolicyName", "Path", "PolicyDocument", "Roles", "Users"},
		Required:   []string{"PolicyDocument"},
		Replace:    []string{"Description", "ManagedPolicyName", "Path"},
		Attributes: []string{"AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable",
			"PermissionsBoundaryUsageCount", "PolicyArn", "PolicyId", "UpdateDate"},
	}
}

func (h *managedPolicyHandler) check(m map[string]any) (name, path string, err error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	p.json("PolicyDocument")
	p.str("Description")
	name = p.str("ManagedPolicyName")
	path = p.str("Path")
	p.strs("Groups")
	p.strs("Roles")
	p.strs("Users")
	if err := p.Err(); err != nil {
		return "", "", err
	}
	path, err = iamPath(path)
	return name, path, err
}

func (h *managedPolicyHandler) result(rec *record) *stacks.Result {
	return &stacks.Result{PhysicalID: rec.Arn, Attributes: map[string]any{
		"PolicyArn": rec.Arn, "PolicyId": rec.ID, "IsAttachable": true, "AttachmentCount": 0,
		"PermissionsBoundaryUsageCount": 0, "DefaultVersionId": "v1",
	}}
}

func (h *managedPolicyHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	name, path, err := h.check(r.Properties)
	if err != nil {
		return nil, err
	}
	name = nameOr(name, r, 128)
	rec := &record{Type: r.Type, Name: name, Stack: r.Stack.ID, Properties: r.Properties,
		Arn: "arn:aws:iam::" + r.Stack.Account + ":policy" + path + name, ID: iamID("ANPA")}
	if err := h.r.create(ctx, "managedpolicy", rec); err != nil {
		return nil, err
	}
	return h.result(rec), nil
}

func (h *managedPolicyHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if _, _, err := h.check(r.Properties); err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	rec, err := h.r.get(ctx, "managedpolicy", arnName(r.PhysicalID))
	if err != nil {
		return nil, err
	}
	rec.Properties = r.Properties
	if err := h.r.put(ctx, "managedpolicy", rec); err != nil {
		return nil, err
	}
	return h.result(rec), nil
}

func (h *managedPolicyHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := arnName(r.PhysicalID)
	if r.PhysicalID == "" {
		// A policy name that exists fails the create, so a policy by the
		// create's name is the create's.
		given, _, err := h.check(oldOr(r))
		if err != nil {
			return nil
		}
		if name = interruptedOwn(r, given, 128, arnName(r.Replaces)); name == "" {
			return nil
		}
	}
	return h.r.deleteOf(ctx, "managedpolicy", name, r)
}

// arnName returns the last path segment of an IAM ARN.
func arnName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// recordedHandler keeps a resource eddy accepts but does not act on (an
// SQS queue policy); its physical id is generated.
type recordedHandler struct {
	r    *records
	kind string
	spec stacks.Spec
}

func (h *recordedHandler) Spec() stacks.Spec { return h.spec }

func (h *recordedHandler) check(m map[string]any) error {
	p := newProps(m)
	p.only(h.spec.Properties...)
	p.require(h.spec.Required...)
	p.json("PolicyDocument")
	p.strs("Queues") // AWS::SQS::QueuePolicy
	p.str("Bucket")  // AWS::S3::BucketPolicy
	return p.Err()
}

func (h *recordedHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if err := h.check(r.Properties); err != nil {
		return nil, err
	}
	rec := &record{Type: r.Type, Name: r.GeneratedName(64), Stack: r.Stack.ID, Properties: r.Properties}
	if err := h.r.create(ctx, h.kind, rec); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: rec.Name, Attributes: map[string]any{}}, nil
}

func (h *recordedHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if err := h.check(r.Properties); err != nil {
		return nil, err
	}
	rec := &record{Type: r.Type, Name: r.PhysicalID, Stack: r.Stack.ID, Properties: r.Properties}
	if err := h.r.put(ctx, h.kind, rec); err != nil {
		return nil, err
	}
	return &stacks.Result{PhysicalID: rec.Name, Attributes: map[string]any{}}, nil
}

func (h *recordedHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		if name = interrupted(r, "", 64); name == "" {
			return nil
		}
	}
	return h.r.deleteOf(ctx, h.kind, name, r)
}
