package expression_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
)

// legacyItem holds one attribute of every kind; big has 38 digits.
const legacyItem = `{"pk":{"S":"k"},"sk":{"N":"3"},"n":{"N":"5"},"big":{"N":"12345678901234567890123456789012345678"},
	"s":{"S":"hello"},"b":{"B":"YWJj"},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["YQ==","Yg=="]},
	"l":{"L":[{"S":"a"},{"N":"1"},{"BOOL":true},{"NULL":true}]},"m":{"M":{"x":{"N":"1"}}},"t":{"BOOL":true},"z":{"NULL":true}}`

func MustValueList(tb testing.TB, s string) []attrs.Value {
	tb.Helper()
	if s == "" {
		return nil
	}
	var l []attrs.Value
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		tb.Fatalf("value list %s: %v", s, err)
	}
	return l
}

func TestLegacyFilterEval(t *testing.T) {
	item := MustItem(t, legacyItem)
	tests := []struct {
		attr, op, args string
		want           bool
	}{
		{"n", "EQ", `[{"N":"5"}]`, true},
		{"n", "EQ", `[{"N":"5.000"}]`, true}, // numbers compare numerically
		{"n", "EQ", `[{"S":"5"}]`, false},    // another type never equals
		{"big", "EQ", `[{"N":"12345678901234567890123456789012345678"}]`, true},
		{"big", "EQ", `[{"N":"12345678901234567890123456789012345679"}]`, false},
		{"ss", "EQ", `[{"SS":["b","a"]}]`, true},
		{"ns", "EQ", `[{"N":"1"}]`, false},
		{"l", "EQ", `[{"L":[{"S":"a"},{"N":"1"},{"BOOL":true},{"NULL":true}]}]`, true},
		{"m", "EQ", `[{"M":{"x":{"N":"1.0"}}}]`, true},
		{"t", "EQ", `[{"BOOL":true}]`, true},
		{"z", "EQ", `[{"NULL":true}]`, true},
		{"nope", "EQ", `[{"N":"5"}]`, false},
		{"n", "NE", `[{"N":"5"}]`, false},
		{"n", "NE", `[{"S":"5"}]`, true},
		{"nope", "NE", `[{"N":"5"}]`, true}, // an absent attribute is not equal
		{"n", "LT", `[{"N":"6"}]`, true},
		{"n", "LT", `[{"N":"5"}]`, false},
		{"n", "LT", `[{"S":"6"}]`, false}, // mismatched types never order
		{"nope", "LT", `[{"N":"6"}]`, false},
		{"big", "LT", `[{"N":"12345678901234567890123456789012345679"}]`, true},
		{"s", "LT", `[{"S":"help"}]`, true},
		{"b", "LT", `[{"B":"YWJk"}]`, true},
		{"n", "LE", `[{"N":"5"}]`, true},
		{"n", "GE", `[{"N":"5"}]`, true},
		{"n", "GE", `[{"N":"5.0000000000000000000000000000000000001"}]`, false},
		{"n", "GT", `[{"N":"4.9999999999999999999999999999999999999"}]`, true},
		{"ss", "GT", `[{"S":"a"}]`, false},
		{"n", "NOT_NULL", ``, true},
		{"z", "NOT_NULL", ``, true}, // NULL is a type; the attribute exists
		{"nope", "NOT_NULL", ``, false},
		{"nope", "NULL", ``, true},
		{"z", "NULL", ``, false},
		{"s", "CONTAINS", `[{"S":"ell"}]`, true},
		{"s", "CONTAINS", `[{"S":"x"}]`, false},
		{"b", "CONTAINS", `[{"B":"Yg=="}]`, true},
		{"ss", "CONTAINS", `[{"S":"a"}]`, true},
		{"ss", "CONTAINS", `[{"N":"1"}]`, false},
		{"ns", "CONTAINS", `[{"N":"1.0"}]`, true},
		{"bs", "CONTAINS", `[{"B":"Yg=="}]`, true},
		{"l", "CONTAINS", `[{"N":"1"}]`, true},
		{"l", "CONTAINS", `[{"BOOL":true}]`, true},
		{"l", "CONTAINS", `[{"NULL":true}]`, true},
		{"l", "CONTAINS", `[{"S":"z"}]`, false},
		{"n", "CONTAINS", `[{"N":"5"}]`, false},
		{"nope", "CONTAINS", `[{"S":"a"}]`, false},
		{"s", "NOT_CONTAINS", `[{"S":"x"}]`, true},
		{"s", "NOT_CONTAINS", `[{"S":"ell"}]`, false},
		{"ss", "NOT_CONTAINS", `[{"S":"a"}]`, false},
		{"ss", "NOT_CONTAINS", `[{"S":"c"}]`, true},
		{"n", "NOT_CONTAINS", `[{"N":"5"}]`, true},
		{"nope", "NOT_CONTAINS", `[{"S":"x"}]`, false}, // an absent attribute does not qualify
		{"s", "BEGINS_WITH", `[{"S":"he"}]`, true},
		{"s", "BEGINS_WITH", `[{"S":"lo"}]`, false},
		{"b", "BEGINS_WITH", `[{"B":"YWI="}]`, true},
		{"n", "BEGINS_WITH", `[{"S":"5"}]`, false},
		{"ss", "BEGINS_WITH", `[{"S":"a"}]`, false},
		{"n", "IN", `[{"N":"1"},{"N":"5"}]`, true},
		{"n", "IN", `[{"N":"1"},{"N":"2"}]`, false},
		{"s", "IN", `[{"S":"x"},{"S":"hello"}]`, true},
		{"ns", "IN", `[{"N":"1"}]`, false},
		{"nope", "IN", `[{"N":"5"}]`, false},
		{"n", "BETWEEN", `[{"N":"1"},{"N":"5"}]`, true},
		{"n", "BETWEEN", `[{"N":"5"},{"N":"5"}]`, true},
		{"n", "BETWEEN", `[{"N":"6"},{"N":"9"}]`, false},
		{"s", "BETWEEN", `[{"S":"a"},{"S":"z"}]`, true},
		{"n", "BETWEEN", `[{"S":"a"},{"S":"z"}]`, false},
		{"big", "BETWEEN", `[{"N":"12345678901234567890123456789012345677"},{"N":"12345678901234567890123456789012345678"}]`, true},
		{"nope", "BETWEEN", `[{"N":"1"},{"N":"5"}]`, false},
	}
	for _, tt := range tests {
		conds := map[string]expression.LegacyCondition{tt.attr: {ComparisonOperator: tt.op, AttributeValueList: MustValueList(t, tt.args)}}
		c, err := expression.LegacyFilter(conds, "")
		if err != nil {
			t.Errorf("%s %s %s: %v", tt.attr, tt.op, tt.args, err)
			continue
		}
		if got, err := c.Eval(item); err != nil || got != tt.want {
			t.Errorf("%s %s %s: got %v, %v, want %v", tt.attr, tt.op, tt.args, got, err, tt.want)
		}
	}
}

