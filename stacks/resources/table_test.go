package resources_test

import (
	"context"
	"testing"
)

func tableProps(gsi bool, stream string) map[string]any {
	p := map[string]any{
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	}
	if gsi {
		p["AttributeDefinitions"] = append(p["AttributeDefinitions"].([]any), map[string]any{"AttributeName": "g", "AttributeType": "S"})
		p["GlobalSecondaryIndexes"] = []any{map[string]any{
			"IndexName":  "byG",
			"KeySchema":  []any{map[string]any{"AttributeName": "g", "KeyType": "HASH"}},
			"Projection": map[string]any{"ProjectionType": "ALL"},
		}}
	}
	if stream != "" {
		p["StreamSpecification"] = map[string]any{"StreamViewType": stream}
	}
	return p
}

func TestTable(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	r := req("AWS::DynamoDB::Table", "Items", tableProps(false, "NEW_IMAGE"))
	res := v.create(t, r)
	match(t, "Ref", `app-Items-[A-Z0-9]{13}`, res.PhysicalID)
	match(t, "Arn", `arn:aws:dynamodb:us-east-1:`+account+`:table/app-Items-[A-Z0-9]{13}`, res.Attributes["Arn"])
	match(t, "StreamArn", `arn:aws:dynamodb:us-east-1:`+account+`:table/app-Items-[A-Z0-9]{13}/stream/.+`, res.Attributes["StreamArn"])

	// In place: a global secondary index added, the stream turned off.
	props := tableProps(true, "")
	res2, err := v.update(t, r, res, props)
	if err != nil {
		t.Fatal(err)
	}
	if res2.PhysicalID != res.PhysicalID {
		t.Errorf("update in place renamed the table: %s", res2.PhysicalID)
	}
	d, err := v.tables.DescribeTable(ctx, res.PhysicalID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Table.GlobalSecondaryIndexes) != 1 || d.Table.GlobalSecondaryIndexes[0].IndexName != "byG" {
		t.Errorf("indexes after update: %+v", d.Table.GlobalSecondaryIndexes)
	}
	if s := d.Table.StreamSpecification; s != nil && s.StreamEnabled {
		t.Errorf("stream still enabled: %+v", s)
	}
	if _, ok := res2.Attributes["StreamArn"]; ok {
		t.Errorf("StreamArn without a stream: %v", res2.Attributes)
	}
	r.Properties = props

	// The index removed again.
	props2 := tableProps(false, "")
	if _, err := v.update(t, r, res, props2); err != nil {
		t.Fatal(err)
	}
	if d, err = v.tables.DescribeTable(ctx, res.PhysicalID); err != nil || len(d.Table.GlobalSecondaryIndexes) != 0 {
		t.Errorf("indexes after removal: %+v, %v", d.Table.GlobalSecondaryIndexes, err)
	}
	r.Properties = props2

	// A new key schema replaces the table.
	props3 := tableProps(false, "")
	props3["KeySchema"] = []any{map[string]any{"AttributeName": "g", "KeyType": "HASH"}}
	_, err = v.update(t, r, res, props3)
	wantReplace(t, err)

	v.deleteTwice(t, r, res)
	if _, err := v.tables.DescribeTable(ctx, res.PhysicalID); err == nil {
		t.Error("table still exists after delete")
	}

	bad := tableProps(false, "")
	bad["KeySchema"] = []any{map[string]any{"AttributeName": "pk", "KeyType": 7, "Extra": 1}}
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", bad))
	wantInvalid(t, err, "/KeySchema/0/Extra")
}
