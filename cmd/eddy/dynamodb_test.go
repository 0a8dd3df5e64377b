package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// MustDynamo returns a DynamoDB client of the server.
func MustDynamo(tb testing.TB, m *Main) *dynamodb.Client {
	tb.Helper()
	return dynamodb.NewFromConfig(awsConfig(m.URL()), func(o *dynamodb.Options) {
		o.RetryMaxAttempts = 1
	})
}

// MustTable creates a table keyed by pk (S) and, if rangeType is not "",
// sk of that type.
func MustTable(tb testing.TB, c *dynamodb.Client, name, rangeType string, opts ...func(*dynamodb.CreateTableInput)) *dynamodb.CreateTableOutput {
	tb.Helper()
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: dtypes.KeyTypeHash}},
		BillingMode:          dtypes.BillingModePayPerRequest,
	}
	if rangeType != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, dtypes.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: dtypes.ScalarAttributeType(rangeType)})
		in.KeySchema = append(in.KeySchema, dtypes.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: dtypes.KeyTypeRange})
	}
	for _, o := range opts {
		o(in)
	}
	out, err := c.CreateTable(context.Background(), in)
	if err != nil {
		tb.Fatalf("create table %s: %v", name, err)
	}
	return out
}

func s(v string) *dtypes.AttributeValueMemberS      { return &dtypes.AttributeValueMemberS{Value: v} }
func n(v string) *dtypes.AttributeValueMemberN      { return &dtypes.AttributeValueMemberN{Value: v} }
func ss(v ...string) *dtypes.AttributeValueMemberSS { return &dtypes.AttributeValueMemberSS{Value: v} }

type item = map[string]dtypes.AttributeValue

// dynamoFails asserts err is the DynamoDB error code with a message
// containing msg.
func dynamoFails(tb testing.TB, err error, code, msg string) {
	tb.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		tb.Fatalf("got error %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		tb.Fatalf("got %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if !strings.Contains(ae.ErrorMessage(), msg) {
		tb.Fatalf("got message %q, want it to contain %q", ae.ErrorMessage(), msg)
	}
}

func TestDynamoDBTables(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()

	out := MustTable(t, c, "things", "N", func(in *dynamodb.CreateTableInput) {
		in.StreamSpecification = &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeNewAndOldImages}
		in.Tags = []dtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}
	})
	d := out.TableDescription
	if aws.ToString(d.TableArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/things" || d.TableStatus != dtypes.TableStatusCreating {
		t.Fatalf("create: got arn %s status %s", aws.ToString(d.TableArn), d.TableStatus)
	}
	if !strings.HasPrefix(aws.ToString(d.LatestStreamArn), "arn:aws:dynamodb:us-east-1:000000000000:table/things/stream/") {
		t.Fatalf("create: got stream arn %q", aws.ToString(d.LatestStreamArn))
	}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("things"),
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: dtypes.KeyTypeHash}},
		BillingMode:          dtypes.BillingModePayPerRequest,
	})
	dynamoFails(t, err, "ResourceInUseException", "Table already exists: things")

	// The SDK's waiter sees it ACTIVE.
	w := dynamodb.NewTableExistsWaiter(c)
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("things")}, 10e9); err != nil {
		t.Fatalf("wait: %v", err)
	}
	for i := range 3 {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("things"), Item: item{"pk": s("a"), "sk": n(strconv.Itoa(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10e9, "item count", func() bool {
		desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("things")})
		return err == nil && aws.ToInt64(desc.Table.ItemCount) == 3 && aws.ToInt64(desc.Table.TableSizeBytes) > 0
	})

	// Validation of CreateTable.
	bad := []struct {
		in  *dynamodb.CreateTableInput
		msg string
	}{
		{&dynamodb.CreateTableInput{TableName: aws.String("ab"), BillingMode: dtypes.BillingModePayPerRequest,
			AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
			KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: "HASH"}}}, "Member must have length greater than or equal to 3"},
		{&dynamodb.CreateTableInput{TableName: aws.String("nodefs"), BillingMode: dtypes.BillingModePayPerRequest,
			AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("x"), AttributeType: "S"}},
			KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: "HASH"}}}, "Some index key attributes are not defined in AttributeDefinitions"},
		{&dynamodb.CreateTableInput{TableName: aws.String("extradefs"), BillingMode: dtypes.BillingModePayPerRequest,
			AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}, {AttributeName: aws.String("x"), AttributeType: "S"}},
			KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: "HASH"}}}, "Number of attributes in KeySchema does not exactly match"},
		{&dynamodb.CreateTableInput{TableName: aws.String("nothroughput"),
			AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
			KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: "HASH"}}}, "ReadCapacityUnits and WriteCapacityUnits must both be specified"},
		{&dynamodb.CreateTableInput{TableName: aws.String("rangefirst"), BillingMode: dtypes.BillingModePayPerRequest,
			AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
			KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: "RANGE"}}}, "The first KeySchemaElement is not a HASH key type"},
	}
	for _, b := range bad {
		_, err := c.CreateTable(ctx, b.in)
		dynamoFails(t, err, "ValidationException", b.msg)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("missing")})
	dynamoFails(t, err, "ResourceNotFoundException", "Requested resource not found")
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("missing"), Key: item{"pk": s("a")}})
	dynamoFails(t, err, "ResourceNotFoundException", "Requested resource not found")

	// ListTables pages.
	for i := range 5 {
		MustTable(t, c, fmt.Sprintf("page%02d", i), "")
	}
	var names []string
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.TableNames) > 2 {
			t.Fatalf("got page of %d, want at most 2", len(page.TableNames))
		}
		names = append(names, page.TableNames...)
	}
	if want := []string{"page00", "page01", "page02", "page03", "page04", "things"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("list tables: got %v, want %v", names, want)
	}

	// Tags.
	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/things")
	if _, err := c.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []dtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("tags: got %+v, %v", tags, err)
	}

	// TTL.
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("things")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != dtypes.TimeToLiveStatusDisabled {
		t.Fatalf("ttl: got %+v, %v", ttl, err)
	}
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("things"),
		TimeToLiveSpecification: &dtypes.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("expires")}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("things"),
		TimeToLiveSpecification: &dtypes.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("expires")}})
	dynamoFails(t, err, "ValidationException", "TimeToLive is already enabled")
	ttl, err = c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("things")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != dtypes.TimeToLiveStatusEnabled || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Fatalf("ttl: got %+v, %v", ttl, err)
	}

	// UpdateTable: stream off, then on again with a new ARN.
	first := aws.ToString(d.LatestStreamArn)
	if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("things"),
		StreamSpecification: &dtypes.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("things")})
	if err != nil || desc.Table.StreamSpecification != nil {
		t.Fatalf("after disabling: got %+v, %v", desc.Table.StreamSpecification, err)
	}
	up, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("things"),
		StreamSpecification: &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeKeysOnly}})
	if err != nil {
		t.Fatal(err)
	}
	if second := aws.ToString(up.TableDescription.LatestStreamArn); second == first || second == "" {
		t.Fatalf("re-enabled stream: got arn %q, first was %q", second, first)
	}
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("things"),
		StreamSpecification: &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeKeysOnly}})
	dynamoFails(t, err, "ValidationException", "already has an enabled stream")

	// DeleteTable.
	del, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("things")})
	if err != nil || del.TableDescription.TableStatus != dtypes.TableStatusDeleting {
		t.Fatalf("delete: got %+v, %v", del, err)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("things")})
	dynamoFails(t, err, "ResourceNotFoundException", "")
	// The name is free again, and the new table is empty.
	MustTable(t, c, "things", "")
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("things")})
	if err != nil || sc.Count != 0 {
		t.Fatalf("recreated table: got %d items, %v", sc.Count, err)
	}
}