func TestLegacyFilterJoin(t *testing.T) {
	item := MustItem(t, legacyItem)
	conds := map[string]expression.LegacyCondition{
		"n": {ComparisonOperator: "EQ", AttributeValueList: MustValueList(t, `[{"N":"6"}]`)},
		"s": {ComparisonOperator: "BEGINS_WITH", AttributeValueList: MustValueList(t, `[{"S":"he"}]`)},
	}
	for op, want := range map[string]bool{"": false, "AND": false, "OR": true} {
		c, err := expression.LegacyFilter(conds, op)
		if err != nil {
			t.Fatalf("ConditionalOperator %q: %v", op, err)
		}
		if got, _ := c.Eval(item); got != want {
			t.Errorf("ConditionalOperator %q: got %v, want %v", op, got, want)
		}
	}
	if c, err := expression.LegacyFilter(nil, ""); c != nil || err != nil {
		t.Errorf("empty filter: got %v, %v, want nil, nil", c, err)
	}
}

func TestLegacyFilterErrors(t *testing.T) {
	pre := "One or more parameter values were invalid: "
	tests := []struct{ op, args, condOp, want string }{
		{"EQ", ``, "", pre + "Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"EQ", `[]`, "", pre + "Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"NE", `[{"S":"a"},{"S":"a"}]`, "", pre + "Invalid number of argument(s) for the NE ComparisonOperator"},
		{"NULL", `[{"S":"a"}]`, "", pre + "Invalid number of argument(s) for the NULL ComparisonOperator"},
		{"NOT_NULL", `[{"S":"a"}]`, "", pre + "Invalid number of argument(s) for the NOT_NULL ComparisonOperator"},
		{"IN", `[]`, "", pre + "Invalid number of argument(s) for the IN ComparisonOperator"},
		{"BETWEEN", `[{"N":"1"}]`, "", pre + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
		{"BEGINS_WITH", `[{"S":"a"},{"S":"b"}]`, "", pre + "Invalid number of argument(s) for the BEGINS_WITH ComparisonOperator"},
		{"LT", `[{"SS":["a"]}]`, "", pre + "ComparisonOperator LT is not valid for SS AttributeValue type"},
		{"GE", `[{"BOOL":true}]`, "", pre + "ComparisonOperator GE is not valid for BOOL AttributeValue type"},
		{"LE", `[{"NULL":true}]`, "", pre + "ComparisonOperator LE is not valid for NULL AttributeValue type"},
		{"GT", `[{"M":{}}]`, "", pre + "ComparisonOperator GT is not valid for M AttributeValue type"},
		{"IN", `[{"N":"1"},{"L":[]}]`, "", pre + "ComparisonOperator IN is not valid for L AttributeValue type"},
		{"IN", `[{"N":"1"},{"S":"1"}]`, "", pre + "AttributeValues inside AttributeValueList must be of same type"},
		{"CONTAINS", `[{"NS":["1"]}]`, "", pre + "ComparisonOperator CONTAINS is not valid for NS AttributeValue type"},
		{"NOT_CONTAINS", `[{"L":[]}]`, "", pre + "ComparisonOperator NOT_CONTAINS is not valid for L AttributeValue type"},
		{"BEGINS_WITH", `[{"N":"1"}]`, "", pre + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
		{"BETWEEN", `[{"BS":["YQ=="]},{"BS":["YQ=="]}]`, "", pre + "ComparisonOperator BETWEEN is not valid for BS AttributeValue type"},
		{"BETWEEN", `[{"N":"1"},{"S":"a"}]`, "", pre + "AttributeValues inside AttributeValueList must be of same type"},
		{"BETWEEN", `[{"N":"9"},{"N":"10"}]`, "AND", "ConditionalOperator can only be used when Filter or Expected has two or more elements"},
		{"BETWEEN", `[{"N":"10"},{"N":"9"}]`, "", "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{"FOO", `[{"N":"1"}]`, "", "1 validation error detected: Value 'FOO' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"},
		{"", `[{"N":"1"}]`, "", "1 validation error detected: Value null at 'comparisonOperator' failed to satisfy constraint: Member must not be null"},
		{"EQ", `[{"N":"1"}]`, "XOR", "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"},
	}
	for _, tt := range tests {
		conds := map[string]expression.LegacyCondition{"a": {ComparisonOperator: tt.op, AttributeValueList: MustValueList(t, tt.args)}}
		_, err := expression.LegacyFilter(conds, tt.condOp)
		wantError(t, tt.op+" "+tt.args, err, tt.want)
	}
	empty := map[string]expression.LegacyCondition{"a": {ComparisonOperator: "EQ", AttributeValueList: []attrs.Value{{}}}}
	_, err := expression.LegacyFilter(empty, "")
	wantError(t, "empty AttributeValue", err, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	_, err = expression.LegacyFilter(nil, "OR")
	wantError(t, "no filter", err, "ConditionalOperator cannot be used without Filter or Expected")
}

func TestExpectedCondition(t *testing.T) {
	item := MustItem(t, legacyItem)
	tests := []struct {
		expected, condOp string
		want             bool
	}{
		{`{"n":{"Value":{"N":"5"}}}`, "", true},
		{`{"n":{"Value":{"N":"6"}}}`, "", false},
		{`{"n":{"Value":{"N":"5"},"Exists":true}}`, "", true},
		{`{"nope":{"Value":{"N":"5"},"Exists":true}}`, "", false},
		{`{"nope":{"Exists":false}}`, "", true},
		{`{"n":{"Exists":false}}`, "", false},
		{`{"n":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"4"}]}}`, "", true},
		{`{"n":{"ComparisonOperator":"LT","Value":{"N":"4"}}}`, "", false},
		{`{"n":{"ComparisonOperator":"NOT_NULL"}}`, "", true},
		{`{"nope":{"ComparisonOperator":"NULL","AttributeValueList":[]}}`, "", true},
		{`{"n":{"Value":{"N":"6"}},"s":{"Value":{"S":"hello"}}}`, "", false},
		{`{"n":{"Value":{"N":"6"}},"s":{"Value":{"S":"hello"}}}`, "OR", true},
		{`{"n":{"Value":{"N":"5"}},"s":{"Value":{"S":"hello"}}}`, "AND", true},
	}
	for _, tt := range tests {
		var expected map[string]expression.ExpectedAttributeValue
		if err := json.Unmarshal([]byte(tt.expected), &expected); err != nil {
			t.Fatal(err)
		}
		c, err := expression.ExpectedCondition(expected, tt.condOp)
		if err != nil {
			t.Errorf("%s: %v", tt.expected, err)
			continue
		}
		if got, err := c.Eval(item); err != nil || got != tt.want {
			t.Errorf("%s %s: got %v, %v, want %v", tt.expected, tt.condOp, got, err, tt.want)
		}
		if got, _ := c.Eval(nil); tt.expected == `{"nope":{"Exists":false}}` && !got {
			t.Errorf("%s on no item: got false, want true", tt.expected)
		}
	}
	if c, err := expression.ExpectedCondition(nil, ""); c != nil || err != nil {
		t.Errorf("empty Expected: got %v, %v, want nil, nil", c, err)
	}

	pre := "One or more parameter values were invalid: "
	errs := []struct{ expected, want string }{
		{`{"a":{"Exists":false,"Value":{"S":"x"}}}`, pre + "Value cannot be used when Exists is false for Attribute: a"},
		{`{"a":{"Exists":true}}`, pre + "Value must be provided when Exists is true for Attribute: a"},
		{`{"a":{}}`, pre + "Value must be provided when Exists is null for Attribute: a"},
		{`{"a":{"Exists":true,"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}`, pre + "Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{`{"a":{"Value":{"S":"x"},"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}`, pre + "Value and AttributeValueList cannot be used together for Attribute: a"},
		{`{"a":{"AttributeValueList":[{"S":"x"}]}}`, pre + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{`{"a":{"ComparisonOperator":"GT"}}`, pre + "Value or AttributeValueList must be used with ComparisonOperator: GT for Attribute: a"},
		{`{"a":{"ComparisonOperator":"NULL","Value":{"S":"x"}}}`, pre + "Invalid number of argument(s) for the NULL ComparisonOperator"},
		{`{"a":{"ComparisonOperator":"LT","Value":{"SS":["x"]}}}`, pre + "ComparisonOperator LT is not valid for SS AttributeValue type"},
		{`{"a":{"ComparisonOperator":"IN","AttributeValueList":[]}}`, pre + "Invalid number of argument(s) for the IN ComparisonOperator"},
		{`{"a":{"ComparisonOperator":"FOO"}}`, "1 validation error detected: Value 'FOO' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"},
	}
	for _, tt := range errs {
		var expected map[string]expression.ExpectedAttributeValue
		if err := json.Unmarshal([]byte(tt.expected), &expected); err != nil {
			t.Fatal(err)
		}
		_, err := expression.ExpectedCondition(expected, "")
		wantError(t, tt.expected, err, tt.want)
	}
	one := map[string]expression.ExpectedAttributeValue{"a": {Exists: new(bool)}}
	_, err := expression.ExpectedCondition(one, "OR")
	wantError(t, "OR with one element", err, "ConditionalOperator can only be used when Filter or Expected has two or more elements")
}

func TestLegacyKeyConditions(t *testing.T) {
	num := func(s string) attrs.Value { return attrs.Num(attrs.MustParseNumber(s)) }
	ok := []struct {
		conds, op string
		in, out   attrs.Value // sort key values that match and do not
	}{
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]}}`, "", attrs.Value{}, attrs.Value{}},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]},"sk":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"3"}]}}`, "=", num("3.0"), num("4")},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]},"sk":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"3"}]}}`, "<", num("2"), num("3")},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]},"sk":{"ComparisonOperator":"LE","AttributeValueList":[{"N":"3"}]}}`, "<=", num("3"), num("4")},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]},"sk":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"3"}]}}`, ">", num("4"), num("3")},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]},"sk":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"3"}]}}`, ">=", num("3"), attrs.Str("3")},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]},"sk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"ab"}]}}`, "begins_with", attrs.Str("abc"), attrs.Str("b")},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]},"sk":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"3"}]}}`, "BETWEEN", num("2"), num("4")},
	}
	for _, tt := range ok {
		var conds map[string]expression.LegacyCondition
		if err := json.Unmarshal([]byte(tt.conds), &conds); err != nil {
			t.Fatal(err)
		}
		kc, err := expression.LegacyKeyConditions(conds, "pk", "sk")
		if err != nil {
			t.Errorf("%s: %v", tt.conds, err)
			continue
		}
		if kc.HashKey != "pk" || !attrs.Equal(kc.HashValue, attrs.Str("k")) {
			t.Errorf("%s: got hash %s = %v, want pk = k", tt.conds, kc.HashKey, kc.HashValue)
		}
		if tt.op == "" {
			if kc.Range != nil {
				t.Errorf("%s: got range %+v, want none", tt.conds, kc.Range)
			}
			continue
		}
		if kc.Range == nil || kc.Range.Key != "sk" || kc.Range.Op != tt.op {
			t.Errorf("%s: got range %+v, want sk %s", tt.conds, kc.Range, tt.op)
			continue
		}
		if !kc.Range.Match(tt.in) || kc.Range.Match(tt.out) {
			t.Errorf("%s: Match(%v), Match(%v): got %v, %v, want true, false", tt.conds, tt.in, tt.out, kc.Range.Match(tt.in), kc.Range.Match(tt.out))
		}
	}

	hashEQ := `"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"k"}]}`
	errs := []struct{ conds, rangeKey, want string }{
		{`{}`, "sk", "Conditions can be of length 1 or 2 only"},
		{`{` + hashEQ + `,"sk":{"ComparisonOperator":"NOT_NULL"},"n":{"ComparisonOperator":"NOT_NULL"}}`, "sk", "Conditions can be of length 1 or 2 only"},
		{`{"sk":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}`, "sk", "Query condition missed key schema element: pk"},
		{`{` + hashEQ + `,"n":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}`, "sk", "Query condition missed key schema element: sk"},
		{`{"pk":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"k"}]}}`, "sk", "Query key condition not supported"},
		{`{"pk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"k"}]}}`, "sk", "Query key condition not supported"},
		{`{` + hashEQ + `,"sk":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"1"}]}}`, "sk", "Query key condition not supported"},
		{`{` + hashEQ + `,"sk":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}`, "", "Query key condition not supported"},
		{`{` + hashEQ + `,"sk":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"1"}]}}`, "sk", "Attempted conditional constraint is not an indexable operation"},
		{`{"pk":{"ComparisonOperator":"NOT_NULL"}}`, "sk", "Attempted conditional constraint is not an indexable operation"},
		{`{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[]}}`, "sk", "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{`{` + hashEQ + `,"sk":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"3"},{"N":"1"}]}}`, "sk", "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{`{"pk":{"AttributeValueList":[{"S":"k"}]}}`, "sk", "1 validation error detected: Value null at 'keyConditions.pk.member.comparisonOperator' failed to satisfy constraint: Member must not be null"},
	}
	for _, tt := range errs {
		var conds map[string]expression.LegacyCondition
		if err := json.Unmarshal([]byte(tt.conds), &conds); err != nil {
			t.Fatal(err)
		}
		_, err := expression.LegacyKeyConditions(conds, "pk", tt.rangeKey)
		wantError(t, tt.conds, err, tt.want)
	}
}

