package poller

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CheckpointID is the key (attribute id) of the checkpoint item; its
// since_id attribute, a Number, is the newest tweet id delivered.
const CheckpointID = "checkpoint"

// checkpointCondition lets the checkpoint only move forward, whichever of
// several pollers writes it.
const checkpointCondition = "attribute_not_exists(id) OR since_id < :n"

// readCheckpoint returns the checkpoint's since_id, 0 if there is none yet.
func (p *Poller) readCheckpoint(ctx context.Context) (uint64, error) {
	out, err := p.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(p.CheckpointTable),
		Key:            map[string]dtypes.AttributeValue{"id": &dtypes.AttributeValueMemberS{Value: CheckpointID}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("read checkpoint from table %s: %w", p.CheckpointTable, err)
	}
	v, ok := out.Item["since_id"]
	if !ok {
		return 0, nil
	}
	n, ok := v.(*dtypes.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("checkpoint in table %s: since_id is not a Number", p.CheckpointTable)
	}
	id, err := strconv.ParseUint(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("checkpoint in table %s: since_id %q is not a tweet id", p.CheckpointTable, n.Value)
	}
	return id, nil
}

// advanceCheckpoint sets the checkpoint to id unless it already holds a
// newer one.
func (p *Poller) advanceCheckpoint(ctx context.Context, id uint64) error {
	n := &dtypes.AttributeValueMemberN{Value: strconv.FormatUint(id, 10)}
	_, err := p.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(p.CheckpointTable),
		Item: map[string]dtypes.AttributeValue{
			"id":       &dtypes.AttributeValueMemberS{Value: CheckpointID},
			"since_id": n,
		},
		ConditionExpression:       aws.String(checkpointCondition),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":n": n},
	})
	var ccf *dtypes.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		p.logf("checkpoint already past %d: another poll advanced it further", id)
		return nil
	}
	if err != nil {
		return fmt.Errorf("advance checkpoint in table %s to %d: %w", p.CheckpointTable, id, err)
	}
	return nil
}