func TestDynamoDBItems(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "items", "")
	tbl := aws.String("items")

	put := func(it item) {
		t.Helper()
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(pk string) item {
		t.Helper()
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: item{"pk": s(pk)}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item
	}
	put(item{
		"pk":    s("doc"),
		"n":     n("12345678901234567890123456789012345678"),
		"tags":  ss("a", "b"),
		"lst":   &dtypes.AttributeValueMemberL{Value: []dtypes.AttributeValue{n("1"), n("2"), n("3")}},
		"map":   &dtypes.AttributeValueMemberM{Value: item{"b": &dtypes.AttributeValueMemberL{Value: []dtypes.AttributeValue{s("x"), s("y"), &dtypes.AttributeValueMemberM{Value: item{"c": s("deep")}}}}}},
		"empty": s(""),
	})

	// ProjectionExpression with nested paths.
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: item{"pk": s("doc")},
		ProjectionExpression: aws.String("#m.b[2].c, n"), ExpressionAttributeNames: map[string]string{"#m": "map"}})
	if err != nil {
		t.Fatal(err)
	}
	want := item{"n": n("12345678901234567890123456789012345678"),
		"map": &dtypes.AttributeValueMemberM{Value: item{"b": &dtypes.AttributeValueMemberL{Value: []dtypes.AttributeValue{&dtypes.AttributeValueMemberM{Value: item{"c": s("deep")}}}}}}}
	if !reflect.DeepEqual(out.Item, want) {
		t.Fatalf("projection: got %#v, want %#v", out.Item, want)
	}

	// Exact 38-digit arithmetic, if_not_exists, list_append, REMOVE of a
	// list element, ADD and DELETE on sets, UPDATED_NEW.
	up, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: tbl, Key: item{"pk": s("doc")},
		UpdateExpression: aws.String("SET n = n + :one, fresh = if_not_exists(fresh, :zero), lst = list_append(lst, :more) " +
			"REMOVE #m.b[0] ADD tags :c, hits :one"),
		ExpressionAttributeNames:  map[string]string{"#m": "map"},
		ExpressionAttributeValues: item{":one": n("1"), ":zero": n("0"), ":more": &dtypes.AttributeValueMemberL{Value: []dtypes.AttributeValue{n("4")}}, ":c": ss("c")},
		ReturnValues:              dtypes.ReturnValueUpdatedNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("doc")}, UpdateExpression: aws.String("DELETE tags :a"),
		ExpressionAttributeValues: item{":a": ss("a")}}); err != nil {
		t.Fatal(err)
	}
	if got := up.Attributes["n"].(*dtypes.AttributeValueMemberN).Value; got != "12345678901234567890123456789012345679" {
		t.Fatalf("n + 1: got %s", got)
	}
	if _, ok := up.Attributes["pk"]; ok {
		t.Fatalf("UPDATED_NEW returned the key: %v", up.Attributes)
	}
	got := get("doc")
	tags := got["tags"].(*dtypes.AttributeValueMemberSS).Value
	sort.Strings(tags)
	if !reflect.DeepEqual(tags, []string{"b", "c"}) {
		t.Fatalf("tags: got %v", tags)
	}
	if l := got["lst"].(*dtypes.AttributeValueMemberL).Value; len(l) != 4 {
		t.Fatalf("list_append: got %d elements", len(l))
	}
	if b := got["map"].(*dtypes.AttributeValueMemberM).Value["b"].(*dtypes.AttributeValueMemberL).Value; len(b) != 2 || b[0].(*dtypes.AttributeValueMemberS).Value != "y" {
		t.Fatalf("REMOVE map.b[0]: got %#v", b)
	}
	if got["fresh"].(*dtypes.AttributeValueMemberN).Value != "0" || got["hits"].(*dtypes.AttributeValueMemberN).Value != "1" {
		t.Fatalf("if_not_exists / ADD: got %#v %#v", got["fresh"], got["hits"])
	}

	// Conditions: every comparator and function.
	conds := []struct {
		expr string
		ok   bool
	}{
		{"hits = :one", true}, {"hits <> :one", false}, {"hits < :two", true}, {"hits <= :one", true},
		{"hits > :one", false}, {"hits >= :two", false}, {"hits BETWEEN :one AND :two", true},
		{"hits IN (:two, :one)", true}, {"attribute_exists(fresh) AND NOT attribute_exists(nope)", true},
		{"attribute_not_exists(hits) OR (hits = :two)", false}, {"attribute_type(tags, :ss)", true},
		{"begins_with(pk, :d)", true}, {"contains(tags, :b)", true}, {"size(lst) = :four", true},
		{"size(#m.b) > :two", false}, {"contains(#m.b, :y)", true},
	}
	for _, cse := range conds {
		x := &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("doc")}, UpdateExpression: aws.String("SET touched = :one"),
			ConditionExpression:       aws.String(cse.expr),
			ExpressionAttributeValues: item{":one": n("1"), ":two": n("2"), ":four": n("4"), ":ss": s("SS"), ":d": s("d"), ":b": s("b"), ":y": s("y")},
		}
		if strings.Contains(cse.expr, "#m") {
			x.ExpressionAttributeNames = map[string]string{"#m": "map"}
		}
		// Only the values the expression uses may be sent.
		for k := range x.ExpressionAttributeValues {
			if k != ":one" && !strings.Contains(cse.expr, k) {
				delete(x.ExpressionAttributeValues, k)
			}
		}
		_, err := c.UpdateItem(ctx, x)
		if cse.ok && err != nil {
			t.Fatalf("%s: got %v, want success", cse.expr, err)
		}
		if !cse.ok {
			dynamoFails(t, err, "ConditionalCheckFailedException", "The conditional request failed")
		}
	}

	// ReturnValues on put and delete, and the old item on a failed check.
	put(item{"pk": s("v"), "ver": n("1")})
	pr, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("v"), "ver": n("2")}, ReturnValues: dtypes.ReturnValueAllOld})
	if err != nil || pr.Attributes["ver"].(*dtypes.AttributeValueMemberN).Value != "1" {
		t.Fatalf("put ALL_OLD: got %v, %v", pr.Attributes, err)
	}
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("v"), "ver": n("3")},
		ConditionExpression: aws.String("ver = :v"), ExpressionAttributeValues: item{":v": n("1")},
		ReturnValuesOnConditionCheckFailure: dtypes.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *dtypes.ConditionalCheckFailedException
	if !errors.As(err, &ccf) || ccf.Item["ver"].(*dtypes.AttributeValueMemberN).Value != "2" {
		t.Fatalf("failed check: got %v, want ConditionalCheckFailedException with the old item", err)
	}
	uo, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("v")}, UpdateExpression: aws.String("SET extra = :o"),
		ExpressionAttributeValues: item{":o": s("x")}, ReturnValues: dtypes.ReturnValueAllNew})
	if err != nil || len(uo.Attributes) != 3 {
		t.Fatalf("ALL_NEW: got %v, %v", uo.Attributes, err)
	}
	uo, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("v")}, UpdateExpression: aws.String("REMOVE extra"),
		ReturnValues: dtypes.ReturnValueUpdatedOld})
	if err != nil || !reflect.DeepEqual(uo.Attributes, item{"extra": s("x")}) {
		t.Fatalf("UPDATED_OLD: got %v, %v", uo.Attributes, err)
	}
	dr, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: item{"pk": s("v")}, ReturnValues: dtypes.ReturnValueAllOld})
	if err != nil || dr.Attributes["ver"].(*dtypes.AttributeValueMemberN).Value != "2" {
		t.Fatalf("delete ALL_OLD: got %v, %v", dr.Attributes, err)
	}
	if it := get("v"); it != nil {
		t.Fatalf("after delete: got %v", it)
	}

	// UpdateItem creates an absent item from its key.
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("new")}, UpdateExpression: aws.String("ADD hits :one"),
		ExpressionAttributeValues: item{":one": n("1")}}); err != nil {
		t.Fatal(err)
	}
	if it := get("new"); !reflect.DeepEqual(it, item{"pk": s("new"), "hits": n("1")}) {
		t.Fatalf("upsert: got %v", it)
	}

	// The 400 KB item limit.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("big"), "blob": s(strings.Repeat("x", 400*1024))}})
	dynamoFails(t, err, "ValidationException", "Item size has exceeded the maximum allowed size")
}

