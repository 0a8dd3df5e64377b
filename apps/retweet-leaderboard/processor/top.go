package processor

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// TopTable is the part of the DynamoDB API the processor keeps the top
// item (see scores.TopKey) with; a Table that has it gets the top kept.
type TopTable interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// topAttempts bounds the writes of the top item one batch tries when
// other processors write it at the same time.
const topAttempts = 50

// updateTop merges the batch's best scores into the top item. Every
// user's score of the batch is merged, stored or not: a score a write
// found beaten is merged, better, by the batch that stored it, and a
// batch retried after its scores were stored but before the top was
// written merges them now. The write is conditional on the version read,
// and is tried again when another processor wrote the top in between.
func updateTop(ctx context.Context, db TopTable, table string, best []Score) error {
	add := make([]scores.Entry, len(best))
	for i, s := range best {
		add[i] = scores.Entry{Username: s.Username, RetweetCount: s.RetweetCount, FavoriteCount: s.FavoriteCount}
	}
	for attempt := range topAttempts {
		top, version, err := scores.ReadTop(ctx, db, table)
		if err != nil {
			return err
		}
		merged, changed := scores.Merge(top, add, scores.TopSize)
		if !changed {
			return nil
		}
		data, err := json.Marshal(merged)
		if err != nil {
			return err
		}
		cond := "attribute_not_exists(#v)"
		vals := map[string]types.AttributeValue(nil)
		if version > 0 {
			cond = "#v = :v"
			vals = map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(version, 10)}}
		}
		_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(table),
			Item: map[string]types.AttributeValue{
				scores.AttrUsername: &types.AttributeValueMemberS{Value: scores.TopKey},
				scores.AttrEntries:  &types.AttributeValueMemberS{Value: string(data)},
				scores.AttrVersion:  &types.AttributeValueMemberN{Value: strconv.FormatInt(version+1, 10)},
			},
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeNames:  map[string]string{"#v": scores.AttrVersion},
			ExpressionAttributeValues: vals,
		})
		if !isConditionFailed(err) {
			return err
		}
		// Another processor wrote the top: read it again, after a pause
		// that grows and is spread so that writers do not collide again.
		pause := time.Duration(1+rand.IntN(5*(attempt+1))) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
	return fmt.Errorf("the top item of table %s changed %d times while this batch merged into it", table, topAttempts)
}
