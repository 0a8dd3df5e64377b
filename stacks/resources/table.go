package resources

import (
	"context"
	"encoding/json"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/stacks"
	"github.com/eddyserverless/eddy/tables"
)

// tableHandler is AWS::DynamoDB::Table. Ref is the table name.
type tableHandler struct{ s *tables.Service }

func (h *tableHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"AttributeDefinitions", "BillingMode", "ContributorInsightsSpecification",
			"DeletionProtectionEnabled", "GlobalSecondaryIndexes", "KeySchema", "LocalSecondaryIndexes",
			"PointInTimeRecoverySpecification", "ProvisionedThroughput", "SSESpecification",
			"StreamSpecification", "TableClass", "TableName", "Tags", "TimeToLiveSpecification"},
		Required:   []string{"KeySchema"},
		Replace:    []string{"KeySchema", "LocalSecondaryIndexes", "TableName"},
		Attributes: []string{"Arn", "StreamArn"},
	}
}

type tableProps struct {
	in   tables.CreateTableInput
	ttl  *tables.TimeToLiveSpecification
	tags map[string]string
}

func keySchema(p props, name string) []tables.KeySchemaElement {
	var out []tables.KeySchemaElement
	for _, k := range p.objects(name) {
		k.only("AttributeName", "KeyType")
		k.require("AttributeName", "KeyType")
		out = append(out, tables.KeySchemaElement{AttributeName: k.str("AttributeName"), KeyType: k.str("KeyType")})
	}
	return out
}

func throughput(p props) *tables.ProvisionedThroughput {
	t := p.sub("ProvisionedThroughput")
	if t.m == nil {
		return nil
	}
	t.only("ReadCapacityUnits", "WriteCapacityUnits")
	out := &tables.ProvisionedThroughput{}
	if n := t.integer("ReadCapacityUnits"); n != nil {
		out.ReadCapacityUnits = int64(*n)
	}
	if n := t.integer("WriteCapacityUnits"); n != nil {
		out.WriteCapacityUnits = int64(*n)
	}
	return out
}

