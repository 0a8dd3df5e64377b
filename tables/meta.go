package tables

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/store"
)

const (
	statusActive   = "ACTIVE"
	statusDeleting = "DELETING"
)

// meta is a table's definition as the catalog stores it.
type meta struct {
	Name                 string
	ID                   string
	Created              time.Time
	Status               string
	AttributeDefinitions []AttributeDefinition
	KeySchema            []KeySchemaElement
	GSIs                 []indexMeta `json:",omitempty"`
	LSIs                 []indexMeta `json:",omitempty"`
	BillingMode          string
	Throughput           ProvisionedThroughput
	// Streams lists every stream the table has had, the current one last;
	// a stream with EndSeq 0 is enabled.
	Streams            []streamMeta `json:",omitempty"`
	TTL                *TimeToLiveSpecification
	Tags               []Tag `json:",omitempty"`
	TableClass         string
	DeletionProtection bool

	revision uint64 // the catalog entry's revision
}

type indexMeta struct {
	IndexSpec
	Local bool
}

// streamMeta is one of a table's streams: the changes from StartSeq up to,
// not including, EndSeq (0 while enabled).
type streamMeta struct {
	Label    string
	ViewType string
	StartSeq uint64
	EndSeq   uint64 `json:",omitempty"`
	Created  time.Time
}

func (m *meta) clone() *meta {
	c := *m
	c.AttributeDefinitions = slices.Clone(m.AttributeDefinitions)
	c.KeySchema = slices.Clone(m.KeySchema)
	c.GSIs = slices.Clone(m.GSIs)
	c.LSIs = slices.Clone(m.LSIs)
	c.Streams = slices.Clone(m.Streams)
	c.Tags = slices.Clone(m.Tags)
	if m.TTL != nil {
		t := *m.TTL
		c.TTL = &t
	}
	return &c
}

func hashRange(ks []KeySchemaElement) (hash, rng string) {
	for _, k := range ks {
		switch k.KeyType {
		case "HASH":
			hash = k.AttributeName
		case "RANGE":
			rng = k.AttributeName
		}
	}
	return hash, rng
}

func (m *meta) keys() (hash, rng string) { return hashRange(m.KeySchema) }

func (m *meta) storeDef() store.TableDef {
	h, r := m.keys()
	return store.TableDef{Name: m.Name, HashKey: h, RangeKey: r, KeyTypes: keyTypes(m.AttributeDefinitions)}
}

func (m *meta) indexes() []indexMeta {
	return append(slices.Clone(m.LSIs), m.GSIs...)
}

func (m *meta) index(name string) (indexMeta, bool) {
	for _, ix := range m.indexes() {
		if ix.IndexName == name {
			return ix, true
		}
	}
	return indexMeta{}, false
}

// stream returns the enabled stream, if any.
func (m *meta) stream() *streamMeta {
	if n := len(m.Streams); n > 0 && m.Streams[n-1].EndSeq == 0 {
		return &m.Streams[n-1]
	}
	return nil
}

func (s *Service) tableArn(name string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.cfg.Region, s.cfg.Account, name)
}

