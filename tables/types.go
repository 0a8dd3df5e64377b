package tables

import (
	"encoding/json"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
)

// The types below are DynamoDB's request and response shapes, with the
// field names of its JSON protocol, so that the edge decodes a request
// straight into them and encodes a result straight from them. Times are
// epoch seconds as float64, as the protocol writes them.

// KeySchemaElement is one key attribute: KeyType HASH or RANGE.
type KeySchemaElement struct {
	AttributeName string
	KeyType       string
}

// AttributeDefinition declares the type (S, N or B) of a key attribute.
type AttributeDefinition struct {
	AttributeName string
	AttributeType string
}

// Projection is which attributes a secondary index holds.
type Projection struct {
	ProjectionType   string   `json:",omitempty"`
	NonKeyAttributes []string `json:",omitempty"`
}

// ProvisionedThroughput is accepted and reported; eddy does not throttle by it.
type ProvisionedThroughput struct {
	ReadCapacityUnits  int64
	WriteCapacityUnits int64
}

// ProvisionedThroughputDescription is the throughput a table reports.
type ProvisionedThroughputDescription struct {
	NumberOfDecreasesToday int64
	ReadCapacityUnits      int64
	WriteCapacityUnits     int64
}

// StreamSpecification turns a table's change stream on or off.
type StreamSpecification struct {
	StreamEnabled  bool
	StreamViewType string `json:",omitempty"`
}