func TestDynamoDBBadInput(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "bad", "N")
	tbl := aws.String("bad")
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"missing key", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a")}})
			return err
		}, "ValidationException", "Missing the key sk in the item"},
		{"key type", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a"), "sk": s("x")}})
			return err
		}, "ValidationException", "Type mismatch for key sk expected: N actual: S"},
		{"empty key string", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: item{"pk": s(""), "sk": n("1")}})
			return err
		}, "ValidationException", "The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
		{"extra key attribute", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1"), "x": s("y")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"syntax", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")}, UpdateExpression: aws.String("SET = 1")})
			return err
		}, "ValidationException", "Invalid UpdateExpression: Syntax error"},
		{"reserved word", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")},
				UpdateExpression: aws.String("SET status = :v"), ExpressionAttributeValues: item{":v": s("x")}})
			return err
		}, "ValidationException", "Attribute name is a reserved keyword; reserved keyword: status"},
		{"unused value", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")},
				UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: item{":v": s("x"), ":w": s("y")}})
			return err
		}, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"},
		{"missing value", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")},
				UpdateExpression: aws.String("SET v = :v")})
			return err
		}, "ValidationException", "An expression attribute value used in expression is not defined; attribute value: :v"},
		{"missing name", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")},
				UpdateExpression: aws.String("SET #v = :v"), ExpressionAttributeValues: item{":v": s("x")}})
			return err
		}, "ValidationException", "An expression attribute name used in the document path is not defined; attribute name: #v"},
		{"update key", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")},
				UpdateExpression: aws.String("SET sk = :v"), ExpressionAttributeValues: item{":v": n("2")}})
			return err
		}, "ValidationException", "Cannot update attribute sk. This attribute is part of the key"},
		{"arithmetic on string", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")},
				UpdateExpression: aws.String("SET v = :v + :w"), ExpressionAttributeValues: item{":v": s("x"), ":w": n("1")}})
			return err
		}, "ValidationException", "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"bad number", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a"), "sk": n("1"), "x": n("1e200")}})
			return err
		}, "ValidationException", "Number overflow"},
		{"put ReturnValues", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a"), "sk": n("1")}, ReturnValues: dtypes.ReturnValueAllNew})
			return err
		}, "ValidationException", "Return values set to invalid value"},
		{"query hash type", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": n("1")}})
			return err
		}, "ValidationException", "Condition parameter type does not match schema type"},
		{"query non-key", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("nonkey = :p"), ExpressionAttributeValues: item{":p": s("1")}})
			return err
		}, "ValidationException", "Query condition missed key schema element"},
		{"no key condition", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl})
			return err
		}, "ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified"},
		{"unknown index", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("nope"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("1")}})
			return err
		}, "ValidationException", "The table does not have the specified index: nope"},
		{"segment", func() error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: tbl, Segment: aws.Int32(3), TotalSegments: aws.Int32(2)})
			return err
		}, "ValidationException", "Segment: 3 is out of bounds of TotalSegments: 2"},
		{"mixed parameters", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a"), "sk": n("1")},
				ConditionExpression: aws.String("attribute_exists(pk)"),
				Expected:            map[string]dtypes.ExpectedAttributeValue{"pk": {Exists: aws.Bool(true), Value: s("a")}}})
			return err
		}, "ValidationException", "Can not use both expression and non-expression parameters in the same request"},
	}
	for _, cse := range cases {
		t.Run(cse.name, func(t *testing.T) { dynamoFails(t, cse.call(), cse.code, cse.msg) })
	}

	// Raw bodies: malformed JSON and attribute values are client errors.
	for _, body := range []string{`{"TableName":"bad","Item":`, `{"TableName":"bad","Item":{"pk":{"Q":"a"}}}`, `{"TableName":"bad","Item":{"pk":{"S":"a","N":"1"}}}`, `[]`} {
		status, hdr, doc := rawDynamo(t, m, "PutItem", body)
		if status != 400 || hdr.Get("X-Amz-Crc32") == "" || !strings.Contains(fmt.Sprint(doc["__type"]), "#") {
			t.Fatalf("%s: got %d %v", body, status, doc)
		}
	}
	if status, _, doc := rawDynamo(t, m, "NoSuchOperation", `{}`); status != 400 || doc["__type"] != "com.amazon.coral.service#UnknownOperationException" {
		t.Fatalf("unknown operation: got %d %v", status, doc)
	}
}

