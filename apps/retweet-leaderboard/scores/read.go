package scores

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TopReader is the part of the DynamoDB API the top item is read with.
type TopReader interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// ReadTop returns the top item's players and version (0 when there is no
// top item yet).
func ReadTop(ctx context.Context, db TopReader, table string) ([]Entry, int64, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{AttrUsername: &types.AttributeValueMemberS{Value: TopKey}},
	})
	if err != nil || out.Item == nil {
		return nil, 0, err
	}
	var top []Entry
	if s, ok := out.Item[AttrEntries].(*types.AttributeValueMemberS); ok {
		if err := json.Unmarshal([]byte(s.Value), &top); err != nil {
			return nil, 0, fmt.Errorf("the top item's %s: %w", AttrEntries, err)
		}
	}
	var version int64
	if n, ok := out.Item[AttrVersion].(*types.AttributeValueMemberN); ok {
		version, _ = strconv.ParseInt(n.Value, 10, 64)
	}
	return top, version, nil
}