// IndexSpec is a secondary index in CreateTable and UpdateTable.
type IndexSpec struct {
	IndexName             string
	KeySchema             []KeySchemaElement
	Projection            Projection
	ProvisionedThroughput *ProvisionedThroughput `json:",omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value string
}

// CreateTableInput is CreateTable's request.
type CreateTableInput struct {
	TableName                 string
	AttributeDefinitions      []AttributeDefinition
	KeySchema                 []KeySchemaElement
	LocalSecondaryIndexes     []IndexSpec
	GlobalSecondaryIndexes    []IndexSpec
	BillingMode               string
	ProvisionedThroughput     *ProvisionedThroughput
	StreamSpecification       *StreamSpecification
	Tags                      []Tag
	TableClass                string
	DeletionProtectionEnabled *bool
}

// IndexDescription describes a global or local secondary index.
type IndexDescription struct {
	IndexName             string
	KeySchema             []KeySchemaElement
	Projection            Projection
	IndexStatus           string                            `json:",omitempty"`
	Backfilling           *bool                             `json:",omitempty"`
	ProvisionedThroughput *ProvisionedThroughputDescription `json:",omitempty"`
	IndexSizeBytes        int64
	ItemCount             int64
	IndexArn              string
}

// BillingModeSummary reports a table's billing mode.
type BillingModeSummary struct {
	BillingMode                       string
	LastUpdateToPayPerRequestDateTime float64 `json:",omitempty"`
}

// TableClassSummary reports a table's class.
type TableClassSummary struct {
	TableClass string
}

// TableDescription is what DescribeTable returns.
type TableDescription struct {
	AttributeDefinitions      []AttributeDefinition
	TableName                 string
	KeySchema                 []KeySchemaElement
	TableStatus               string
	CreationDateTime          float64
	ProvisionedThroughput     ProvisionedThroughputDescription
	TableSizeBytes            int64
	ItemCount                 int64
	TableArn                  string
	TableId                   string
	BillingModeSummary        *BillingModeSummary  `json:",omitempty"`
	LocalSecondaryIndexes     []IndexDescription   `json:",omitempty"`
	GlobalSecondaryIndexes    []IndexDescription   `json:",omitempty"`
	StreamSpecification       *StreamSpecification `json:",omitempty"`
	LatestStreamLabel         string               `json:",omitempty"`
	LatestStreamArn           string               `json:",omitempty"`
	TableClassSummary         *TableClassSummary   `json:",omitempty"`
	DeletionProtectionEnabled bool
}

// TableOutput wraps a table description, as CreateTable, DeleteTable and
// UpdateTable return it.
type TableOutput struct {
	TableDescription TableDescription
}

// DescribeTableOutput is DescribeTable's result.
type DescribeTableOutput struct {
	Table TableDescription
}

// ListTablesInput is ListTables' request.
type ListTablesInput struct {
	ExclusiveStartTableName string
	Limit                   *int
}

// ListTablesOutput is ListTables' result.
type ListTablesOutput struct {
	TableNames             []string
	LastEvaluatedTableName string `json:",omitempty"`
}

// IndexUpdate is one entry of UpdateTable's GlobalSecondaryIndexUpdates.
type IndexUpdate struct {
	Create *IndexSpec
	Delete *struct{ IndexName string }
	Update *struct {
		IndexName             string
		ProvisionedThroughput *ProvisionedThroughput
	}
}

// UpdateTableInput is UpdateTable's request.
type UpdateTableInput struct {
	TableName                   string
	AttributeDefinitions        []AttributeDefinition
	BillingMode                 string
	ProvisionedThroughput       *ProvisionedThroughput
	GlobalSecondaryIndexUpdates []IndexUpdate
	StreamSpecification         *StreamSpecification
	TableClass                  string
	DeletionProtectionEnabled   *bool
}

// TimeToLiveSpecification turns expiry on or off.
type TimeToLiveSpecification struct {
	Enabled       bool
	AttributeName string
}

// TimeToLiveDescription is what DescribeTimeToLive returns.
type TimeToLiveDescription struct {
	TimeToLiveStatus string
	AttributeName    string `json:",omitempty"`
}

// ConsumedCapacity reports the capacity units an operation used.
type ConsumedCapacity struct {
	TableName              string
	CapacityUnits          float64
	Table                  *Capacity           `json:",omitempty"`
	ReadCapacityUnits      float64             `json:",omitempty"`
	WriteCapacityUnits     float64             `json:",omitempty"`
	GlobalSecondaryIndexes map[string]Capacity `json:",omitempty"`
	LocalSecondaryIndexes  map[string]Capacity `json:",omitempty"`
}

// Capacity is one part of ConsumedCapacity.
type Capacity struct {
	CapacityUnits float64
}

// Expressions are the expression parameters common to item operations.
type Expressions struct {
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]attrs.Value
}

// PutItemInput is PutItem's request.
type PutItemInput struct {
	TableName                           string
	Item                                attrs.Item
	ConditionExpression                 *string
	Expected                            map[string]expression.ExpectedAttributeValue
	ConditionalOperator                 string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	Expressions
}

// ItemOutput is the result of PutItem, UpdateItem and DeleteItem.
type ItemOutput struct {
	Attributes       attrs.Item        `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

// GetItemInput is GetItem's request.
type GetItemInput struct {
	TableName              string
	Key                    attrs.Item
	ConsistentRead         bool
	ProjectionExpression   *string
	AttributesToGet        []string
	ReturnConsumedCapacity string
	Expressions
}

// GetItemOutput is GetItem's result.
type GetItemOutput struct {
	Item             attrs.Item        `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

// UpdateItemInput is UpdateItem's request.
type UpdateItemInput struct {
	TableName                           string
	Key                                 attrs.Item
	UpdateExpression                    *string
	AttributeUpdates                    map[string]expression.AttributeValueUpdate
	ConditionExpression                 *string
	Expected                            map[string]expression.ExpectedAttributeValue
	ConditionalOperator                 string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	Expressions
}

// DeleteItemInput is DeleteItem's request.
type DeleteItemInput struct {
	TableName                           string
	Key                                 attrs.Item
	ConditionExpression                 *string
	Expected                            map[string]expression.ExpectedAttributeValue
	ConditionalOperator                 string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	Expressions
}

// QueryInput is Query's request; Scan's shares most of it.
type QueryInput struct {
	TableName              string
	IndexName              string
	Select                 string
	AttributesToGet        []string
	Limit                  *int
	ConsistentRead         bool
	KeyConditions          map[string]expression.LegacyCondition
	QueryFilter            map[string]expression.LegacyCondition
	ScanFilter             map[string]expression.LegacyCondition
	ConditionalOperator    string
	ScanIndexForward       *bool
	ExclusiveStartKey      attrs.Item
	ReturnConsumedCapacity string
	ProjectionExpression   *string
	FilterExpression       *string
	KeyConditionExpression *string
	Segment                *int
	TotalSegments          *int
	Expressions
}

// QueryOutput is the result of Query and Scan.
type QueryOutput struct {
	Items            []attrs.Item `json:",omitempty"`
	Count            int
	ScannedCount     int
	LastEvaluatedKey attrs.Item        `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

// KeysAndAttributes is one table's part of BatchGetItem.
type KeysAndAttributes struct {
	Keys                     []attrs.Item
	AttributesToGet          []string          `json:",omitempty"`
	ConsistentRead           bool              `json:",omitempty"`
	ProjectionExpression     *string           `json:",omitempty"`
	ExpressionAttributeNames map[string]string `json:",omitempty"`
}

// BatchGetItemInput is BatchGetItem's request.
type BatchGetItemInput struct {
	RequestItems           map[string]KeysAndAttributes
	ReturnConsumedCapacity string
}

// BatchGetItemOutput is BatchGetItem's result.
type BatchGetItemOutput struct {
	Responses        map[string][]attrs.Item
	UnprocessedKeys  map[string]KeysAndAttributes
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

// WriteRequest is one entry of BatchWriteItem.
type WriteRequest struct {
	PutRequest    *struct{ Item attrs.Item } `json:",omitempty"`
	DeleteRequest *struct{ Key attrs.Item }  `json:",omitempty"`
}

// BatchWriteItemInput is BatchWriteItem's request.
type BatchWriteItemInput struct {
	RequestItems                map[string][]WriteRequest
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

// BatchWriteItemOutput is BatchWriteItem's result.
type BatchWriteItemOutput struct {
	UnprocessedItems map[string][]WriteRequest
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

// TransactWriteItem is one action of TransactWriteItems.
type TransactWriteItem struct {
	ConditionCheck *TransactAction
	Put            *TransactAction
	Delete         *TransactAction
	Update         *TransactAction
}

// TransactAction is the body of one transaction action.
type TransactAction struct {
	TableName                           string
	Key                                 attrs.Item
	Item                                attrs.Item
	UpdateExpression                    *string
	ConditionExpression                 *string
	ReturnValuesOnConditionCheckFailure string
	Expressions
}

// TransactWriteItemsInput is TransactWriteItems' request.
type TransactWriteItemsInput struct {
	TransactItems               []TransactWriteItem
	ClientRequestToken          string
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

// TransactWriteItemsOutput is TransactWriteItems' result.
type TransactWriteItemsOutput struct {
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

// TransactGetItem is one Get of TransactGetItems.
type TransactGetItem struct {
	Get *struct {
		TableName                string
		Key                      attrs.Item
		ProjectionExpression     *string
		ExpressionAttributeNames map[string]string
	}
}

// TransactGetItemsInput is TransactGetItems' request.
type TransactGetItemsInput struct {
	TransactItems          []TransactGetItem
	ReturnConsumedCapacity string
}

// ItemResponse is one item of TransactGetItems' result.
type ItemResponse struct {
	Item attrs.Item `json:",omitempty"`
}

// TransactGetItemsOutput is TransactGetItems' result.
type TransactGetItemsOutput struct {
	Responses        []ItemResponse
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

// CancellationReason is one entry of a TransactionCanceledException.
type CancellationReason struct {
	Code    string
	Message string     `json:",omitempty"`
	Item    attrs.Item `json:",omitempty"`
}

// MarshalJSON writes Items whenever they were read, empty or not (an
// empty result is "Items":[]); only Select COUNT leaves them out.
func (o QueryOutput) MarshalJSON() ([]byte, error) {
	type plain QueryOutput
	out := struct {
		plain
		Items *[]attrs.Item `json:",omitempty"`
	}{plain: plain(o)}
	if o.Items != nil {
		out.Items = &o.Items
	}
	return json.Marshal(out)
}

// MarshalJSON writes Item whenever the item exists, even when the
// projection leaves nothing of it ("Item":{}).
func (o GetItemOutput) MarshalJSON() ([]byte, error) {
	type plain GetItemOutput
	out := struct {
		plain
		Item *attrs.Item `json:",omitempty"`
	}{plain: plain(o)}
	if o.Item != nil {
		out.Item = &o.Item
	}
	return json.Marshal(out)
}