func TestDynamoDBQueryAndScan(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "qry", "N")
	tbl := aws.String("qry")
	// 30 items in partition "p" (sk 0..29, sk%3 as a filter attribute),
	// and 10 in other partitions; numbers sort numerically, not as text.
	var reqs []dtypes.WriteRequest
	flush := func() {
		if len(reqs) == 0 {
			return
		}
		if _, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]dtypes.WriteRequest{"qry": reqs}}); err != nil {
			t.Fatal(err)
		}
		reqs = nil
	}
	for i := range 30 {
		reqs = append(reqs, dtypes.WriteRequest{PutRequest: &dtypes.PutRequest{Item: item{"pk": s("p"), "sk": n(strconv.Itoa(i)), "mod": n(strconv.Itoa(i % 3))}}})
		if len(reqs) == 25 {
			flush()
		}
	}
	for i := range 10 {
		reqs = append(reqs, dtypes.WriteRequest{PutRequest: &dtypes.PutRequest{Item: item{"pk": s("o" + strconv.Itoa(i)), "sk": n("-1.5")}}})
	}
	flush()

	sks := func(items []item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it["sk"].(*dtypes.AttributeValueMemberN).Value)
		}
		return out
	}
	q := func(in *dynamodb.QueryInput) *dynamodb.QueryOutput {
		t.Helper()
		in.TableName = tbl
		out, err := c.Query(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	vals := func(kv ...string) item {
		it := item{":p": s("p")}
		for i := 0; i < len(kv); i += 2 {
			it[kv[i]] = n(kv[i+1])
		}
		return it
	}
	cases := []struct {
		kce  string
		vals item
		want string
	}{
		{"pk = :p AND sk = :a", vals(":a", "5"), "5"},
		{"pk = :p AND sk < :a", vals(":a", "3"), "0,1,2"},
		{"pk = :p AND sk <= :a", vals(":a", "2"), "0,1,2"},
		{"pk = :p AND sk > :a", vals(":a", "26"), "27,28,29"},
		{"pk = :p AND sk >= :a", vals(":a", "28"), "28,29"},
		{"pk = :p AND sk BETWEEN :a AND :b", vals(":a", "9", ":b", "11"), "9,10,11"},
	}
	for _, cse := range cases {
		out := q(&dynamodb.QueryInput{KeyConditionExpression: aws.String(cse.kce), ExpressionAttributeValues: cse.vals})
		if got := strings.Join(sks(out.Items), ","); got != cse.want {
			t.Fatalf("%s: got %s, want %s", cse.kce, got, cse.want)
		}
	}
	// Descending, Limit and paging: every item once, in order.
	var all []string
	var start item
	pages := 0
	for {
		out := q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(),
			ScanIndexForward: aws.Bool(false), Limit: aws.Int32(7), ExclusiveStartKey: start})
		all = append(all, sks(out.Items)...)
		pages++
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	if len(all) != 30 || all[0] != "29" || all[29] != "0" || pages != 5 {
		t.Fatalf("paged descending query: got %d items in %d pages: %v", len(all), pages, all)
	}
	// Filter after Limit: Count and ScannedCount.
	out := q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("#m = :z"),
		ExpressionAttributeNames: map[string]string{"#m": "mod"}, ExpressionAttributeValues: vals(":z", "0"), Limit: aws.Int32(10)})
	if out.Count != 4 || out.ScannedCount != 10 || out.LastEvaluatedKey == nil {
		t.Fatalf("filter: got Count %d ScannedCount %d", out.Count, out.ScannedCount)
	}
	// Select COUNT and ProjectionExpression.
	out = q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(), Select: dtypes.SelectCount})
	if out.Count != 30 || out.Items != nil {
		t.Fatalf("COUNT: got Count %d, %d items", out.Count, len(out.Items))
	}
	out = q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk = :a"), ExpressionAttributeValues: vals(":a", "1"), ProjectionExpression: aws.String("#m"),
		ExpressionAttributeNames: map[string]string{"#m": "mod"}})
	if !reflect.DeepEqual(out.Items, []item{{"mod": n("1")}}) {
		t.Fatalf("projection: got %v", out.Items)
	}
	// begins_with on a string sort key.
	MustTable(t, c, "str", "S")
	for _, k := range []string{"a#1", "a#2", "b#1", "a"} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("str"), Item: item{"pk": s("x"), "sk": s(k)}}); err != nil {
			t.Fatal(err)
		}
	}
	bw, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("str"), KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :a)"),
		ExpressionAttributeValues: item{":p": s("x"), ":a": s("a#")}})
	if err != nil || len(bw.Items) != 2 {
		t.Fatalf("begins_with: got %v, %v", bw.Items, err)
	}

	// Scan: paging and segments cover every item exactly once.
	seen := map[string]int{}
	for seg := range 3 {
		var start item
		for {
			out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: tbl, Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3), Limit: aws.Int32(4), ExclusiveStartKey: start})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.Items {
				seen[it["pk"].(*dtypes.AttributeValueMemberS).Value+"/"+it["sk"].(*dtypes.AttributeValueMemberN).Value]++
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
		}
	}
	if len(seen) != 40 {
		t.Fatalf("segmented scan: got %d distinct items, want 40", len(seen))
	}
	for k, v := range seen {
		if v != 1 {
			t.Fatalf("segmented scan: %s seen %d times", k, v)
		}
	}
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: tbl, FilterExpression: aws.String("sk < :z"), ExpressionAttributeValues: item{":z": n("0")}})
	if err != nil || sc.Count != 10 || sc.ScannedCount != 40 {
		t.Fatalf("scan filter: got Count %d ScannedCount %d, %v", sc.Count, sc.ScannedCount, err)
	}

	// BatchGetItem with a projection, and a missing key.
	bg, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]dtypes.KeysAndAttributes{"qry": {
		Keys:                 []item{{"pk": s("p"), "sk": n("1")}, {"pk": s("p"), "sk": n("2")}, {"pk": s("none"), "sk": n("1")}},
		ProjectionExpression: aws.String("sk"),
	}}})
	if err != nil || len(bg.Responses["qry"]) != 2 || len(bg.UnprocessedKeys) != 0 {
		t.Fatalf("batch get: got %v, %v", bg, err)
	}
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]dtypes.KeysAndAttributes{"qry": {
		Keys: []item{{"pk": s("p"), "sk": n("1")}, {"pk": s("p"), "sk": n("1")}}}}})
	dynamoFails(t, err, "ValidationException", "Provided list of item keys contains duplicates")
	// BatchWriteItem deletes.
	if _, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]dtypes.WriteRequest{"qry": {
		{DeleteRequest: &dtypes.DeleteRequest{Key: item{"pk": s("p"), "sk": n("0")}}},
		{DeleteRequest: &dtypes.DeleteRequest{Key: item{"pk": s("p"), "sk": n("1")}}},
	}}}); err != nil {
		t.Fatal(err)
	}
	out = q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(), Select: dtypes.SelectCount})
	if out.Count != 28 {
		t.Fatalf("after batch delete: got %d, want 28", out.Count)
	}
	var many []dtypes.WriteRequest
	for i := range 26 {
		many = append(many, dtypes.WriteRequest{PutRequest: &dtypes.PutRequest{Item: item{"pk": s("m"), "sk": n(strconv.Itoa(i))}}})
	}
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]dtypes.WriteRequest{"qry": many}})
	dynamoFails(t, err, "ValidationException", "Member must have length less than or equal to 25")
}

