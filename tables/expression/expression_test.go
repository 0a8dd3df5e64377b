package expression_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
)

func MustItem(tb testing.TB, s string) attrs.Item {
	tb.Helper()
	var it attrs.Item
	if err := json.Unmarshal([]byte(s), &it); err != nil {
		tb.Fatalf("item %s: %v", s, err)
	}
	return it
}

func MustValues(tb testing.TB, s string) map[string]attrs.Value {
	tb.Helper()
	if s == "" {
		return nil
	}
	return map[string]attrs.Value(MustItem(tb, s))
}

const testItem = `{"pk":{"S":"k"},"n":{"N":"5"},"s":{"S":"héllo"},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},
	"l":{"L":[{"S":"a"},{"N":"1"},{"S":"c"}]},"m":{"M":{"x":{"N":"1"},"y":{"M":{"z":{"S":"deep"}}}}},
	"b":{"B":"YWJj"},"t":{"BOOL":true},"z":{"NULL":true}}`

var testNames = map[string]string{"#n": "n", "#name": "name", "#m": "m"}

const testValues = `{":5":{"N":"5"},":6":{"N":"6"},":7":{"N":"7"},":1":{"N":"1"},":9":{"N":"9"},":s5":{"S":"5"},
	":a":{"S":"a"},":he":{"S":"hé"},":el":{"S":"él"},":ab":{"B":"YWI="},":tS":{"S":"S"},":tSS":{"S":"SS"},
	":two":{"N":"2"},":three":{"N":"3"},":deep":{"S":"deep"},":ssab":{"SS":["b","a"]},":lst":{"L":[{"S":"a"}]},":ns5":{"NS":["5"]}}`

func TestConditionEval(t *testing.T) {
	item := MustItem(t, testItem)
	values := MustValues(t, testValues)
	tests := []struct {
		expr string
		want bool
	}{
		{"n = :5", true},
		{"#n = :5", true},
		{"n <> :5", false},
		{"n <> :s5", true},   // different types are not equal
		{"nope <> :5", true}, // a missing attribute is not equal to anything
		{"nope = :5", false},
		{"n < :6", true},
		{"n <= :5", true},
		{"n > :5", false},
		{"n >= :5", true},
		{"n < :s5", false}, // mismatched types never order
		{"n BETWEEN :1 AND :5", true},
		{"n BETWEEN :6 AND :9", false},
		{"n IN (:s5, :5)", true},
		{"n IN (:s5, :6)", false},
		{"n = :5 OR n = :6 AND n = :7", true},     // AND binds tighter than OR
		{"(n = :5 OR n = :6) AND n = :7", false},  // parentheses
		{"NOT n = :6 AND n = :5", true},           // NOT binds tighter than AND
		{"NOT (n = :5 OR n = :6)", false},         //
		{"not n = :6 and n = :5 or n = :7", true}, // keywords in any case
		{"attribute_exists(n)", true},
		{"attribute_exists(nope)", false},
		{"attribute_not_exists(nope)", true},
		{"attribute_exists(m.y.z)", true},
		{"attribute_exists(#m.x)", true},
		{"attribute_exists(l[2])", true},
		{"attribute_exists(l[3])", false},
		{"attribute_exists(m.x.q)", false},
		{"attribute_type(n, :tS)", false},
		{"attribute_type(ss, :tSS)", true},
		{"begins_with(s, :he)", true},
		{"begins_with(s, :a)", false},
		{"begins_with(b, :ab)", true},
		{"begins_with(n, :a)", false},
		{"contains(s, :el)", true},
		{"contains(ss, :a)", true},
		{"contains(ss, :5)", false},
		{"contains(ns, :1)", true},
		{"contains(l, :1)", true},
		{"contains(l, :a)", true},
		{"contains(l, :5)", false},
		{"size(s) = :5", true}, // characters, not bytes
		{"size(ss) = :two", true},
		{"size(ns) = :two", true},
		{"size(m) = :two", true},
		{"size(l) = :three", true},
		{"size(b) = :three", true},
		{"size(n) = :1", false},
		{"size(nope) = :1", false},
		{"size(l) > size(ss)", true},
		{"m.y.z = :deep", true},
		{"l[0] = :a", true},
		{"ss = :ssab", true},
		{"contains(l, :lst)", false},
	}
	for _, tt := range tests {
		c, err := expression.ParseCondition(tt.expr, testNames, values)
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", tt.expr, err)
			continue
		}
		got, err := c.Eval(item)
		if err != nil || got != tt.want {
			t.Errorf("Eval(%q): got %v, %v, want %v", tt.expr, got, err, tt.want)
		}
	}
}

