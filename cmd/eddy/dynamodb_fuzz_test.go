package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FuzzDynamoDBRequests sends arbitrary bodies to every DynamoDB and
// DynamoDB Streams operation of a real eddy: each answer is a well-formed
// JSON 1.0 response, and no input is a server error.
func FuzzDynamoDBRequests(f *testing.F) {
	m := MustStartMain(f, Config{})
	c := MustDynamo(f, m)
	MustTable(f, c, "fuzz", "N", func(in *dynamodb.CreateTableInput) {
		in.StreamSpecification = &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeNewAndOldImages}
		in.AttributeDefinitions = append(in.AttributeDefinitions, dtypes.AttributeDefinition{AttributeName: aws.String("g"), AttributeType: "S"})
		in.GlobalSecondaryIndexes = []dtypes.GlobalSecondaryIndex{{IndexName: aws.String("byG"),
			KeySchema:  []dtypes.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: "HASH"}},
			Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeAll}}}
	})
	if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("fuzz"), Item: item{"pk": s("a"), "sk": n("1"), "g": s("x")}}); err != nil {
		f.Fatal(err)
	}
	ops := []string{
		"DynamoDB_20120810.PutItem", "DynamoDB_20120810.GetItem", "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.DeleteItem",
		"DynamoDB_20120810.Query", "DynamoDB_20120810.Scan", "DynamoDB_20120810.BatchGetItem", "DynamoDB_20120810.BatchWriteItem",
		"DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.TransactGetItems", "DynamoDB_20120810.CreateTable",
		"DynamoDB_20120810.UpdateTable", "DynamoDB_20120810.DescribeTable", "DynamoDB_20120810.ListTables",
		"DynamoDB_20120810.UpdateTimeToLive", "DynamoDB_20120810.TagResource", "DynamoDB_20120810.ListTagsOfResource",
		"DynamoDBStreams_20120810.ListStreams", "DynamoDBStreams_20120810.DescribeStream",
		"DynamoDBStreams_20120810.GetShardIterator", "DynamoDBStreams_20120810.GetRecords",
	}
	seeds := []string{
		`{"TableName":"fuzz","Item":{"pk":{"S":"b"},"sk":{"N":"2"},"g":{"S":"y"},"m":{"M":{"l":{"L":[{"N":"1"}]}}}}}`,
		`{"TableName":"fuzz","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET m.l[0] = :v ADD c :one","ExpressionAttributeValues":{":v":{"S":"x"},":one":{"N":"1"}},"ReturnValues":"ALL_NEW"}`,
		`{"TableName":"fuzz","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"x"}},"Limit":1}`,
		`{"TableName":"fuzz","KeyConditionExpression":"pk = :p AND sk BETWEEN :a AND :b","FilterExpression":"size(m) > :a","ExpressionAttributeValues":{":p":{"S":"a"},":a":{"N":"0"},":b":{"N":"9"}}}`,
		`{"TransactItems":[{"Put":{"TableName":"fuzz","Item":{"pk":{"S":"t"},"sk":{"N":"1"}}}},{"ConditionCheck":{"TableName":"fuzz","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConditionExpression":"attribute_exists(pk)"}}]}`,
		`{"RequestItems":{"fuzz":[{"PutRequest":{"Item":{"pk":{"S":"w"},"sk":{"N":"1"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"9"}}}}]}}`,
		`{"TableName":"fuzz","Limit":2}`, `{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz/stream/x","ShardId":"s","ShardIteratorType":"TRIM_HORIZON"}`,
		`{"ShardIterator":"eyJhIjoiYXJuIn0"}`, `{}`, `[]`, `null`, `{"TableName":null}`, `{"Item":{"pk":{"NS":[]}}}`,
	}
	for i, body := range seeds {
		for j := range ops {
			if j%3 == i%3 {
				f.Add(uint8(j), []byte(body))
			}
		}
	}
	client := &http.Client{}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		target := ops[int(op)%len(ops)]
		req, err := http.NewRequest(http.MethodPost, m.URL()+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", target)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %q: got %d %s", target, body, res.StatusCode, data)
		}
		if !json.Valid(data) {
			t.Fatalf("%s %q: got invalid JSON %q", target, body, data)
		}
	})
}