// TestDynamoDBConcurrentWrites: 16 writers incrementing one counter with
// ADD, and 16 doing optimistic read-modify-write on a version attribute,
// lose no update.
func TestDynamoDBConcurrentWrites(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "counters", "")
	tbl := aws.String("counters")
	const writers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("add")},
					UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: item{":one": n("1")}}); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for done := 0; done < each; {
				cur, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: item{"pk": s("cas")}, ConsistentRead: aws.Bool(true)})
				if err != nil {
					errs <- err
					return
				}
				ver := 0
				if v, ok := cur.Item["ver"]; ok {
					ver, _ = strconv.Atoi(v.(*dtypes.AttributeValueMemberN).Value)
				}
				in := &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("cas"), "ver": n(strconv.Itoa(ver + 1))}}
				if ver == 0 {
					in.ConditionExpression = aws.String("attribute_not_exists(ver)")
				} else {
					in.ConditionExpression = aws.String("ver = :v")
					in.ExpressionAttributeValues = item{":v": n(strconv.Itoa(ver))}
				}
				_, err = c.PutItem(ctx, in)
				var ccf *dtypes.ConditionalCheckFailedException
				switch {
				case err == nil:
					done++
				case errors.As(err, &ccf):
				default:
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for key, attr := range map[string]string{"add": "n", "cas": "ver"} {
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: item{"pk": s(key)}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Item[attr].(*dtypes.AttributeValueMemberN).Value; got != strconv.Itoa(writers*each) {
			t.Fatalf("%s: got %s, want %d", key, got, writers*each)
		}
	}
}

// TestDynamoDBTimeToLive: an expired item is deleted; one not yet expired,
// or with a non-number attribute, stays.
func TestDynamoDBTimeToLive(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "ttl", "")
	tbl := aws.String("ttl")
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: tbl,
		TimeToLiveSpecification: &dtypes.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
		t.Fatal(err)
	}
	for pk, v := range map[string]dtypes.AttributeValue{"past": n("1000000000.5"), "future": n("99999999999"), "text": s("1000000000"), "ancient": n("1")} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s(pk), "exp": v}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("recent"), "exp": n(strconv.FormatInt(nowUnix()-60, 10))}}); err != nil {
		t.Fatal(err)
	}
	if got := m.Tables.ExpireItems(ctx); got != 1 {
		t.Fatalf("expired: got %d, want 1", got)
	}
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: tbl})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, it := range sc.Items {
		left = append(left, it["pk"].(*dtypes.AttributeValueMemberS).Value)
	}
	sort.Strings(left)
	// "past" is 2001: more than five years ago, which DynamoDB ignores.
	if want := []string{"ancient", "future", "past", "text"}; !reflect.DeepEqual(left, want) {
		t.Fatalf("after expiry: got %v, want %v", left, want)
	}
}

