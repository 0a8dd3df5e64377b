package leaderboard

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// Index is the part of the DynamoDB API the leaderboard reads with.
type Index interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// maxPages bounds the pages one leaderboard reads: a page holds up to a
// megabyte, far more than 100 players.
const maxPages = 8

// QueryInput is the read of the first n players from the index, best
// first, after the page that ended at start (nil for the first).
func QueryInput(table, index string, n int, start map[string]types.AttributeValue) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("board = :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":b": &types.AttributeValueMemberS{Value: scores.BoardAll}},
		ProjectionExpression:      aws.String("username, retweetCount, favoriteCount"),
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(n)),
		ExclusiveStartKey:         start,
	}
}

// Top reads the first n players of the scores table's index. The index's
// sort key orders players exactly as scores.Compare does (see
// scores.Key), so the first n items read are the first n players, ties at
// the cut included; they are sorted again all the same, which costs
// nothing and keeps the answer in rank order whatever the index returns.
func Top(ctx context.Context, db Index, table, index string, n int) ([]scores.Entry, error) {
	out := make([]scores.Entry, 0, n)
	var start map[string]types.AttributeValue
	for page := 0; page < maxPages && len(out) < n; page++ {
		q, err := db.Query(ctx, QueryInput(table, index, n-len(out), start))
		if err != nil {
			return nil, fmt.Errorf("query index %s of table %s: %w", index, table, err)
		}
		for _, item := range q.Items {
			e, err := entry(item)
			if err != nil {
				return nil, fmt.Errorf("table %s: %w", table, err)
			}
			out = append(out, e)
		}
		if len(q.LastEvaluatedKey) == 0 {
			break
		}
		start = q.LastEvaluatedKey
	}
	scores.Sort(out)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// entry reads a player from an item of the scores table.
func entry(item map[string]types.AttributeValue) (scores.Entry, error) {
	u, ok := item[scores.AttrUsername].(*types.AttributeValueMemberS)
	if !ok {
		return scores.Entry{}, fmt.Errorf("an item without a string %s", scores.AttrUsername)
	}
	r, err := number(item, scores.AttrRetweetCount)
	if err != nil {
		return scores.Entry{}, fmt.Errorf("item %q: %w", u.Value, err)
	}
	f, err := number(item, scores.AttrFavoriteCount)
	if err != nil {
		return scores.Entry{}, fmt.Errorf("item %q: %w", u.Value, err)
	}
	return scores.Entry{Username: u.Value, RetweetCount: r, FavoriteCount: f}, nil
}

func number(item map[string]types.AttributeValue, name string) (int64, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("no number %s", name)
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a whole number", name, v.Value)
	}
	return n, nil
}