func wantError(t *testing.T, what string, err error, want string) {
	t.Helper()
	e := eddy.AsError(err)
	if e == nil || e.Type != "ValidationException" || e.Message != want {
		t.Errorf("%s: got %v, want ValidationException %q", what, err, want)
	}
}

func TestConditionErrors(t *testing.T) {
	values := MustValues(t, testValues)
	pre := "Invalid ConditionExpression: "
	tests := []struct{ expr, want string }{
		{"", pre + "The expression can not be empty;"},
		{"n = = :5", pre + `Syntax error; token: "=", near: "= ="`},
		{"n =", pre + `Syntax error; token: "<EOF>", near: "="`},
		{"n = :5 AND", pre + `Syntax error; token: "<EOF>", near: "AND"`},
		{"n $ :5", pre + `Syntax error; token: "$", near: "n $"`},
		{"(n = :5", pre + `Syntax error; token: "<EOF>", near: ":5"`},
		{"name = :5", pre + "Attribute name is a reserved keyword; reserved keyword: name"},
		{"#x = :5", pre + "An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"n = :x", pre + "An expression attribute value used in expression is not defined; attribute value: :x"},
		{"begins_with(s, :5)", pre + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"n BETWEEN :9 AND :1", pre + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: AttributeValue: {N:9}, upper operand: AttributeValue: {N:1}"},
		{"n BETWEEN :1 AND :a", pre + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
		{"((n = :5))", pre + "The expression has redundant parentheses;"},
		{"n = n", pre + "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [n]"},
		{"foo(n)", pre + "Invalid function name; function: foo"},
		{"size(n)", pre + "Syntax error; token: \"<EOF>\", near: \")\""},
		{"attribute_exists(n) = :5", pre + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"attribute_exists(:5)", pre + "Operator or function requires a document path; operator or function: attribute_exists"},
		{"attribute_exists(n, s)", pre + "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"attribute_type(n, :a)", pre + "Invalid attribute type name found; type: a, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"},
		{"n < :ssab", pre + "Incorrect operand type for operator or function; operator or function: <, operand type: SS"},
		{"n IN (" + strings.TrimSuffix(strings.Repeat(":1,", 101), ",") + ")", pre + "The IN operator is provided with too many operands; number of operands: 101"},
		{"l[x] = :1", pre + `Syntax error; token: "x", near: "[x"`},
		{strings.Repeat("NOT ", 200) + "n = :1", pre + "The expression has too many nested levels; maximum: 100"},
		{"n = :1 " + strings.Repeat(" ", 5000), pre + "Expression size has exceeded the maximum allowed size; expression size: 5007"},
	}
	for _, tt := range tests {
		_, err := expression.ParseCondition(tt.expr, testNames, values)
		wantError(t, tt.expr, err, tt.want)
	}
	_, err := expression.ParseFilter("n = = :5", nil, values)
	wantError(t, "filter", err, `Invalid FilterExpression: Syntax error; token: "=", near: "= ="`)
}

func TestUpdate(t *testing.T) {
	values := MustValues(t, testValues)
	tests := []struct{ expr, want string }{
		{"SET q = :5", `{"q":{"N":"5"}}`},
		{"SET q = n + :1, r = n - :7", `{"q":{"N":"6"},"r":{"N":"-2"}}`},
		{"SET n = n + :1, q = n", `{"n":{"N":"6"},"q":{"N":"5"}}`}, // values from the old item
		{"SET q = if_not_exists(q, :1), n = if_not_exists(n, :9)", `{"q":{"N":"1"}}`},
		{"SET l = list_append(l, :lst)", `{"l":{"L":[{"S":"a"},{"N":"1"},{"S":"c"},{"S":"a"}]}}`},
		{"SET l = list_append(:lst, l)", `{"l":{"L":[{"S":"a"},{"S":"a"},{"N":"1"},{"S":"c"}]}}`},
		{"SET l[10] = :5", `{"l":{"L":[{"S":"a"},{"N":"1"},{"S":"c"},{"N":"5"}]}}`},
		{"SET l[1] = :5", `{"l":{"L":[{"S":"a"},{"N":"5"},{"S":"c"}]}}`},
		{"SET m.y.z = :5, m.w = :1", `{"m":{"M":{"x":{"N":"1"},"w":{"N":"1"},"y":{"M":{"z":{"N":"5"}}}}}}`},
		{"REMOVE l[0], l[2]", `{"l":{"L":[{"N":"1"}]}}`},
		{"REMOVE l[7], nope, m.nope", `{}`},
		{"REMOVE n, m.y", `{"n":null,"m":{"M":{"x":{"N":"1"}}}}`},
		{"ADD n :1, q :1, ss :ssab, nw :ssab", `{"n":{"N":"6"},"q":{"N":"1"},"nw":{"SS":["b","a"]}}`},
		{"DELETE ss :ssab", `{"ss":null}`},
		{"set q = :1 remove n add ns :ns5", `{"q":{"N":"1"},"n":null,"ns":{"NS":["1","2","5"]}}`},
		{"REMOVE n SET q = :1", `{"q":{"N":"1"},"n":null}`},
	}
	for _, tt := range tests {
		item := MustItem(t, testItem)
		u, err := expression.ParseUpdate(tt.expr, testNames, values)
		if err != nil {
			t.Errorf("ParseUpdate(%q): %v", tt.expr, err)
			continue
		}
		got, err := u.Apply(item)
		if err != nil {
			t.Errorf("Apply(%q): %v", tt.expr, err)
			continue
		}
		if !attrs.ItemsEqual(item, MustItem(t, testItem)) {
			t.Errorf("Apply(%q) modified its input", tt.expr)
		}
		want := MustItem(t, testItem)
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
			t.Errorf("Apply(%q): got %s, want changes %s", tt.expr, g, tt.want)
		}
	}
}

func TestUpdateErrors(t *testing.T) {
	values := MustValues(t, testValues)
	pre := "Invalid UpdateExpression: "
	parse := []struct{ expr, want string }{
		{"SET m = :1, m.x = :1", pre + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, x]"},
		{"SET n = :1 REMOVE n", pre + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [n], path two: [n]"},
		{"SET l[1] = :1 REMOVE l.x", pre + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [l, [1]], path two: [l, x]"},
		{"SET a = :1 SET b = :1", pre + `The "SET" section can only be used once in an update expression;`},
		{"ADD n :a", pre + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"DELETE ss :1", pre + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
		{"SET q = n + :a", pre + "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"SET l = list_append(l, :a)", pre + "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
		{"SET l = list_append(l)", pre + "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		{"SET q = if_not_exists(:1, :1)", pre + "Operator or function requires a document path; operator or function: if_not_exists"},
		{"SET q = size(l)", pre + "The function is not allowed in an update expression; function: size"},
		{"SET q :1", pre + `Syntax error; token: ":1", near: "q :1"`},
		{"PUT q = :1", pre + `Syntax error; token: "PUT", near: "PUT"`},
		{"SET q = :nope", pre + "An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"REMOVE #nope", pre + "An expression attribute name used in the document path is not defined; attribute name: #nope"},
	}
	for _, tt := range parse {
		_, err := expression.ParseUpdate(tt.expr, testNames, values)
		wantError(t, tt.expr, err, tt.want)
	}
	apply := []struct{ expr, want string }{
		{"SET q = nope + :1", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET q = s + :1", "An operand in the update expression has an incorrect data type"},
		{"SET l = list_append(n, :lst)", "An operand in the update expression has an incorrect data type"},
		{"ADD s :1", "An operand in the update expression has an incorrect data type"},
		{"ADD ss :1", "An operand in the update expression has an incorrect data type"},
		{"DELETE ns :ssab", "An operand in the update expression has an incorrect data type"},
		{"SET nope.x = :1", "The document path provided in the update expression is invalid for update"},
		{"SET n.x = :1", "The document path provided in the update expression is invalid for update"},
		{"SET l[10].x = :1", "The document path provided in the update expression is invalid for update"},
		{"REMOVE nope.x", "The document path provided in the update expression is invalid for update"},
	}
	for _, tt := range apply {
		u, err := expression.ParseUpdate(tt.expr, testNames, values)
		if err != nil {
			t.Errorf("ParseUpdate(%q): %v", tt.expr, err)
			continue
		}
		_, err = u.Apply(MustItem(t, testItem))
		wantError(t, tt.expr, err, tt.want)
	}
	u, _ := expression.ParseUpdate("SET q = :1, m.x = :5 REMOVE l[0] ADD n :1", testNames, values)
	if got := strings.Join(u.TopLevel(), ","); got != "q,m,l,n" {
		t.Errorf("TopLevel: got %s, want q,m,l,n", got)
	}
	old := expression.Project(MustItem(t, testItem), u.Paths())
	b, _ := json.Marshal(old)
	if want := `{"l":{"L":[{"S":"a"}]},"m":{"M":{"x":{"N":"1"}}},"n":{"N":"5"}}`; string(b) != want {
		t.Errorf("UPDATED_OLD: got %s, want %s", b, want)
	}
}

func TestProjection(t *testing.T) {
	item := MustItem(t, testItem)
	tests := []struct{ expr, want string }{
		{"n, s", `{"n":{"N":"5"},"s":{"S":"héllo"}}`},
		{"#n, nope", `{"n":{"N":"5"}}`},
		{"m.y.z", `{"m":{"M":{"y":{"M":{"z":{"S":"deep"}}}}}}`},
		{"l[2], l[0], l[9]", `{"l":{"L":[{"S":"a"},{"S":"c"}]}}`},
		{"m.x, #m.y.nope", `{"m":{"M":{"x":{"N":"1"}}}}`},
	}
	for _, tt := range tests {
		p, err := expression.ParseProjection(tt.expr, testNames)
		if err != nil {
			t.Errorf("ParseProjection(%q): %v", tt.expr, err)
			continue
		}
		b, _ := json.Marshal(p.Apply(item))
		if string(b) != tt.want {
			t.Errorf("Apply(%q): got %s, want %s", tt.expr, b, tt.want)
		}
	}
	pre := "Invalid ProjectionExpression: "
	errs := []struct{ expr, want string }{
		{"m, m.x", pre + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, x]"},
		{"a,", pre + `Syntax error; token: "<EOF>", near: ","`},
		{"status", pre + "Attribute name is a reserved keyword; reserved keyword: status"},
		{"a b", pre + `Syntax error; token: "b", near: "a b"`},
	}
	for _, tt := range errs {
		_, err := expression.ParseProjection(tt.expr, testNames)
		wantError(t, tt.expr, err, tt.want)
	}
}

func TestKeyCondition(t *testing.T) {
	values := MustValues(t, testValues)
	kc, err := expression.ParseKeyCondition("pk = :a AND n BETWEEN :1 AND :5", testNames, values, "pk", "n")
	if err != nil {
		t.Fatal(err)
	}
	if kc.HashValue.S != "a" || kc.Range == nil || kc.Range.Op != "BETWEEN" || len(kc.Range.Values) != 2 {
		t.Fatalf("got %+v", kc)
	}
	num := func(s string) attrs.Value { return attrs.Num(attrs.MustParseNumber(s)) }
	if !kc.Range.Match(num("3")) || kc.Range.Match(num("6")) || kc.Range.Match(attrs.Str("3")) {
		t.Errorf("BETWEEN Match wrong")
	}
	ok := []struct{ expr, op string }{
		{"pk = :a", ""},
		{"#n = :1 AND pk = :a", "="},
		{"(pk = :a) AND (#n < :5)", "<"},
		{"pk = :a AND begins_with(s, :he)", "begins_with"},
	}
	for _, tt := range ok {
		rk := "n"
		if tt.op == "begins_with" {
			rk = "s"
		}
		kc, err := expression.ParseKeyCondition(tt.expr, testNames, values, "pk", rk)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		if (kc.Range == nil) != (tt.op == "") || kc.Range != nil && kc.Range.Op != tt.op {
			t.Errorf("%q: got %+v, want op %q", tt.expr, kc.Range, tt.op)
		}
	}
	pre := "Invalid KeyConditionExpression: "
	errs := []struct{ expr, want string }{
		{"n = :1", "Query condition missed key schema element: pk"},
		{"pk = :a AND n = :1 AND n = :5", "KeyConditionExpressions must only contain one condition per key"},
		{"pk = :a AND s = :a", "Query key condition not supported"},
		{"pk < :a", "Query key condition not supported"},
		{"pk = :a OR n = :1", pre + "Invalid operator used in KeyConditionExpression: OR"},
		{"pk = :a AND contains(n, :1)", pre + "Invalid operator used in KeyConditionExpression: contains"},
		{"pk = :a AND begins_with(n, :1)", pre + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"pk = :a AND n BETWEEN :5 AND :1", pre + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: AttributeValue: {N:5}, upper operand: AttributeValue: {N:1}"},
		{"pk = :a AND n <> :1", pre + "Unsupported operator in KeyConditionExpression: <>"},
	}
	for _, tt := range errs {
		_, err := expression.ParseKeyCondition(tt.expr, testNames, values, "pk", "n")
		wantError(t, tt.expr, err, tt.want)
	}
}

func TestUsage(t *testing.T) {
	values := MustValues(t, `{":a":{"S":"a"},":b":{"S":"b"},":c":{"S":"c"}}`)
	names := map[string]string{"#x": "x", "#y": "y"}
	c, err := expression.ParseCondition("#x = :a", names, values)
	if err != nil {
		t.Fatal(err)
	}
	u, err := expression.ParseUpdate("SET q = :b", names, values)
	if err != nil {
		t.Fatal(err)
	}
	err = expression.CheckUnused(names, values, c.Refs(), u.Refs())
	wantError(t, "unused values", err, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}")
	delete(values, ":c")
	err = expression.CheckUnused(names, values, c.Refs(), u.Refs())
	wantError(t, "unused names", err, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#y}")
	delete(names, "#y")
	if err := expression.CheckUnused(names, values, c.Refs(), u.Refs()); err != nil {
		t.Errorf("CheckUnused: got %v, want nil", err)
	}
	wantError(t, "empty names", expression.CheckParams(map[string]string{}, nil), "ExpressionAttributeNames must not be empty")
	wantError(t, "empty values", expression.CheckParams(nil, map[string]attrs.Value{}), "ExpressionAttributeValues must not be empty")
	wantError(t, "bad key", expression.CheckParams(map[string]string{"x": "x"}, nil), `ExpressionAttributeNames contains invalid key: Syntax error; key: "x"`)
	if !expression.IsReserved("Size") || expression.IsReserved("pk") {
		t.Errorf("IsReserved wrong")
	}
}