func nowUnix() int64 { return time.Now().Unix() }

// rawDynamo sends a raw DynamoDB request and returns the status, headers
// and decoded body.
func rawDynamo(t *testing.T, m *Main, op, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, m.URL()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var doc map[string]any
	_ = json.Unmarshal(data, &doc)
	return res.StatusCode, res.Header, doc
}

func TestDynamoDBIndexes(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "orders", "S", func(in *dynamodb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			dtypes.AttributeDefinition{AttributeName: aws.String("state"), AttributeType: "S"},
			dtypes.AttributeDefinition{AttributeName: aws.String("total"), AttributeType: "N"},
			dtypes.AttributeDefinition{AttributeName: aws.String("owner"), AttributeType: "S"})
		in.GlobalSecondaryIndexes = []dtypes.GlobalSecondaryIndex{
			{IndexName: aws.String("byState"), KeySchema: []dtypes.KeySchemaElement{{AttributeName: aws.String("state"), KeyType: "HASH"}, {AttributeName: aws.String("total"), KeyType: "RANGE"}},
				Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeAll}},
			{IndexName: aws.String("byOwner"), KeySchema: []dtypes.KeySchemaElement{{AttributeName: aws.String("owner"), KeyType: "HASH"}},
				Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeKeysOnly}},
		}
		in.LocalSecondaryIndexes = []dtypes.LocalSecondaryIndex{
			{IndexName: aws.String("byTotal"), KeySchema: []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: "HASH"}, {AttributeName: aws.String("total"), KeyType: "RANGE"}},
				Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeInclude, NonKeyAttributes: []string{"note"}}},
		}
	})
	tbl := aws.String("orders")
	for i := range 12 {
		it := item{"pk": s("cust" + strconv.Itoa(i%2)), "sk": s(fmt.Sprintf("o%02d", i)), "total": n(strconv.Itoa(100 - i)),
			"note": s("n"), "secret": s("x")}
		if i%3 != 0 {
			it["state"] = s("open") // sparse: every third order has no state
		}
		if i < 4 {
			it["owner"] = s("ann")
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	// GSI query, paged: ordered by total, with index and table keys in
	// LastEvaluatedKey.
	var totals []string
	var start item
	for {
		out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byState"), KeyConditionExpression: aws.String("#s = :o"),
			ExpressionAttributeNames: map[string]string{"#s": "state"}, ExpressionAttributeValues: item{":o": s("open")}, Limit: aws.Int32(3), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			totals = append(totals, it["total"].(*dtypes.AttributeValueMemberN).Value)
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 4 {
			t.Fatalf("GSI LastEvaluatedKey: got %v, want state, total, pk and sk", out.LastEvaluatedKey)
		}
		start = out.LastEvaluatedKey
	}
	if want := "89,90,92,93,95,96,98,99"; strings.Join(totals, ",") != want {
		t.Fatalf("GSI query: got %s, want %s", strings.Join(totals, ","), want)
	}
	// A KEYS_ONLY GSI returns keys only, and cannot return all attributes.
	ko, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byOwner"), KeyConditionExpression: aws.String("#o = :a"),
		ExpressionAttributeNames: map[string]string{"#o": "owner"}, ExpressionAttributeValues: item{":a": s("ann")}})
	if err != nil || len(ko.Items) != 4 || len(ko.Items[0]) != 3 {
		t.Fatalf("KEYS_ONLY: got %v, %v", ko.Items, err)
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byOwner"), KeyConditionExpression: aws.String("#o = :a"),
		ExpressionAttributeNames: map[string]string{"#o": "owner"}, ExpressionAttributeValues: item{":a": s("ann")}, Select: dtypes.SelectAllAttributes})
	dynamoFails(t, err, "ValidationException", "projection type is not ALL")
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byOwner"), KeyConditionExpression: aws.String("#o = :a"),
		ExpressionAttributeNames: map[string]string{"#o": "owner"}, ExpressionAttributeValues: item{":a": s("ann")}, ConsistentRead: aws.Bool(true)})
	dynamoFails(t, err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	// LSI: projected attributes by default, the whole item from the table
	// with ALL_ATTRIBUTES.
	lq := func(sel dtypes.Select) []item {
		out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byTotal"), KeyConditionExpression: aws.String("pk = :p AND #t > :t"), ExpressionAttributeNames: map[string]string{"#t": "total"},
			ExpressionAttributeValues: item{":p": s("cust0"), ":t": n("95")}, Select: sel, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Items
	}
	if got := lq(""); len(got) != 3 || got[0]["secret"] != nil || got[0]["note"] == nil {
		t.Fatalf("LSI projected: got %v", got)
	}
	if got := lq(dtypes.SelectAllAttributes); len(got) != 3 || got[0]["secret"] == nil {
		t.Fatalf("LSI all attributes: got %v", got)
	}
	// An index key of the wrong type is refused.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("c"), "sk": s("x"), "total": s("lots")}})
	dynamoFails(t, err, "ValidationException", "Type mismatch for Index Key total Expected: N Actual: S")
	// Moving an item out of a partition of the index.
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("cust1"), "sk": s("o01")},
		UpdateExpression: aws.String("REMOVE #s"), ExpressionAttributeNames: map[string]string{"#s": "state"}}); err != nil {
		t.Fatal(err)
	}
	cnt, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byState"), KeyConditionExpression: aws.String("#s = :o"),
		ExpressionAttributeNames: map[string]string{"#s": "state"}, ExpressionAttributeValues: item{":o": s("open")}, Select: dtypes.SelectCount})
	if err != nil || cnt.Count != 7 {
		t.Fatalf("after moving out: got %d, %v", cnt.Count, err)
	}
	// A GSI added later backfills from the items already there.
	if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: tbl,
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("note"), AttributeType: "S"}},
		GlobalSecondaryIndexUpdates: []dtypes.GlobalSecondaryIndexUpdate{{Create: &dtypes.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("byNote"), KeySchema: []dtypes.KeySchemaElement{{AttributeName: aws.String("note"), KeyType: "HASH"}},
			Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeKeysOnly}}}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10e9, "index byNote active", func() bool {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: tbl})
		if err != nil {
			return false
		}
		for _, g := range d.Table.GlobalSecondaryIndexes {
			if aws.ToString(g.IndexName) == "byNote" {
				return g.IndexStatus == dtypes.IndexStatusActive
			}
		}
		return false
	})
	bn, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byNote"), KeyConditionExpression: aws.String("note = :n"),
		ExpressionAttributeValues: item{":n": s("n")}, Select: dtypes.SelectCount})
	if err != nil || bn.Count != 12 {
		t.Fatalf("backfilled index: got %d, %v", bn.Count, err)
	}
	if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: tbl, GlobalSecondaryIndexUpdates: []dtypes.GlobalSecondaryIndexUpdate{
		{Delete: &dtypes.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byNote")}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byNote"), KeyConditionExpression: aws.String("note = :n"),
		ExpressionAttributeValues: item{":n": s("n")}})
	dynamoFails(t, err, "ValidationException", "The table does not have the specified index: byNote")
}

