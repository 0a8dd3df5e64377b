package sam

// simpleTable transforms an AWS::Serverless::SimpleTable into an
// AWS::DynamoDB::Table with one hash key.
func (t *transformer) simpleTable(id string, r map[string]any) error {
	p, err := props(id, r)
	if err != nil {
		return err
	}
	if err := checkProperties(id, "AWS::Serverless::SimpleTable", p); err != nil {
		return err
	}
	name, typ := any("id"), any("S")
	if pk, ok := p["PrimaryKey"]; ok {
		m, ok := pk.(map[string]any)
		if !ok {
			return invalid(id, "Property 'PrimaryKey' should be a map.")
		}
		if name, ok = m["Name"]; !ok {
			return invalid(id, "Property 'PrimaryKey' must have 'Name' and 'Type'.")
		}
		typ = m["Type"]
		switch typ {
		case "String":
			typ = "S"
		case "Number":
			typ = "N"
		case "Binary":
			typ = "B"
		}
	}
	tp := map[string]any{
		"AttributeDefinitions": []any{map[string]any{"AttributeName": name, "AttributeType": typ}},
		"KeySchema":            []any{map[string]any{"AttributeName": name, "KeyType": "HASH"}},
	}
	if pt, ok := p["ProvisionedThroughput"]; ok {
		tp["ProvisionedThroughput"] = deepCopy(pt)
	} else {
		tp["BillingMode"] = "PAY_PER_REQUEST"
	}
	copyProps(tp, p, "TableName", "SSESpecification", "PointInTimeRecoverySpecification")
	if tags, ok := p["Tags"].(map[string]any); ok {
		var list []any
		for _, k := range sortedKeys(tags) {
			list = append(list, map[string]any{"Key": k, "Value": deepCopy(tags[k])})
		}
		tp["Tags"] = list
	}
	out := resource("AWS::DynamoDB::Table", tp)
	passthrough(r, out)
	copyAttrs(r, out)
	t.out[id] = out
	return nil
}