func TestAttributeUpdates(t *testing.T) {
	tests := []struct{ updates, want string }{
		{`{"q":{"Value":{"S":"x"}}}`, `{"q":{"S":"x"}}`}, // PUT is the default
		{`{"n":{"Action":"PUT","Value":{"S":"x"}}}`, `{"n":{"S":"x"}}`},
		{`{"n":{"Action":"DELETE"},"nope":{"Action":"DELETE"}}`, `{"n":null}`},
		{`{"ss":{"Action":"DELETE","Value":{"SS":["a","c"]}}}`, `{"ss":{"SS":["b"]}}`},
		{`{"ns":{"Action":"DELETE","Value":{"NS":["1.0","2"]}}}`, `{"ns":null}`}, // an emptied set goes
		{`{"nope":{"Action":"DELETE","Value":{"SS":["a"]}}}`, `{}`},
		{`{"n":{"Action":"ADD","Value":{"N":"-0.5"}},"cnt":{"Action":"ADD","Value":{"N":"3"}}}`, `{"n":{"N":"4.5"},"cnt":{"N":"3"}}`},
		{`{"big":{"Action":"ADD","Value":{"N":"1"}}}`, `{"big":{"N":"12345678901234567890123456789012345679"}}`},
		{`{"ss":{"Action":"ADD","Value":{"SS":["c","a"]}},"new":{"Action":"ADD","Value":{"BS":["YQ=="]}}}`, `{"ss":{"SS":["a","b","c"]},"new":{"BS":["YQ=="]}}`},
		{`{"l":{"Action":"ADD","Value":{"L":[{"S":"z"}]}},"nl":{"Action":"ADD","Value":{"L":[]}}}`, `{"l":{"L":[{"S":"a"},{"N":"1"},{"BOOL":true},{"NULL":true},{"S":"z"}]},"nl":{"L":[]}}`},
	}
	for _, tt := range tests {
		var updates map[string]expression.AttributeValueUpdate
		if err := json.Unmarshal([]byte(tt.updates), &updates); err != nil {
			t.Fatal(err)
		}
		u, err := expression.AttributeUpdates(updates)
		if err != nil {
			t.Errorf("%s: %v", tt.updates, err)
			continue
		}
		item := MustItem(t, legacyItem)
		got, err := u.Apply(item)
		if err != nil {
			t.Errorf("Apply(%s): %v", tt.updates, err)
			continue
		}
		if !attrs.ItemsEqual(item, MustItem(t, legacyItem)) {
			t.Errorf("Apply(%s) modified its input", tt.updates)
		}
		want := MustItem(t, legacyItem)
		var changes map[string]json.RawMessage
		_ = json.Unmarshal([]byte(tt.want), &changes)
		for k, raw := range changes {
			if string(raw) == "null" {
				delete(want, k)
				continue
			}
			var v attrs.Value
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			want[k] = v
		}
		if !attrs.ItemsEqual(got, want) {
			g, _ := json.Marshal(got)
			t.Errorf("Apply(%s): got %s, want changes %s", tt.updates, g, tt.want)
		}
	}

	u, _ := expression.AttributeUpdates(map[string]expression.AttributeValueUpdate{"z": {Action: "DELETE"}, "a": {Value: &attrs.Value{Kind: attrs.BOOL}}})
	if got := strings.Join(u.TopLevel(), ","); got != "a,z" {
		t.Errorf("TopLevel: got %s, want a,z", got)
	}

	pre := "One or more parameter values were invalid: "
	parse := []struct{ updates, want string }{
		{`{"a":{"Action":"PUT"}}`, pre + "Only DELETE action is allowed when no attribute value is specified"},
		{`{"a":{}}`, pre + "Only DELETE action is allowed when no attribute value is specified"},
		{`{"a":{"Action":"ADD"}}`, pre + "Only DELETE action is allowed when no attribute value is specified"},
		{`{"a":{"Action":"DELETE","Value":{"S":"x"}}}`, pre + "DELETE action with value is not supported for the type S"},
		{`{"a":{"Action":"DELETE","Value":{"L":[]}}}`, pre + "DELETE action with value is not supported for the type L"},
		{`{"a":{"Action":"ADD","Value":{"S":"x"}}}`, pre + "ADD action is not supported for the type S"},
		{`{"a":{"Action":"ADD","Value":{"B":"YQ=="}}}`, pre + "ADD action is not supported for the type B"},
		{`{"a":{"Action":"ADD","Value":{"BOOL":true}}}`, pre + "ADD action is not supported for the type BOOL"},
		{`{"a":{"Action":"ADD","Value":{"NULL":true}}}`, pre + "ADD action is not supported for the type NULL"},
		{`{"a":{"Action":"ADD","Value":{"M":{}}}}`, pre + "ADD action is not supported for the type M"},
		{`{"a":{"Action":"add","Value":{"N":"1"}}}`, "1 validation error detected: Value 'add' at 'attributeUpdates.a.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, DELETE, PUT]"},
	}
	for _, tt := range parse {
		var updates map[string]expression.AttributeValueUpdate
		if err := json.Unmarshal([]byte(tt.updates), &updates); err != nil {
			t.Fatal(err)
		}
		_, err := expression.AttributeUpdates(updates)
		wantError(t, tt.updates, err, tt.want)
	}
	_, err := expression.AttributeUpdates(map[string]expression.AttributeValueUpdate{"a": {Value: &attrs.Value{}}})
	wantError(t, "empty AttributeValue", err, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")

	apply := []string{
		`{"s":{"Action":"ADD","Value":{"N":"1"}}}`,
		`{"ns":{"Action":"ADD","Value":{"SS":["a"]}}}`,
		`{"n":{"Action":"ADD","Value":{"L":[]}}}`,
		`{"ss":{"Action":"DELETE","Value":{"NS":["1"]}}}`,
		`{"n":{"Action":"DELETE","Value":{"NS":["5"]}}}`,
	}
	for _, updates := range apply {
		var m map[string]expression.AttributeValueUpdate
		if err := json.Unmarshal([]byte(updates), &m); err != nil {
			t.Fatal(err)
		}
		u, err := expression.AttributeUpdates(m)
		if err != nil {
			t.Errorf("%s: %v", updates, err)
			continue
		}
		_, err = u.Apply(MustItem(t, legacyItem))
		wantError(t, updates, err, "Type mismatch for attribute to update")
	}
}

func TestAttributesToGet(t *testing.T) {
	p, err := expression.AttributesToGet([]string{"s", "n", "nope", "a.b"})
	if err != nil {
		t.Fatal(err)
	}
	item := MustItem(t, legacyItem)
	item["a.b"] = attrs.Str("dotted")
	b, _ := json.Marshal(p.Apply(item))
	if want := `{"a.b":{"S":"dotted"},"n":{"N":"5"},"s":{"S":"hello"}}`; string(b) != want {
		t.Errorf("Apply: got %s, want %s", b, want)
	}
	if p, err := expression.AttributesToGet(nil); p != nil || err != nil {
		t.Errorf("nil list: got %v, %v, want nil, nil", p, err)
	}
	_, err = expression.AttributesToGet([]string{})
	wantError(t, "empty list", err, "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1")
	_, err = expression.AttributesToGet([]string{"a", "b", "a"})
	wantError(t, "duplicate", err, "One or more parameter values were invalid: Duplicate value in attribute name: a")
}

func TestMixedParams(t *testing.T) {
	err := expression.MixedParams([]string{"AttributesToGet", "QueryFilter"}, []string{"ProjectionExpression", "FilterExpression"})
	wantError(t, "mixed", err, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, QueryFilter} Expression parameters: {ProjectionExpression, FilterExpression}")
	if err := expression.MixedParams([]string{"Expected"}, nil); err != nil {
		t.Errorf("legacy only: got %v, want nil", err)
	}
}