// TestDynamoDBLegacyParameters: the pre-expression parameters older
// clients still send.
func TestDynamoDBLegacyParameters(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "legacy", "N")
	tbl := aws.String("legacy")
	for i := range 5 {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a"), "sk": n(strconv.Itoa(i)), "v": n(strconv.Itoa(i * 10)), "name": s("x" + strconv.Itoa(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	// Expected with Exists and with a comparison.
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a"), "sk": n("0")},
		Expected: map[string]dtypes.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}}})
	dynamoFails(t, err, "ConditionalCheckFailedException", "")
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item{"pk": s("a"), "sk": n("0"), "v": n("1")},
		Expected: map[string]dtypes.ExpectedAttributeValue{"v": {ComparisonOperator: dtypes.ComparisonOperatorLt, AttributeValueList: []dtypes.AttributeValue{n("5")}}}}); err != nil {
		t.Fatal(err)
	}
	// AttributeUpdates: ADD, PUT and DELETE.
	up, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item{"pk": s("a"), "sk": n("1")},
		AttributeUpdates: map[string]dtypes.AttributeValueUpdate{
			"v":    {Action: dtypes.AttributeActionAdd, Value: n("5")},
			"tags": {Action: dtypes.AttributeActionPut, Value: ss("q")},
			"name": {Action: dtypes.AttributeActionDelete},
		}, ReturnValues: dtypes.ReturnValueAllNew})
	if err != nil {
		t.Fatal(err)
	}
	if up.Attributes["v"].(*dtypes.AttributeValueMemberN).Value != "15" || up.Attributes["name"] != nil || up.Attributes["tags"] == nil {
		t.Fatalf("AttributeUpdates: got %v", up.Attributes)
	}
	// KeyConditions, QueryFilter and AttributesToGet.
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl,
		KeyConditions: map[string]dtypes.Condition{
			"pk": {ComparisonOperator: dtypes.ComparisonOperatorEq, AttributeValueList: []dtypes.AttributeValue{s("a")}},
			"sk": {ComparisonOperator: dtypes.ComparisonOperatorBetween, AttributeValueList: []dtypes.AttributeValue{n("1"), n("4")}},
		},
		QueryFilter:     map[string]dtypes.Condition{"v": {ComparisonOperator: dtypes.ComparisonOperatorGe, AttributeValueList: []dtypes.AttributeValue{n("20")}}},
		AttributesToGet: []string{"sk"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != 3 || q.ScannedCount != 4 || !reflect.DeepEqual(q.Items[0], item{"sk": n("2")}) {
		t.Fatalf("legacy query: got Count %d ScannedCount %d %v", q.Count, q.ScannedCount, q.Items)
	}
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: tbl, ConditionalOperator: dtypes.ConditionalOperatorOr,
		ScanFilter: map[string]dtypes.Condition{
			"v":    {ComparisonOperator: dtypes.ComparisonOperatorEq, AttributeValueList: []dtypes.AttributeValue{n("40")}},
			"name": {ComparisonOperator: dtypes.ComparisonOperatorBeginsWith, AttributeValueList: []dtypes.AttributeValue{s("x3")}},
		}})
	if err != nil || sc.Count != 2 {
		t.Fatalf("legacy scan: got %d, %v", sc.Count, err)
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditions: map[string]dtypes.Condition{
		"pk": {ComparisonOperator: dtypes.ComparisonOperatorEq, AttributeValueList: []dtypes.AttributeValue{s("a"), s("b")}}}})
	dynamoFails(t, err, "ValidationException", "Invalid number of argument(s) for the EQ ComparisonOperator")
}