func indexes(p props, name string) []tables.IndexSpec {
	var out []tables.IndexSpec
	for _, x := range p.objects(name) {
		x.only("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "ContributorInsightsSpecification", "OnDemandThroughput")
		x.require("IndexName", "KeySchema", "Projection")
		pr := x.sub("Projection")
		pr.only("NonKeyAttributes", "ProjectionType")
		out = append(out, tables.IndexSpec{
			IndexName:             x.str("IndexName"),
			KeySchema:             keySchema(x, "KeySchema"),
			Projection:            tables.Projection{ProjectionType: pr.str("ProjectionType"), NonKeyAttributes: pr.strs("NonKeyAttributes")},
			ProvisionedThroughput: throughput(x),
		})
	}
	return out
}

func (h *tableHandler) parse(m map[string]any) (*tableProps, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	p.require(h.Spec().Required...)
	t := &tableProps{tags: p.tags("Tags")}
	in := &t.in
	in.TableName = p.str("TableName")
	for _, a := range p.objects("AttributeDefinitions") {
		a.only("AttributeName", "AttributeType")
		a.require("AttributeName", "AttributeType")
		in.AttributeDefinitions = append(in.AttributeDefinitions, tables.AttributeDefinition{AttributeName: a.str("AttributeName"), AttributeType: a.str("AttributeType")})
	}
	in.KeySchema = keySchema(p, "KeySchema")
	in.LocalSecondaryIndexes = indexes(p, "LocalSecondaryIndexes")
	in.GlobalSecondaryIndexes = indexes(p, "GlobalSecondaryIndexes")
	in.BillingMode = p.str("BillingMode")
	in.ProvisionedThroughput = throughput(p)
	in.TableClass = p.str("TableClass")
	in.DeletionProtectionEnabled = p.boolean("DeletionProtectionEnabled")
	if s := p.sub("StreamSpecification"); s.m != nil {
		s.only("StreamViewType", "ResourcePolicy")
		s.require("StreamViewType")
		in.StreamSpecification = &tables.StreamSpecification{StreamEnabled: true, StreamViewType: s.str("StreamViewType")}
	}
	if s := p.sub("TimeToLiveSpecification"); s.m != nil {
		s.only("AttributeName", "Enabled")
		s.require("Enabled")
		t.ttl = &tables.TimeToLiveSpecification{AttributeName: s.str("AttributeName")}
		if b := s.boolean("Enabled"); b != nil {
			t.ttl.Enabled = *b
		}
	}
	for k, v := range t.tags {
		in.Tags = append(in.Tags, tables.Tag{Key: k, Value: v})
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil {
		// CloudFormation's default is PROVISIONED, which needs throughput;
		// eddy does not throttle, so a table without either is on demand.
		in.BillingMode = "PAY_PER_REQUEST"
	}
	return t, nil
}

func (h *tableHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	t, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	t.in.TableName = nameOr(t.in.TableName, r, 255)
	out, err := h.s.CreateTable(ctx, &t.in)
	if err != nil {
		return nil, err
	}
	if t.ttl != nil && t.ttl.Enabled {
		if _, err := h.s.UpdateTimeToLive(ctx, t.in.TableName, *t.ttl); err != nil {
			return nil, err
		}
	}
	return tableResult(&out.TableDescription), nil
}

func tableResult(d *tables.TableDescription) *stacks.Result {
	attrs := map[string]any{"Arn": d.TableArn}
	if d.LatestStreamArn != "" && d.StreamSpecification != nil && d.StreamSpecification.StreamEnabled {
		attrs["StreamArn"] = d.LatestStreamArn
	}
	return &stacks.Result{PhysicalID: d.TableName, Attributes: attrs}
}

func (h *tableHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	t, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	old, err := h.parse(r.OldProperties)
	if err != nil {
		old = &tableProps{}
	}
	name := r.PhysicalID
	base := tables.UpdateTableInput{TableName: name, AttributeDefinitions: t.in.AttributeDefinitions}
	if t.in.BillingMode != old.in.BillingMode || !sameJSON(t.in.ProvisionedThroughput, old.in.ProvisionedThroughput) ||
		!sameJSON(t.in.DeletionProtectionEnabled, old.in.DeletionProtectionEnabled) || t.in.TableClass != old.in.TableClass {
		in := base
		in.BillingMode, in.ProvisionedThroughput, in.TableClass = t.in.BillingMode, t.in.ProvisionedThroughput, t.in.TableClass
		in.DeletionProtectionEnabled = t.in.DeletionProtectionEnabled
		if in.DeletionProtectionEnabled == nil && old.in.DeletionProtectionEnabled != nil {
			f := false
			in.DeletionProtectionEnabled = &f
		}
		if _, err := h.s.UpdateTable(ctx, &in); err != nil {
			return nil, err
		}
	}
	// Global secondary indexes, one change per call as DynamoDB takes
	// them: a changed index is deleted and created again.
	oldIdx := map[string]tables.IndexSpec{}
	for _, x := range old.in.GlobalSecondaryIndexes {
		oldIdx[x.IndexName] = x
	}
	newIdx := map[string]bool{}
	for _, x := range t.in.GlobalSecondaryIndexes {
		newIdx[x.IndexName] = true
	}
	for _, x := range old.in.GlobalSecondaryIndexes {
		if !newIdx[x.IndexName] {
			if err := h.indexUpdate(ctx, base, tables.IndexUpdate{Delete: &struct{ IndexName string }{x.IndexName}}); err != nil {
				return nil, err
			}
		}
	}
	for _, x := range t.in.GlobalSecondaryIndexes {
		o, had := oldIdx[x.IndexName]
		if had && sameJSON(o.KeySchema, x.KeySchema) && sameJSON(o.Projection, x.Projection) {
			if !sameJSON(o.ProvisionedThroughput, x.ProvisionedThroughput) && x.ProvisionedThroughput != nil {
				u := tables.IndexUpdate{Update: &struct {
					IndexName             string
					ProvisionedThroughput *tables.ProvisionedThroughput
				}{x.IndexName, x.ProvisionedThroughput}}
				if err := h.indexUpdate(ctx, base, u); err != nil {
					return nil, err
				}
			}
			continue
		}
		if had {
			if err := h.indexUpdate(ctx, base, tables.IndexUpdate{Delete: &struct{ IndexName string }{x.IndexName}}); err != nil {
				return nil, err
			}
		}
		x := x
		if err := h.indexUpdate(ctx, base, tables.IndexUpdate{Create: &x}); err != nil {
			return nil, err
		}
	}
	if !sameJSON(t.in.StreamSpecification, old.in.StreamSpecification) {
		if old.in.StreamSpecification != nil {
			in := base
			in.StreamSpecification = &tables.StreamSpecification{StreamEnabled: false}
			if _, err := h.s.UpdateTable(ctx, &in); err != nil {
				return nil, err
			}
		}
		if t.in.StreamSpecification != nil {
			in := base
			in.StreamSpecification = t.in.StreamSpecification
			if _, err := h.s.UpdateTable(ctx, &in); err != nil {
				return nil, err
			}
		}
	}
	if !sameJSON(t.ttl, old.ttl) {
		spec := tables.TimeToLiveSpecification{}
		switch {
		case t.ttl != nil:
			spec = *t.ttl
		case old.ttl != nil:
			spec = tables.TimeToLiveSpecification{Enabled: false, AttributeName: old.ttl.AttributeName}
		}
		if spec.Enabled || (old.ttl != nil && old.ttl.Enabled) {
			if _, err := h.s.UpdateTimeToLive(ctx, name, spec); err != nil {
				return nil, err
			}
		}
	}
	d, err := h.s.DescribeTable(ctx, name)
	if err != nil {
		return nil, err
	}
	set, remove := diffTags(old.tags, t.tags)
	if len(remove) > 0 {
		if err := h.s.UntagResource(ctx, d.Table.TableArn, remove); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		var tags []tables.Tag
		for k, v := range set {
			tags = append(tags, tables.Tag{Key: k, Value: v})
		}
		if err := h.s.TagResource(ctx, d.Table.TableArn, tags); err != nil {
			return nil, err
		}
	}
	return tableResult(&d.Table), nil
}

func (h *tableHandler) indexUpdate(ctx context.Context, base tables.UpdateTableInput, u tables.IndexUpdate) error {
	in := base
	in.GlobalSecondaryIndexUpdates = []tables.IndexUpdate{u}
	_, err := h.s.UpdateTable(ctx, &in)
	return err
}

func (h *tableHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		if t, err := h.parse(oldOr(r)); err == nil {
			name = interrupted(r, t.in.TableName, 255)
		}
		if name == "" {
			return nil
		}
	}
	_, err := h.s.DeleteTable(ctx, name)
	if eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return nil
	}
	return err
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