func (s *Service) streamArn(table, label string) string {
	return s.tableArn(table) + "/stream/" + label
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// describe renders m as DescribeTable does.
func (s *Service) describe(m *meta, o *opened, st tableStats) TableDescription {
	d := TableDescription{
		AttributeDefinitions: m.AttributeDefinitions,
		TableName:            m.Name,
		KeySchema:            m.KeySchema,
		TableStatus:          m.Status,
		CreationDateTime:     epoch(m.Created),
		ProvisionedThroughput: ProvisionedThroughputDescription{
			ReadCapacityUnits: m.Throughput.ReadCapacityUnits, WriteCapacityUnits: m.Throughput.WriteCapacityUnits,
		},
		ItemCount:                 st.items,
		TableSizeBytes:            st.size,
		TableArn:                  s.tableArn(m.Name),
		TableId:                   m.ID,
		DeletionProtectionEnabled: m.DeletionProtection,
	}
	if m.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: m.BillingMode, LastUpdateToPayPerRequestDateTime: epoch(m.Created)}
	}
	if m.TableClass != "" {
		d.TableClassSummary = &TableClassSummary{TableClass: m.TableClass}
	}
	for _, ix := range m.indexes() {
		id := IndexDescription{
			IndexName:  ix.IndexName,
			KeySchema:  ix.KeySchema,
			Projection: ix.Projection,
			IndexArn:   s.tableArn(m.Name) + "/index/" + ix.IndexName,
		}
		var r indexReader
		if o != nil {
			r = o.indexes[ix.IndexName]
		}
		if c, ok := st.indexes[ix.IndexName]; ok {
			id.ItemCount, id.IndexSizeBytes = c[0], c[1]
		}
		if ix.Local {
			d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, id)
			continue
		}
		id.IndexStatus = statusActive
		backfilling := false
		if r != nil && !r.Backfilled() {
			id.IndexStatus, backfilling = "CREATING", true
		}
		id.Backfilling = &backfilling
		pt := ProvisionedThroughputDescription{}
		if ix.ProvisionedThroughput != nil {
			pt.ReadCapacityUnits, pt.WriteCapacityUnits = ix.ProvisionedThroughput.ReadCapacityUnits, ix.ProvisionedThroughput.WriteCapacityUnits
		}
		id.ProvisionedThroughput = &pt
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, id)
	}
	if st := m.stream(); st != nil {
		d.StreamSpecification = &StreamSpecification{StreamEnabled: true, StreamViewType: st.ViewType}
	}
	if n := len(m.Streams); n > 0 {
		// DynamoDB keeps reporting the latest stream after it is disabled.
		d.LatestStreamLabel = m.Streams[n-1].Label
		d.LatestStreamArn = s.streamArn(m.Name, d.LatestStreamLabel)
	}
	return d
}

var tableNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// checkTableName validates a table or index name as DynamoDB does.
func checkTableName(field, name string) error {
	switch {
	case name == "" && field == "tableName":
		return validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	case len(name) < 3:
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3", name, field)
	case len(name) > 255:
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", name, field)
	case !tableNamePattern.MatchString(name):
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, field)
	}
	return nil
}

// checkKeySchema validates a table's or index's key schema against the
// attribute definitions.
func checkKeySchema(what string, ks []KeySchemaElement, defs map[string]attrs.Kind) error {
	if len(ks) == 0 {
		return validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", what)
	}
	if len(ks) > 2 {
		return validation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2", ks, what)
	}
	if ks[0].KeyType != "HASH" {
		return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 {
		if ks[1].KeyType != "RANGE" {
			return validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if ks[0].AttributeName == ks[1].AttributeName {
			return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	var missing []string
	for _, k := range ks {
		if k.AttributeName == "" {
			return validation("1 validation error detected: Value null at '%s.member.attributeName' failed to satisfy constraint: Member must not be null", what)
		}
		if _, ok := defs[k.AttributeName]; !ok {
			missing = append(missing, k.AttributeName)
		}
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(defs))
		for n := range defs {
			names = append(names, n)
		}
		slices.Sort(names)
		return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
			strings.Join(missing, ", "), strings.Join(names, ", "))
	}
	return nil
}

// checkProjection validates an index projection.
func checkProjection(p Projection) error {
	switch p.ProjectionType {
	case "ALL", "KEYS_ONLY":
		if len(p.NonKeyAttributes) > 0 {
			return validation("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return validation("One or more parameter values were invalid: NonKeyAttributes must not be empty when ProjectionType is INCLUDE")
		}
	case "":
		return validation("One or more parameter values were invalid: Unknown ProjectionType: null")
	default:
		return validation("1 validation error detected: Value '%s' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", p.ProjectionType)
	}
	return nil
}

// checkThroughput validates billing mode and throughput together.
func checkThroughput(mode string, pt *ProvisionedThroughput) error {
	switch mode {
	case "", "PROVISIONED":
		if pt == nil {
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if pt.ReadCapacityUnits < 1 || pt.WriteCapacityUnits < 1 {
			return validation("One or more parameter values were invalid: Provisioned throughput values must be greater than 0")
		}
	case "PAY_PER_REQUEST":
		if pt != nil && (pt.ReadCapacityUnits != 0 || pt.WriteCapacityUnits != 0) {
			return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	default:
		return validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	return nil
}

func checkStreamSpec(spec *StreamSpecification) error {
	if spec == nil {
		return nil
	}
	switch spec.StreamViewType {
	case "":
		if spec.StreamEnabled {
			return validation("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true")
		}
	case "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
		if !spec.StreamEnabled {
			return validation("One or more parameter values were invalid: Stream view type is specified but StreamEnabled is false")
		}
	default:
		return validation("1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", spec.StreamViewType)
	}
	return nil
}