func TestDynamoDBTransactions(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "accounts", "")
	MustTable(t, c, "ledger", "")
	for _, a := range []string{"ann", "bob"} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("accounts"), Item: item{"pk": s(a), "balance": n("100")}}); err != nil {
			t.Fatal(err)
		}
	}
	move := func(from, to, amount, entry, token string) error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(token), TransactItems: []dtypes.TransactWriteItem{
			{Update: &dtypes.Update{TableName: aws.String("accounts"), Key: item{"pk": s(from)}, UpdateExpression: aws.String("SET balance = balance - :a"),
				ConditionExpression: aws.String("balance >= :a"), ExpressionAttributeValues: item{":a": n(amount)},
				ReturnValuesOnConditionCheckFailure: dtypes.ReturnValuesOnConditionCheckFailureAllOld}},
			{Update: &dtypes.Update{TableName: aws.String("accounts"), Key: item{"pk": s(to)}, UpdateExpression: aws.String("SET balance = balance + :a"),
				ExpressionAttributeValues: item{":a": n(amount)}}},
			{Put: &dtypes.Put{TableName: aws.String("ledger"), Item: item{"pk": s(entry), "amount": n(amount)}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		}})
		return err
	}
	balance := func(a string) string {
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("accounts"), Key: item{"pk": s(a)}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item["balance"].(*dtypes.AttributeValueMemberN).Value
	}
	if err := move("ann", "bob", "30", "e1", "token-1"); err != nil {
		t.Fatal(err)
	}
	// The same token and request again: accepted, not applied twice.
	if err := move("ann", "bob", "30", "e1", "token-1"); err != nil {
		t.Fatalf("idempotent retry: %v", err)
	}
	if balance("ann") != "70" || balance("bob") != "130" {
		t.Fatalf("after one move: ann %s, bob %s", balance("ann"), balance("bob"))
	}
	// The same token with another request.
	err := move("ann", "bob", "31", "e1", "token-1")
	dynamoFails(t, err, "IdempotentParameterMismatchException", "")
	// A failed condition cancels everything, with reasons in order and the
	// old item where asked for.
	err = move("ann", "bob", "500", "e2", "token-2")
	var tce *dtypes.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("got %v, want TransactionCanceledException", err)
	}
	codes := []string{}
	for _, r := range tce.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	if strings.Join(codes, ",") != "ConditionalCheckFailed,None,None" || tce.CancellationReasons[0].Item["balance"].(*dtypes.AttributeValueMemberN).Value != "70" {
		t.Fatalf("reasons: got %v %v", codes, tce.CancellationReasons[0].Item)
	}
	if !strings.Contains(aws.ToString(tce.Message), "[ConditionalCheckFailed, None, None]") {
		t.Fatalf("message: got %q", aws.ToString(tce.Message))
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ledger"), Key: item{"pk": s("e2")}})
	if err != nil || got.Item != nil || balance("ann") != "70" {
		t.Fatalf("a canceled transaction wrote: %v %v, ann %s", got.Item, err, balance("ann"))
	}
	// Two operations on one item.
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []dtypes.TransactWriteItem{
		{Delete: &dtypes.Delete{TableName: aws.String("accounts"), Key: item{"pk": s("ann")}}},
		{ConditionCheck: &dtypes.ConditionCheck{TableName: aws.String("accounts"), Key: item{"pk": s("ann")}, ConditionExpression: aws.String("attribute_exists(pk)")}},
	}})
	dynamoFails(t, err, "ValidationException", "Transaction request cannot include multiple operations on one item")
	// TransactGetItems: a consistent snapshot, with a projection.
	tg, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []dtypes.TransactGetItem{
		{Get: &dtypes.Get{TableName: aws.String("accounts"), Key: item{"pk": s("ann")}, ProjectionExpression: aws.String("balance")}},
		{Get: &dtypes.Get{TableName: aws.String("ledger"), Key: item{"pk": s("e1")}}},
		{Get: &dtypes.Get{TableName: aws.String("ledger"), Key: item{"pk": s("none")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tg.Responses[0].Item, item{"balance": n("70")}) || tg.Responses[1].Item == nil || tg.Responses[2].Item != nil {
		t.Fatalf("transact get: got %v", tg.Responses)
	}
	// Concurrent transfers keep the total exact.
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				from, to := "ann", "bob"
				if (w+i)%2 == 0 {
					from, to = to, from
				}
				err := move(from, to, "1", fmt.Sprintf("c-%d-%d", w, i), fmt.Sprintf("t-%d-%d", w, i))
				var tce *dtypes.TransactionCanceledException
				if err != nil && !errors.As(err, &tce) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	a, _ := strconv.Atoi(balance("ann"))
	b, _ := strconv.Atoi(balance("bob"))
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("ledger"), Select: dtypes.SelectCount})
	if err != nil {
		t.Fatal(err)
	}
	if a+b != 200 {
		t.Fatalf("total after concurrent transfers: got %d, want 200", a+b)
	}
	if sc.Count < 2 {
		t.Fatalf("ledger: got %d entries", sc.Count)
	}
}

// TestDynamoDBTwoNodes: two eddy nodes on one NATS server share tables,
// items, indexes and streams.
func TestDynamoDBTwoNodes(t *testing.T) {
	url := MustNATS(t)
	a := MustStartMain(t, Config{NATSURL: url})
	b := MustStartMain(t, Config{NATSURL: url})
	ca, cb := MustDynamo(t, a), MustDynamo(t, b)
	ctx := context.Background()
	MustTable(t, ca, "shared", "N", func(in *dynamodb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, dtypes.AttributeDefinition{AttributeName: aws.String("color"), AttributeType: "S"})
		in.GlobalSecondaryIndexes = []dtypes.GlobalSecondaryIndex{{IndexName: aws.String("byColor"),
			KeySchema:  []dtypes.KeySchemaElement{{AttributeName: aws.String("color"), KeyType: "HASH"}},
			Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeAll}}}
	})
	// Node b learns of the table and writes to it; both nodes increment
	// one counter.
	waitFor(t, 10e9, "node b sees the table", func() bool {
		_, err := cb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("shared")})
		return err == nil
	})
	var wg sync.WaitGroup
	for _, c := range []*dynamodb.Client{ca, cb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("shared"), Key: item{"pk": s("count"), "sk": n("0")},
					UpdateExpression: aws.String("ADD v :one SET color = :c"), ExpressionAttributeValues: item{":one": n("1"), ":c": s("red")}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, c := range []*dynamodb.Client{ca, cb} {
		got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("shared"), Key: item{"pk": s("count"), "sk": n("0")}, ConsistentRead: aws.Bool(true)})
		if err != nil || got.Item["v"].(*dtypes.AttributeValueMemberN).Value != "40" {
			t.Fatalf("counter: got %v, %v", got.Item, err)
		}
	}
	// Both nodes recolor the same 20 items; the index (maintained by one
	// node, read on both) ends with each item under its last color.
	for round, color := range []string{"green", "blue", "green"} {
		c := []*dynamodb.Client{ca, cb}[round%2]
		for i := range 20 {
			if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("shared"), Item: item{"pk": s("p"), "sk": n(strconv.Itoa(i)), "color": s(color)}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []*dynamodb.Client{ca, cb} {
		for color, want := range map[string]int32{"red": 1, "green": 20, "blue": 0} {
			q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("shared"), IndexName: aws.String("byColor"),
				KeyConditionExpression: aws.String("color = :c"), ExpressionAttributeValues: item{":c": s(color)}, Select: dtypes.SelectCount})
			if err != nil || q.Count != want {
				t.Fatalf("index %s on each node: got %d, %v, want %d", color, q.Count, err, want)
			}
		}
	}
}
