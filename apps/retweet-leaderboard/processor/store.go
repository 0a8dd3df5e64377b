package processor

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// Table is the part of the DynamoDB API the processor writes scores with.
type Table interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Condition lets a tweet into a user's item only if it beats the best
// tweet stored there, so that processors writing at the same time never
// replace a better score with a worse one.
const Condition = "attribute_not_exists(username) OR retweetCount < :r OR (retweetCount = :r AND favoriteCount < :f)"

// Update stores a tweet as the user's best, with the index's keys.
const Update = "SET retweetCount = :r, favoriteCount = :f, tweetId = :t, board = :b, score = :s, updatedAt = :at"

// UpdateInput is the conditional write of s as the best tweet of its user
// into table.
func UpdateInput(table string, s Score, now time.Time) *dynamodb.UpdateItemInput {
	num := func(n int64) types.AttributeValue {
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
	}
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	return &dynamodb.UpdateItemInput{
		TableName:           aws.String(table),
		Key:                 map[string]types.AttributeValue{scores.AttrUsername: str(s.Username)},
		UpdateExpression:    aws.String(Update),
		ConditionExpression: aws.String(Condition),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":r":  num(s.RetweetCount),
			":f":  num(s.FavoriteCount),
			":t":  str(s.TweetID),
			":b":  str(scores.BoardAll),
			":s":  str(scores.Key(scores.Entry{Username: s.Username, RetweetCount: s.RetweetCount, FavoriteCount: s.FavoriteCount})),
			":at": str(now.UTC().Format(time.RFC3339)),
		},
	}
}

// Store writes s as its user's best tweet unless a better or equal one is
// already stored. It reports whether s was stored.
func Store(ctx context.Context, db Table, table string, s Score, now time.Time) (bool, error) {
	_, err := db.UpdateItem(ctx, UpdateInput(table, s, now))
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// isConditionFailed reports whether err is DynamoDB's answer to a write
// whose condition did not hold.
func isConditionFailed(err error) bool {
	if err == nil {
		return false
	}
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ConditionalCheckFailedException"
}
